/* app_shared.c: the secret and the keys derived from it. */
#include "api/src/app/app_shared.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include "api/src/crypto/mac.h"

#define APP_SECRET_MAX 4096

/* Read at most APP_SECRET_MAX bytes of path into buf; a trailing newline
 * (or CRLF) is dropped, since editors add one. The length, or -1. */
static long app_read_secret_file(const char *path, unsigned char *buf, size_t cap, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    size_t n;

    if (f == NULL) {
        snprintf(err, errlen, "cannot read the secret file %s: %s", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, cap, f);
    if (ferror(f) || !feof(f)) {
        snprintf(err, errlen, "cannot read the secret file %s: %s", path,
                 ferror(f) ? strerror(errno) : "larger than 4096 bytes");
        (void)fclose(f);
        return -1;
    }
    (void)fclose(f);
    if (n > 0 && buf[n - 1] == '\n')
        n--;
    if (n > 0 && buf[n - 1] == '\r')
        n--;
    return (long)n;
}

int app_shared_init(app_shared *sh, const app_config *cfg, char *err, size_t errlen)
{
    unsigned char secret[APP_SECRET_MAX + 1];
    size_t len;
    long n;
    int rc = -1;

    memset(sh, 0, sizeof(*sh));
    sh->cfg = cfg;
    if (cfg->secret != NULL) {
        len = strlen(cfg->secret);
        if (len > APP_SECRET_MAX) {
            snprintf(err, errlen, "FEED_API_SECRET is longer than %d bytes", APP_SECRET_MAX);
            return -1;
        }
        memcpy(secret, cfg->secret, len);
    } else if (cfg->secret_file != NULL) {
        n = app_read_secret_file(cfg->secret_file, secret, sizeof(secret), err, errlen);
        if (n < 0)
            goto out;
        len = (size_t)n;
    } else {
        len = 32;
        if (RAND_bytes(secret, (int)len) != 1) {
            snprintf(err, errlen, "cannot make a random secret (libcrypto)");
            goto out;
        }
        sh->secret_is_random = 1;
    }
    if (len < MAC_SECRET_MIN) {
        snprintf(err, errlen, "the secret is %zu bytes; at least %d are needed", len, MAC_SECRET_MIN);
        goto out;
    }
    if (token_key_init(&sh->token_key, secret, len) != 0 || cursor_key_init(&sh->cursor_key, secret, len) != 0) {
        snprintf(err, errlen, "cannot derive keys from the secret (libcrypto)");
        goto out;
    }
    rc = 0;
out:
    mac_wipe(secret, sizeof(secret));
    return rc;
}

#define APP_WWW_MAX (1024 * 1024)

int app_shared_load_www(app_shared *sh, char *err, size_t errlen)
{
    char path[4096];
    FILE *f;
    size_t n;
    char *page;

    if (sh->cfg->www_dir == NULL)
        return 0;
    snprintf(path, sizeof(path), "%s/index.html", sh->cfg->www_dir);
    f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    page = malloc(APP_WWW_MAX + 1);
    n = page != NULL ? fread(page, 1, APP_WWW_MAX + 1, f) : 0;
    if (page == NULL || ferror(f) || n > APP_WWW_MAX) {
        snprintf(err, errlen, "cannot read %s (at most %d bytes)", path, APP_WWW_MAX);
        free(page);
        fclose(f);
        return -1;
    }
    fclose(f);
    free(sh->www_index);
    sh->www_index = page;
    sh->www_index_len = n;
    return 0;
}

void app_shared_dispose(app_shared *sh)
{
    free(sh->www_index);
    mac_wipe(sh, sizeof(*sh));
}
