/* bench_token.c: see bench_token.h. */
#include "bench/bench_token.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

int bench_secret_load(char *secret, size_t cap, size_t *len, char *err, size_t errlen)
{
    char path[4096];
    const char *file = getenv("FEED_API_SECRET_FILE");
    FILE *f;
    size_t n;

    if (file == NULL || file[0] == '\0') {
        const char *var = getenv("FEED_VAR");
        snprintf(path, sizeof path, "%s/data/api/secret", var != NULL && var[0] != '\0' ? var : "var");
        file = path;
    }
    if ((f = fopen(file, "rb")) == NULL) {
        snprintf(err, errlen, "cannot read the API's secret %s: %s (set FEED_API_SECRET_FILE or FEED_VAR)", file,
                 strerror(errno));
        return -1;
    }
    n = fread(secret, 1, cap - 1, f);
    fclose(f);
    if (n > 0 && secret[n - 1] == '\n')
        n--;
    if (n < 16) {
        snprintf(err, errlen, "the API's secret %s is shorter than 16 bytes", file);
        return -1;
    }
    secret[n] = '\0';
    *len = n;
    return 0;
}

static size_t b64url(const unsigned char *in, size_t n, char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t i, k = 0;

    for (i = 0; i + 2 < n; i += 3) {
        out[k++] = abc[in[i] >> 2];
        out[k++] = abc[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        out[k++] = abc[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
        out[k++] = abc[in[i + 2] & 63];
    }
    if (n - i == 1) {
        out[k++] = abc[in[i] >> 2];
        out[k++] = abc[(in[i] & 3) << 4];
    } else if (n - i == 2) {
        out[k++] = abc[in[i] >> 2];
        out[k++] = abc[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
        out[k++] = abc[(in[i + 1] & 15) << 2];
    }
    out[k] = '\0';
    return k;
}

int bench_token_mint(const char *secret, size_t secret_len, int64_t uid, int64_t expiry_s, char *out, size_t cap)
{
    unsigned char key[32], tag[32];
    unsigned int klen = 0, tlen = 0;
    char msg[64], text[48];
    int n = snprintf(msg, sizeof msg, "v1.%" PRId64 ".%" PRId64, uid, expiry_s);

    if (n < 0 || (size_t)n >= sizeof msg ||
        HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)"token", 5, key, &klen) == NULL ||
        klen != 32 || HMAC(EVP_sha256(), key, 32, (const unsigned char *)msg, (size_t)n, tag, &tlen) == NULL ||
        tlen != 32)
        return -1;
    b64url(tag, 32, text);
    n = snprintf(out, cap, "%s.%s", msg, text);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}
