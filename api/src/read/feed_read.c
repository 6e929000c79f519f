/* feed_read.c: the page state machine (see feed_read.h).
 *
 * Discipline: the page state lives in the request's pool, so the
 * request is answered only when no store call of the page is in flight
 * (each step starts at most one call, or one body batch, and the next
 * step runs from its callback); a waiter on a fill is detached by the
 * fill itself before it calls back.
 */
#include "api/src/read/feed_read.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "api/src/handlers/endpoint.h"
#include "api/src/read/feed_bodies.h"
#include "api/src/read/feed_cql.h"
#include "api/src/read/feed_fill.h"
#include "api/src/read/feed_head.h"
#include "api/src/read/feed_json.h"
#include "api/src/read/feed_page.h"
#include "api/src/read/home_merge.h"
#include "schema/redis/redis_keys.h"

#define READ_MAX_REFS (PAGE_LIMIT_MAX + 1)

typedef enum read_src { SRC_HEAD, SRC_MEM, SRC_CASS } read_src;

typedef struct read_job {
    pool *pool; /* holds this job; the item texts */
    feed_read_cb *cb;
    void *cb_data;
    worker *w;
    feed_kind kind;
    metric_feed mfeed;
    int64_t uid;
    int limit;
    char key[FEED_HEAD_KEY_MAX];
    char placeholder[FEED_HEAD_TOKEN_MAX];
    char body_prefix[40]; /* "act:" or "notif:<uid>:" */
    read_src src, next_src;
    feed_page page;      /* items so far, the position (page.pos) */
    fill_flight *flight; /* SRC_MEM: a reference */
    fill_waiter waiter;
    int rounds;
    int redis_failed;
    int src_end; /* the refs of this round end the feed */
    feed_ref refs[READ_MAX_REFS];
    size_t nrefs;
    slice json[READ_MAX_REFS];
    body_batch bodies;
    buf items; /* page.items */
    feed_ref item_refs[PAGE_LIMIT_MAX];
    size_t item_ends[PAGE_LIMIT_MAX];
    feed_ref missing[FEED_READ_MAX_MISSING];
} read_job;

static void job_fetch(read_job *j);

static metric_feed job_metric_feed(feed_kind kind)
{
    return kind == FEED_HOME      ? METRIC_FEED_HOME
           : kind == FEED_PROFILE ? METRIC_FEED_PROFILE
                                  : METRIC_FEED_NOTIFICATIONS;
}

static unsigned job_want(const read_job *j)
{
    return feed_page_want(&j->page);
}

static const feed_ref *job_pos(const read_job *j)
{
    return j->page.has_pos ? &j->page.pos : NULL;
}

static void job_count_fallbacks(read_job *j)
{
    cql_client *c = j->w->stores.cql;

    if (j->redis_failed || j->w->stores.redis == NULL)
        metrics_fallback(j->w->metrics, METRIC_FALLBACK_REDIS_DOWN);
    if (c == NULL || c->state != CQL_CLIENT_READY)
        metrics_fallback(j->w->metrics, METRIC_FALLBACK_CASSANDRA_DOWN);
}

/* The end of the job: r to the callback. j lives in the pool the
 * callback may dispose, so nothing of j is touched after it. */
static void job_done(read_job *j, feed_read_result *r)
{
    feed_read_cb *cb = j->cb;
    void *data = j->cb_data;
    buf items = j->items;

    if (j->flight != NULL)
        fill_flight_release(j->flight);
    j->flight = NULL;
    if (r->status == FEED_READ_OK) {
        job_count_fallbacks(j);
        r->items = slice_make(items.data, items.len);
        r->nitems = j->page.nitems;
        r->item_refs = j->item_refs;
        r->item_ends = j->item_ends;
        r->missing = j->missing;
        r->nmissing = j->page.nmissing;
        r->missing_overflow = j->page.missing_overflow;
    }
    cb(r, data);
    buf_dispose(&items);
}

static void job_fail(read_job *j, feed_read_status status, metric_store store, const char *what)
{
    feed_read_result r;

    memset(&r, 0, sizeof(r));
    r.status = status;
    r.store = store;
    r.message = what;
    job_done(j, &r);
}

/* 503 store_unavailable (handlers/endpoint.h), counted against store. */
static void job_unavailable(read_job *j, metric_store store, const char *what)
{
    job_fail(j, FEED_READ_UNAVAILABLE, store, what);
}

/* The page is complete; at: the next page's position (NULL: none). */
static void job_answer(read_job *j, const feed_ref *at)
{
    feed_read_result r;
    feed_ref next;

    memset(&r, 0, sizeof(r));
    r.status = FEED_READ_OK;
    if (at != NULL) {
        next = *at; /* at may point into j */
        r.next = &next;
    }
    job_done(j, &r);
}

/* The bodies of this round's refs are in: append, then answer or go on. */
static void job_on_bodies(body_batch *b)
{
    read_job *j = b->data;

    if (b->redis_failed)
        j->redis_failed = 1;
    if (b->closed || b->cass_failed) {
        job_unavailable(j, METRIC_STORE_CASSANDRA, "Cassandra is unavailable and the cache cannot answer this page");
        return;
    }
    if (feed_page_add(&j->page, j->refs, j->json, j->nrefs) != 0) {
        job_fail(j, FEED_READ_INTERNAL, METRIC_STORE_REDIS, "out of memory");
        return;
    }
    switch (feed_page_next(&j->page, j->src_end, j->rounds, READ_MAX_ROUNDS)) {
    case FEED_PAGE_CURSOR_LAST: job_answer(j, &j->page.last); break;
    case FEED_PAGE_CURSOR_POS: job_answer(j, &j->page.pos); break;
    case FEED_PAGE_END: job_answer(j, NULL); break;
    default: j->src = j->next_src; job_fetch(j);
    }
}

/* The bodies the head read brought: rendered into j->json (the reply
 * goes away when its callback returns); the rest stay NULL. */
static void job_keep_cached_bodies(read_job *j, const redisReply **bodies)
{
    buf item;
    size_t i;

    buf_init(&item, 0);
    for (i = 0; i < j->nrefs; i++) {
        slice id = slice_make(j->refs[i].id, j->refs[i].id_len), body;
        char *copy;
        int rc;
        j->json[i] = slice_make(NULL, 0);
        if (bodies[i] == NULL)
            continue;
        body = slice_make(bodies[i]->str, bodies[i]->len);
        item.len = 0;
        rc = j->kind == FEED_NOTIFICATIONS ? feed_json_notif_from_cache(&item, body, id)
                                           : feed_json_activity_from_cache(&item, body, id);
        if (rc == 0 && (copy = pool_strndup(j->pool, item.data, item.len)) != NULL)
            j->json[i] = slice_make(copy, item.len); /* else: Cassandra has it */
    }
    buf_dispose(&item);
}

/* cached: j->json already holds what Redis had (the head read's MGET). */
static void job_bodies(read_job *j, int cached)
{
    body_batch *b = &j->bodies;

    memset(b, 0, sizeof(*b));
    b->cached = cached;
    b->w = j->w;
    b->kind = j->kind;
    b->user_id = j->uid;
    b->p = j->pool;
    b->refs = j->refs;
    b->n = j->nrefs;
    b->json = j->json;
    b->redis_failed = j->redis_failed;
    b->done = job_on_bodies;
    b->data = j;
    body_batch_run(b);
}

static void job_on_cass_refs(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    read_job *j = privdata;

    if (status != CQL_CLIENT_OK || feed_cql_parse_refs(resp, j->refs, job_want(j), &j->nrefs) != 0) {
        if (status != CQL_CLIENT_ECLOSED)
            feed_cql_log_failure(c, status, resp, "feed page");
        job_unavailable(j, METRIC_STORE_CASSANDRA, "Cassandra is unavailable");
        return;
    }
    j->src_end = j->nrefs < job_want(j);
    j->next_src = SRC_CASS;
    job_bodies(j, 0);
}

static void job_fetch_cassandra(read_job *j)
{
    cql_client *c = j->w->stores.cql;

    j->src = SRC_CASS;
    if (c == NULL ||
        feed_cql_refs(c, j->kind, j->uid, job_pos(j), (int32_t)job_want(j), job_on_cass_refs, j) != CQL_CLIENT_OK) {
        if (c != NULL)
            feed_cql_log_failure(c, c->err, NULL, "feed page (refused)");
        job_unavailable(j, METRIC_STORE_CASSANDRA, "Cassandra is unavailable and the cache cannot answer this page");
        return;
    }
    metrics_cassandra_read(j->w->metrics, j->mfeed);
}

static void job_fetch_memory(read_job *j)
{
    const fill_flight *f = j->flight;
    unsigned want = job_want(j);

    j->nrefs = feed_take_after(job_pos(j), f->rows, f->nrows, j->refs, want);
    j->src_end = j->nrefs < want && f->complete;
    j->next_src = j->nrefs < want ? SRC_CASS : SRC_MEM;
    job_bodies(j, 0);
}

static void job_on_fill(fill_waiter *wt, fill_flight *f)
{
    read_job *j = (read_job *)((char *)wt - offsetof(read_job, waiter));

    if (f->status != 0) {
        fill_flight_release(f);
        job_unavailable(j, METRIC_STORE_CASSANDRA, "Cassandra is unavailable and the feed is not cached");
        return;
    }
    j->flight = f; /* our reference from fill_flight_wait */
    j->src = SRC_MEM;
    job_fetch(j);
}

static void job_wait_fill(read_job *j, fill_flight *f)
{
    j->waiter.done = job_on_fill;
    fill_flight_wait(f, &j->waiter);
}

/* A head read that found no key: we hold the placeholder, so we lead. */
static void job_lead_fill(read_job *j)
{
    fill_flight *f = feed_fill_lead(j->w, j->kind, j->uid, j->key, j->placeholder);

    if (f == NULL) {
        job_fetch_cassandra(j);
        return;
    }
    job_wait_fill(j, f);
}

static void job_on_head(redis_client *c, int status, redisReply *reply, void *privdata)
{
    read_job *j = privdata;
    const redisReply *bodies[READ_MAX_REFS];
    feed_head_result res;
    fill_flight *f;
    int first = j->rounds == 1;

    (void)c;
    if (status != REDIS_CLIENT_OK ||
        feed_head_parse(reply, job_pos(j), job_want(j), j->refs, bodies, READ_MAX_REFS, &res) != 0) {
        if (status == REDIS_CLIENT_ECLOSED) {
            job_unavailable(j, METRIC_STORE_REDIS, "shutting down");
            return;
        }
        if (status != REDIS_CLIENT_OK || (reply != NULL && reply->type == REDIS_REPLY_ERROR)) {
            metrics_store_error(j->w->metrics, METRIC_STORE_REDIS);
            j->redis_failed = 1;
        }
        job_fetch_cassandra(j);
        return;
    }
    switch (res.state) {
    case FEED_HEAD_MISS:
        if (first) {
            metrics_cache(j->w->metrics, j->mfeed, METRIC_CACHE_MISS);
            job_lead_fill(j);
        } else {
            /* the key went away between rounds: do not keep its lock */
            (void)feed_head_abort(c, j->key, j->placeholder, NULL, NULL);
            job_fetch_cassandra(j);
        }
        return;
    case FEED_HEAD_BUSY:
        /* The placeholder may be this worker's own fill, begun by a read
         * that was answered after ours was sent: share it. */
        if (first && (f = fill_table_find(feed_fill_table(), j->kind, j->uid)) != NULL) {
            metrics_cache(j->w->metrics, j->mfeed, METRIC_CACHE_MISS);
            job_wait_fill(j, f);
            return;
        }
        if (first)
            metrics_cache(j->w->metrics, j->mfeed, METRIC_CACHE_BUSY);
        job_fetch_cassandra(j);
        return;
    default:
        if (first)
            metrics_cache(j->w->metrics, j->mfeed, METRIC_CACHE_HIT);
        j->nrefs = res.n;
        j->src_end = res.exhausted && res.state == FEED_HEAD_COMPLETE;
        j->next_src = res.exhausted ? SRC_CASS : SRC_HEAD;
        job_keep_cached_bodies(j, bodies);
        job_bodies(j, 1);
    }
}

static void job_fetch_head(read_job *j)
{
    redis_client *rc = j->w->stores.redis;
    fill_flight *f;

    if (j->rounds == 1 && (f = fill_table_find(feed_fill_table(), j->kind, j->uid)) != NULL) {
        metrics_cache(j->w->metrics, j->mfeed, METRIC_CACHE_MISS);
        job_wait_fill(j, f); /* this worker is filling the feed: share it */
        return;
    }
    feed_head_token(j->placeholder, sizeof(j->placeholder));
    if (feed_head_read(rc, j->key, job_pos(j), job_want(j), j->placeholder, j->body_prefix, job_on_head, j) !=
        REDIS_CLIENT_OK) {
        metrics_store_error(j->w->metrics, METRIC_STORE_REDIS);
        j->redis_failed = 1;
        job_fetch_cassandra(j);
    }
}

static void job_fetch(read_job *j)
{
    j->rounds++;
    if (j->src == SRC_HEAD && (j->redis_failed || j->w->stores.redis == NULL))
        j->src = SRC_CASS;
    switch (j->src) {
    case SRC_HEAD: job_fetch_head(j); break;
    case SRC_MEM: job_fetch_memory(j); break;
    default: job_fetch_cassandra(j);
    }
}

void feed_read_stored_page(worker *w, pool *p, feed_kind kind, int64_t user_id, int limit, const feed_ref *after,
                           feed_read_cb *cb, void *data)
{
    read_job *j = pool_alloc(p, sizeof(*j));
    feed_read_result r;

    if (j == NULL || feed_head_init() != 0 || limit < 1 || limit > PAGE_LIMIT_MAX) {
        memset(&r, 0, sizeof(r));
        r.status = FEED_READ_INTERNAL;
        r.message = "out of memory";
        cb(&r, data);
        return;
    }
    memset(j, 0, sizeof(*j));
    j->pool = p;
    j->cb = cb;
    j->cb_data = data;
    j->w = w;
    j->kind = kind;
    j->mfeed = job_metric_feed(kind);
    j->uid = user_id;
    j->limit = limit;
    buf_init(&j->items, 0);
    j->page.limit = limit;
    j->page.items = &j->items;
    j->page.item_refs = j->item_refs;
    j->page.item_ends = j->item_ends;
    j->page.missing = j->missing;
    j->page.missing_cap = FEED_READ_MAX_MISSING;
    feed_head_key(kind, user_id, j->key, sizeof(j->key));
    if (kind == FEED_NOTIFICATIONS)
        snprintf(j->body_prefix, sizeof(j->body_prefix), REDIS_KEY_NOTIF_BODY "%lld:", (long long)user_id);
    else
        snprintf(j->body_prefix, sizeof(j->body_prefix), REDIS_KEY_ACTIVITY_BODY);
    if (after != NULL) {
        j->page.has_pos = 1;
        j->page.pos = *after;
    }
    j->src = SRC_HEAD;
    job_fetch(j);
}

void feed_read_page(worker *w, pool *p, feed_kind kind, int64_t user_id, int limit, const feed_ref *after,
                    feed_read_cb *cb, void *data)
{
    if (kind == FEED_HOME)
        home_merge_read_page(w, p, user_id, limit, after, cb, data);
    else
        feed_read_stored_page(w, p, kind, user_id, limit, after, cb, data);
}

/* feed_read_serve: the page as the answer of req. */
typedef struct serve_job {
    http_request *req;
    worker *w;
    feed_kind kind;
    int64_t uid;
    slice extra;
} serve_job;

void feed_read_respond(http_request *req, worker *w, feed_kind kind, int64_t user_id, slice items,
                       const feed_ref *next_ref, slice extra)
{
    char text[CURSOR_TEXT_MAX + 1];
    size_t text_len = 0;
    slice next = slice_make(NULL, 0);
    cursor c;
    buf page;

    if (next_ref != NULL) {
        if (cursor_set(&c, kind, user_id, next_ref->ts_us, slice_make(next_ref->id, next_ref->id_len)) != CURSOR_OK ||
            cursor_encode(&w->shared->cursor_key, &c, text, sizeof(text), &text_len) != CURSOR_OK) {
            http_request_respond_error(req, 500, "internal", "cannot make the next cursor");
            return;
        }
        next = slice_make(text, text_len);
    }
    buf_init(&page, 0);
    if (feed_json_page(&page, items, next, extra) != 0) {
        buf_dispose(&page);
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    http_request_respond_json(req, 200, slice_make(page.data, page.len));
    buf_dispose(&page);
}

static void serve_on_page(const feed_read_result *r, void *data)
{
    serve_job *sj = data;

    if (r->status == FEED_READ_UNAVAILABLE) {
        endpoint_unavailable(sj->req, sj->w, r->store, "store_unavailable", r->message);
        return;
    }
    if (r->status != FEED_READ_OK) {
        http_request_respond_error(sj->req, 500, "internal", r->message);
        return;
    }
    feed_read_respond(sj->req, sj->w, sj->kind, sj->uid, r->items, r->next, sj->extra);
}

void feed_read_serve(http_request *req, worker *w, feed_kind kind, int64_t user_id, const page_query *q, slice extra)
{
    serve_job *sj = pool_alloc(http_request_pool(req), sizeof(*sj));
    feed_ref after;

    if (sj == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    sj->req = req;
    sj->w = w;
    sj->kind = kind;
    sj->uid = user_id;
    sj->extra = extra;
    if (q->has_cursor && feed_ref_set(&after, q->after.ts_us, slice_make(q->after.id, q->after.id_len)) != 0) {
        http_request_respond_error(req, 400, "invalid_cursor", "cursor is not valid");
        return;
    }
    feed_read_page(w, http_request_pool(req), kind, user_id, q->limit, q->has_cursor ? &after : NULL, serve_on_page,
                   sj);
}
