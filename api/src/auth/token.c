/* token.c: HMAC-signed bearer tokens, parsed strictly.
 *
 * The parser accepts exactly the text token_sign writes and nothing
 * else, so there is no second spelling of a token to reason about
 * ("+7", "007", trailing dots). The tag is checked before the expiry, so
 * an unsigned token is always "forged", never "expired".
 */
#include "api/src/auth/token.h"

#include <stdio.h>
#include <string.h>

#include "api/src/base/base64url.h"

/* Parse a canonical decimal 1..INT64_MAX: digits only, no leading zero.
 * 0 with *v set, or -1. */
static int token_parse_num(slice s, int64_t *v)
{
    uint64_t u = 0;
    size_t i;

    if (s.len == 0 || s.len > 19 || s.base[0] == '0')
        return -1;
    for (i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.base[i] - (unsigned)'0';
        if (d > 9)
            return -1;
        u = u * 10 + d; /* 19 digits fit in a uint64_t */
    }
    if (u > (uint64_t)INT64_MAX)
        return -1;
    *v = (int64_t)u;
    return 0;
}

int token_key_init(token_key *key, const void *secret, size_t secret_len)
{
    return mac_key_derive(&key->mac, secret, secret_len, "token");
}

int token_sign(const token_key *key, int64_t user_id, int64_t expiry_s, char *out, size_t out_cap, size_t *out_len)
{
    char msg[TOKEN_MAX_LEN + 1];
    unsigned char tag[MAC_LEN];
    size_t tag_len;
    int n;

    if (user_id <= 0 || expiry_s <= 0)
        return TOKEN_INVALID;
    n = snprintf(msg, sizeof(msg), "v1.%lld.%lld.", (long long)user_id, (long long)expiry_s);
    if (n < 0 || (size_t)n >= sizeof(msg))
        return TOKEN_INVALID;
    if (mac_sha256(&key->mac, msg, (size_t)n - 1, tag) != 0)
        return TOKEN_INTERNAL;
    if (out_cap < (size_t)n + TOKEN_TAG_TEXT_LEN + 1)
        return TOKEN_NO_SPACE;
    memcpy(out, msg, (size_t)n);
    if (b64url_encode(tag, MAC_LEN, out + n, out_cap - (size_t)n, &tag_len) != B64URL_OK)
        return TOKEN_NO_SPACE;
    out[(size_t)n + tag_len] = '\0';
    *out_len = (size_t)n + tag_len;
    return TOKEN_OK;
}

int token_verify(const token_key *key, slice text, int64_t now_s, int64_t *user_id, int64_t *expiry_s)
{
    const char *p = text.base, *end = text.base + text.len, *dot1, *dot2;
    unsigned char want[MAC_LEN], got[MAC_LEN];
    size_t got_len;
    int64_t uid, exp;

    if (text.len > TOKEN_MAX_LEN || text.len < 3 || memcmp(p, "v1.", 3) != 0)
        return TOKEN_MALFORMED;
    dot1 = memchr(p + 3, '.', (size_t)(end - (p + 3)));
    if (dot1 == NULL)
        return TOKEN_MALFORMED;
    dot2 = memchr(dot1 + 1, '.', (size_t)(end - (dot1 + 1)));
    if (dot2 == NULL)
        return TOKEN_MALFORMED;
    if (token_parse_num(slice_make(p + 3, (size_t)(dot1 - (p + 3))), &uid) != 0 ||
        token_parse_num(slice_make(dot1 + 1, (size_t)(dot2 - (dot1 + 1))), &exp) != 0)
        return TOKEN_MALFORMED;
    /* The tag: exactly 43 characters (a '.' in it is outside the
     * alphabet, so no fourth part can hide there). */
    if ((size_t)(end - (dot2 + 1)) != TOKEN_TAG_TEXT_LEN ||
        b64url_decode(slice_make(dot2 + 1, TOKEN_TAG_TEXT_LEN), got, sizeof(got), &got_len) != B64URL_OK ||
        got_len != MAC_LEN)
        return TOKEN_MALFORMED;
    if (mac_sha256(&key->mac, p, (size_t)(dot2 - p), want) != 0)
        return TOKEN_INTERNAL;
    if (!mac_equal(want, got, MAC_LEN))
        return TOKEN_FORGED;
    if (now_s >= exp)
        return TOKEN_EXPIRED;
    *user_id = uid;
    if (expiry_s != NULL)
        *expiry_s = exp;
    return TOKEN_OK;
}

/* RFC 7235 token68: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "="s. */
static int token68_valid(slice s)
{
    size_t i = 0;

    while (i < s.len) {
        unsigned char c = (unsigned char)s.base[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
              c == '_' || c == '~' || c == '+' || c == '/'))
            break;
        i++;
    }
    if (i == 0)
        return 0;
    while (i < s.len && s.base[i] == '=')
        i++;
    return i == s.len;
}

int token_from_authorization(slice value, slice *token)
{
    size_t i = 6;
    slice t;

    if (value.len < 8 || !slice_eq_nocase(slice_make(value.base, 6), SLICE_LIT("Bearer")) || value.base[6] != ' ')
        return -1;
    while (i < value.len && value.base[i] == ' ')
        i++;
    t = slice_make(value.base + i, value.len - i);
    if (!token68_valid(t))
        return -1;
    *token = t;
    return 0;
}

const char *token_strerror(int result)
{
    switch (result) {
    case TOKEN_OK: return "ok";
    case TOKEN_MALFORMED: return "token is malformed";
    case TOKEN_FORGED: return "token signature does not match";
    case TOKEN_EXPIRED: return "token has expired";
    case TOKEN_INVALID: return "token fields out of range";
    case TOKEN_NO_SPACE: return "token buffer too small";
    case TOKEN_INTERNAL: return "internal error while checking the token";
    }
    return "unknown token error";
}
