/* app_shared.h: what every worker thread shares, read-only once the
 * workers run: the configuration and the keys derived from the secret.
 *
 * One configured secret signs both bearer tokens and pagination cursors,
 * each through its own derived key (crypto/mac.h), so a token can never
 * be passed off as a cursor or the other way round.
 *
 * Ownership: the caller owns the struct; app_shared_init fills it and
 * keeps a pointer to cfg, which must outlive it. app_shared_dispose
 * wipes the keys.
 */
#ifndef API_APP_APP_SHARED_H
#define API_APP_APP_SHARED_H

#include <stddef.h>

#include "api/src/app/config.h"
#include "api/src/auth/token.h"
#include "api/src/wire/cursor.h"

typedef struct app_shared {
    const app_config *cfg;
    token_key token_key;
    cursor_key cursor_key;
    int secret_is_random; /* no secret was configured: one was made up */
    char *www_index;      /* cfg->www_dir/index.html as read at start-up (owned); NULL: none */
    size_t www_index_len;
} app_shared;

/* Read the secret (cfg->secret, else the file cfg->secret_file, else a
 * random one) and derive the keys. 0, or -1 with a message in err
 * (unreadable file, a secret shorter than MAC_SECRET_MIN bytes,
 * libcrypto failure). */
int app_shared_init(app_shared *sh, const app_config *cfg, char *err, size_t errlen);

/* Read cfg->www_dir/index.html into sh (at most 1 MiB; at start-up: it
 * blocks). 0 (also when no folder is configured), or -1 with a message. */
int app_shared_load_www(app_shared *sh, char *err, size_t errlen);

void app_shared_dispose(app_shared *sh);

#endif
