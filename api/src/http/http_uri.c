/* http_uri.c: percent-decoding and the query iterator.
 *
 * Query keys and path segments are compared by decoding them on the fly
 * (http_decoded_equals) rather than into a scratch buffer, so looking up
 * a parameter or routing a path needs no memory, whatever length the
 * client gave its keys.
 */
#include "api/src/http/http_uri.h"

#include <string.h>

static int http_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the byte at in.base[*i], advancing *i. */
static int http_decode_one(slice in, size_t *i, int plus_is_space, char *out)
{
    unsigned char c = (unsigned char)in.base[*i];
    int hi, lo;

    if (c == '%') {
        if (in.len - *i < 3)
            return HTTP_URI_BAD_ESCAPE;
        hi = http_hex_value((unsigned char)in.base[*i + 1]);
        lo = http_hex_value((unsigned char)in.base[*i + 2]);
        if (hi < 0 || lo < 0)
            return HTTP_URI_BAD_ESCAPE;
        if (hi == 0 && lo == 0)
            return HTTP_URI_NUL;
        *out = (char)(hi * 16 + lo);
        *i += 3;
        return HTTP_URI_OK;
    }
    *out = plus_is_space && c == '+' ? ' ' : (char)c;
    *i += 1;
    return HTTP_URI_OK;
}

int http_percent_decode(slice in, char *out, size_t out_cap, size_t *out_len, int plus_is_space)
{
    size_t i = 0, n = 0;
    int rc;

    if (out_cap < in.len)
        return HTTP_URI_NO_SPACE;
    /* In place works: the write position never passes the read position. */
    while (i < in.len) {
        rc = http_decode_one(in, &i, plus_is_space, &out[n]);
        if (rc != HTTP_URI_OK)
            return rc;
        n++;
    }
    *out_len = n;
    return HTTP_URI_OK;
}

int http_query_next(slice *rest, slice *key, slice *value)
{
    while (rest->len != 0) {
        const char *amp = memchr(rest->base, '&', rest->len);
        size_t plen = amp != NULL ? (size_t)(amp - rest->base) : rest->len;
        slice pair = slice_make(rest->base, plen);
        const char *eq;

        if (amp != NULL)
            *rest = slice_make(amp + 1, rest->len - plen - 1);
        else
            *rest = slice_make(rest->base + plen, 0);
        if (plen == 0)
            continue;
        eq = memchr(pair.base, '=', pair.len);
        if (eq != NULL) {
            *key = slice_make(pair.base, (size_t)(eq - pair.base));
            *value = slice_make(eq + 1, pair.len - key->len - 1);
        } else {
            *key = pair;
            *value = slice_make(pair.base + pair.len, 0);
        }
        return 1;
    }
    return 0;
}

int http_decoded_equals(slice raw, slice want, int plus_is_space)
{
    size_t i = 0, n = 0;
    char c;

    while (i < raw.len) {
        if (http_decode_one(raw, &i, plus_is_space, &c) != HTTP_URI_OK)
            return 0;
        if (n == want.len || c != want.base[n])
            return 0;
        n++;
    }
    return n == want.len;
}

int http_query_get(slice query, const char *name, char *out, size_t out_cap, slice *value)
{
    slice rest = query, k, v;
    size_t n;
    int rc;

    while (http_query_next(&rest, &k, &v)) {
        if (!http_query_key_is(k, name))
            continue;
        rc = http_percent_decode(v, out, out_cap, &n, 1);
        if (rc != HTTP_URI_OK)
            return rc;
        *value = slice_make(out, n);
        return 1;
    }
    return 0;
}
