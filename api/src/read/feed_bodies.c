/* feed_bodies.c: MGET, then Cassandra for what the cache lacks. */
#include "api/src/read/feed_bodies.h"

#include <stdio.h>
#include <string.h>

#include "api/src/read/feed_cql.h"
#include "api/src/read/feed_json.h"
#include "schema/redis/redis_keys.h"

#define BODY_TTL_S "86400"
#define BODY_KEY_MAX 96

typedef struct body_call {
    body_batch *b;
    size_t i;
} body_call;

static void body_key(const body_batch *b, const feed_ref *r, char *out, size_t cap)
{
    if (b->kind == FEED_NOTIFICATIONS)
        snprintf(out, cap, REDIS_KEY_NOTIF_BODY "%lld:%s", (long long)b->user_id, r->id);
    else
        snprintf(out, cap, REDIS_KEY_ACTIVITY_BODY "%s", r->id);
}

static void body_finish_one(body_batch *b)
{
    if (--b->pending == 0)
        b->done(b);
}

/* Keep a rendered item in the pool. */
static int body_keep(body_batch *b, size_t i, const buf *item)
{
    char *s = pool_strndup(b->p, item->data, item->len);

    if (s == NULL)
        return -1;
    b->json[i] = slice_make(s, item->len);
    return 0;
}

static void body_on_set(redis_client *c, int status, redisReply *reply, void *privdata)
{
    (void)c, (void)status, (void)reply, (void)privdata; /* best effort */
}

static void body_put_back(body_batch *b, size_t i)
{
    redis_client *rc = b->w->stores.redis;
    char key[BODY_KEY_MAX];

    if (rc == NULL || b->redis_failed || b->closed || b->kind == FEED_NOTIFICATIONS)
        return; /* group bodies belong to the job (deleted when a group empties) */
    body_key(b, &b->refs[i], key, sizeof(key));
    (void)redis_client_command(rc, body_on_set, NULL, "SET %s %b EX " BODY_TTL_S, key, b->json[i].base, b->json[i].len);
}

static void body_on_cql(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    body_call *call = privdata;
    body_batch *b = call->b;
    buf item;
    int rc;

    (void)c;
    if (status != CQL_CLIENT_OK) {
        b->cass_failed = 1;
        b->closed |= status == CQL_CLIENT_ECLOSED;
        metrics_store_error(b->w->metrics, METRIC_STORE_CASSANDRA);
        body_finish_one(b);
        return;
    }
    buf_init(&item, 0);
    rc = feed_cql_render_body(resp, b->kind, &item);
    if (rc == 1 && body_keep(b, call->i, &item) == 0)
        body_put_back(b, call->i);
    else if (rc != 0)
        b->cass_failed = 1; /* a row we cannot read: do not pretend it is gone */
    buf_dispose(&item);
    body_finish_one(b);
}

static int body_submit(body_batch *b, size_t i)
{
    cql_client *c = b->w->stores.cql;
    body_call *call;

    if (c == NULL || b->closed)
        return -1;
    call = pool_alloc(b->p, sizeof(*call));
    if (call == NULL)
        return -1;
    call->b = b, call->i = i;
    if (feed_cql_body(c, b->kind, b->user_id, &b->refs[i], body_on_cql, call) != CQL_CLIENT_OK) {
        metrics_store_error(b->w->metrics, METRIC_STORE_CASSANDRA);
        return -1;
    }
    return 0;
}

/* Ask Cassandra for every body still missing; then done. */
static void body_from_cassandra(body_batch *b)
{
    size_t i;

    b->pending = 1; /* held while submitting, so done cannot run early */
    for (i = 0; i < b->n; i++) {
        if (b->json[i].base != NULL)
            continue;
        if (body_submit(b, i) == 0)
            b->pending++;
        else
            b->cass_failed = 1;
    }
    body_finish_one(b);
}

static void body_on_mget(redis_client *c, int status, redisReply *reply, void *privdata)
{
    body_batch *b = privdata;
    size_t i;

    (void)c;
    if (status != REDIS_CLIENT_OK || reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != b->n) {
        b->redis_failed = 1;
        b->closed |= status == REDIS_CLIENT_ECLOSED;
        metrics_store_error(b->w->metrics, METRIC_STORE_REDIS);
    } else {
        for (i = 0; i < b->n; i++) {
            const redisReply *e = reply->element[i];
            buf item;
            slice id = slice_make(b->refs[i].id, b->refs[i].id_len);
            int rc;
            if (e->type != REDIS_REPLY_STRING)
                continue;
            buf_init(&item, 0);
            rc = b->kind == FEED_NOTIFICATIONS ? feed_json_notif_from_cache(&item, slice_make(e->str, e->len), id)
                                               : feed_json_activity_from_cache(&item, slice_make(e->str, e->len), id);
            if (rc == 0)
                (void)body_keep(b, i, &item); /* on failure: read it from Cassandra */
            buf_dispose(&item);
        }
    }
    if (b->closed) {
        b->cass_failed = 1;
        b->done(b);
        return;
    }
    body_from_cassandra(b);
}

void body_batch_run(body_batch *b)
{
    redis_client *rc = b->w->stores.redis;
    const char **argv;
    char *keys;
    size_t i;

    b->pending = 0;
    if (b->n == 0) {
        b->done(b);
        return;
    }
    if (b->cached) {
        body_from_cassandra(b);
        return;
    }
    memset(b->json, 0, b->n * sizeof(*b->json));
    argv = pool_alloc(b->p, (b->n + 1) * sizeof(*argv));
    keys = pool_alloc(b->p, b->n * BODY_KEY_MAX);
    if (rc == NULL || b->redis_failed || argv == NULL || keys == NULL) {
        body_from_cassandra(b);
        return;
    }
    argv[0] = "MGET";
    for (i = 0; i < b->n; i++) {
        body_key(b, &b->refs[i], keys + i * BODY_KEY_MAX, BODY_KEY_MAX);
        argv[i + 1] = keys + i * BODY_KEY_MAX;
    }
    if (redis_client_commandargv(rc, body_on_mget, b, (int)b->n + 1, argv, NULL) != REDIS_CLIENT_OK) {
        b->redis_failed = 1;
        metrics_store_error(b->w->metrics, METRIC_STORE_REDIS);
        body_from_cassandra(b);
    }
}
