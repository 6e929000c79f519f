/* token.h: signed bearer tokens.
 *
 *     v1.<user id>.<expiry, unix seconds>.<tag>
 *
 * where tag is the unpadded base64url of HMAC-SHA256(key, "v1.<user
 * id>.<expiry>") (43 characters) and key = HMAC-SHA256(secret, "token"),
 * distinct from the cursor key derived from the same secret. Numbers are
 * canonical decimals: no sign, no leading zero, 1..INT64_MAX. So one
 * (user, expiry) pair has exactly one valid token text.
 *
 * Minting one from a shell (what a feedctl-style tool can do; the test
 * vector in test_token.c was checked this way):
 *
 *     key=$(printf token | openssl dgst -sha256 -mac HMAC \
 *           -macopt key:"$secret" -binary | od -An -tx1 | tr -d ' \n')
 *     msg="v1.$uid.$expiry"
 *     tag=$(printf %s "$msg" | openssl dgst -sha256 -mac HMAC \
 *           -macopt hexkey:"$key" -binary | basenc --base64url | tr -d '=')
 *     echo "$msg.$tag"
 *
 * Stateless: there is no revocation list; tokens are meant to be short
 * lived, and rotating the secret revokes them all.
 *
 * The caller owns every struct and buffer; nothing allocates. Verify
 * takes the clock as a parameter, so tests (and the fuzzer) control it.
 */
#ifndef API_AUTH_TOKEN_H
#define API_AUTH_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/crypto/mac.h"

#define TOKEN_TAG_TEXT_LEN 43 /* b64url_encoded_len(MAC_LEN) */
/* "v1." + 19 + "." + 19 + "." + 43 */
#define TOKEN_MAX_LEN (3 + 19 + 1 + 19 + 1 + TOKEN_TAG_TEXT_LEN)

/* Results: 0 or one of these. The API answers all of the first three
 * with 401; the difference is for logs and tests. */
#define TOKEN_OK 0
#define TOKEN_MALFORMED (-1) /* not of the form above */
#define TOKEN_FORGED (-2)    /* well-formed, tag does not match */
#define TOKEN_EXPIRED (-3)   /* genuine, but now >= expiry */
#define TOKEN_INVALID (-4)   /* token_sign: user id or expiry out of range */
#define TOKEN_NO_SPACE (-5)  /* token_sign: out_cap too small */
#define TOKEN_INTERNAL (-6)  /* libcrypto failed (out of memory) */

typedef struct token_key {
    mac_key mac; /* HMAC-SHA256(secret, "token") */
} token_key;

/* Derive the token key from the server secret (at least MAC_SECRET_MIN
 * bytes). 0, or -1 (short secret, libcrypto failure). */
int token_key_init(token_key *key, const void *secret, size_t secret_len);

/* Write the token of (user_id, expiry_s), both > 0, into out
 * (TOKEN_MAX_LEN + 1 bytes always suffice), NUL-terminated; *out_len
 * excludes the NUL. TOKEN_OK, TOKEN_INVALID, TOKEN_NO_SPACE or
 * TOKEN_INTERNAL. */
int token_sign(const token_key *key, int64_t user_id, int64_t expiry_s, char *out, size_t out_cap, size_t *out_len);

/* Verify untrusted text at time now_s (unix seconds). On TOKEN_OK sets
 * *user_id and, when expiry_s is not NULL, *expiry_s. Checks the form
 * strictly, then the tag (constant-time), then the expiry. TOKEN_OK,
 * TOKEN_MALFORMED, TOKEN_FORGED, TOKEN_EXPIRED or TOKEN_INTERNAL. */
int token_verify(const token_key *key, slice text, int64_t now_s, int64_t *user_id, int64_t *expiry_s);

/* The token of an Authorization header value "Bearer <token>" (scheme
 * case-insensitive, one or more spaces, token68 characters only, no
 * trailing space). 0 with *token a slice of value, or -1. */
int token_from_authorization(slice value, slice *token);

/* A message for a result code, for humans. */
const char *token_strerror(int result);

#endif
