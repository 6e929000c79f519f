/* feed_head.c: the head scripts (see feed_head.h for the argument why
 * the fill is fenced correctly) and the decoding of their answers. The
 * scripts' text is schema/redis/feed_head_{read,store,abort}.lua,
 * embedded at build time (schema/redis/redis_scripts.h).
 *
 * Every step that must see one state of the key is one Lua script, so
 * Redis runs it atomically between the job's scripts. Member comparisons
 * are never done in Lua (its string `<` follows the server's collation
 * locale, not bytes): the read returns the ties of the cursor's score and
 * C filters them by bytes (feed_order.c).
 */
#include "api/src/read/feed_head.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/src/read/redis_script.h"
#include "schema/redis/redis_keys.h"
#include "schema/redis/redis_scripts.h"

static redis_script feed_head_read_script = {redis_lua_feed_head_read, {0}};
static redis_script feed_head_store_script = {redis_lua_feed_head_store, {0}};
static redis_script feed_head_abort_script = {redis_lua_feed_head_abort, {0}};

static pthread_once_t feed_head_once = PTHREAD_ONCE_INIT;
static int feed_head_init_rc = -1;
static atomic_uint_fast64_t feed_head_tokens;

static long feed_head_pid; /* for placeholder tokens, read once */

static void feed_head_do_init(void)
{
    feed_head_pid = (long)getpid();
    feed_head_init_rc = redis_script_init(&feed_head_read_script) | redis_script_init(&feed_head_store_script) |
                        redis_script_init(&feed_head_abort_script);
}

int feed_head_init(void)
{
    if (pthread_once(&feed_head_once, feed_head_do_init) != 0)
        return -1;
    return feed_head_init_rc != 0 ? -1 : 0;
}

void feed_head_key(feed_kind kind, int64_t user_id, char *out, size_t cap)
{
    const char *prefix = kind == FEED_HOME      ? REDIS_KEY_HOME_FEED
                         : kind == FEED_PROFILE ? REDIS_KEY_PROFILE_FEED
                                                : REDIS_KEY_NOTIF_FEED;

    snprintf(out, cap, "%s%lld", prefix, (long long)user_id);
}

void feed_head_token(char *out, size_t cap)
{
    uint64_t n = atomic_fetch_add(&feed_head_tokens, 1) + 1;

    (void)feed_head_init(); /* the pid; once per process */
    snprintf(out, cap, REDIS_MEMBER_FILL "%ld.%llu.%llu", feed_head_pid, (unsigned long long)loop_clock_us(),
             (unsigned long long)n);
}

int feed_head_read(redis_client *c, const char *key, const feed_ref *pos, unsigned count, const char *placeholder,
                   const char *body_prefix, redis_client_cb *cb, void *privdata)
{
    char ts[24], cnt[16], ttl[16], lock[16], ties[16];
    const char *argv[9];

    snprintf(ts, sizeof(ts), "%lld", pos != NULL ? (long long)pos->ts_us : 0LL);
    snprintf(cnt, sizeof(cnt), "%u", count);
    snprintf(ttl, sizeof(ttl), "%u", FEED_HEAD_TTL_MS);
    snprintf(lock, sizeof(lock), "%u", FEED_HEAD_FILL_LOCK_MS);
    snprintf(ties, sizeof(ties), "%d", FEED_HEAD_MAX_TIES + 1);
    argv[0] = key;
    argv[1] = pos != NULL ? "1" : "0";
    argv[2] = ts;
    argv[3] = cnt;
    argv[4] = ttl;
    argv[5] = placeholder;
    argv[6] = lock;
    argv[7] = ties;
    argv[8] = body_prefix != NULL ? body_prefix : "";
    return redis_script_call(c, &feed_head_read_script, 1, 9, argv, NULL, cb, privdata);
}

/* A flat WITHSCORES list (member, score, ...) into out. -1 on a bad shape. */
static int feed_head_parse_scored(const redisReply *r, feed_ref *out, size_t cap, size_t *n)
{
    size_t i;

    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0 || r->elements / 2 > cap)
        return -1;
    for (i = 0; i < r->elements; i += 2) {
        const redisReply *m = r->element[i], *s = r->element[i + 1];
        int64_t ts;
        if (m->type != REDIS_REPLY_STRING || s->type != REDIS_REPLY_STRING ||
            feed_parse_score(slice_make(s->str, s->len), &ts) != 0 ||
            feed_ref_set(&out[i / 2], ts, slice_make(m->str, m->len)) != 0)
            return -1;
    }
    *n = r->elements / 2;
    return 0;
}

/* The body reply of the i-th key the script looked up, or NULL. */
static const redisReply *feed_head_body(const redisReply *bodies, size_t i)
{
    if (bodies == NULL || i >= bodies->elements || bodies->element[i]->type != REDIS_REPLY_STRING)
        return NULL;
    return bodies->element[i];
}

int feed_head_parse(const redisReply *r, const feed_ref *pos, unsigned count, feed_ref *out, const redisReply **bodies,
                    size_t cap, feed_head_result *res)
{
    feed_ref lower[FEED_HEAD_WINDOW];
    size_t nlower = 0, i, kept = 0, n = 0;
    const redisReply *t, *b = NULL;

    memset(res, 0, sizeof(*res));
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements < 1 || r->element[0]->type != REDIS_REPLY_INTEGER)
        return -1;
    res->state = (feed_head_state)r->element[0]->integer;
    if (res->state == FEED_HEAD_MISS || res->state == FEED_HEAD_BUSY)
        return r->elements == 1 ? 0 : -1;
    if ((res->state != FEED_HEAD_PARTIAL && res->state != FEED_HEAD_COMPLETE) ||
        (r->elements != 3 && r->elements != 4) || count > FEED_HEAD_WINDOW || cap < count)
        return -1;
    if (feed_head_parse_scored(r->element[1], lower, count, &nlower) != 0)
        return -1;
    t = r->element[2];
    if (t->type != REDIS_REPLY_ARRAY || t->elements > FEED_HEAD_MAX_TIES)
        return -1;
    if (r->elements == 4) {
        b = r->element[3]; /* bodies of the lower members, then of the ties */
        if (b->type != REDIS_REPLY_ARRAY || b->elements != nlower + t->elements)
            return -1;
    }
    /* Ties first: the members with the position's score that sort after
     * it (few: distinct activities in one microsecond of one feed). */
    for (i = 0; i < t->elements; i++) {
        feed_ref x;
        if (t->element[i]->type != REDIS_REPLY_STRING ||
            feed_ref_set(&x, pos != NULL ? pos->ts_us : 0, slice_make(t->element[i]->str, t->element[i]->len)) != 0)
            return -1;
        if (pos == NULL || !feed_ref_after(&x, pos))
            continue;
        kept++;
        if (n < count) {
            if (bodies != NULL)
                bodies[n] = feed_head_body(b, nlower + i);
            out[n++] = x;
        }
    }
    for (i = 0; i < nlower && n < count; i++) {
        if (bodies != NULL)
            bodies[n] = feed_head_body(b, i);
        out[n++] = lower[i];
    }
    res->n = n;
    /* Everything after pos was returned when the lower range ran short
     * of what was asked and nothing was cut. */
    res->exhausted = nlower < count && kept + nlower <= count;
    return 0;
}

int feed_head_store(redis_client *c, const char *key, const char *placeholder, int complete, const feed_ref *rows,
                    size_t n, redis_client_cb *cb, void *privdata)
{
    const char *argv[5 + 2 * FEED_HEAD_WINDOW];
    char scores[FEED_HEAD_WINDOW][24], window[16], ttl[16];
    size_t i;
    int argc = 5;

    if (n > FEED_HEAD_WINDOW)
        n = FEED_HEAD_WINDOW;
    snprintf(window, sizeof(window), "%d", FEED_HEAD_WINDOW);
    snprintf(ttl, sizeof(ttl), "%u", FEED_HEAD_TTL_MS);
    argv[0] = key;
    argv[1] = placeholder;
    argv[2] = complete ? "1" : "0";
    argv[3] = window;
    argv[4] = ttl;
    for (i = 0; i < n; i++) {
        snprintf(scores[i], sizeof(scores[i]), "%lld", (long long)rows[i].ts_us);
        argv[argc++] = scores[i];
        argv[argc++] = rows[i].id;
    }
    return redis_script_call(c, &feed_head_store_script, 1, argc, argv, NULL, cb, privdata);
}

int feed_head_abort(redis_client *c, const char *key, const char *placeholder, redis_client_cb *cb, void *privdata)
{
    const char *argv[2] = {key, placeholder};

    return redis_script_call(c, &feed_head_abort_script, 1, 2, argv, NULL, cb, privdata);
}
