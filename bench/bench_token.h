/* bench_token.h: bearer tokens for benchmark users, minted the way the
 * API signs them (api/src/auth/token.h: "v1.<uid>.<expiry>.<tag>", tag =
 * base64url(HMAC-SHA256(HMAC-SHA256(secret, "token"), "v1.<uid>.<expiry>"))),
 * from the stack's secret file, so that a benchmark can read through the
 * API as users it created straight in PostgreSQL (COPY).
 *
 * The caller owns every buffer; nothing allocates.
 */
#ifndef BENCH_TOKEN_H
#define BENCH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_SECRET_MAX 4096
#define BENCH_TOKEN_MAX 128

/* The secret: $FEED_API_SECRET_FILE, else <FEED_VAR or var>/data/api/secret
 * (as stack/parts/api.sh makes it); a trailing newline dropped. 0, or -1
 * with the reason in err. */
int bench_secret_load(char *secret, size_t cap, size_t *len, char *err, size_t errlen);

/* A token for user uid, valid until expiry_s (unix seconds). 0 or -1. */
int bench_token_mint(const char *secret, size_t secret_len, int64_t uid, int64_t expiry_s, char *out, size_t cap);

#endif
