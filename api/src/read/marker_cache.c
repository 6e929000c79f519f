/* marker_cache.c: see marker_cache.h. */
#include "api/src/read/marker_cache.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/read/redis_script.h"
#include "schema/redis/redis_keys.h"
#include "schema/redis/redis_scripts.h"

static redis_script marker_set_script = {redis_lua_marker_set, {0}};
static pthread_once_t marker_cache_once = PTHREAD_ONCE_INIT;
static int marker_cache_init_rc = -1;

static void marker_cache_do_init(void)
{
    marker_cache_init_rc = redis_script_init(&marker_set_script);
}

int marker_cache_format(char *out, size_t cap, int has_marker, const feed_ref *marker)
{
    int n;

    if (!has_marker)
        n = snprintf(out, cap, "-");
    else if (marker->ts_us < 0)
        return -1; /* the script reads digits only */
    else
        n = snprintf(out, cap, "%" PRId64 " %s", marker->ts_us, marker->id);
    return n < 0 || (size_t)n >= cap ? -1 : n;
}

int marker_cache_parse(const char *text, size_t len, int *has_marker, feed_ref *marker)
{
    size_t i = 0;
    int64_t ts = 0;

    if (len == 1 && text[0] == '-') {
        *has_marker = 0;
        return 0;
    }
    if (len == 0 || text[0] < '0' || text[0] > '9' || (text[0] == '0' && len > 1 && text[1] != ' '))
        return -1;
    for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
        if (ts > (INT64_MAX - (text[i] - '0')) / 10)
            return -1;
        ts = ts * 10 + (text[i] - '0');
    }
    if (i >= len || text[i] != ' ' || feed_ref_set(marker, ts, slice_make(text + i + 1, len - i - 1)) != 0)
        return -1;
    if (memchr(text + i + 1, ' ', len - i - 1) != NULL)
        return -1;
    *has_marker = 1;
    return 0;
}

static void marker_cache_key(char *out, size_t cap, int64_t uid)
{
    snprintf(out, cap, REDIS_KEY_HOME_MARKER "%" PRId64, uid);
}

/* ---- get ----------------------------------------------------------------- */

typedef struct mc_get {
    marker_cache_get_cb *cb;
    void *data;
} mc_get;

static void mc_on_get(redis_client *c, int status, redisReply *reply, void *privdata)
{
    mc_get g = *(mc_get *)privdata;
    feed_ref m;
    int has = 0;

    (void)c;
    free(privdata);
    if (status != REDIS_CLIENT_OK || reply == NULL ||
        (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_NIL)) {
        g.cb(MARKER_CACHE_DOWN, 0, NULL, g.data);
        return;
    }
    memset(&m, 0, sizeof(m));
    if (reply->type == REDIS_REPLY_NIL || marker_cache_parse(reply->str, reply->len, &has, &m) != 0) {
        g.cb(MARKER_CACHE_MISS, 0, NULL, g.data); /* unreadable: the set replaces it */
        return;
    }
    g.cb(MARKER_CACHE_HIT, has, has ? &m : NULL, g.data);
}

void marker_cache_get(worker *w, int64_t uid, marker_cache_get_cb *cb, void *data)
{
    redis_client *rc = w->stores.redis;
    char key[48];
    mc_get *g;

    if (rc == NULL || (g = malloc(sizeof(*g))) == NULL) {
        cb(MARKER_CACHE_DOWN, 0, NULL, data);
        return;
    }
    g->cb = cb;
    g->data = data;
    marker_cache_key(key, sizeof(key), uid);
    if (redis_client_command(rc, mc_on_get, g, "GET %s", key) != REDIS_CLIENT_OK) {
        free(g);
        cb(MARKER_CACHE_DOWN, 0, NULL, data);
    }
}

/* ---- set ----------------------------------------------------------------- */

typedef struct mc_set {
    marker_cache_set_cb *cb;
    void *data;
} mc_set;

static void mc_on_set(redis_client *c, int status, redisReply *reply, void *privdata)
{
    mc_set s = *(mc_set *)privdata;

    (void)c;
    free(privdata);
    s.cb(status == REDIS_CLIENT_OK && reply != NULL && reply->type == REDIS_REPLY_INTEGER, s.data);
}

void marker_cache_set(worker *w, int64_t uid, int has_marker, const feed_ref *marker, marker_cache_set_cb *cb,
                      void *data)
{
    redis_client *rc = w->stores.redis;
    char key[48], value[MARKER_CACHE_TEXT_MAX], ttl[16];
    const char *argv[3];
    mc_set *s = NULL;

    (void)pthread_once(&marker_cache_once, marker_cache_do_init);
    if (rc == NULL || marker_cache_init_rc != 0 || marker_cache_format(value, sizeof(value), has_marker, marker) < 0 ||
        (cb != NULL && (s = malloc(sizeof(*s))) == NULL)) {
        if (cb != NULL)
            cb(0, data);
        return;
    }
    marker_cache_key(key, sizeof(key), uid);
    snprintf(ttl, sizeof(ttl), "%d", MARKER_CACHE_TTL_MS);
    argv[0] = key;
    argv[1] = value;
    argv[2] = ttl;
    if (s != NULL) {
        s->cb = cb;
        s->data = data;
    }
    if (redis_script_call(rc, &marker_set_script, 1, 3, argv, NULL, s != NULL ? mc_on_set : NULL, s) !=
        REDIS_CLIENT_OK) {
        free(s);
        if (cb != NULL)
            cb(0, data);
    }
}
