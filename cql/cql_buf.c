/* cql_buf.c: growable output buffer with a sticky error.
 *
 * Growth doubles the capacity (from 256 bytes) and is capped by the
 * buffer's limit, so a builder can never produce a frame larger than the
 * caller allows, whatever the values it was given.
 */
#include "cql/cql_buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cql_buf_init(cql_buf *buf, size_t limit)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->limit = limit;
    cql_error_clear(&buf->err);
}

void cql_buf_dispose(cql_buf *buf)
{
    free(buf->data);
    cql_buf_init(buf, buf->limit);
}

void cql_buf_reset(cql_buf *buf)
{
    buf->len = 0;
    cql_error_clear(&buf->err);
}

int cql_buf_reserve(cql_buf *buf, size_t n)
{
    size_t need, cap;
    uint8_t *data;

    if (cql_buf_failed(buf))
        return CQL_ERR;
    if (n > SIZE_MAX - buf->len)
        return cql_error_set(&buf->err, CQL_ERR_TOO_LARGE, "buffer size overflow");
    need = buf->len + n;
    if (need <= buf->cap)
        return CQL_OK;
    if (buf->limit != 0 && need > buf->limit)
        return cql_error_set(&buf->err, CQL_ERR_TOO_LARGE, "message of %zu bytes exceeds the limit of %zu", need,
                             buf->limit);
    cap = buf->cap != 0 ? buf->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (buf->limit != 0 && cap > buf->limit)
        cap = buf->limit;
    data = realloc(buf->data, cap);
    if (data == NULL)
        return cql_error_set(&buf->err, CQL_ERR_NOMEM, "out of memory growing a buffer to %zu bytes", cap);
    buf->data = data;
    buf->cap = cap;
    return CQL_OK;
}

void cql_buf_put_raw(cql_buf *buf, const void *p, size_t n)
{
    if (n == 0 || cql_buf_reserve(buf, n) != CQL_OK)
        return;
    memcpy(buf->data + buf->len, p, n);
    buf->len += n;
}

void cql_buf_put_u8(cql_buf *buf, uint8_t v)
{
    cql_buf_put_raw(buf, &v, 1);
}

void cql_buf_put_u16(cql_buf *buf, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    cql_buf_put_raw(buf, b, sizeof(b));
}

void cql_buf_put_i32(cql_buf *buf, int32_t v)
{
    uint32_t u = (uint32_t)v;
    uint8_t b[4] = {(uint8_t)(u >> 24), (uint8_t)(u >> 16), (uint8_t)(u >> 8), (uint8_t)u};
    cql_buf_put_raw(buf, b, sizeof(b));
}

void cql_buf_put_i64(cql_buf *buf, int64_t v)
{
    uint64_t u = (uint64_t)v;
    uint8_t b[8];

    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)u;
        u >>= 8;
    }
    cql_buf_put_raw(buf, b, sizeof(b));
}

void cql_buf_put_string(cql_buf *buf, cql_slice s)
{
    if (s.len > UINT16_MAX) {
        if (!cql_buf_failed(buf))
            cql_error_set(&buf->err, CQL_ERR_TOO_LARGE, "[string] of %zu bytes exceeds 65535", s.len);
        return;
    }
    cql_buf_put_u16(buf, (uint16_t)s.len);
    cql_buf_put_raw(buf, s.base, s.len);
}

void cql_buf_put_long_string(cql_buf *buf, cql_slice s)
{
    if (s.len > INT32_MAX) {
        if (!cql_buf_failed(buf))
            cql_error_set(&buf->err, CQL_ERR_TOO_LARGE, "[long string] of %zu bytes exceeds 2^31-1", s.len);
        return;
    }
    cql_buf_put_i32(buf, (int32_t)s.len);
    cql_buf_put_raw(buf, s.base, s.len);
}

void cql_buf_put_bytes(cql_buf *buf, cql_slice s)
{
    if (s.base == NULL) {
        cql_buf_put_i32(buf, -1);
        return;
    }
    cql_buf_put_long_string(buf, s); /* same layout for non-null bytes */
}

void cql_buf_put_short_bytes(cql_buf *buf, cql_slice s)
{
    cql_buf_put_string(buf, s); /* same layout: [short] n + n bytes */
}

void cql_buf_patch_i32(cql_buf *buf, size_t offset, int32_t v)
{
    uint32_t u = (uint32_t)v;

    if (cql_buf_failed(buf))
        return;
    assert(offset <= buf->len && buf->len - offset >= 4);
    buf->data[offset] = (uint8_t)(u >> 24);
    buf->data[offset + 1] = (uint8_t)(u >> 16);
    buf->data[offset + 2] = (uint8_t)(u >> 8);
    buf->data[offset + 3] = (uint8_t)u;
}

void cql_buf_printf(cql_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        if (!cql_buf_failed(buf))
            cql_error_set(&buf->err, CQL_ERR_ARG, "bad format string");
        return;
    }
    if (cql_buf_reserve(buf, (size_t)n + 1) != CQL_OK)
        return;
    va_start(ap, fmt);
    vsnprintf((char *)buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
}

int cql_buf_terminate(cql_buf *buf)
{
    if (cql_buf_reserve(buf, 1) != CQL_OK)
        return CQL_ERR;
    buf->data[buf->len] = '\0';
    return CQL_OK;
}
