/* feed_stream.c: one feed stream's state machine (see feed_stream.h).
 *
 * Discipline: at most one store call of a stream is in flight (a page
 * read or one body lookup: busy), and events are handled one at a time
 * in arrival order, so what a stream sends keeps the order the job
 * published in. Every way out goes through fs_end, which finishes the
 * request at once and frees the state when no call is in flight (else
 * the call's callback does, finding req NULL).
 */
#include "api/src/stream/feed_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/base/log.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/read/feed_bodies.h"
#include "api/src/read/feed_read.h"
#include "api/src/stream/stream_hub.h"
#include "api/src/stream/stream_merge.h"
#include "api/src/stream/stream_unseen.h"
#include "api/src/wire/sse.h"

typedef enum fs_phase { FS_WAIT, FS_BACKLOG, FS_LIVE } fs_phase;

typedef struct backlog_span {
    size_t off, len; /* an item's text in bl_text */
} backlog_span;

typedef struct feed_stream {
    http_request *req; /* NULL once finished */
    worker *w;
    feed_kind kind;
    int64_t uid;
    stream_sub sub;
    fs_phase phase;
    int busy;                /* a page read or a body lookup in flight */
    int streaming;           /* the head is sent */
    int waiting_retry;       /* a body was not there yet; retry armed */
    int counted_end;         /* the open-streams gauge was decremented */
    metric_store fail_store; /* the store a 503 before the head blames */
    stream_merge merge;
    int limit; /* a fresh stream's items */
    int has_after;
    feed_ref after;
    /* backlog */
    pool page_pool;
    int page_pool_live;
    int has_page_pos;
    feed_ref page_pos;
    int pages;
    int reset;    /* the resume position is too old */
    feed_ref *bl; /* the backlog's positions, feed order */
    backlog_span *bl_span;
    size_t bl_n, bl_cap;
    buf bl_text;
    size_t dedup_left; /* queued events still checked against bl */
    feed_ref *pend;    /* backlog refs whose body was not there yet */
    size_t pend_n, pend_cap, pend_i;
    /* live events, a ring */
    feed_event *q;
    size_t q_head, q_n, q_cap;
    /* the body lookup of q[q_head] */
    pool fetch_pool;
    int fetch_pool_live;
    body_batch batch;
    feed_ref fetch_ref;
    slice fetch_json;
    int fetch_tries;
    uint64_t fetch_first_us; /* when the body was first missing */
    loop_timer retry;
    /* the unseen counts (home, notifications): stream_unseen.h */
    stream_unseen *unseen;
    int unseen_due; /* an event came since the last count: count once the queue drains */
} feed_stream;

static metric_feed fs_metric_feed(feed_kind kind)
{
    return kind == FEED_HOME      ? METRIC_FEED_HOME
           : kind == FEED_PROFILE ? METRIC_FEED_PROFILE
                                  : METRIC_FEED_NOTIFICATIONS;
}

static void fs_pump(feed_stream *fs);
static void fs_read_page(feed_stream *fs);
static void fs_on_close(http_request *req, void *data);

static void fs_free(feed_stream *fs)
{
    stream_unseen_detach(fs->unseen);
    loop_timer_stop(&fs->w->loop, &fs->retry);
    if (fs->page_pool_live)
        pool_dispose(&fs->page_pool);
    if (fs->fetch_pool_live)
        pool_dispose(&fs->fetch_pool);
    buf_dispose(&fs->bl_text);
    free(fs->bl);
    free(fs->bl_span);
    free(fs->pend);
    free(fs->q);
    free(fs);
}

/* The end, for whatever reason: before the head, code/what is the 503
 * (code NULL: the request is abandoned or being dropped, any answer). */
static void fs_end(feed_stream *fs, const char *what)
{
    http_request *req = fs->req;

    if (fs->w->hub != NULL)
        stream_hub_remove(fs->w->hub, &fs->sub);
    stream_unseen_detach(fs->unseen);
    fs->unseen = NULL;
    loop_timer_stop(&fs->w->loop, &fs->retry);
    fs->waiting_retry = 0;
    fs->req = NULL;
    if (req != NULL) {
        if (fs->streaming) {
            metrics_stream(fs->w->metrics, fs_metric_feed(fs->kind), 0);
            http_request_stream_end(req);
        } else
            endpoint_unavailable(req, fs->w, fs->fail_store, "store_unavailable",
                                 what != NULL ? what : "the stream could not start");
    } else if (fs->streaming && !fs->counted_end) {
        metrics_stream(fs->w->metrics, fs_metric_feed(fs->kind), 0);
    }
    fs->counted_end = 1;
    if (!fs->busy)
        fs_free(fs);
}

/* ---- output ----------------------------------------------------------- */

/* The id of the next event: the mark's cursor (id_text empty: none). */
static int fs_mark_id(feed_stream *fs, char *text, size_t cap, slice *id)
{
    const feed_ref *m = stream_merge_mark(&fs->merge);
    size_t len = 0;
    cursor c;

    *id = slice_make(NULL, 0);
    if (m == NULL)
        return 0;
    if (cursor_set(&c, fs->kind, fs->uid, m->ts_us, slice_make(m->id, m->id_len)) != CURSOR_OK ||
        cursor_encode(&fs->w->shared->cursor_key, &c, text, cap, &len) != CURSOR_OK)
        return -1;
    *id = slice_make(text, len);
    return 0;
}

/* Frame an item (after stream_merge_offer) into out. */
static int fs_frame_item(feed_stream *fs, buf *out, slice json)
{
    char text[CURSOR_TEXT_MAX + 1];
    slice id;

    if (fs_mark_id(fs, text, sizeof(text), &id) != 0 || sse_event(out, slice_make(NULL, 0), id, json) != 0)
        return -1;
    metrics_stream_event(fs->w->metrics, fs_metric_feed(fs->kind));
    return 0;
}

/* Send out; 0, or -1 when the stream ended (fs may be gone). */
static int fs_send(feed_stream *fs, const buf *out)
{
    if (out->len == 0)
        return 0;
    if (http_request_stream_write(fs->req, slice_make(out->data, out->len)) != 0) {
        fs_end(fs, NULL);
        return -1;
    }
    return 0;
}

/* ---- backlog ------------------------------------------------------------ */

static int fs_backlog_add(feed_stream *fs, const feed_read_result *r, size_t n)
{
    size_t k, start;
    feed_ref *grown;
    backlog_span *spans;

    if (fs->bl_n + n > fs->bl_cap) {
        size_t cap = fs->bl_cap * 2 > fs->bl_n + n ? fs->bl_cap * 2 : fs->bl_n + n;
        grown = realloc(fs->bl, cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        fs->bl = grown;
        spans = realloc(fs->bl_span, cap * sizeof(*spans));
        if (spans == NULL)
            return -1;
        fs->bl_span = spans;
        fs->bl_cap = cap;
    }
    for (k = 0; k < n; k++) {
        start = k == 0 ? 0 : r->item_ends[k - 1] + 1; /* after the comma */
        fs->bl[fs->bl_n] = r->item_refs[k];
        fs->bl_span[fs->bl_n].off = fs->bl_text.len;
        fs->bl_span[fs->bl_n].len = r->item_ends[k] - start;
        if (buf_append(&fs->bl_text, r->items.base + start, r->item_ends[k] - start) != 0)
            return -1;
        fs->bl_n++;
    }
    return 0;
}

/* The backlog is read: the head, then the backlog oldest first. */
static void fs_go_live(feed_stream *fs)
{
    static const http_request_header_out headers[] = {
        {"Cache-Control", "no-store"}, {"X-Accel-Buffering", "no"}, /* proxies: do not buffer the stream */
    };
    buf out;
    size_t i;

    if (http_request_stream_start(fs->req, 200, "text/event-stream", headers, 2, fs->w->shared->cfg->stream_buffer,
                                  fs_on_close, fs) != 0) {
        fs->req = NULL; /* finished by the call */
        fs_end(fs, NULL);
        return;
    }
    fs->streaming = 1;
    fs->phase = FS_LIVE;
    metrics_stream(fs->w->metrics, fs_metric_feed(fs->kind), 1);
    buf_init(&out, 0);
    if (sse_retry(&out, STREAM_CLIENT_RETRY_MS) != 0 ||
        (fs->reset && sse_event(&out, SLICE_LIT("reset"), slice_make(NULL, 0), SLICE_LIT("{}")) != 0))
        goto fail;
    for (i = fs->bl_n; i-- > 0;) {
        if (!stream_merge_offer(&fs->merge, &fs->bl[i]))
            continue;
        if (fs_frame_item(fs, &out, slice_make(fs->bl_text.data + fs->bl_span[i].off, fs->bl_span[i].len)) != 0)
            goto fail;
    }
    buf_dispose(&fs->bl_text);
    free(fs->bl_span);
    fs->bl_span = NULL;
    fs->dedup_left = fs->q_n;
    if (fs->dedup_left == 0) {
        free(fs->bl);
        fs->bl = NULL;
        fs->bl_n = fs->bl_cap = 0;
    }
    if (fs_send(fs, &out) != 0) {
        buf_dispose(&out);
        return;
    }
    buf_dispose(&out);
    fs_pump(fs);
    return;

fail:
    buf_dispose(&out);
    fs_end(fs, NULL);
}

/* bl in feed order again after resolved items were appended. */
static void fs_backlog_sort(feed_stream *fs)
{
    size_t i, j;
    feed_ref r;
    backlog_span sp;

    for (i = 1; i < fs->bl_n; i++) {
        r = fs->bl[i];
        sp = fs->bl_span[i];
        for (j = i; j > 0 && feed_ref_cmp(&fs->bl[j - 1], &r) > 0; j--) {
            fs->bl[j] = fs->bl[j - 1];
            fs->bl_span[j] = fs->bl_span[j - 1];
        }
        fs->bl[j] = r;
        fs->bl_span[j] = sp;
    }
}

static void fs_fetch(feed_stream *fs, const feed_ref *ref);

/* The backlog skipped items whose body was nowhere: most are items whose
 * body the job has not stored yet (its body sinks are not ordered with
 * the feed's), which the live events may not bring either (they were
 * published before this stream subscribed). Look them up again, with
 * the live path's retries, before anything is sent, so the backlog goes
 * out complete and in order. */
static void fs_resolve_next(feed_stream *fs)
{
    if (fs->pend_i < fs->pend_n) {
        fs_fetch(fs, &fs->pend[fs->pend_i]);
        return;
    }
    fs_backlog_sort(fs);
    fs_go_live(fs);
}

static int fs_pend_add(feed_stream *fs, const feed_ref *ref)
{
    feed_ref *grown;

    if (fs->pend_n == fs->pend_cap) {
        size_t cap = fs->pend_cap == 0 ? 8 : fs->pend_cap * 2;
        grown = realloc(fs->pend, cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        fs->pend = grown;
        fs->pend_cap = cap;
    }
    fs->pend[fs->pend_n++] = *ref;
    return 0;
}

static void fs_on_page(const feed_read_result *r, void *data)
{
    feed_stream *fs = data;
    int reached = 0;
    size_t n, i;

    fs->busy = 0;
    if (fs->req == NULL || http_request_abandoned(fs->req) || r->status != FEED_READ_OK) {
        const char *what = r->status == FEED_READ_UNAVAILABLE ? r->message : "cannot read the feed";
        if (r->status == FEED_READ_UNAVAILABLE)
            fs->fail_store = r->store;
        pool_dispose(&fs->page_pool);
        fs->page_pool_live = 0;
        if (fs->req == NULL)
            fs_free(fs);
        else
            fs_end(fs, what);
        return;
    }
    n = stream_backlog_newer(fs->has_after ? &fs->after : NULL, r->item_refs, (size_t)r->nitems, &reached);
    for (i = 0; i < r->nmissing; i++) {
        if ((!fs->has_after || feed_ref_cmp(&r->missing[i], &fs->after) < 0) && fs_pend_add(fs, &r->missing[i]) != 0)
            n = (size_t)-1;
    }
    if (n == (size_t)-1 || fs_backlog_add(fs, r, n) != 0) {
        pool_dispose(&fs->page_pool);
        fs->page_pool_live = 0;
        fs_end(fs, "out of memory");
        return;
    }
    if (r->next != NULL) {
        fs->has_page_pos = 1;
        fs->page_pos = *r->next;
    }
    fs->pages++;
    if (!fs->has_after || reached || r->next == NULL) {
        pool_dispose(&fs->page_pool);
        fs->page_pool_live = 0;
        fs_resolve_next(fs);
        return;
    }
    pool_dispose(&fs->page_pool);
    fs->page_pool_live = 0;
    if (fs->pages >= STREAM_BACKLOG_PAGES) {
        fs->reset = 1; /* the client is too far behind: it re-reads the feed */
        fs_resolve_next(fs);
        return;
    }
    fs_read_page(fs);
}

static void fs_read_page(feed_stream *fs)
{
    pool_init(&fs->page_pool, 0);
    fs->page_pool_live = 1;
    fs->busy = 1;
    feed_read_page(fs->w, &fs->page_pool, fs->kind, fs->uid, fs->has_after ? STREAM_BACKLOG_PAGE : fs->limit,
                   fs->has_page_pos ? &fs->page_pos : NULL, fs_on_page, fs);
}

/* ---- live events ---------------------------------------------------------- */

static void fs_dequeue(feed_stream *fs)
{
    fs->q_head = (fs->q_head + 1) % fs->q_cap;
    fs->q_n--;
    if (fs->dedup_left > 0 && --fs->dedup_left == 0) {
        free(fs->bl); /* the backlog's ids are no longer needed */
        fs->bl = NULL;
        fs->bl_n = fs->bl_cap = 0;
    }
    fs->fetch_tries = 0;
}

/* A '-' for id queued behind the head: the item left the feed already. */
static int fs_removed_from(const feed_stream *fs, size_t from, const feed_ref *ref)
{
    size_t i;

    for (i = from; i < fs->q_n; i++) {
        const feed_event *e = &fs->q[(fs->q_head + i) % fs->q_cap];
        if (e->removed && e->ref.id_len == ref->id_len && memcmp(e->ref.id, ref->id, ref->id_len) == 0)
            return 1;
    }
    return 0;
}

static int fs_removed_later(const feed_stream *fs, const feed_ref *ref)
{
    return fs_removed_from(fs, 1, ref);
}

/* Another look for a missing body, later: 1 when armed, 0 when it is
 * time to give up (the item's removal is queued, or the wait is over).
 * The delay doubles from STREAM_BODY_RETRY_MS to 1 s: every follower's
 * stream may be waiting for the same body. */
static int fs_retry_body(feed_stream *fs, int removed)
{
    uint64_t now = loop_clock_us();
    uint32_t delay;

    if (fs->fetch_tries++ == 0)
        fs->fetch_first_us = now;
    if (removed || now - fs->fetch_first_us >= (uint64_t)STREAM_BODY_WAIT_MS * 1000) {
        if (!removed) {
            log_line l;
            log_begin(&l, LOG_WARN, "stream skipped an item whose body is nowhere");
            log_str(&l, "id", fs->fetch_ref.id);
            log_end(&l);
        }
        return 0;
    }
    delay = fs->fetch_tries < 6 ? (uint32_t)STREAM_BODY_RETRY_MS << (fs->fetch_tries - 1) : 1000;
    (void)loop_timer_start(&fs->w->loop, &fs->retry, delay > 1000 ? 1000 : delay);
    return 1;
}

/* A backlog item's second look (fs_resolve_next). */
static void fs_on_pend_body(feed_stream *fs)
{
    feed_read_result one;
    size_t end;

    if (fs->fetch_json.base == NULL) {
        pool_dispose(&fs->fetch_pool);
        fs->fetch_pool_live = 0;
        /* its removal may be among the events buffered meanwhile */
        if (fs_retry_body(fs, fs_removed_from(fs, 0, &fs->fetch_ref)))
            return;
    }
    if (fs->fetch_json.base != NULL) {
        memset(&one, 0, sizeof(one));
        one.items = fs->fetch_json;
        one.nitems = 1;
        one.item_refs = &fs->fetch_ref;
        end = fs->fetch_json.len;
        one.item_ends = &end;
        if (fs_backlog_add(fs, &one, 1) != 0) {
            fs_end(fs, "out of memory");
            return;
        }
    } /* else: undone after all; its removal is on its way */
    pool_dispose(&fs->fetch_pool);
    fs->fetch_pool_live = 0;
    fs->fetch_tries = 0;
    fs->pend_i++;
    fs_resolve_next(fs);
}

static void fs_on_body(body_batch *b)
{
    feed_stream *fs = b->data;
    buf out;

    fs->busy = 0;
    if (fs->req == NULL || b->closed) {
        if (fs->req == NULL)
            fs_free(fs);
        else
            fs_end(fs, NULL);
        return;
    }
    if (fs->phase == FS_BACKLOG) {
        fs_on_pend_body(fs);
        return;
    }
    if (fs->fetch_json.base == NULL) {
        /* Not stored yet (the body sinks are not ordered with the feed's)
         * or undone: look again a little later, unless its removal is
         * already queued. */
        pool_dispose(&fs->fetch_pool);
        fs->fetch_pool_live = 0;
        if (fs_retry_body(fs, fs_removed_later(fs, &fs->fetch_ref))) {
            fs->waiting_retry = 1;
            return;
        }
        fs_dequeue(fs);
        fs_pump(fs);
        return;
    }
    fs_dequeue(fs);
    buf_init(&out, 0);
    if (stream_merge_offer(&fs->merge, &fs->fetch_ref) && fs_frame_item(fs, &out, fs->fetch_json) != 0) {
        buf_dispose(&out);
        fs_end(fs, NULL);
        return;
    }
    pool_dispose(&fs->fetch_pool);
    fs->fetch_pool_live = 0;
    if (fs_send(fs, &out) != 0) {
        buf_dispose(&out);
        return;
    }
    buf_dispose(&out);
    fs_pump(fs);
}

static void fs_fetch(feed_stream *fs, const feed_ref *ref)
{
    body_batch *b = &fs->batch;

    fs->fetch_ref = *ref;
    fs->fetch_json = slice_make(NULL, 0);
    pool_init(&fs->fetch_pool, 0);
    fs->fetch_pool_live = 1;
    memset(b, 0, sizeof(*b));
    b->w = fs->w;
    b->kind = fs->kind;
    b->user_id = fs->uid;
    b->p = &fs->fetch_pool;
    b->refs = &fs->fetch_ref;
    b->n = 1;
    b->json = &fs->fetch_json;
    b->done = fs_on_body;
    b->data = fs;
    fs->busy = 1;
    body_batch_run(b);
}

static void fs_on_retry(loop *l, loop_timer *t)
{
    feed_stream *fs = t->data;

    (void)l;
    if (fs->phase == FS_WAIT) {
        fs_end(fs, "the live events are unavailable (Redis)");
        return;
    }
    if (fs->phase == FS_BACKLOG) {
        fs_resolve_next(fs);
        return;
    }
    fs->waiting_retry = 0;
    fs_pump(fs);
}

/* A removal: "event: remove", data {"id":"<activity id>"}. */
static int fs_frame_remove(feed_stream *fs, buf *out, const feed_ref *ref)
{
    char text[CURSOR_TEXT_MAX + 1], json[CURSOR_MAX_ID + 16];
    slice id;
    int n;

    if (fs_mark_id(fs, text, sizeof(text), &id) != 0)
        return -1;
    /* an activity id is [a-z]:[0-9]+ (cursor_id_valid): nothing to escape */
    n = snprintf(json, sizeof(json), "{\"id\":\"%s\"}", ref->id);
    if (n < 0 || (size_t)n >= sizeof(json))
        return -1;
    if (sse_event(out, SLICE_LIT("remove"), id, slice_make(json, (size_t)n)) != 0)
        return -1;
    metrics_stream_event(fs->w->metrics, fs_metric_feed(fs->kind));
    return 0;
}

/* stream_unseen_send: the counts as an "unseen" event. */
static int fs_send_unseen(void *data, const unseen_counts *c)
{
    feed_stream *fs = data;
    buf out;
    int rc;

    if (fs->req == NULL || !fs->streaming)
        return 0;
    buf_init(&out, 0);
    if (stream_unseen_frame(&out, c) != 0) {
        buf_dispose(&out);
        fs_end(fs, NULL);
        return -1;
    }
    rc = fs_send(fs, &out);
    buf_dispose(&out);
    return rc;
}

/* Handle queued events while nothing is in flight; once the queue is
 * drained after events, the unseen counts are counted again. */
static void fs_pump(feed_stream *fs)
{
    const feed_event *ev;
    buf out;

    while (fs->req != NULL && fs->phase == FS_LIVE && !fs->busy && !fs->waiting_retry && fs->q_n > 0) {
        ev = &fs->q[fs->q_head];
        if (ev->removed) {
            buf_init(&out, 0);
            if (fs_frame_remove(fs, &out, &ev->ref) != 0) {
                buf_dispose(&out);
                fs_end(fs, NULL);
                return;
            }
            fs_dequeue(fs);
            if (fs_send(fs, &out) != 0) {
                buf_dispose(&out);
                return;
            }
            buf_dispose(&out);
            continue;
        }
        if (fs->dedup_left > 0 && fs->kind != FEED_NOTIFICATIONS && stream_backlog_has(fs->bl, fs->bl_n, &ev->ref)) {
            fs_dequeue(fs); /* the backlog had it */
            continue;
        }
        fs_fetch(fs, &ev->ref);
        return; /* fs_on_body carries on (maybe already did) */
    }
    if (fs->req != NULL && fs->phase == FS_LIVE && !fs->busy && !fs->waiting_retry && fs->q_n == 0 && fs->unseen_due) {
        fs->unseen_due = 0;
        stream_unseen_poke(fs->unseen); /* last: it may send, and so end the stream */
    }
}

/* ---- the hub's callbacks ------------------------------------------------------ */

static void fs_on_ready(stream_sub *s)
{
    feed_stream *fs = s->data;

    if (fs->phase != FS_WAIT || fs->req == NULL)
        return;
    loop_timer_stop(&fs->w->loop, &fs->retry);
    fs->phase = FS_BACKLOG;
    fs_read_page(fs);
}

static void fs_on_event(stream_sub *s, const feed_event *ev)
{
    feed_stream *fs = s->data;
    feed_event *grown;
    size_t i, cap;

    if (ev->marker) { /* only the counts change: count now, even behind queued events */
        if (fs->phase == FS_LIVE && fs->req != NULL)
            stream_unseen_poke(fs->unseen); /* last: it may send, and so end the stream */
        return;
    }
    if (fs->unseen != NULL)
        fs->unseen_due = 1;
    if (fs->q_n == STREAM_MAX_QUEUED) {
        log_simple(LOG_INFO, "stream ended: too many events waiting", NULL);
        fs_end(fs, "too many events");
        return;
    }
    if (fs->q_n == fs->q_cap) {
        cap = fs->q_cap == 0 ? 8 : fs->q_cap * 2;
        grown = malloc(cap * sizeof(*grown));
        if (grown == NULL) {
            fs_end(fs, "out of memory");
            return;
        }
        for (i = 0; i < fs->q_n; i++)
            grown[i] = fs->q[(fs->q_head + i) % fs->q_cap];
        free(fs->q);
        fs->q = grown;
        fs->q_cap = cap;
        fs->q_head = 0;
    }
    fs->q[(fs->q_head + fs->q_n) % fs->q_cap] = *ev;
    fs->q_n++;
    fs_pump(fs);
}

static void fs_on_lost(stream_sub *s)
{
    fs_end(s->data, "the live events are unavailable (Redis)");
}

static void fs_on_heartbeat(stream_sub *s)
{
    feed_stream *fs = s->data;
    buf out;

    if (!fs->streaming || fs->req == NULL)
        return;
    buf_init(&out, 0);
    if (sse_comment(&out, SLICE_LIT("hb")) == 0)
        (void)fs_send(fs, &out);
    buf_dispose(&out);
}

/* The connection ended first (request.h): finish the stream. */
static void fs_on_close(http_request *req, void *data)
{
    feed_stream *fs = data;

    (void)req;
    fs_end(fs, NULL);
}

void feed_stream_serve(http_request *req, worker *w, feed_kind kind, int64_t user_id, const stream_query *q)
{
    feed_stream *fs;

    if (w->hub == NULL) {
        endpoint_unavailable(req, w, METRIC_STORE_REDIS, "store_unavailable", "live events need Redis");
        return;
    }
    fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    fs->req = req;
    fs->w = w;
    fs->kind = kind;
    fs->uid = user_id;
    fs->limit = q->limit;
    fs->fail_store = METRIC_STORE_REDIS; /* the live events' store, unless a read says otherwise */
    buf_init(&fs->bl_text, 0);
    loop_timer_init(&fs->retry, fs_on_retry, fs);
    if (q->has_after) {
        if (feed_ref_set(&fs->after, q->after.ts_us, slice_make(q->after.id, q->after.id_len)) != 0) {
            fs_free(fs);
            http_request_respond_error(req, 400, "invalid_cursor", "cursor is not valid");
            return;
        }
        fs->has_after = 1;
        fs->has_page_pos = 0; /* the backlog reads from the top down to after */
    }
    stream_merge_init(&fs->merge, fs->has_after ? &fs->after : NULL);
    /* A group's event is its new state, never a repeat (stream_merge.h);
     * a buffered one the backlog also had is sent again for the same
     * reason (the backlog may have read the state before it). */
    fs->merge.updates = kind == FEED_NOTIFICATIONS;
    fs->sub.user_id = user_id;
    fs->sub.kind = kind;
    fs->sub.on_ready = fs_on_ready;
    fs->sub.on_event = fs_on_event;
    fs->sub.on_lost = fs_on_lost;
    fs->sub.on_heartbeat = fs_on_heartbeat;
    fs->sub.data = fs;
    if (kind != FEED_PROFILE) { /* the counts once live, then as they change */
        fs->unseen = stream_unseen_new(w, kind, user_id, fs_send_unseen, fs);
        if (fs->unseen == NULL) {
            fs_free(fs);
            http_request_respond_error(req, 500, "internal", "out of memory");
            return;
        }
        fs->unseen_due = 1;
    }
    fs->phase = FS_WAIT;
    /* Not subscribed within the store timeout: 503 (the retry timer
     * doubles as that deadline while waiting). */
    (void)loop_timer_start(&w->loop, &fs->retry, w->shared->cfg->store_timeout_ms);
    stream_hub_add(w->hub, &fs->sub); /* on_ready may run in here */
}
