/* cql_frame.c: frame header encode/decode and request frame framing.
 *
 * The header is validated as soon as its 9 bytes are in, before the body
 * has arrived, so a peer announcing a 2 GiB frame is refused at once
 * instead of after we have tried to buffer it.
 */
#include "cql/cql_frame.h"

#include "cql/cql_reader.h"

void cql_frame_header_encode(const cql_frame_header *h, uint8_t out[CQL_FRAME_HEADER_SIZE])
{
    uint16_t stream = (uint16_t)h->stream;

    out[0] = h->version;
    out[1] = h->flags;
    out[2] = (uint8_t)(stream >> 8);
    out[3] = (uint8_t)stream;
    out[4] = h->opcode;
    out[5] = (uint8_t)(h->length >> 24);
    out[6] = (uint8_t)(h->length >> 16);
    out[7] = (uint8_t)(h->length >> 8);
    out[8] = (uint8_t)h->length;
}

const char *cql_opcode_name(uint8_t opcode)
{
    switch (opcode) {
    case CQL_OP_ERROR: return "ERROR";
    case CQL_OP_STARTUP: return "STARTUP";
    case CQL_OP_READY: return "READY";
    case CQL_OP_AUTHENTICATE: return "AUTHENTICATE";
    case CQL_OP_OPTIONS: return "OPTIONS";
    case CQL_OP_SUPPORTED: return "SUPPORTED";
    case CQL_OP_QUERY: return "QUERY";
    case CQL_OP_RESULT: return "RESULT";
    case CQL_OP_PREPARE: return "PREPARE";
    case CQL_OP_EXECUTE: return "EXECUTE";
    case CQL_OP_REGISTER: return "REGISTER";
    case CQL_OP_EVENT: return "EVENT";
    case CQL_OP_BATCH: return "BATCH";
    case CQL_OP_AUTH_CHALLENGE: return "AUTH_CHALLENGE";
    case CQL_OP_AUTH_RESPONSE: return "AUTH_RESPONSE";
    case CQL_OP_AUTH_SUCCESS: return "AUTH_SUCCESS";
    }
    return "UNKNOWN";
}

int cql_frame_header_decode(const uint8_t *p, size_t len, size_t max_body, cql_frame_header *h, cql_error *err)
{
    if (max_body == 0 || max_body > CQL_FRAME_MAX_BODY)
        max_body = CQL_FRAME_MAX_BODY;
    if (len < CQL_FRAME_HEADER_SIZE)
        return cql_error_set(err, CQL_ERR_TRUNCATED, "truncated frame header: %zu of 9 bytes", len);
    h->version = p[0];
    h->flags = p[1];
    h->stream = (int16_t)cql_be_int(p + 2, 2);
    h->opcode = p[4];
    h->length = (uint32_t)cql_be_int(p + 5, 4);
    if ((h->version & ~CQL_VERSION_RESPONSE_BIT) != CQL_PROTOCOL_VERSION)
        return cql_error_set(err, CQL_ERR_VERSION, "frame of protocol version %d (byte 0x%02x), expected %d",
                             h->version & ~CQL_VERSION_RESPONSE_BIT, h->version, CQL_PROTOCOL_VERSION);
    if (h->opcode == 0x04 || h->opcode > CQL_OP_AUTH_SUCCESS)
        return cql_error_set(err, CQL_ERR_MALFORMED, "unknown opcode 0x%02x", h->opcode);
    if (h->length > max_body)
        return cql_error_set(err, CQL_ERR_TOO_LARGE, "frame body of %lu bytes exceeds the limit of %zu",
                             (unsigned long)h->length, max_body);
    return CQL_OK;
}

int cql_frame_split(const uint8_t *p, size_t len, size_t max_body, cql_frame *out, cql_error *err)
{
    out->size = 0;
    if (len < CQL_FRAME_HEADER_SIZE)
        return CQL_INCOMPLETE;
    if (cql_frame_header_decode(p, len, max_body, &out->header, err) != CQL_OK)
        return CQL_ERR;
    out->size = CQL_FRAME_HEADER_SIZE + (size_t)out->header.length;
    if (len < out->size)
        return CQL_INCOMPLETE;
    out->body = cql_slice_make(p + CQL_FRAME_HEADER_SIZE, out->header.length);
    return CQL_OK;
}

size_t cql_frame_begin(cql_buf *buf, int16_t stream, uint8_t opcode, uint8_t flags)
{
    cql_frame_header h = {CQL_PROTOCOL_VERSION, flags, stream, opcode, 0};
    uint8_t bytes[CQL_FRAME_HEADER_SIZE];
    size_t start = buf->len;

    if (stream < 0 && !cql_buf_failed(buf))
        cql_error_set(&buf->err, CQL_ERR_ARG, "request stream id %d is negative", stream);
    cql_frame_header_encode(&h, bytes);
    cql_buf_put_raw(buf, bytes, sizeof(bytes));
    return start;
}

int cql_frame_end(cql_buf *buf, size_t start)
{
    size_t body;

    if (cql_buf_failed(buf))
        return CQL_ERR;
    body = buf->len - start - CQL_FRAME_HEADER_SIZE;
    if (body > CQL_FRAME_MAX_BODY)
        return cql_error_set(&buf->err, CQL_ERR_TOO_LARGE, "request body of %zu bytes exceeds the protocol's 256 MiB",
                             body);
    cql_buf_patch_i32(buf, start + 5, (int32_t)body);
    return CQL_OK;
}
