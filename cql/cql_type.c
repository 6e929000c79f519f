/* cql_type.c: decode and print [option] column types.
 *
 * Decoding recurses once per nesting level, bounded by
 * CQL_TYPE_MAX_DEPTH; field counts of tuples and UDTs are checked against
 * the bytes left before anything is allocated, so a forged count cannot
 * make the pool grow beyond a small multiple of the frame's size.
 */
#include "cql/cql_type.h"

static int cql_type_decode_at(cql_reader *r, cql_pool *pool, cql_type *out, int depth);

const char *cql_type_name(uint16_t id)
{
    switch (id) {
    case CQL_TYPE_CUSTOM: return "custom";
    case CQL_TYPE_ASCII: return "ascii";
    case CQL_TYPE_BIGINT: return "bigint";
    case CQL_TYPE_BLOB: return "blob";
    case CQL_TYPE_BOOLEAN: return "boolean";
    case CQL_TYPE_COUNTER: return "counter";
    case CQL_TYPE_DECIMAL: return "decimal";
    case CQL_TYPE_DOUBLE: return "double";
    case CQL_TYPE_FLOAT: return "float";
    case CQL_TYPE_INT: return "int";
    case CQL_TYPE_TIMESTAMP: return "timestamp";
    case CQL_TYPE_UUID: return "uuid";
    case CQL_TYPE_VARCHAR: return "text";
    case CQL_TYPE_VARINT: return "varint";
    case CQL_TYPE_TIMEUUID: return "timeuuid";
    case CQL_TYPE_INET: return "inet";
    case CQL_TYPE_DATE: return "date";
    case CQL_TYPE_TIME: return "time";
    case CQL_TYPE_SMALLINT: return "smallint";
    case CQL_TYPE_TINYINT: return "tinyint";
    case CQL_TYPE_LIST: return "list";
    case CQL_TYPE_MAP: return "map";
    case CQL_TYPE_SET: return "set";
    case CQL_TYPE_UDT: return "udt";
    case CQL_TYPE_TUPLE: return "tuple";
    }
    return "unknown";
}

/* Allocate and decode n element types into out->sub. */
static int cql_type_decode_subs(cql_reader *r, cql_pool *pool, cql_type *out, uint16_t n, int depth)
{
    out->sub = cql_pool_alloc_array(pool, n, sizeof(*out->sub));
    if (out->sub == NULL)
        return cql_error_set(r->err, CQL_ERR_NOMEM, "out of memory decoding a column type");
    out->count = n;
    for (uint16_t i = 0; i < n; i++) {
        if (cql_type_decode_at(r, pool, &out->sub[i], depth + 1) != CQL_OK)
            return CQL_ERR;
    }
    return CQL_OK;
}

/* <ks><udt_name><n><name_1><type_1>...<name_n><type_n> */
static int cql_type_decode_udt(cql_reader *r, cql_pool *pool, cql_type *out, int depth)
{
    uint16_t n;

    if (cql_read_string(r, &out->keyspace, "UDT keyspace") != CQL_OK ||
        cql_read_string(r, &out->name, "UDT name") != CQL_OK || cql_read_count16(r, &n, 4, "UDT field count") != CQL_OK)
        return CQL_ERR;
    out->field_names = cql_pool_alloc_array(pool, n, sizeof(*out->field_names));
    out->sub = cql_pool_alloc_array(pool, n, sizeof(*out->sub));
    if (out->field_names == NULL || out->sub == NULL)
        return cql_error_set(r->err, CQL_ERR_NOMEM, "out of memory decoding a UDT type");
    out->count = n;
    for (uint16_t i = 0; i < n; i++) {
        if (cql_read_string(r, &out->field_names[i], "UDT field name") != CQL_OK ||
            cql_type_decode_at(r, pool, &out->sub[i], depth + 1) != CQL_OK)
            return CQL_ERR;
    }
    return CQL_OK;
}

static int cql_type_decode_at(cql_reader *r, cql_pool *pool, cql_type *out, int depth)
{
    uint16_t id, n;

    *out = (cql_type){0};
    if (depth >= CQL_TYPE_MAX_DEPTH)
        return cql_error_set(r->err, CQL_ERR_MALFORMED, "column type nested deeper than %d at offset %zu",
                             CQL_TYPE_MAX_DEPTH, cql_reader_offset(r));
    if (cql_read_u16(r, &id, "type id") != CQL_OK)
        return CQL_ERR;
    out->id = id;
    switch (id) {
    case CQL_TYPE_CUSTOM: return cql_read_string(r, &out->name, "custom type class");
    case CQL_TYPE_ASCII:
    case CQL_TYPE_BIGINT:
    case CQL_TYPE_BLOB:
    case CQL_TYPE_BOOLEAN:
    case CQL_TYPE_COUNTER:
    case CQL_TYPE_DECIMAL:
    case CQL_TYPE_DOUBLE:
    case CQL_TYPE_FLOAT:
    case CQL_TYPE_INT:
    case CQL_TYPE_TIMESTAMP:
    case CQL_TYPE_UUID:
    case CQL_TYPE_VARCHAR:
    case CQL_TYPE_VARINT:
    case CQL_TYPE_TIMEUUID:
    case CQL_TYPE_INET:
    case CQL_TYPE_DATE:
    case CQL_TYPE_TIME:
    case CQL_TYPE_SMALLINT:
    case CQL_TYPE_TINYINT: return CQL_OK;
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET: return cql_type_decode_subs(r, pool, out, 1, depth);
    case CQL_TYPE_MAP: return cql_type_decode_subs(r, pool, out, 2, depth);
    case CQL_TYPE_TUPLE:
        if (cql_read_count16(r, &n, 2, "tuple field count") != CQL_OK)
            return CQL_ERR;
        return cql_type_decode_subs(r, pool, out, n, depth);
    case CQL_TYPE_UDT: return cql_type_decode_udt(r, pool, out, depth);
    }
    return cql_error_set(r->err, CQL_ERR_MALFORMED, "unknown type id 0x%04x at offset %zu", id,
                         cql_reader_offset(r) - 2);
}

int cql_type_decode(cql_reader *r, cql_pool *pool, cql_type *out)
{
    return cql_type_decode_at(r, pool, out, 0);
}

void cql_type_format(cql_buf *out, const cql_type *t)
{
    switch (t->id) {
    case CQL_TYPE_CUSTOM: cql_buf_printf(out, "'%.*s'", (int)t->name.len, t->name.base); return;
    case CQL_TYPE_UDT:
        cql_buf_printf(out, "%.*s.%.*s", (int)t->keyspace.len, t->keyspace.base, (int)t->name.len, t->name.base);
        return;
    case CQL_TYPE_LIST:
    case CQL_TYPE_SET:
    case CQL_TYPE_MAP:
    case CQL_TYPE_TUPLE:
        cql_buf_printf(out, "%s<", cql_type_name(t->id));
        for (uint16_t i = 0; i < t->count; i++) {
            if (i > 0)
                cql_buf_put_raw(out, ", ", 2);
            cql_type_format(out, &t->sub[i]);
        }
        cql_buf_put_u8(out, '>');
        return;
    }
    cql_buf_printf(out, "%s", cql_type_name(t->id));
}
