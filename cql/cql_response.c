/* cql_response.c: response frame decoding (sections 2.2 and 4.2).
 *
 * Decoding is one pass of a cql_reader over the body: the flag-driven
 * prefix (tracing id, warnings, custom payload, in that order), then the
 * opcode's own body. Trailing bytes after a known body are ignored, as the
 * spec asks of clients so that servers can extend messages.
 */
#include "cql/cql_response.h"

#include <stdio.h>
#include <string.h>

/* <code><message>[...]: the extras we keep are the ones a client acts
 * on; the rest (replica counts of timeouts and failures) are skipped. */
static int cql_response_decode_error(cql_reader *r, cql_server_error *out)
{
    if (cql_read_i32(r, &out->code, "error code") != CQL_OK ||
        cql_read_string(r, &out->message, "error message") != CQL_OK)
        return CQL_ERR;
    switch (out->code) {
    case CQL_SERVER_UNPREPARED: return cql_read_short_bytes(r, &out->unprepared_id, "unprepared id");
    case CQL_SERVER_ALREADY_EXISTS:
        if (cql_read_string(r, &out->keyspace, "existing keyspace") != CQL_OK ||
            cql_read_string(r, &out->table, "existing table") != CQL_OK)
            return CQL_ERR;
        return CQL_OK;
    }
    return CQL_OK;
}

/* [string list] into a pool array. */
static int cql_response_decode_string_list(cql_reader *r, cql_pool *pool, uint16_t *count, cql_slice **out,
                                           const char *what)
{
    if (cql_read_count16(r, count, 2, what) != CQL_OK)
        return CQL_ERR;
    *out = cql_pool_alloc_array(pool, *count, sizeof(**out));
    if (*out == NULL)
        return cql_error_set(r->err, CQL_ERR_NOMEM, "out of memory for %u strings", (unsigned)*count);
    for (uint16_t i = 0; i < *count; i++) {
        if (cql_read_string(r, &(*out)[i], what) != CQL_OK)
            return CQL_ERR;
    }
    return CQL_OK;
}

/* SUPPORTED: a [string multimap]. */
static int cql_response_decode_supported(cql_reader *r, cql_pool *pool, cql_response *resp)
{
    if (cql_read_count16(r, &resp->supported_count, 4, "supported option count") != CQL_OK)
        return CQL_ERR;
    resp->supported = cql_pool_alloc_array(pool, resp->supported_count, sizeof(*resp->supported));
    if (resp->supported == NULL)
        return cql_error_set(r->err, CQL_ERR_NOMEM, "out of memory for supported options");
    for (uint16_t i = 0; i < resp->supported_count; i++) {
        cql_supported_option *o = &resp->supported[i];

        if (cql_read_string(r, &o->name, "supported option name") != CQL_OK ||
            cql_response_decode_string_list(r, pool, &o->value_count, &o->values, "supported option value") != CQL_OK)
            return CQL_ERR;
    }
    return CQL_OK;
}

/* Tracing id, warnings and custom payload, as the header's flags say. */
static int cql_response_decode_prefix(cql_reader *r, cql_pool *pool, cql_response *resp)
{
    uint8_t flags = resp->header.flags;
    uint16_t n;
    cql_slice key, value;

    if ((flags & CQL_FLAG_TRACING) && cql_read_raw(r, 16, &resp->tracing_id, "tracing id") != CQL_OK)
        return CQL_ERR;
    if ((flags & CQL_FLAG_WARNING) &&
        cql_response_decode_string_list(r, pool, &resp->warning_count, &resp->warnings, "warning") != CQL_OK)
        return CQL_ERR;
    if (flags & CQL_FLAG_CUSTOM_PAYLOAD) { /* [bytes map]: validated, not kept */
        if (cql_read_count16(r, &n, 6, "custom payload size") != CQL_OK)
            return CQL_ERR;
        for (uint16_t i = 0; i < n; i++) {
            if (cql_read_string(r, &key, "custom payload key") != CQL_OK ||
                cql_read_bytes(r, &value, "custom payload value") != CQL_OK)
                return CQL_ERR;
        }
    }
    return CQL_OK;
}

static int cql_response_decode_body(cql_reader *r, cql_pool *pool, cql_response *resp)
{
    if (cql_response_decode_prefix(r, pool, resp) != CQL_OK)
        return CQL_ERR;
    switch (resp->header.opcode) {
    case CQL_OP_READY:
    case CQL_OP_AUTH_CHALLENGE: /* SASL tokens: we do not authenticate */
    case CQL_OP_AUTH_SUCCESS: return CQL_OK;
    case CQL_OP_ERROR: return cql_response_decode_error(r, &resp->error);
    case CQL_OP_AUTHENTICATE: return cql_read_string(r, &resp->authenticator, "authenticator");
    case CQL_OP_SUPPORTED: return cql_response_decode_supported(r, pool, resp);
    case CQL_OP_RESULT: return cql_result_decode(r, pool, &resp->result);
    case CQL_OP_EVENT: return cql_read_string(r, &resp->event_type, "event type");
    }
    return cql_error_set(r->err, CQL_ERR_MALFORMED, "request opcode %s in a response frame",
                         cql_opcode_name(resp->header.opcode));
}

int cql_response_decode_frame(cql_response *resp, const cql_frame *frame, cql_pool *pool)
{
    cql_error body_err;
    cql_reader r;

    *resp = (cql_response){0};
    resp->header = frame->header;
    if (!(frame->header.version & CQL_VERSION_RESPONSE_BIT))
        return cql_error_set(&resp->err, CQL_ERR_VERSION,
                             "request frame (version byte 0x%02x) where a response "
                             "was expected",
                             frame->header.version);
    if (frame->header.flags & CQL_FLAG_COMPRESSION)
        return cql_error_set(&resp->err, CQL_ERR_UNSUPPORTED,
                             "compressed frame, but no compression was "
                             "negotiated");
    cql_error_clear(&body_err);
    cql_reader_init(&r, frame->body.base, frame->body.len, &body_err);
    if (cql_response_decode_body(&r, pool, resp) != CQL_OK)
        return cql_error_set(&resp->err, body_err.code, "%s body: %s", cql_opcode_name(frame->header.opcode),
                             body_err.msg);
    return CQL_OK;
}

int cql_response_decode(cql_response *resp, const uint8_t *buf, size_t len, size_t max_body, cql_pool *pool)
{
    cql_frame frame;
    int rc;

    *resp = (cql_response){0};
    rc = cql_frame_split(buf, len, max_body, &frame, &resp->err);
    if (rc == CQL_ERR)
        return CQL_ERR;
    if (rc == CQL_INCOMPLETE) {
        if (frame.size == 0)
            return cql_error_set(&resp->err, CQL_ERR_TRUNCATED, "truncated frame header: %zu of 9 bytes", len);
        return cql_error_set(&resp->err, CQL_ERR_TRUNCATED, "truncated frame: %zu of %zu bytes", len, frame.size);
    }
    return cql_response_decode_frame(resp, &frame, pool);
}

int cql_response_is_rows(const cql_response *resp, int32_t columns)
{
    return resp != NULL && resp->header.opcode == CQL_OP_RESULT && resp->result.kind == CQL_RESULT_ROWS &&
           resp->result.rows.meta.column_count == columns;
}
