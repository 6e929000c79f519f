/* cql_result.c: decode RESULT bodies and iterate rows.
 *
 * Rows content is walked twice: once at decode time to validate every
 * [bytes] length against the frame, and once by the caller's iterator.
 * The second walk is cheap (no checks can fail) and buys an iterator
 * that never reports a malformed frame halfway through a page the
 * caller has started printing.
 */
#include "cql/cql_result.h"

/* <rows_count><rows_content>: check it and remember its extent. */
static int cql_result_decode_rows(cql_reader *r, cql_pool *pool, cql_rows *out)
{
    cql_slice value;
    const uint8_t *start;
    int32_t cols;

    if (cql_metadata_decode_rows(r, pool, &out->meta) != CQL_OK)
        return CQL_ERR;
    cols = out->meta.column_count;
    if (cql_read_count32(r, &out->row_count, 0, "row count") != CQL_OK)
        return CQL_ERR;
    /* CQL cannot select zero columns; refusing it here also keeps a forged
     * row count from driving a long loop over empty rows */
    if (out->row_count > 0 && cols == 0)
        return cql_error_set(r->err, CQL_ERR_MALFORMED, "%d rows of zero columns", (int)out->row_count);
    /* each value is at least a 4-byte length */
    if (out->row_count > 0 && (size_t)cols > cql_reader_left(r) / 4 / (size_t)out->row_count)
        return cql_error_set(r->err, CQL_ERR_TRUNCATED, "%d rows of %d columns cannot fit the %zu bytes left",
                             (int)out->row_count, (int)cols, cql_reader_left(r));
    start = r->pos;
    for (int64_t i = 0; i < (int64_t)out->row_count * cols; i++) {
        if (cql_read_bytes(r, &value, "row value") != CQL_OK)
            return CQL_ERR;
    }
    out->content = cql_slice_make(start, (size_t)(r->pos - start));
    return CQL_OK;
}

/* <id><metadata><result_metadata> */
static int cql_result_decode_prepared(cql_reader *r, cql_pool *pool, cql_prepared *out)
{
    if (cql_read_short_bytes(r, &out->id, "prepared id") != CQL_OK ||
        cql_metadata_decode_prepared(r, pool, &out->params) != CQL_OK ||
        cql_metadata_decode_rows(r, pool, &out->result) != CQL_OK)
        return CQL_ERR;
    return CQL_OK;
}

/* <change_type><target><options>, section 4.2.6. */
static int cql_result_decode_schema_change(cql_reader *r, cql_schema_change *out)
{
    if (cql_read_string(r, &out->change_type, "schema change type") != CQL_OK ||
        cql_read_string(r, &out->target, "schema change target") != CQL_OK ||
        cql_read_string(r, &out->keyspace, "schema change keyspace") != CQL_OK)
        return CQL_ERR;
    out->name = cql_slice_make(out->keyspace.base, 0);
    if (cql_slice_eq_cstr(out->target, "KEYSPACE"))
        return CQL_OK;
    if (cql_read_string(r, &out->name, "schema change name") != CQL_OK)
        return CQL_ERR;
    if (cql_slice_eq_cstr(out->target, "FUNCTION") || cql_slice_eq_cstr(out->target, "AGGREGATE"))
        return cql_skip_string_list(r, "schema change argument types");
    return CQL_OK;
}

int cql_result_decode(cql_reader *r, cql_pool *pool, cql_result *out)
{
    *out = (cql_result){0};
    if (cql_read_i32(r, &out->kind, "result kind") != CQL_OK)
        return CQL_ERR;
    switch (out->kind) {
    case CQL_RESULT_VOID: return CQL_OK;
    case CQL_RESULT_ROWS: return cql_result_decode_rows(r, pool, &out->rows);
    case CQL_RESULT_SET_KEYSPACE: return cql_read_string(r, &out->keyspace, "keyspace");
    case CQL_RESULT_PREPARED: return cql_result_decode_prepared(r, pool, &out->prepared);
    case CQL_RESULT_SCHEMA_CHANGE: return cql_result_decode_schema_change(r, &out->schema_change);
    }
    return cql_error_set(r->err, CQL_ERR_MALFORMED, "unknown result kind 0x%04x", (unsigned)out->kind);
}

void cql_row_iter_init(cql_row_iter *it, const cql_rows *rows)
{
    cql_error_clear(&it->err);
    cql_reader_init(&it->r, rows->content.base, rows->content.len, &it->err);
    it->rows = rows;
    it->left = rows->row_count;
}

int cql_row_iter_next(cql_row_iter *it, cql_value *values, size_t nvalues)
{
    const cql_metadata *meta = &it->rows->meta;

    if (it->left == 0)
        return 0;
    if (nvalues < (size_t)meta->column_count)
        return cql_error_set(&it->err, CQL_ERR_ARG, "row of %d columns read into %zu values", (int)meta->column_count,
                             nvalues);
    for (int32_t i = 0; i < meta->column_count; i++) {
        values[i].type = meta->columns != NULL ? &meta->columns[i].type : NULL;
        if (cql_read_bytes(&it->r, &values[i].bytes, "row value") != CQL_OK)
            return CQL_ERR; /* cannot happen: content was validated */
    }
    it->left--;
    return 1;
}
