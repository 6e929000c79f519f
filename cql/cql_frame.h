/* cql_frame.h: the 9-byte frame header of CQL native protocol v4.
 *
 *   version(1) flags(1) stream(2, signed) opcode(1) length(4)
 *
 * Decoding validates everything a header can get wrong (version, opcode,
 * a length above the caller's maximum) before anyone trusts the length to
 * size a read. cql_frame_split finds one complete frame at the start of a
 * receive buffer, which is all a blocking or an event-loop reader needs.
 */
#ifndef CQL_FRAME_H
#define CQL_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_buf.h"
#include "cql/cql_error.h"
#include "cql/cql_slice.h"

#define CQL_PROTOCOL_VERSION 4
#define CQL_VERSION_RESPONSE_BIT 0x80
#define CQL_FRAME_HEADER_SIZE 9
/* The protocol's own limit (section 2.5); callers may pass a lower one. */
#define CQL_FRAME_MAX_BODY (256u * 1024u * 1024u)

typedef enum cql_opcode {
    CQL_OP_ERROR = 0x00,
    CQL_OP_STARTUP = 0x01,
    CQL_OP_READY = 0x02,
    CQL_OP_AUTHENTICATE = 0x03,
    CQL_OP_OPTIONS = 0x05,
    CQL_OP_SUPPORTED = 0x06,
    CQL_OP_QUERY = 0x07,
    CQL_OP_RESULT = 0x08,
    CQL_OP_PREPARE = 0x09,
    CQL_OP_EXECUTE = 0x0A,
    CQL_OP_REGISTER = 0x0B,
    CQL_OP_EVENT = 0x0C,
    CQL_OP_BATCH = 0x0D,
    CQL_OP_AUTH_CHALLENGE = 0x0E,
    CQL_OP_AUTH_RESPONSE = 0x0F,
    CQL_OP_AUTH_SUCCESS = 0x10
} cql_opcode;

enum { CQL_FLAG_COMPRESSION = 0x01, CQL_FLAG_TRACING = 0x02, CQL_FLAG_CUSTOM_PAYLOAD = 0x04, CQL_FLAG_WARNING = 0x08 };

typedef struct cql_frame_header {
    uint8_t version; /* 0x04 request, 0x84 response */
    uint8_t flags;   /* CQL_FLAG_* */
    int16_t stream;  /* >= 0 for requests; -1 for server events */
    uint8_t opcode;  /* cql_opcode */
    uint32_t length; /* body bytes following the header */
} cql_frame_header;

typedef struct cql_frame {
    cql_frame_header header;
    cql_slice body; /* header.length bytes right after the header */
    size_t size;    /* CQL_FRAME_HEADER_SIZE + header.length */
} cql_frame;

/* Write h as 9 bytes into out. */
void cql_frame_header_encode(const cql_frame_header *h, uint8_t out[CQL_FRAME_HEADER_SIZE]);

/* Decode the header at p[0..len). Checks: at least 9 bytes (TRUNCATED),
 * protocol version 4 in either direction (VERSION), a known opcode
 * (MALFORMED), length <= max_body (TOO_LARGE; max_body 0 means the
 * protocol's 256 MiB). CQL_OK or CQL_ERR with *err set. */
int cql_frame_header_decode(const uint8_t *p, size_t len, size_t max_body, cql_frame_header *h, cql_error *err);

/* Find the frame that starts at p. CQL_OK: *out describes it, its body a
 * slice of p. CQL_INCOMPLETE: fewer than out->size bytes are there yet
 * (out->size is the total to wait for once the header is complete, 0
 * before). CQL_ERR: the header is invalid (see cql_frame_header_decode). */
int cql_frame_split(const uint8_t *p, size_t len, size_t max_body, cql_frame *out, cql_error *err);

/* Start a request frame in buf: writes a header with length 0 and returns
 * the offset of the frame for cql_frame_end. A negative stream is an
 * argument error (sticky, on buf). */
size_t cql_frame_begin(cql_buf *buf, int16_t stream, uint8_t opcode, uint8_t flags);

/* Patch the length of the frame begun at offset start. CQL_OK, or
 * CQL_ERR when any write since cql_buf_reset failed or the body exceeds
 * the protocol's limit (details in buf->err). */
int cql_frame_end(cql_buf *buf, size_t start);

/* Static name of an opcode, e.g. "RESULT"; "UNKNOWN" otherwise. */
const char *cql_opcode_name(uint8_t opcode);

#endif
