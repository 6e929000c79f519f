/* fuzz_token.c: libFuzzer target for bearer tokens.
 *
 * The first byte picks a mode:
 *   0  verify the rest as a token; an accepted token must be exactly
 *      what token_sign writes for its user and expiry;
 *   1  sign a user id and expiry taken from the rest; the token must
 *      verify before its expiry, be expired at it, and be refused after
 *      any one-character change;
 *   2  take the token out of the rest as an Authorization header value;
 *      the slice must lie inside the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/auth/token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static const char fuzz_secret[] = "fuzzing secret, 32 bytes long..";
static const int64_t fuzz_now = 1800000000;

static int64_t get64(const uint8_t *p)
{
    uint64_t u = 0;
    int i;

    for (i = 0; i < 8; i++)
        u = u << 8 | p[i];
    return (int64_t)u;
}

static void mode_verify(const token_key *k, const uint8_t *data, size_t size)
{
    char again[TOKEN_MAX_LEN + 1];
    size_t n;
    int64_t uid = 0, exp = 0;
    int r = token_verify(k, slice_make(data, size), fuzz_now, &uid, &exp);

    CHECK(r == TOKEN_OK || r == TOKEN_MALFORMED || r == TOKEN_FORGED || r == TOKEN_EXPIRED);
    if (r != TOKEN_OK)
        return;
    CHECK(uid > 0 && exp > fuzz_now);
    CHECK(token_sign(k, uid, exp, again, sizeof(again), &n) == TOKEN_OK);
    CHECK(n == size && memcmp(again, data, n) == 0);
}

static void mode_sign(const token_key *k, const uint8_t *data, size_t size)
{
    char t[TOKEN_MAX_LEN + 1];
    size_t n, i;
    int64_t uid, exp, got = 0, got_exp = 0;

    if (size < 17)
        return;
    uid = get64(data);
    exp = get64(data + 8);
    if (token_sign(k, uid, exp, t, sizeof(t), &n) != TOKEN_OK) {
        CHECK(uid <= 0 || exp <= 0);
        return;
    }
    CHECK(n <= TOKEN_MAX_LEN && strlen(t) == n);
    CHECK(token_verify(k, slice_make(t, n), exp - 1, &got, &got_exp) == TOKEN_OK);
    CHECK(got == uid && got_exp == exp);
    CHECK(token_verify(k, slice_make(t, n), exp, &got, NULL) == TOKEN_EXPIRED);
    i = data[16] % n;
    t[i] = t[i] == 'A' ? '7' : 'A';
    CHECK(token_verify(k, slice_make(t, n), exp - 1, &got, NULL) != TOKEN_OK);
}

static void mode_header(const uint8_t *data, size_t size)
{
    slice tok;
    const char *base = (const char *)data;

    if (token_from_authorization(slice_make(data, size), &tok) == 0)
        CHECK(tok.len > 0 && tok.base >= base + 7 && tok.base + tok.len == base + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static token_key key;
    static int ready;

    if (!ready) {
        CHECK(token_key_init(&key, fuzz_secret, strlen(fuzz_secret)) == 0);
        ready = 1;
    }
    if (size == 0)
        return 0;
    switch (data[0] % 3) {
    case 0: mode_verify(&key, data + 1, size - 1); break;
    case 1: mode_sign(&key, data + 1, size - 1); break;
    default: mode_header(data + 1, size - 1); break;
    }
    return 0;
}
