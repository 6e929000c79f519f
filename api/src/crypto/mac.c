/* mac.c: HMAC-SHA256 through libcrypto's one-shot HMAC().
 *
 * HMAC() sets up a fresh context per call (a provider fetch in OpenSSL
 * 3): a whole cursor_decode measured 1.3 us at -O2 on our machine. A
 * request verifies at most a token and a cursor, so that beats keeping a
 * per-thread EVP_MAC_CTX and its lifetime rules. Revisit if a profile
 * ever shows it.
 */
#include "api/src/crypto/mac.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int mac_key_derive(mac_key *out, const void *secret, size_t secret_len, const char *purpose)
{
    unsigned int len = 0;

    if (secret == NULL || secret_len < MAC_SECRET_MIN || secret_len > (size_t)1 << 30)
        return -1;
    if (HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)purpose, strlen(purpose), out->bytes,
             &len) == NULL ||
        len != MAC_LEN) {
        mac_wipe(out, sizeof(*out));
        return -1;
    }
    return 0;
}

int mac_sha256(const mac_key *key, const void *data, size_t n, unsigned char tag[MAC_LEN])
{
    unsigned int len = 0;
    static const unsigned char empty[1];

    /* HMAC() with a NULL data pointer and n == 0 is fine in OpenSSL 3 but
     * not promised; give it a real pointer. */
    if (data == NULL)
        data = empty;
    if (HMAC(EVP_sha256(), key->bytes, MAC_LEN, data, n, tag, &len) == NULL || len != MAC_LEN)
        return -1;
    return 0;
}

int mac_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void mac_wipe(void *p, size_t n)
{
    OPENSSL_cleanse(p, n);
}
