/* cql_value.c: type-checked decoding of serialised values (section 6).
 *
 * All getters share cql_value_check, which does the type, null and
 * length checks in that order; the decoding that follows is a few lines
 * of big-endian assembly over bytes known to be there.
 */
#include "cql/cql_value.h"

#include <string.h>

/* cql_error_set that tolerates err == NULL. */
#define CQL_VALUE_FAIL(err, code, ...) ((err) != NULL ? cql_error_set((err), (code), __VA_ARGS__) : CQL_ERR)

static int cql_value_type_in(const cql_value *v, const uint16_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v->type->id == ids[i])
            return 1;
    }
    return 0;
}

/* Type among ids, not null, and exactly len bytes (len 0: any length). */
static int cql_value_check(const cql_value *v, const uint16_t *ids, size_t n, size_t len, const char *want,
                           cql_error *err)
{
    if (v->type == NULL)
        return CQL_VALUE_FAIL(err, CQL_ERR_TYPE, "value has no type (result without metadata), wanted %s", want);
    if (!cql_value_type_in(v, ids, n))
        return CQL_VALUE_FAIL(err, CQL_ERR_TYPE, "column of type %s read as %s", cql_type_name(v->type->id), want);
    if (cql_value_is_null(v))
        return CQL_VALUE_FAIL(err, CQL_ERR_NULL, "null %s value", cql_type_name(v->type->id));
    if (len != 0 && v->bytes.len != len)
        return CQL_VALUE_FAIL(err, CQL_ERR_MALFORMED, "%s value of %zu bytes, expected %zu", cql_type_name(v->type->id),
                              v->bytes.len, len);
    return CQL_OK;
}

/* Byte width of a fixed-width integer type, 0 for others. */
static size_t cql_value_int_width(uint16_t id)
{
    switch (id) {
    case CQL_TYPE_TINYINT: return 1;
    case CQL_TYPE_SMALLINT: return 2;
    case CQL_TYPE_INT: return 4;
    case CQL_TYPE_BIGINT:
    case CQL_TYPE_COUNTER:
    case CQL_TYPE_TIMESTAMP:
    case CQL_TYPE_TIME: return 8;
    }
    return 0;
}

int cql_value_as_int32(const cql_value *v, int32_t *out, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_INT, CQL_TYPE_SMALLINT, CQL_TYPE_TINYINT};

    if (cql_value_check(v, ids, 3, 0, "int", err) != CQL_OK)
        return CQL_ERR;
    if (v->bytes.len != cql_value_int_width(v->type->id))
        return CQL_VALUE_FAIL(err, CQL_ERR_MALFORMED, "%s value of %zu bytes", cql_type_name(v->type->id),
                              v->bytes.len);
    *out = (int32_t)cql_be_int(v->bytes.base, v->bytes.len);
    return CQL_OK;
}

int cql_value_as_int64(const cql_value *v, int64_t *out, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_BIGINT, CQL_TYPE_COUNTER,  CQL_TYPE_TIMESTAMP, CQL_TYPE_TIME,
                                   CQL_TYPE_INT,    CQL_TYPE_SMALLINT, CQL_TYPE_TINYINT};

    if (cql_value_check(v, ids, 7, 0, "bigint", err) != CQL_OK)
        return CQL_ERR;
    if (v->bytes.len != cql_value_int_width(v->type->id))
        return CQL_VALUE_FAIL(err, CQL_ERR_MALFORMED, "%s value of %zu bytes", cql_type_name(v->type->id),
                              v->bytes.len);
    *out = cql_be_int(v->bytes.base, v->bytes.len);
    return CQL_OK;
}

int cql_value_as_timestamp(const cql_value *v, int64_t *ms, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_TIMESTAMP};

    if (cql_value_check(v, ids, 1, 8, "timestamp", err) != CQL_OK)
        return CQL_ERR;
    *ms = cql_be_int(v->bytes.base, v->bytes.len);
    return CQL_OK;
}

int cql_value_as_double(const cql_value *v, double *out, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_DOUBLE, CQL_TYPE_FLOAT};
    size_t len;

    if (cql_value_check(v, ids, 2, 0, "double", err) != CQL_OK)
        return CQL_ERR;
    len = v->type->id == CQL_TYPE_DOUBLE ? 8 : 4;
    if (v->bytes.len != len)
        return CQL_VALUE_FAIL(err, CQL_ERR_MALFORMED, "%s value of %zu bytes", cql_type_name(v->type->id),
                              v->bytes.len);
    if (len == 8) {
        uint64_t bits = (uint64_t)cql_be_int(v->bytes.base, v->bytes.len);
        memcpy(out, &bits, sizeof(*out));
    } else {
        uint32_t bits = (uint32_t)cql_be_int(v->bytes.base, v->bytes.len);
        float f;
        memcpy(&f, &bits, sizeof(f));
        *out = f;
    }
    return CQL_OK;
}

int cql_value_as_bool(const cql_value *v, int *out, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_BOOLEAN};

    if (cql_value_check(v, ids, 1, 1, "boolean", err) != CQL_OK)
        return CQL_ERR;
    *out = v->bytes.base[0] != 0;
    return CQL_OK;
}

int cql_value_as_text(const cql_value *v, cql_slice *out, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_VARCHAR, CQL_TYPE_ASCII};

    if (cql_value_check(v, ids, 2, 0, "text", err) != CQL_OK)
        return CQL_ERR;
    *out = v->bytes;
    return CQL_OK;
}

int cql_value_as_blob(const cql_value *v, cql_slice *out, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_BLOB};

    if (cql_value_check(v, ids, 1, 0, "blob", err) != CQL_OK)
        return CQL_ERR;
    *out = v->bytes;
    return CQL_OK;
}

int cql_value_as_uuid(const cql_value *v, uint8_t out[16], cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_UUID, CQL_TYPE_TIMEUUID};

    if (cql_value_check(v, ids, 2, 16, "uuid", err) != CQL_OK)
        return CQL_ERR;
    memcpy(out, v->bytes.base, 16);
    return CQL_OK;
}

int cql_collection_begin(cql_collection_iter *it, const cql_value *v, cql_error *err)
{
    static const uint16_t ids[] = {CQL_TYPE_LIST, CQL_TYPE_SET, CQL_TYPE_MAP};
    size_t min_size;

    if (cql_value_check(v, ids, 3, 0, "collection", err) != CQL_OK)
        return CQL_ERR;
    it->type = v->type;
    cql_error_clear(&it->err);
    cql_reader_init(&it->r, v->bytes.base, v->bytes.len, &it->err);
    min_size = v->type->id == CQL_TYPE_MAP ? 8 : 4; /* each element is [bytes] */
    if (cql_read_count32(&it->r, &it->left, min_size, "collection element count") != CQL_OK)
        return CQL_VALUE_FAIL(err, it->err.code, "%s", it->err.msg);
    return CQL_OK;
}

int cql_collection_next(cql_collection_iter *it, cql_value *elem, cql_value *val, cql_error *err)
{
    int map = it->type->id == CQL_TYPE_MAP;

    if (it->left == 0)
        return 0;
    elem->type = &it->type->sub[0];
    if (cql_read_bytes(&it->r, &elem->bytes, "collection element") != CQL_OK)
        return CQL_VALUE_FAIL(err, it->err.code, "%s", it->err.msg);
    if (map) {
        cql_value ignored;
        cql_value *v = val != NULL ? val : &ignored;

        v->type = &it->type->sub[1];
        if (cql_read_bytes(&it->r, &v->bytes, "map value") != CQL_OK)
            return CQL_VALUE_FAIL(err, it->err.code, "%s", it->err.msg);
    }
    it->left--;
    return 1;
}
