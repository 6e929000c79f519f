/* mac.h: HMAC-SHA256 with purpose-derived keys (OpenSSL libcrypto).
 *
 * The server is configured with one secret; each use of it gets its own
 * key, derived as HMAC-SHA256(secret, purpose) with a fixed purpose
 * string ("cursor", "token"). A tag made for one purpose is then never
 * valid for another: a pagination cursor cannot be replayed as a bearer
 * token even if the two layouts were ever to collide.
 *
 * The caller owns every mac_key (a plain value, no allocation). Calls
 * return 0, or -1 when libcrypto fails (out of memory, in practice); the
 * caller then answers 500 and the request has changed nothing.
 */
#ifndef API_CRYPTO_MAC_H
#define API_CRYPTO_MAC_H

#include <stddef.h>

#define MAC_LEN 32        /* bytes of an HMAC-SHA256 tag and of a key */
#define MAC_SECRET_MIN 16 /* shortest configured secret accepted */

typedef struct mac_key {
    unsigned char bytes[MAC_LEN];
} mac_key;

/* Derive the key for purpose (a NUL-terminated label) from secret.
 * -1 also when secret_len < MAC_SECRET_MIN: a short secret is a
 * configuration error, refused at start-up rather than used. */
int mac_key_derive(mac_key *out, const void *secret, size_t secret_len, const char *purpose);

/* tag = HMAC-SHA256(key, data[0..n)). */
int mac_sha256(const mac_key *key, const void *data, size_t n, unsigned char tag[MAC_LEN]);

/* 1 when the n bytes at a and b are equal, in time independent of where
 * they differ (CRYPTO_memcmp); 0 otherwise. */
int mac_equal(const void *a, const void *b, size_t n);

/* Overwrite a key (or any secret) so that it does not linger in memory. */
void mac_wipe(void *p, size_t n);

#endif
