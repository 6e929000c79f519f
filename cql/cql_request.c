/* cql_request.c: request frame builders (section 4.1).
 *
 * All builders share cql_frame_begin/cql_frame_end for the header and
 * its length, and QUERY and EXECUTE share the <query_parameters> writer;
 * only the leading query text or prepared id differs.
 */
#include "cql/cql_request.h"

#include <strings.h>

#include "cql/cql_frame.h"

static const char *const cql_consistency_names[] = {
    "ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE",
};

#define CQL_CONSISTENCY_COUNT (sizeof(cql_consistency_names) / sizeof(cql_consistency_names[0]))

int cql_consistency_parse(const char *name, uint16_t *out)
{
    for (size_t i = 0; i < CQL_CONSISTENCY_COUNT; i++) {
        if (strcasecmp(name, cql_consistency_names[i]) == 0) {
            *out = (uint16_t)i;
            return CQL_OK;
        }
    }
    return CQL_ERR;
}

const char *cql_consistency_name(uint16_t consistency)
{
    return consistency < CQL_CONSISTENCY_COUNT ? cql_consistency_names[consistency] : "UNKNOWN";
}

/* Carry a failure of the values (sticky error, open collection) over to
 * buf, so callers look for errors in one place. */
static void cql_request_check_values(cql_buf *buf, const cql_values *values)
{
    if (cql_buf_failed(buf))
        return;
    if (cql_buf_failed(&values->buf))
        cql_error_set(&buf->err, values->buf.err.code, "bound values: %s", values->buf.err.msg);
    else if (values->depth != 0)
        cql_error_set(&buf->err, CQL_ERR_ARG, "bound values: %d collection(s) left open", values->depth);
}

/* Values block as a [short] count and the serialised values. */
static void cql_request_put_values(cql_buf *buf, const cql_values *values)
{
    cql_request_check_values(buf, values);
    cql_buf_put_u16(buf, values->count);
    cql_buf_put_raw(buf, values->buf.data, values->buf.len);
}

/* <query_parameters>, section 4.1.4. */
static void cql_request_put_params(cql_buf *buf, const cql_query_params *p)
{
    int has_values = p->values != NULL && (p->values->count > 0 || cql_buf_failed(&p->values->buf));
    uint8_t flags = 0;

    if (has_values)
        flags |= CQL_QUERY_FLAG_VALUES;
    if (p->skip_metadata)
        flags |= CQL_QUERY_FLAG_SKIP_METADATA;
    if (p->page_size > 0)
        flags |= CQL_QUERY_FLAG_PAGE_SIZE;
    if (p->paging_state.base != NULL)
        flags |= CQL_QUERY_FLAG_PAGING_STATE;
    if (p->has_serial_consistency)
        flags |= CQL_QUERY_FLAG_SERIAL_CONSISTENCY;
    if (p->has_timestamp)
        flags |= CQL_QUERY_FLAG_DEFAULT_TIMESTAMP;
    if (p->has_timestamp && p->timestamp_us < 0 && !cql_buf_failed(buf))
        cql_error_set(&buf->err, CQL_ERR_ARG, "negative default timestamp");
    cql_buf_put_u16(buf, p->consistency);
    cql_buf_put_u8(buf, flags);
    if (has_values)
        cql_request_put_values(buf, p->values);
    if (p->page_size > 0)
        cql_buf_put_i32(buf, p->page_size);
    if (p->paging_state.base != NULL)
        cql_buf_put_bytes(buf, p->paging_state);
    if (p->has_serial_consistency)
        cql_buf_put_u16(buf, p->serial_consistency);
    if (p->has_timestamp)
        cql_buf_put_i64(buf, p->timestamp_us);
}

int cql_request_startup(cql_buf *buf, int16_t stream)
{
    size_t start = cql_frame_begin(buf, stream, CQL_OP_STARTUP, 0);

    cql_buf_put_u16(buf, 1); /* [string map] of one entry */
    cql_buf_put_string(buf, cql_slice_from_cstr("CQL_VERSION"));
    cql_buf_put_string(buf, cql_slice_from_cstr("3.0.0"));
    return cql_frame_end(buf, start);
}

int cql_request_options(cql_buf *buf, int16_t stream)
{
    return cql_frame_end(buf, cql_frame_begin(buf, stream, CQL_OP_OPTIONS, 0));
}

int cql_request_query(cql_buf *buf, int16_t stream, cql_slice query, const cql_query_params *params)
{
    size_t start = cql_frame_begin(buf, stream, CQL_OP_QUERY, 0);

    cql_buf_put_long_string(buf, query);
    cql_request_put_params(buf, params);
    return cql_frame_end(buf, start);
}

int cql_request_prepare(cql_buf *buf, int16_t stream, cql_slice query)
{
    size_t start = cql_frame_begin(buf, stream, CQL_OP_PREPARE, 0);

    cql_buf_put_long_string(buf, query);
    return cql_frame_end(buf, start);
}

int cql_request_execute(cql_buf *buf, int16_t stream, cql_slice prepared_id, const cql_query_params *params)
{
    size_t start = cql_frame_begin(buf, stream, CQL_OP_EXECUTE, 0);

    if (prepared_id.base == NULL && !cql_buf_failed(buf))
        cql_error_set(&buf->err, CQL_ERR_ARG, "EXECUTE without a prepared id");
    cql_buf_put_short_bytes(buf, prepared_id);
    cql_request_put_params(buf, params);
    return cql_frame_end(buf, start);
}

int cql_request_batch(cql_buf *buf, int16_t stream, uint8_t type, const cql_batch_stmt *stmts, uint16_t n,
                      const cql_query_params *params)
{
    size_t start = cql_frame_begin(buf, stream, CQL_OP_BATCH, 0);
    uint8_t flags = 0;

    if (type > CQL_BATCH_COUNTER && !cql_buf_failed(buf))
        cql_error_set(&buf->err, CQL_ERR_ARG, "unknown batch type %u", type);
    cql_buf_put_u8(buf, type);
    cql_buf_put_u16(buf, n);
    for (uint16_t i = 0; i < n; i++) {
        const cql_batch_stmt *s = &stmts[i];

        cql_buf_put_u8(buf, s->prepared_id.base != NULL ? 1 : 0);
        if (s->prepared_id.base != NULL)
            cql_buf_put_short_bytes(buf, s->prepared_id);
        else
            cql_buf_put_long_string(buf, s->query);
        if (s->values != NULL)
            cql_request_put_values(buf, s->values);
        else
            cql_buf_put_u16(buf, 0);
    }
    if (params->has_serial_consistency)
        flags |= CQL_QUERY_FLAG_SERIAL_CONSISTENCY;
    if (params->has_timestamp)
        flags |= CQL_QUERY_FLAG_DEFAULT_TIMESTAMP;
    cql_buf_put_u16(buf, params->consistency);
    cql_buf_put_u8(buf, flags);
    if (params->has_serial_consistency)
        cql_buf_put_u16(buf, params->serial_consistency);
    if (params->has_timestamp)
        cql_buf_put_i64(buf, params->timestamp_us);
    return cql_frame_end(buf, start);
}
