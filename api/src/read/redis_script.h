/* redis_script.h: run a Lua script by its SHA1, loading it when needed.
 *
 * EVALSHA sends 40 bytes instead of the script; when Redis answers
 * NOSCRIPT (it restarted, or SCRIPT FLUSH) the call is sent again once
 * as EVAL, which also caches the script for the next EVALSHA. The
 * caller's callback sees only the final answer.
 *
 * Ownership: the script struct is static and immutable after
 * redis_script_init (thread-safe to share). Arguments are copied at the
 * call (one malloc block), freed when the callback has run.
 */
#ifndef API_READ_REDIS_SCRIPT_H
#define API_READ_REDIS_SCRIPT_H

#include <stddef.h>

#include "api/src/store/redis_client.h"

typedef struct redis_script {
    const char *text;
    char sha[41];
} redis_script;

/* Compute the SHA1 of s->text. 0, or -1 (libcrypto failed). */
int redis_script_init(redis_script *s);

/* EVALSHA s numkeys args...: argc arguments (keys first, then ARGV),
 * lens may be NULL for C strings; cb may be NULL (fire and forget). REDIS_CLIENT_OK: cb runs exactly once
 * (with the EVAL's answer after a NOSCRIPT). REDIS_CLIENT_ERR: refused
 * (c->err), cb will not run. */
int redis_script_call(redis_client *c, const redis_script *s, int numkeys, int argc, const char **argv,
                      const size_t *lens, redis_client_cb *cb, void *privdata);

#endif
