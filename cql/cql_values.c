/* cql_values.c: bound value serialisation, with nested collections.
 *
 * A collection is written as a placeholder [int] length and [int] count,
 * then its elements, and both are patched on close; this costs 8 bytes of
 * back-patching instead of a sizing pass over the caller's data.
 */
#include "cql/cql_values.h"

#include <string.h>

void cql_values_init(cql_values *v)
{
    cql_buf_init(&v->buf, 0);
    v->count = 0;
    v->depth = 0;
}

void cql_values_dispose(cql_values *v)
{
    cql_buf_dispose(&v->buf);
    v->count = 0;
    v->depth = 0;
}

void cql_values_reset(cql_values *v)
{
    cql_buf_reset(&v->buf);
    v->count = 0;
    v->depth = 0;
}

/* Account for one more value at the current level. */
static void cql_values_item(cql_values *v)
{
    if (cql_buf_failed(&v->buf))
        return;
    if (v->depth > 0) {
        if (v->open[v->depth - 1].items == INT32_MAX)
            cql_error_set(&v->buf.err, CQL_ERR_TOO_LARGE, "too many collection elements");
        else
            v->open[v->depth - 1].items++;
        return;
    }
    if (v->count == UINT16_MAX)
        cql_error_set(&v->buf.err, CQL_ERR_TOO_LARGE, "more than 65535 bound values");
    else
        v->count++;
}

/* One [value] with n bytes of content at p. */
static void cql_values_put(cql_values *v, const void *p, size_t n)
{
    cql_values_item(v);
    cql_buf_put_bytes(&v->buf, cql_slice_make(p, n));
}

void cql_values_add_null(cql_values *v)
{
    cql_values_item(v);
    cql_buf_put_i32(&v->buf, -1);
}

void cql_values_add_unset(cql_values *v)
{
    if (v->depth > 0 && !cql_buf_failed(&v->buf)) {
        cql_error_set(&v->buf.err, CQL_ERR_ARG, "'unset' is not allowed inside a collection");
        return;
    }
    cql_values_item(v);
    cql_buf_put_i32(&v->buf, -2);
}

void cql_values_add_raw(cql_values *v, cql_slice serialized)
{
    if (serialized.base == NULL) {
        cql_values_add_null(v);
        return;
    }
    cql_values_put(v, serialized.base, serialized.len);
}

void cql_values_add_int32(cql_values *v, int32_t x)
{
    cql_values_item(v);
    cql_buf_put_i32(&v->buf, 4);
    cql_buf_put_i32(&v->buf, x);
}

void cql_values_add_int64(cql_values *v, int64_t x)
{
    cql_values_item(v);
    cql_buf_put_i32(&v->buf, 8);
    cql_buf_put_i64(&v->buf, x);
}

void cql_values_add_text(cql_values *v, cql_slice s)
{
    cql_values_add_raw(v, s);
}

void cql_values_add_bool(cql_values *v, int b)
{
    uint8_t byte = b ? 1 : 0;
    cql_values_put(v, &byte, 1);
}

void cql_values_add_double(cql_values *v, double x)
{
    int64_t bits;

    memcpy(&bits, &x, sizeof(bits)); /* IEEE 754 binary64, section 6.7 */
    cql_values_add_int64(v, bits);
}

void cql_values_add_uuid(cql_values *v, const uint8_t uuid[16])
{
    cql_values_put(v, uuid, 16);
}

void cql_values_open(cql_values *v, cql_collection_kind kind)
{
    if (cql_buf_failed(&v->buf))
        return;
    if (v->depth == CQL_VALUES_MAX_DEPTH) {
        cql_error_set(&v->buf.err, CQL_ERR_ARG, "collections nested deeper than %d", CQL_VALUES_MAX_DEPTH);
        return;
    }
    cql_values_item(v);
    v->open[v->depth].offset = v->buf.len;
    v->open[v->depth].items = 0;
    v->open[v->depth].kind = kind;
    cql_buf_put_i32(&v->buf, 0); /* [value] length, patched on close */
    cql_buf_put_i32(&v->buf, 0); /* element count, patched on close */
    if (!cql_buf_failed(&v->buf))
        v->depth++;
}

void cql_values_close(cql_values *v)
{
    size_t offset, len;
    int32_t items;

    if (cql_buf_failed(&v->buf))
        return;
    if (v->depth == 0) {
        cql_error_set(&v->buf.err, CQL_ERR_ARG, "cql_values_close without an open collection");
        return;
    }
    v->depth--;
    offset = v->open[v->depth].offset;
    items = v->open[v->depth].items;
    if (v->open[v->depth].kind == CQL_COLL_MAP) {
        if (items % 2 != 0) {
            cql_error_set(&v->buf.err, CQL_ERR_ARG, "map closed after a key without its value");
            return;
        }
        items /= 2;
    }
    len = v->buf.len - offset - 4;
    if (len > INT32_MAX) {
        cql_error_set(&v->buf.err, CQL_ERR_TOO_LARGE, "collection of %zu bytes", len);
        return;
    }
    cql_buf_patch_i32(&v->buf, offset, (int32_t)len);
    cql_buf_patch_i32(&v->buf, offset + 4, items);
}

int cql_values_finish(cql_values *v)
{
    if (cql_buf_failed(&v->buf))
        return CQL_ERR;
    if (v->depth != 0)
        return cql_error_set(&v->buf.err, CQL_ERR_ARG, "%d collection(s) left open", v->depth);
    return CQL_OK;
}
