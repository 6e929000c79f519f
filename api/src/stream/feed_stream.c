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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/base/log.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/read/feed_bodies.h"
#include "api/src/read/feed_read.h"
#include "api/src/read/merge_sources.h"
#include "api/src/read/redis_script.h"
#include "api/src/stream/stream_hot.h"
#include "api/src/stream/stream_hub.h"
#include "api/src/stream/stream_merge.h"
#include "api/src/stream/stream_unseen.h"
#include "api/src/wire/sse.h"
#include "schema/redis/redis_keys.h"
#include "schema/redis/redis_scripts.h"

typedef enum fs_phase { FS_WAIT, FS_SOURCES, FS_OPEN, FS_BACKLOG, FS_LIVE } fs_phase;

/* How many times a home stream reads its merge sources again when their
 * generation moved between the read and the open (the job changed them
 * meanwhile) before it gives up with a 503. */
#define STREAM_SOURCES_TRIES 3

typedef struct backlog_span {
    size_t off, len; /* an item's text in bl_text */
} backlog_span;

/* Events in arrival order. */
typedef struct ev_ring {
    feed_event *a;
    size_t head, n, cap;
} ev_ring;

static redis_script fs_open_script = {redis_lua_feed_live_open, {0}};
static pthread_once_t fs_once = PTHREAD_ONCE_INIT;
static int fs_init_rc = -1;

static void fs_do_init(void)
{
    fs_init_rc = redis_script_init(&fs_open_script);
}

typedef struct feed_stream {
    http_request *req; /* NULL once finished */
    worker *w;
    feed_kind kind;
    int64_t uid;
    stream_sub sub;
    fs_phase phase;
    int busy;                /* a page read or a body lookup in flight */
    int hb_busy;             /* a home heartbeat's open call in flight (its answer is checked) */
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
    /* the user's event log (feed_event_publish.lua, feed_live_open.lua) */
    int log_resume;      /* the resume cursor has a log entry ... */
    feed_log_id resume;  /* ... this one */
    int opened;          /* feed_live_open answered */
    int catching_up;     /* sending the log's entries after resume */
    feed_log_id read_to; /* the newest entry read from the log */
    int has_floor;       /* logged events up to floor are in what was read */
    feed_log_id floor;
    int has_last; /* the newest log entry handled: the ids' log part */
    feed_log_id last;
    stream_history hist;
    ev_ring hold; /* live events that came while catching up */
    /* events to send, in order: a ring */
    ev_ring q;
    /* the body lookup of q[q_head] */
    pool fetch_pool;
    int fetch_pool_live;
    body_batch batch;
    feed_ref fetch_ref;
    slice fetch_json;
    int fetch_tries;
    uint64_t fetch_first_us; /* when the body was first missing */
    loop_timer retry;
    /* home: the hot followees merged (stream_hot.h), read at the start at
     * generation gen of the reader's merge sources */
    pool src_pool;
    int src_pool_live;
    merge_source *src; /* sorted by followee; malloc */
    size_t src_n;
    char gen[24];
    int src_tries;
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

/* ---- rings of events ------------------------------------------------------ */

static feed_event *ring_at(ev_ring *r, size_t i)
{
    return &r->a[(r->head + i) % r->cap];
}

/* Append; 0, or -1 when STREAM_MAX_QUEUED are waiting or out of memory. */
static int ring_push(ev_ring *r, const feed_event *ev)
{
    feed_event *grown;
    size_t i, cap;

    if (r->n == STREAM_MAX_QUEUED)
        return -1;
    if (r->n == r->cap) {
        cap = r->cap == 0 ? 8 : r->cap * 2;
        grown = malloc(cap * sizeof(*grown));
        if (grown == NULL)
            return -1;
        for (i = 0; i < r->n; i++)
            grown[i] = *ring_at(r, i);
        free(r->a);
        r->a = grown;
        r->cap = cap;
        r->head = 0;
    }
    r->a[(r->head + r->n) % r->cap] = *ev;
    r->n++;
    return 0;
}

static void ring_pop(ev_ring *r)
{
    r->head = (r->head + 1) % r->cap;
    r->n--;
}

/* Keep only the events keep() accepts, in order. */
static void ring_filter(ev_ring *r, int (*keep)(const void *ctx, const feed_event *ev), const void *ctx)
{
    size_t i, kept = 0;

    for (i = 0; i < r->n; i++) {
        feed_event ev = *ring_at(r, i);
        if (keep(ctx, &ev))
            *ring_at(r, kept++) = ev;
    }
    r->n = kept;
}

static void fs_pump(feed_stream *fs);
static void fs_read_page(feed_stream *fs);
static void fs_on_close(http_request *req, void *data);

static void fs_free(feed_stream *fs)
{
    stream_unseen_detach(fs->unseen);
    if (fs->src_pool_live)
        pool_dispose(&fs->src_pool);
    free(fs->src);
    loop_timer_stop(&fs->w->loop, &fs->retry);
    if (fs->page_pool_live)
        pool_dispose(&fs->page_pool);
    if (fs->fetch_pool_live)
        pool_dispose(&fs->fetch_pool);
    buf_dispose(&fs->bl_text);
    free(fs->bl);
    free(fs->bl_span);
    free(fs->pend);
    free(fs->q.a);
    free(fs->hold.a);
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
    if (!fs->busy && !fs->hb_busy)
        fs_free(fs);
}

/* A callback found the request finished: free the state unless another
 * call of the stream is still in flight (its callback will). */
static void fs_release(feed_stream *fs)
{
    if (!fs->busy && !fs->hb_busy)
        fs_free(fs);
}

/* ---- output ----------------------------------------------------------- */

/* The id of the next event: the mark's cursor with the newest log entry
 * handled (id_text empty: no mark yet). */
static int fs_mark_id(feed_stream *fs, char *text, size_t cap, slice *id)
{
    const feed_ref *m = stream_merge_mark(&fs->merge);
    size_t len = 0;
    cursor c;

    *id = slice_make(NULL, 0);
    if (m == NULL)
        return 0;
    if (cursor_set(&c, fs->kind, fs->uid, m->ts_us, slice_make(m->id, m->id_len)) != CURSOR_OK)
        return -1;
    if (fs->has_last)
        cursor_set_log(&c, fs->last.ms, fs->last.seq);
    if (cursor_encode(&fs->w->shared->cursor_key, &c, text, cap, &len) != CURSOR_OK)
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
    fs->dedup_left = fs->q.n;
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
            fs_release(fs);
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

/* The queue's head event is handled (sent, or dropped as a repeat or as
 * gone): the item's state goes into the history, and the log entry
 * becomes the ids' log part (set before the event is framed). */
static void fs_consume(feed_stream *fs, int note)
{
    const feed_event *ev = ring_at(&fs->q, 0);

    if (note)
        stream_history_note(&fs->hist, &ev->ref, ev->removed);
    if (ev->has_log && (!fs->has_last || feed_log_id_cmp(&ev->log, &fs->last) > 0)) {
        fs->has_last = 1;
        fs->last = ev->log;
    }
}

/* The queue's head is handled; note: its state goes into the history
 * (not for an event dropped as not this stream's: a hot followee's item
 * outside the rule). */
static void fs_dequeue_as(feed_stream *fs, int note)
{
    fs_consume(fs, note);
    ring_pop(&fs->q);
    if (fs->dedup_left > 0 && --fs->dedup_left == 0) {
        free(fs->bl); /* the backlog's ids are no longer needed */
        fs->bl = NULL;
        fs->bl_n = fs->bl_cap = 0;
    }
    fs->fetch_tries = 0;
}

static void fs_dequeue(feed_stream *fs)
{
    fs_dequeue_as(fs, 1);
}

/* A '-' for id queued behind the head: the item left the feed already. */
static int fs_removed_from(const feed_stream *fs, size_t from, const feed_ref *ref)
{
    size_t i;

    for (i = from; i < fs->q.n; i++) {
        const feed_event *e = &fs->q.a[(fs->q.head + i) % fs->q.cap];
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
            fs_release(fs);
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

static void fs_read_log(feed_stream *fs);

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

/* Handle queued events while nothing is in flight; while catching up,
 * read the next page of the log when the queue is empty; once the queue
 * is drained after events, the unseen counts are counted again. */
static void fs_pump(feed_stream *fs)
{
    const feed_event *ev;
    buf out;

    while (fs->req != NULL && fs->phase == FS_LIVE && !fs->busy && !fs->waiting_retry) {
        if (fs->q.n == 0) {
            if (fs->catching_up) {
                fs_read_log(fs);
                return;
            }
            break;
        }
        ev = ring_at(&fs->q, 0);
        if (!stream_hot_accepts(fs->src, fs->src_n, ev)) {
            fs_dequeue_as(fs, 0); /* a hot followee's item the home does not merge */
            continue;
        }
        if (fs->kind != FEED_NOTIFICATIONS && stream_history_repeat(&fs->hist, &ev->ref, ev->removed)) {
            fs_dequeue(fs); /* a job replay: the client has this state */
            continue;
        }
        if (ev->removed) {
            feed_ref ref = ev->ref;
            fs_dequeue(fs); /* first: the id carries its log entry */
            buf_init(&out, 0);
            if (fs_frame_remove(fs, &out, &ref) != 0) {
                buf_dispose(&out);
                fs_end(fs, NULL);
                return;
            }
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
    if (fs->req != NULL && fs->phase == FS_LIVE && !fs->busy && !fs->waiting_retry && fs->q.n == 0 && fs->unseen_due) {
        fs->unseen_due = 0;
        stream_unseen_poke(fs->unseen); /* last: it may send, and so end the stream */
    }
}

/* ---- the user's event log ------------------------------------------------------ */

/* "feed:live:<uid>" / "feed:log:<uid>" into out (32 bytes suffice). */
static void fs_key(const feed_stream *fs, const char *prefix, char *out, size_t cap)
{
    (void)snprintf(out, cap, "%s%lld", prefix, (long long)fs->uid);
}

/* feed_live_open.lua: the live key (the job logs this user's events
 * while it exists) and the log's expiry, for the resume window; with
 * history, also the resume entry's presence and the history before it.
 * A home stream also passes its merge sources' generation and the
 * live-follower set of each source (the user joins them). */
static int fs_call_open(feed_stream *fs, redis_client_cb *cb, int history)
{
    char live[40], log[40], genkey[48], window[16], resume[FEED_LOG_ID_TEXT_MAX], count[8], uid[24];
    const char **argv;
    char(*sets)[48] = NULL;
    size_t i, nkeys = 2, nsets = fs->kind == FEED_HOME ? fs->src_n : 0;
    int argc, rc;

    fs_key(fs, REDIS_KEY_FEED_LIVE, live, sizeof(live));
    fs_key(fs, REDIS_KEY_FEED_LOG, log, sizeof(log));
    (void)snprintf(window, sizeof(window), "%u", (unsigned)fs->w->shared->cfg->stream_resume_window_ms);
    (void)snprintf(count, sizeof(count), "%d", history ? STREAM_HISTORY : 0);
    if (fs->w->stores.redis == NULL)
        return -1;
    argv = malloc((2 + 1 + nsets + 5) * sizeof(*argv));
    if (nsets > 0)
        sets = malloc(nsets * sizeof(*sets));
    if (argv == NULL || (nsets > 0 && sets == NULL)) {
        free(argv);
        free(sets);
        return -1;
    }
    argv[0] = live;
    argv[1] = log;
    if (fs->kind == FEED_HOME) {
        fs_key(fs, REDIS_KEY_MERGE_SOURCES_GEN, genkey, sizeof(genkey));
        argv[nkeys++] = genkey;
        for (i = 0; i < nsets; i++) {
            (void)snprintf(sets[i], sizeof(sets[i]), "%s%lld", REDIS_KEY_FEED_LIVE_FOLLOWERS,
                           (long long)fs->src[i].followee_id);
            argv[nkeys++] = sets[i];
        }
    }
    argc = (int)nkeys;
    argv[argc++] = window;
    argv[argc++] = "";
    if (history && fs->log_resume) {
        (void)feed_log_id_format(&fs->resume, resume);
        argv[argc - 1] = resume;
    }
    argv[argc++] = count;
    if (fs->kind == FEED_HOME) {
        (void)snprintf(uid, sizeof(uid), "%lld", (long long)fs->uid);
        argv[argc++] = fs->gen;
        argv[argc++] = uid;
    }
    rc = redis_script_call(fs->w->stores.redis, &fs_open_script, (int)nkeys, argc, argv, NULL, cb, fs);
    free(argv);
    free(sets);
    return rc == REDIS_CLIENT_OK ? 0 : -1;
}

/* An entry [id, [field, value, ...]] of XRANGE/XREVRANGE: 0 with *ev set
 * when it is an event of this stream's feed; 1 when it is a valid entry
 * of something else (another feed, the start marker); -1 malformed. *id
 * is set whenever the entry id is valid. */
static int fs_entry(const feed_stream *fs, const redisReply *e, feed_log_id *id, feed_event *ev)
{
    const redisReply *f;
    size_t i;

    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || e->element[0]->type != REDIS_REPLY_STRING ||
        feed_log_id_parse(slice_make(e->element[0]->str, e->element[0]->len), id) != 0)
        return -1;
    f = e->element[1];
    if (f->type != REDIS_REPLY_ARRAY)
        return -1;
    for (i = 0; i + 1 < f->elements; i += 2) {
        if (f->element[i]->type == REDIS_REPLY_STRING && f->element[i]->len == 1 && f->element[i]->str[0] == 'e' &&
            f->element[i + 1]->type == REDIS_REPLY_STRING) {
            if (feed_event_parse_entry(fs->uid, slice_make(e->element[0]->str, e->element[0]->len),
                                       slice_make(f->element[i + 1]->str, f->element[i + 1]->len), ev) != 0)
                return 1; /* not ours to judge: skipped, like another feed's */
            return ev->kind == fs->kind ? 0 : 1;
        }
    }
    return 1;
}

static int fs_keep_logged(const void *ctx, const feed_event *ev)
{
    (void)ctx;
    return ev->has_log;
}

static int fs_keep_after_floor(const void *ctx, const feed_event *ev)
{
    const feed_stream *fs = ctx;

    return !ev->has_log || !fs->has_floor || feed_log_id_cmp(&ev->log, &fs->floor) > 0;
}

static void fs_go_live(feed_stream *fs);
static void fs_read_sources(feed_stream *fs);

/* The answer of feed_live_open: {found, history, sources}. */
static void fs_on_open(redis_client *c, int status, redisReply *reply, void *privdata)
{
    feed_stream *fs = privdata;
    const redisReply *hist;
    feed_log_id id, top;
    feed_event ev;
    size_t i;
    int has_top = 0, found, r;

    (void)c;
    fs->busy = 0;
    if (fs->req == NULL) {
        fs_release(fs);
        return;
    }
    if (status != REDIS_CLIENT_OK || reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
        reply->element[0]->type != REDIS_REPLY_INTEGER || reply->element[1]->type != REDIS_REPLY_ARRAY ||
        reply->element[2]->type != REDIS_REPLY_INTEGER) {
        fs_end(fs, "the live events are unavailable (Redis)");
        return;
    }
    if (reply->element[2]->integer == 0) {
        /* home: the merge sources changed since they were read */
        if (++fs->src_tries >= STREAM_SOURCES_TRIES) {
            fs_end(fs, "the merge sources keep changing");
            return;
        }
        fs_read_sources(fs);
        return;
    }
    found = reply->element[0]->integer == 1;
    hist = reply->element[1];
    for (i = hist->elements; i-- > 0;) { /* newest first: seed oldest first */
        r = fs_entry(fs, hist->element[i], &id, &ev);
        if (r < 0)
            continue;
        if (!has_top || feed_log_id_cmp(&id, &top) > 0) {
            has_top = 1;
            top = id;
        }
        if (r == 0 && stream_hot_accepts(fs->src, fs->src_n, &ev))
            stream_history_note(&fs->hist, &ev.ref, ev.removed);
    }
    fs->opened = 1;
    /* An event not logged came before this (the live key is set now):
     * what it did is in the log or the stored feed read from here on. */
    ring_filter(&fs->q, fs_keep_logged, fs);
    if (found && fs->log_resume) {
        /* Exact: the log after the resume entry, then the live events
         * past what was read (fs_on_log). */
        fs->catching_up = 1;
        fs->read_to = fs->resume;
        fs->has_last = 1;
        fs->last = fs->resume;
        while (fs->q.n > 0) {
            (void)ring_push(&fs->hold, ring_at(&fs->q, 0));
            ring_pop(&fs->q);
        }
        fs_go_live(fs);
        return;
    }
    /* No log entry to resume from (a fresh stream, an old cursor, or the
     * entry is trimmed or expired): the stored feed by position, read
     * from now on, so every logged event up to the newest entry is in
     * it; later ones are sent live. */
    if (has_top) {
        fs->has_floor = 1;
        fs->floor = top;
        fs->has_last = 1;
        fs->last = top;
    }
    ring_filter(&fs->q, fs_keep_after_floor, fs);
    fs->phase = FS_BACKLOG;
    fs_read_page(fs);
}

static void fs_on_log(redis_client *c, int status, redisReply *reply, void *privdata)
{
    feed_stream *fs = privdata;
    feed_log_id id;
    feed_event ev;
    size_t i;
    int r;

    (void)c;
    fs->busy = 0;
    if (fs->req == NULL) {
        fs_release(fs);
        return;
    }
    if (status != REDIS_CLIENT_OK || reply == NULL || reply->type != REDIS_REPLY_ARRAY) {
        fs_end(fs, NULL); /* streaming: the client resumes */
        return;
    }
    for (i = 0; i < reply->elements; i++) {
        r = fs_entry(fs, reply->element[i], &id, &ev);
        if (r < 0 || feed_log_id_cmp(&id, &fs->read_to) <= 0)
            continue;
        fs->read_to = id;
        if (r == 0 && ring_push(&fs->q, &ev) != 0) {
            fs_end(fs, NULL);
            return;
        }
    }
    if (reply->elements < STREAM_LOG_PAGE) {
        /* The end of the log: every later entry was published after this
         * read, so it is among the live events held or still to come. */
        fs->catching_up = 0;
        fs->has_floor = 1;
        fs->floor = fs->read_to;
        while (fs->hold.n > 0) {
            ev = *ring_at(&fs->hold, 0);
            ring_pop(&fs->hold);
            if (fs_keep_after_floor(fs, &ev) && ring_push(&fs->q, &ev) != 0) {
                fs_end(fs, NULL);
                return;
            }
        }
    }
    fs_pump(fs);
}

/* The next page of the log after read_to (XRANGE, exclusive start). */
static void fs_read_log(feed_stream *fs)
{
    char log[40], from[FEED_LOG_ID_TEXT_MAX + 1], count[8];
    const char *argv[6] = {"XRANGE", log, from, "+", "COUNT", count};

    fs_key(fs, REDIS_KEY_FEED_LOG, log, sizeof(log));
    from[0] = '(';
    (void)feed_log_id_format(&fs->read_to, from + 1);
    (void)snprintf(count, sizeof(count), "%d", STREAM_LOG_PAGE);
    fs->busy = 1;
    if (redis_client_commandargv(fs->w->stores.redis, fs_on_log, fs, 6, argv, NULL) != REDIS_CLIENT_OK) {
        fs->busy = 0;
        fs_end(fs, NULL);
    }
}

/* ---- the hub's callbacks ------------------------------------------------------ */

static void fs_open(feed_stream *fs)
{
    fs->phase = FS_OPEN;
    fs->busy = 1;
    if (fs_call_open(fs, fs_on_open, 1) != 0) {
        fs->busy = 0;
        fs_end(fs, "the live events are unavailable (Redis)");
    }
}

/* merge_sources_get's answer: the hot followees, sorted, then the open. */
static void fs_on_sources(merge_sources_status status, const merge_source *src, size_t n, void *data)
{
    feed_stream *fs = data;

    fs->busy = 0;
    if (fs->req == NULL) {
        fs_release(fs);
        return;
    }
    if (status != MERGE_SOURCES_OK) {
        if (status == MERGE_SOURCES_UNAVAILABLE)
            fs->fail_store = METRIC_STORE_CASSANDRA;
        fs_end(fs, status == MERGE_SOURCES_UNAVAILABLE ? "the hot accounts followed are unavailable (Cassandra)"
                   : status == MERGE_SOURCES_TOO_MANY  ? "too many hot accounts followed"
                                                       : "cannot read the hot accounts followed");
        return;
    }
    free(fs->src);
    fs->src = NULL;
    fs->src_n = 0;
    if (n > 0) {
        fs->src = malloc(n * sizeof(*fs->src));
        if (fs->src == NULL) {
            fs_end(fs, "out of memory");
            return;
        }
        memcpy(fs->src, src, n * sizeof(*fs->src));
        fs->src_n = n;
        stream_hot_sort(fs->src, n);
    }
    /* the sources are copied (a FROM ref is inline): the pool can go */
    pool_dispose(&fs->src_pool);
    fs->src_pool_live = 0;
    fs_open(fs);
}

/* GET feed:hotf:gen:<uid>'s answer: the generation, then the sources. */
static void fs_on_gen(redis_client *c, int status, redisReply *reply, void *privdata)
{
    feed_stream *fs = privdata;

    (void)c;
    fs->busy = 0;
    if (fs->req == NULL) {
        fs_release(fs);
        return;
    }
    if (status != REDIS_CLIENT_OK || reply == NULL ||
        (reply->type != REDIS_REPLY_NIL &&
         (reply->type != REDIS_REPLY_STRING || reply->len == 0 || reply->len >= sizeof(fs->gen) ||
          memchr(reply->str, ' ', reply->len) != NULL))) {
        fs_end(fs, "the live events are unavailable (Redis)");
        return;
    }
    if (reply->type == REDIS_REPLY_NIL)
        memcpy(fs->gen, "0", 2); /* as merge_sources_store.lua reads a missing one */
    else {
        memcpy(fs->gen, reply->str, reply->len);
        fs->gen[reply->len] = '\0';
    }
    if (fs->src_pool_live)
        pool_dispose(&fs->src_pool);
    pool_init(&fs->src_pool, 0);
    fs->src_pool_live = 1;
    fs->busy = 1;
    merge_sources_get(fs->w, &fs->src_pool, fs->uid, fs_on_sources, fs); /* may answer in here */
}

/* A home stream's merge sources (stream_hot.h): the generation first, so
 * that the sources read after it are at least that new (the job bumps it
 * after changing them, deleting the cached list in the same script); the
 * open script checks it has not moved since. */
static void fs_read_sources(feed_stream *fs)
{
    char key[48];
    const char *argv[2] = {"GET", key};

    fs->phase = FS_SOURCES;
    fs_key(fs, REDIS_KEY_MERGE_SOURCES_GEN, key, sizeof(key));
    fs->busy = 1;
    if (redis_client_commandargv(fs->w->stores.redis, fs_on_gen, fs, 2, argv, NULL) != REDIS_CLIENT_OK) {
        fs->busy = 0;
        fs_end(fs, "the live events are unavailable (Redis)");
    }
}

static void fs_on_ready(stream_sub *s)
{
    feed_stream *fs = s->data;

    if (fs->phase != FS_WAIT || fs->req == NULL)
        return;
    loop_timer_stop(&fs->w->loop, &fs->retry);
    if (fs->kind == FEED_HOME)
        fs_read_sources(fs);
    else
        fs_open(fs);
}

static void fs_on_event(stream_sub *s, const feed_event *ev)
{
    feed_stream *fs = s->data;
    ev_ring *to = fs->catching_up ? &fs->hold : &fs->q;

    if (ev->marker) { /* only the counts change: count now, even behind queued events */
        if (fs->phase == FS_LIVE && fs->req != NULL)
            stream_unseen_poke(fs->unseen); /* last: it may send, and so end the stream */
        return;
    }
    if (fs->opened && !fs->catching_up && !fs_keep_after_floor(fs, ev))
        return; /* in what was read already */
    if (fs->unseen != NULL)
        fs->unseen_due = 1;
    if (ring_push(to, ev) != 0) {
        log_simple(LOG_INFO, "stream ended: too many events waiting", NULL);
        fs_end(fs, "too many events");
        return;
    }
    fs_pump(fs);
}

static void fs_on_lost(stream_sub *s)
{
    fs_end(s->data, "the live events are unavailable (Redis)");
}

/* A home heartbeat's open: the sources changed (their generation moved)
 * or the user had left a live-follower set (the log may lack hot events
 * since): the stream ends, the client resumes (by position: the live
 * key's value says the log is complete only from a later entry on). */
static void fs_on_heartbeat_open(redis_client *c, int status, redisReply *reply, void *privdata)
{
    feed_stream *fs = privdata;

    (void)c;
    fs->hb_busy = 0;
    if (fs->req == NULL) {
        fs_release(fs);
        return;
    }
    if (status == REDIS_CLIENT_OK && reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
        reply->element[2]->type == REDIS_REPLY_INTEGER && reply->element[2]->integer != 1) {
        log_simple(LOG_INFO, "home stream ended: its hot accounts changed", NULL);
        fs_end(fs, NULL);
    }
}

static void fs_on_heartbeat(stream_sub *s)
{
    feed_stream *fs = s->data;
    buf out;

    if (!fs->streaming || fs->req == NULL)
        return;
    /* the live key and the log stay for the window (a home stream: and
     * its place in its sources' live-follower sets) */
    if (fs->kind == FEED_HOME && !fs->hb_busy) {
        fs->hb_busy = 1;
        if (fs_call_open(fs, fs_on_heartbeat_open, 0) != 0)
            fs->hb_busy = 0;
    } else if (fs->kind != FEED_HOME)
        (void)fs_call_open(fs, NULL, 0);
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

    if (w->hub == NULL || w->stores.redis == NULL) {
        endpoint_unavailable(req, w, METRIC_STORE_REDIS, "store_unavailable", "live events need Redis");
        return;
    }
    if (pthread_once(&fs_once, fs_do_init) != 0 || fs_init_rc != 0) {
        http_request_respond_error(req, 500, "internal", "cannot prepare the stream's script");
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
        if (q->after.has_log) {
            fs->log_resume = 1;
            fs->resume.ms = q->after.log_ms;
            fs->resume.seq = q->after.log_seq;
        }
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
