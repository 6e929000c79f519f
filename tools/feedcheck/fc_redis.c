/* fc_redis.c: the cached heads and bodies, read with hiredis.
 *
 * Synchronous but pipelined: a batch of commands is appended, then the
 * replies are read in order, so a batch costs one round trip. Values are
 * parsed with jansson; the JSON shapes are the job's (ActivityCacheWrite)
 * and docs/DATA-MODEL.md's notif:<uid>:<gid>.
 */
#include "tools/feedcheck/feedcheck.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "schema/redis/redis_keys.h"

struct fc_redis {
    redisContext *ctx;
    char err[256];
};

static const char *const fc_prefixes[FC_FEEDS] = {REDIS_KEY_HOME_FEED, REDIS_KEY_PROFILE_FEED, REDIS_KEY_NOTIF_FEED};

const char *fc_redis_error(const fc_redis *r)
{
    return r->err;
}

fc_redis *fc_redis_open(const char *host, uint16_t port, int db, FILE *err)
{
    struct timeval tv = {5, 0};
    fc_redis *r = calloc(1, sizeof *r);

    if (r == NULL)
        return NULL;
    r->ctx = redisConnectWithTimeout(host, port, tv);
    if (r->ctx == NULL || r->ctx->err) {
        fprintf(err, "feedcheck: cannot connect to Redis at %s:%u: %s\n", host, (unsigned)port,
                r->ctx ? r->ctx->errstr : "out of memory");
        fc_redis_close(r);
        return NULL;
    }
    tv.tv_sec = 120;
    redisSetTimeout(r->ctx, tv);
    if (db != 0) {
        redisReply *rep = redisCommand(r->ctx, "SELECT %d", db);
        int ok = rep != NULL && rep->type == REDIS_REPLY_STATUS;
        if (!ok)
            fprintf(err, "feedcheck: Redis at %s:%u: SELECT %d failed: %s\n", host, (unsigned)port, db,
                    rep == NULL                      ? r->ctx->errstr
                    : rep->type == REDIS_REPLY_ERROR ? rep->str
                                                     : "unexpected reply");
        if (rep != NULL)
            freeReplyObject(rep);
        if (!ok) {
            fc_redis_close(r);
            return NULL;
        }
    }
    return r;
}

void fc_redis_close(fc_redis *r)
{
    if (r == NULL)
        return;
    if (r->ctx != NULL)
        redisFree(r->ctx);
    free(r);
}

static int fc_redis_fail(fc_redis *r)
{
    snprintf(r->err, sizeof r->err, "%s", r->ctx->errstr[0] ? r->ctx->errstr : "unexpected reply");
    return -1;
}

int fc_redis_heads(fc_redis *r, int feed, const int64_t *users, size_t n, fc_items *heads, int *state)
{
    for (size_t i = 0; i < n; i++)
        if (redisAppendCommand(r->ctx, "ZREVRANGE %s%" PRId64 " 0 -1 WITHSCORES", fc_prefixes[feed], users[i]) !=
            REDIS_OK)
            return fc_redis_fail(r);
    for (size_t i = 0; i < n; i++) {
        redisReply *rep = NULL;

        heads[i].n = 0;
        if (redisGetReply(r->ctx, (void **)&rep) != REDIS_OK || rep == NULL)
            return fc_redis_fail(r);
        if (rep->type != REDIS_REPLY_ARRAY || rep->elements % 2 != 0) {
            snprintf(r->err, sizeof r->err, "%s%" PRId64 ": not a sorted set (%s)", fc_prefixes[feed], users[i],
                     rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
            freeReplyObject(rep);
            return -1;
        }
        state[i] = rep->elements > 0 ? FC_HEAD_EXISTS : 0;
        for (size_t k = 0; k + 1 < rep->elements; k += 2) {
            const redisReply *m = rep->element[k], *s = rep->element[k + 1];
            fc_item *it;

            if (m->len > 0 && m->str[0] == '~') { /* the API's markers */
                if (m->len == strlen(REDIS_MEMBER_END) && memcmp(m->str, REDIS_MEMBER_END, m->len) == 0)
                    state[i] |= FC_HEAD_COMPLETE;
                else if (m->len > strlen(REDIS_MEMBER_FILL) &&
                         memcmp(m->str, REDIS_MEMBER_FILL, strlen(REDIS_MEMBER_FILL)) == 0)
                    state[i] |= FC_HEAD_FILLING;
                continue;
            }
            it = fc_items_push(&heads[i]);
            if (it == NULL) {
                freeReplyObject(rep);
                snprintf(r->err, sizeof r->err, "out of memory");
                return -1;
            }
            snprintf(it->id, sizeof it->id, "%.*s", (int)(m->len < FC_ID_MAX ? m->len : FC_ID_MAX - 1), m->str);
            /* scores are integers below 2^53: exact in a double and in its text */
            it->ts = s->str != NULL ? (int64_t)strtod(s->str, NULL) : INT64_MIN;
        }
        freeReplyObject(rep);
    }
    return 0;
}

int fc_redis_get(fc_redis *r, char *const *keys, size_t n, char **values)
{
    for (size_t i = 0; i < n; i++)
        if (redisAppendCommand(r->ctx, "GET %s", keys[i]) != REDIS_OK)
            return fc_redis_fail(r);
    for (size_t i = 0; i < n; i++) {
        redisReply *rep = NULL;

        values[i] = NULL;
        if (redisGetReply(r->ctx, (void **)&rep) != REDIS_OK || rep == NULL)
            return fc_redis_fail(r);
        if (rep->type == REDIS_REPLY_STRING)
            values[i] = strndup(rep->str, rep->len);
        freeReplyObject(rep);
    }
    return 0;
}

/* A string member of o into dst (cap bytes), or NULL when absent or null. */
static const char *fc_json_str(json_t *o, const char *key, char *dst, size_t cap)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v))
        return NULL;
    snprintf(dst, cap, "%s", json_string_value(v));
    return dst;
}

int fc_redis_parse_act(const char *json, fc_body *b, char *scratch)
{
    json_error_t e;
    json_t *o = json_loads(json, 0, &e), *v;

    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    memset(b, 0, sizeof *b);
    b->id = fc_json_str(o, "id", scratch, FC_ID_MAX);
    b->verb = fc_json_str(o, "verb", scratch + FC_ID_MAX, FC_ID_MAX);
    b->object = fc_json_str(o, "object_id", scratch + 2 * FC_ID_MAX, FC_ID_MAX);
    b->target = fc_json_str(o, "target_id", scratch + 3 * FC_ID_MAX, FC_ID_MAX);
    v = json_object_get(o, "actor_id");
    b->actor = json_is_integer(v) ? (int64_t)json_integer_value(v) : INT64_MIN;
    v = json_object_get(o, "ts_us");
    b->ts_us = json_is_integer(v) ? (int64_t)json_integer_value(v) : INT64_MIN;
    v = json_object_get(o, "body");
    b->body_len = json_is_string(v) ? (int64_t)json_string_length(v) : -1;
    json_decref(o);
    return b->id != NULL ? 0 : -1;
}

int fc_redis_parse_group(const char *json, fc_group *g)
{
    json_error_t e;
    json_t *o = json_loads(json, 0, &e), *v, *ids;
    size_t i;

    if (!json_is_object(o)) {
        json_decref(o);
        return -1;
    }
    memset(g, 0, sizeof *g);
    if (fc_json_str(o, "group_id", g->id, sizeof g->id) == NULL) {
        json_decref(o);
        return -1;
    }
    fc_json_str(o, "verb", g->verb, sizeof g->verb);
    fc_json_str(o, "object_id", g->object, sizeof g->object);
    v = json_object_get(o, "actor_count");
    g->actor_count = json_is_integer(v) ? (int32_t)json_integer_value(v) : -1;
    v = json_object_get(o, "latest_us");
    g->latest_us = json_is_integer(v) ? (int64_t)json_integer_value(v) : INT64_MIN;
    v = json_object_get(o, "ts_us");
    g->window_us = json_is_integer(v) ? (int64_t)json_integer_value(v) : INT64_MIN;
    ids = json_object_get(o, "actor_ids");
    json_array_foreach(ids, i, v)
    {
        if (g->n_ids < FC_GROUP_IDS)
            g->actor_ids[g->n_ids] = json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
        g->n_ids++;
    }
    if (g->n_ids > FC_GROUP_IDS) { /* more than the cap: make the list differ */
        g->actor_ids[FC_GROUP_IDS - 1] = -1;
        g->n_ids = FC_GROUP_IDS;
    }
    json_decref(o);
    return 0;
}
