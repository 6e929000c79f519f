/* idempotency.c: key checks, request digests, the write's statement
 * (see idempotency.h for the protocol). */
#include "api/src/handlers/idempotency.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

int idem_key_valid(slice key)
{
    size_t i;

    if (key.base == NULL || key.len == 0 || key.len > IDEM_KEY_MAX)
        return 0;
    for (i = 0; i < key.len; i++) {
        unsigned char c = (unsigned char)key.base[i];
        if (c < 0x20 || c > 0x7e)
            return 0;
    }
    return 1;
}

int idem_request_hash(slice method, slice path, slice body, char *hex)
{
    static const char digits[] = "0123456789abcdef";
    static const unsigned char nul = 0;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0, i;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok;

    if (ctx == NULL)
        return -1;
    ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 && EVP_DigestUpdate(ctx, method.base, method.len) == 1 &&
         EVP_DigestUpdate(ctx, &nul, 1) == 1 && EVP_DigestUpdate(ctx, path.base, path.len) == 1 &&
         EVP_DigestUpdate(ctx, &nul, 1) == 1 && EVP_DigestUpdate(ctx, body.base, body.len) == 1 &&
         EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen * 2 == IDEM_HASH_HEX;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return -1;
    for (i = 0; i < mdlen; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[IDEM_HASH_HEX] = '\0';
    return 0;
}

char *idem_compose_sql(pool *p, const char *cte, int nparams, int with_key, int status)
{
    char tail[320];
    size_t n, m;
    char *sql;
    int k;

    if (with_key)
        k = snprintf(tail, sizeof(tail),
                     ", k AS (UPDATE idempotency_keys SET status = %d, response = a.body FROM a "
                     "WHERE idempotency_keys.user_id = $%d AND idempotency_keys.key = $%d) "
                     "SELECT body FROM a",
                     status, nparams + 1, nparams + 2);
    else
        k = snprintf(tail, sizeof(tail), " SELECT body FROM a");
    if (k < 0 || (size_t)k >= sizeof(tail))
        return NULL;
    n = strlen(cte);
    m = (size_t)k;
    sql = pool_alloc(p, n + m + 1);
    if (sql == NULL)
        return NULL;
    memcpy(sql, cte, n);
    memcpy(sql + n, tail, m + 1);
    return sql;
}
