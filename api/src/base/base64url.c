/* base64url.c: strict unpadded base64url, table-driven.
 *
 * The decoder works in groups of four characters and handles the tail
 * (two or three characters) separately, checking that the bits it drops
 * are zero. It is not constant-time: it decodes public text (cursors,
 * tokens), and the secrets it protects are compared elsewhere.
 */
#include "api/src/base/base64url.h"

#include <stdint.h>

static const char b64url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of c in the alphabet, or -1. */
static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

int b64url_encode(const void *in, size_t n, char *out, size_t out_cap, size_t *out_len)
{
    const unsigned char *p = in;
    size_t need = b64url_encoded_len(n), i, o = 0;

    if (out_cap < need)
        return B64URL_NO_SPACE;
    for (i = 0; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
        out[o++] = b64url_alphabet[v & 63];
    }
    if (n - i == 1) {
        out[o++] = b64url_alphabet[p[i] >> 2];
        out[o++] = b64url_alphabet[(p[i] & 3) << 4];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];
        out[o++] = b64url_alphabet[v >> 10 & 63];
        out[o++] = b64url_alphabet[v >> 4 & 63];
        out[o++] = b64url_alphabet[(v & 15) << 2];
    }
    *out_len = o;
    return B64URL_OK;
}

int b64url_decode(slice text, void *out, size_t out_cap, size_t *out_len)
{
    const unsigned char *t = (const unsigned char *)text.base;
    unsigned char *o = out;
    size_t n = text.len, i, k = 0, tail = n % 4;
    int v[4];

    if (tail == 1)
        return B64URL_BAD_LENGTH;
    if (out_cap < b64url_decoded_max(n))
        return B64URL_NO_SPACE;
    for (i = 0; i < n; i++)
        if (b64url_value(t[i]) < 0)
            return B64URL_BAD_CHAR;
    for (i = 0; i + 4 <= n; i += 4) {
        v[0] = b64url_value(t[i]);
        v[1] = b64url_value(t[i + 1]);
        v[2] = b64url_value(t[i + 2]);
        v[3] = b64url_value(t[i + 3]);
        o[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        o[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
        o[k++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
    }
    if (tail == 2) {
        v[0] = b64url_value(t[i]);
        v[1] = b64url_value(t[i + 1]);
        if ((v[1] & 15) != 0)
            return B64URL_NOT_CANONICAL;
        o[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
    } else if (tail == 3) {
        v[0] = b64url_value(t[i]);
        v[1] = b64url_value(t[i + 1]);
        v[2] = b64url_value(t[i + 2]);
        if ((v[2] & 3) != 0)
            return B64URL_NOT_CANONICAL;
        o[k++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
        o[k++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
    }
    *out_len = k;
    return B64URL_OK;
}
