/* cql_metadata.c: decode <metadata> of Rows and Prepared results.
 *
 * The two layouts differ only in their head (paging state vs partition
 * key indexes) and share the column specs, decoded once here. Every count
 * is checked against the bytes that are left before it sizes an
 * allocation: a column spec takes at least 4 bytes (an empty name and a
 * type id), a pk index 2.
 */
#include "cql/cql_metadata.h"

/* <global_table_spec>?<col_spec_1>...<col_spec_n> */
static int cql_metadata_decode_columns(cql_reader *r, cql_pool *pool, cql_metadata *out)
{
    int global = (out->flags & CQL_META_GLOBAL_TABLES_SPEC) != 0;
    cql_slice keyspace = {0}, table = {0};

    if (global && (cql_read_string(r, &keyspace, "global keyspace") != CQL_OK ||
                   cql_read_string(r, &table, "global table") != CQL_OK))
        return CQL_ERR;
    if ((size_t)out->column_count > cql_reader_left(r) / 4)
        return cql_error_set(r->err, CQL_ERR_TRUNCATED, "%d column specs cannot fit the %zu bytes left",
                             (int)out->column_count, cql_reader_left(r));
    out->columns = cql_pool_alloc_array(pool, (size_t)out->column_count, sizeof(*out->columns));
    if (out->columns == NULL)
        return cql_error_set(r->err, CQL_ERR_NOMEM, "out of memory for %d column specs", (int)out->column_count);
    for (int32_t i = 0; i < out->column_count; i++) {
        cql_column *c = &out->columns[i];

        if (global) {
            c->keyspace = keyspace;
            c->table = table;
        } else if (cql_read_string(r, &c->keyspace, "column keyspace") != CQL_OK ||
                   cql_read_string(r, &c->table, "column table") != CQL_OK) {
            return CQL_ERR;
        }
        if (cql_read_string(r, &c->name, "column name") != CQL_OK || cql_type_decode(r, pool, &c->type) != CQL_OK)
            return CQL_ERR;
    }
    return CQL_OK;
}

int cql_metadata_decode_rows(cql_reader *r, cql_pool *pool, cql_metadata *out)
{
    *out = (cql_metadata){0};
    if (cql_read_i32(r, &out->flags, "metadata flags") != CQL_OK)
        return CQL_ERR;
    if (cql_read_count32(r, &out->column_count, 0, "column count") != CQL_OK)
        return CQL_ERR;
    if (out->flags & CQL_META_HAS_MORE_PAGES) {
        if (cql_read_bytes(r, &out->paging_state, "paging state") != CQL_OK)
            return CQL_ERR;
        if (out->paging_state.base == NULL)
            return cql_error_set(r->err, CQL_ERR_MALFORMED, "has_more_pages with a null paging state");
    }
    if (out->flags & CQL_META_NO_METADATA)
        return CQL_OK;
    return cql_metadata_decode_columns(r, pool, out);
}

int cql_metadata_decode_prepared(cql_reader *r, cql_pool *pool, cql_metadata *out)
{
    *out = (cql_metadata){0};
    if (cql_read_i32(r, &out->flags, "prepared metadata flags") != CQL_OK ||
        cql_read_count32(r, &out->column_count, 0, "bind marker count") != CQL_OK ||
        cql_read_count32(r, &out->pk_count, 2, "partition key count") != CQL_OK)
        return CQL_ERR;
    out->pk_indexes = cql_pool_alloc_array(pool, (size_t)out->pk_count, sizeof(*out->pk_indexes));
    if (out->pk_indexes == NULL)
        return cql_error_set(r->err, CQL_ERR_NOMEM, "out of memory for %d partition key indexes", (int)out->pk_count);
    for (int32_t i = 0; i < out->pk_count; i++) {
        if (cql_read_u16(r, &out->pk_indexes[i], "partition key index") != CQL_OK)
            return CQL_ERR;
    }
    /* Only Global_tables_spec is defined for bind metadata; other bits
     * (paging, no metadata) have no meaning here and are ignored. */
    out->flags &= CQL_META_GLOBAL_TABLES_SPEC;
    return cql_metadata_decode_columns(r, pool, out);
}
