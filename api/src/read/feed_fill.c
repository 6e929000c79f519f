/* feed_fill.c: one fill: Cassandra read, waiters served, Redis store,
 * then a re-read of Cassandra that removes from the head what was deleted
 * while the fill ran. */
#include "api/src/read/feed_fill.h"

#include <stdlib.h>
#include <string.h>

#include "api/src/read/feed_cql.h"
#include "api/src/read/feed_head.h"

static _Thread_local fill_table feed_fills; /* zero: an empty table */

typedef struct fill_ctx {
    worker *w;
    fill_flight *flight; /* one reference, until the store and re-read answered */
    feed_kind kind;
    char key[FEED_HEAD_KEY_MAX];
    char placeholder[FEED_HEAD_TOKEN_MAX];
} fill_ctx;

fill_table *feed_fill_table(void)
{
    return &feed_fills;
}

static metric_feed fill_metric_feed(feed_kind kind)
{
    return kind == FEED_HOME      ? METRIC_FEED_HOME
           : kind == FEED_PROFILE ? METRIC_FEED_PROFILE
                                  : METRIC_FEED_NOTIFICATIONS;
}

static void fill_done(fill_ctx *f)
{
    fill_table_remove(feed_fill_table(), f->flight);
    fill_flight_release(f->flight);
    free(f);
}

static void fill_on_zrem(redis_client *c, int status, redisReply *reply, void *privdata)
{
    (void)c, (void)status, (void)reply, (void)privdata; /* best effort */
}

/* ZREM the members that vanished from Cassandra during the fill. */
static void fill_remove_vanished(fill_ctx *f, const feed_ref *gone, size_t n)
{
    redis_client *rc = f->w->stores.redis;
    const char *argv[2 + FEED_HEAD_WINDOW];
    size_t i;

    if (rc == NULL || n == 0)
        return;
    argv[0] = "ZREM";
    argv[1] = f->key;
    for (i = 0; i < n; i++)
        argv[2 + i] = gone[i].id;
    (void)redis_client_commandargv(rc, fill_on_zrem, NULL, (int)n + 2, argv, NULL);
}

/* The re-read after the store: what the first read had and Cassandra no
 * longer has was deleted between the first read and the store, when the
 * job's ZREM found nothing to remove (feed_head.h, limit (b)). */
static void fill_on_recheck(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    fill_ctx *f = privdata;
    const fill_flight *fl = f->flight;
    feed_ref *now = NULL, *gone = NULL;
    size_t n = 0;

    (void)c;
    if (status == CQL_CLIENT_OK) {
        now = malloc(FEED_HEAD_WINDOW * sizeof(*now));
        gone = malloc((fl->nrows > 0 ? fl->nrows : 1) * sizeof(*gone));
    }
    if (now != NULL && gone != NULL && feed_cql_parse_refs(resp, now, FEED_HEAD_WINDOW, &n) == 0)
        fill_remove_vanished(f, gone, feed_vanished(fl->rows, fl->nrows, now, n, n < FEED_HEAD_WINDOW, gone));
    else if (status != CQL_CLIENT_ECLOSED)
        metrics_store_error(f->w->metrics, METRIC_STORE_CASSANDRA);
    free(now);
    free(gone);
    metrics_cache_fill(f->w->metrics, fill_metric_feed(f->kind)); /* stored and checked */
    fill_done(f);
}

static void fill_on_store(redis_client *c, int status, redisReply *reply, void *privdata)
{
    fill_ctx *f = privdata;
    cql_client *cql = f->w->stores.cql;

    (void)c;
    /* Stored (or not): readers go to the head from now on, not to the rows. */
    fill_table_remove(feed_fill_table(), f->flight);
    if (status == REDIS_CLIENT_OK && reply != NULL && reply->type == REDIS_REPLY_INTEGER && reply->integer == 1) {
        if (cql != NULL && feed_cql_refs(cql, f->kind, f->flight->user_id, NULL, FEED_HEAD_WINDOW, fill_on_recheck,
                                         f) == CQL_CLIENT_OK) {
            metrics_cassandra_read(f->w->metrics, fill_metric_feed(f->kind));
            return;
        }
        metrics_cache_fill(f->w->metrics, fill_metric_feed(f->kind)); /* stored, not checked */
    } else if (status != REDIS_CLIENT_OK || (reply != NULL && reply->type == REDIS_REPLY_ERROR)) {
        metrics_store_error(f->w->metrics, METRIC_STORE_REDIS);
    }
    fill_done(f);
}

static void fill_on_abort(redis_client *c, int status, redisReply *reply, void *privdata)
{
    (void)c, (void)status, (void)reply;
    fill_done(privdata);
}

/* After a failed Cassandra read: let the next miss fill at once. */
static void fill_abort(fill_ctx *f, int may_use_redis)
{
    redis_client *rc = f->w->stores.redis;

    if (may_use_redis && rc != NULL && feed_head_abort(rc, f->key, f->placeholder, fill_on_abort, f) == REDIS_CLIENT_OK)
        return;
    fill_done(f);
}

static void fill_on_rows(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    fill_ctx *f = privdata;
    feed_ref *rows = NULL;
    size_t n = 0;
    redis_client *rc;
    int complete;

    if (status == CQL_CLIENT_OK)
        rows = malloc(FEED_HEAD_WINDOW * sizeof(*rows));
    if (rows == NULL || feed_cql_parse_refs(resp, rows, FEED_HEAD_WINDOW, &n) != 0) {
        free(rows);
        if (status != CQL_CLIENT_ECLOSED) {
            metrics_store_error(f->w->metrics, METRIC_STORE_CASSANDRA);
            feed_cql_log_failure(c, status, resp, "feed head fill");
        }
        fill_flight_finish(feed_fill_table(), f->flight, -1, 0, NULL, 0);
        /* during shutdown (ECLOSED) the Redis client may be gone already */
        fill_abort(f, status != CQL_CLIENT_ECLOSED);
        return;
    }
    complete = n < FEED_HEAD_WINDOW;
    /* waiters are served now; the flight stays joinable until stored */
    fill_flight_publish(f->flight, 0, complete, rows, n);
    rc = f->w->stores.redis;
    if (rc == NULL ||
        feed_head_store(rc, f->key, f->placeholder, complete, rows, n, fill_on_store, f) != REDIS_CLIENT_OK)
        fill_done(f);
}

fill_flight *feed_fill_lead(worker *w, feed_kind kind, int64_t user_id, const char *key, const char *placeholder)
{
    fill_ctx *f = calloc(1, sizeof(*f));
    fill_flight *flight;

    if (f == NULL)
        goto fail;
    f->w = w;
    f->kind = kind;
    strncpy(f->key, key, sizeof(f->key) - 1);
    strncpy(f->placeholder, placeholder, sizeof(f->placeholder) - 1);
    flight = fill_table_start(feed_fill_table(), kind, user_id);
    if (flight == NULL)
        goto fail;
    f->flight = flight;
    if (w->stores.cql == NULL ||
        feed_cql_refs(w->stores.cql, kind, user_id, NULL, FEED_HEAD_WINDOW, fill_on_rows, f) != CQL_CLIENT_OK) {
        if (w->stores.cql != NULL) {
            metrics_store_error(w->metrics, METRIC_STORE_CASSANDRA);
            feed_cql_log_failure(w->stores.cql, w->stores.cql->err, NULL, "feed head fill (refused)");
        }
        fill_flight_finish(feed_fill_table(), flight, -1, 0, NULL, 0); /* no waiters yet */
        fill_abort(f, 1);
        return NULL;
    }
    metrics_cassandra_read(w->metrics, fill_metric_feed(kind));
    return flight;
fail:
    free(f);
    if (w->stores.redis != NULL)
        (void)feed_head_abort(w->stores.redis, key, placeholder, NULL, NULL);
    return NULL;
}
