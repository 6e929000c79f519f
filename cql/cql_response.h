/* cql_response.h: decode a response frame of CQL native protocol v4.
 *
 * One call turns a complete frame into a cql_response: the header, the
 * optional tracing id, warnings and custom payload (section 2.2), and the
 * body of READY, ERROR, AUTHENTICATE, SUPPORTED or RESULT. EVENT bodies
 * are only identified (their type), not decoded: we never REGISTER.
 *
 * Ownership: the caller owns the cql_response, the frame buffer and the
 * pool. Every slice in the response points into the frame buffer and
 * every array into the pool: both must outlive the response's use. The
 * decoder never copies and never reads outside [buf, buf + len).
 *
 * A server ERROR decodes successfully (CQL_OK, header.opcode ==
 * CQL_OP_ERROR, details in resp->error); CQL_ERR means the bytes could not
 * be decoded, and resp->err says why.
 */
#ifndef CQL_RESPONSE_H
#define CQL_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_error.h"
#include "cql/cql_frame.h"
#include "cql/cql_pool.h"
#include "cql/cql_result.h"
#include "cql/cql_slice.h"

typedef struct cql_server_error {
    int32_t code; /* CQL_SERVER_* (cql_error.h) */
    cql_slice message;
    cql_slice unprepared_id; /* UNPREPARED: the id the server does not know */
    cql_slice keyspace;      /* ALREADY_EXISTS */
    cql_slice table;         /* ALREADY_EXISTS; empty for a keyspace */
} cql_server_error;

typedef struct cql_supported_option {
    cql_slice name; /* e.g. CQL_VERSION, COMPRESSION */
    uint16_t value_count;
    cql_slice *values; /* pool memory */
} cql_supported_option;

typedef struct cql_response {
    cql_frame_header header;
    cql_slice tracing_id; /* 16 bytes with CQL_FLAG_TRACING, else NULL base */
    uint16_t warning_count;
    cql_slice *warnings;      /* pool memory */
    cql_server_error error;   /* opcode ERROR */
    cql_result result;        /* opcode RESULT */
    cql_slice authenticator;  /* opcode AUTHENTICATE: the class name */
    uint16_t supported_count; /* opcode SUPPORTED */
    cql_supported_option *supported;
    cql_slice event_type; /* opcode EVENT: type only */
    cql_error err;        /* why decoding failed */
} cql_response;

/* Decode the frame at buf[0..len). buf must hold the whole frame (bytes
 * after it are ignored; see cql_frame_split to find frame boundaries).
 * max_body as in cql_frame_header_decode. CQL_OK or CQL_ERR (resp->err). */
int cql_response_decode(cql_response *resp, const uint8_t *buf, size_t len, size_t max_body, cql_pool *pool);

/* Decode a frame already split by cql_frame_split. CQL_OK or CQL_ERR. */
int cql_response_decode_frame(cql_response *resp, const cql_frame *frame, cql_pool *pool);

/* 1 if resp (may be NULL) is a RESULT of kind Rows with exactly columns
 * columns, the shape every SELECT of ours expects before it reads values;
 * 0 for anything else (an ERROR, another result kind, another column
 * count: a schema that is not the one the statement was written for). */
int cql_response_is_rows(const cql_response *resp, int32_t columns);

#endif
