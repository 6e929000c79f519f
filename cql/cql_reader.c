/* cql_reader.c: bounded big-endian reads of the protocol notations.
 *
 * All reads funnel through cql_reader_need, the single bounds check; the
 * rest only assemble integers and slices from bytes already known to be
 * there.
 */
#include "cql/cql_reader.h"

void cql_reader_init(cql_reader *r, const void *p, size_t len, cql_error *err)
{
    static const uint8_t empty[1];

    if (p == NULL) { /* keep pointer arithmetic off NULL, even for +0 */
        p = empty;
        len = 0;
    }
    r->start = p;
    r->pos = p;
    r->end = r->pos + len;
    r->err = err;
}

/* CQL_OK when n bytes are left, else a TRUNCATED error naming what. */
static int cql_reader_need(cql_reader *r, size_t n, const char *what)
{
    if (cql_reader_left(r) >= n)
        return CQL_OK;
    return cql_error_set(r->err, CQL_ERR_TRUNCATED, "truncated %s: need %zu bytes at offset %zu, %zu left", what, n,
                         cql_reader_offset(r), cql_reader_left(r));
}

int cql_read_u8(cql_reader *r, uint8_t *out, const char *what)
{
    if (cql_reader_need(r, 1, what) != CQL_OK)
        return CQL_ERR;
    *out = *r->pos++;
    return CQL_OK;
}

int cql_read_u16(cql_reader *r, uint16_t *out, const char *what)
{
    if (cql_reader_need(r, 2, what) != CQL_OK)
        return CQL_ERR;
    *out = (uint16_t)cql_be_int(r->pos, 2);
    r->pos += 2;
    return CQL_OK;
}

int cql_read_i32(cql_reader *r, int32_t *out, const char *what)
{
    if (cql_reader_need(r, 4, what) != CQL_OK)
        return CQL_ERR;
    *out = (int32_t)cql_be_int(r->pos, 4);
    r->pos += 4;
    return CQL_OK;
}

int cql_read_i64(cql_reader *r, int64_t *out, const char *what)
{
    if (cql_reader_need(r, 8, what) != CQL_OK)
        return CQL_ERR;
    *out = cql_be_int(r->pos, 8);
    r->pos += 8;
    return CQL_OK;
}

int cql_read_raw(cql_reader *r, size_t n, cql_slice *out, const char *what)
{
    if (cql_reader_need(r, n, what) != CQL_OK)
        return CQL_ERR;
    out->base = (const char *)r->pos;
    out->len = n;
    r->pos += n;
    return CQL_OK;
}

int cql_read_string(cql_reader *r, cql_slice *out, const char *what)
{
    const uint8_t *save = r->pos;
    uint16_t n;

    if (cql_read_u16(r, &n, what) != CQL_OK)
        return CQL_ERR;
    if (cql_read_raw(r, n, out, what) != CQL_OK) {
        r->pos = save;
        return CQL_ERR;
    }
    return CQL_OK;
}

int cql_read_short_bytes(cql_reader *r, cql_slice *out, const char *what)
{
    return cql_read_string(r, out, what); /* same layout */
}

int cql_read_long_string(cql_reader *r, cql_slice *out, const char *what)
{
    const uint8_t *save = r->pos;
    int32_t n;

    if (cql_read_i32(r, &n, what) != CQL_OK)
        return CQL_ERR;
    if (n < 0) {
        r->pos = save;
        return cql_error_set(r->err, CQL_ERR_MALFORMED, "negative length %d for %s at offset %zu", (int)n, what,
                             cql_reader_offset(r));
    }
    if (cql_read_raw(r, (size_t)n, out, what) != CQL_OK) {
        r->pos = save;
        return CQL_ERR;
    }
    return CQL_OK;
}

int cql_read_bytes(cql_reader *r, cql_slice *out, const char *what)
{
    const uint8_t *save = r->pos;
    int32_t n;

    if (cql_read_i32(r, &n, what) != CQL_OK)
        return CQL_ERR;
    if (n < 0) {
        out->base = NULL;
        out->len = 0;
        return CQL_OK;
    }
    if (cql_read_raw(r, (size_t)n, out, what) != CQL_OK) {
        r->pos = save;
        return CQL_ERR;
    }
    return CQL_OK;
}

int cql_read_count32(cql_reader *r, int32_t *out, size_t min_size, const char *what)
{
    const uint8_t *save = r->pos;
    int32_t n;

    if (cql_read_i32(r, &n, what) != CQL_OK)
        return CQL_ERR;
    if (n < 0) {
        r->pos = save;
        return cql_error_set(r->err, CQL_ERR_MALFORMED, "negative %s %d at offset %zu", what, (int)n,
                             cql_reader_offset(r));
    }
    if (min_size != 0 && (size_t)n > cql_reader_left(r) / min_size) {
        r->pos = save;
        return cql_error_set(r->err, CQL_ERR_TRUNCATED, "%s %d at offset %zu does not fit the %zu bytes left", what,
                             (int)n, cql_reader_offset(r), cql_reader_left(r) - 4);
    }
    *out = n;
    return CQL_OK;
}

int cql_read_count16(cql_reader *r, uint16_t *out, size_t min_size, const char *what)
{
    const uint8_t *save = r->pos;
    uint16_t n;

    if (cql_read_u16(r, &n, what) != CQL_OK)
        return CQL_ERR;
    if (min_size != 0 && n > cql_reader_left(r) / min_size) {
        r->pos = save;
        return cql_error_set(r->err, CQL_ERR_TRUNCATED, "%s %u at offset %zu does not fit the %zu bytes left", what,
                             (unsigned)n, cql_reader_offset(r), cql_reader_left(r) - 2);
    }
    *out = n;
    return CQL_OK;
}

int cql_skip_string_list(cql_reader *r, const char *what)
{
    const uint8_t *save = r->pos;
    uint16_t n;
    cql_slice s;

    if (cql_read_count16(r, &n, 2, what) != CQL_OK)
        return CQL_ERR;
    for (uint16_t i = 0; i < n; i++) {
        if (cql_read_string(r, &s, what) != CQL_OK) {
            r->pos = save;
            return CQL_ERR;
        }
    }
    return CQL_OK;
}
