/* test_handlers.c: see test_handlers.h. */
#include "api/tests/support/test_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/tests/support/test_client.h"

atomic_int th_big_dispatched;
atomic_int th_late_answered;
atomic_int th_late_dropped;
atomic_int th_slow_started;
atomic_int th_stream_closed;
atomic_int th_stream_dropped;

static char th_big[TH_BIG_BODY];

void th_reset_counters(void)
{
    atomic_store(&th_big_dispatched, 0);
    atomic_store(&th_late_answered, 0);
    atomic_store(&th_late_dropped, 0);
    atomic_store(&th_slow_started, 0);
    atomic_store(&th_stream_closed, 0);
    atomic_store(&th_stream_dropped, 0);
}

static void th_echo(http_request *req, void *data)
{
    slice tag = http_request_param(req, "tag"), body = http_request_body(req);
    char *out = pool_alloc(http_request_pool(req), tag.len + 1 + body.len);

    (void)data;
    if (out == NULL) {
        http_request_respond_error(req, 500, NULL, "out of memory");
        return;
    }
    memcpy(out, tag.base, tag.len);
    out[tag.len] = ':';
    if (body.len != 0)
        memcpy(out + tag.len + 1, body.base, body.len);
    http_request_respond(req, 200, "text/plain", slice_make(out, tag.len + 1 + body.len));
}

static void th_big_handle(http_request *req, void *data)
{
    (void)data;
    if (th_big[0] != 'b')
        memset(th_big, 'b', sizeof(th_big)); /* same bytes from every thread: benign */
    atomic_fetch_add(&th_big_dispatched, 1);
    http_request_respond(req, 200, "application/octet-stream", slice_make(th_big, sizeof(th_big)));
}

typedef struct th_later {
    loop_timer t;
    http_request *req;
    struct th_later *prev, *next;
} th_later;

static _Thread_local th_later *th_pending;

static void th_later_answer(th_later *x)
{
    http_request *req = x->req;
    char body[64];
    int n = snprintf(body, sizeof(body), "late %llu", (unsigned long long)http_request_id(req));

    /* x lives in the request's pool: unlink before answering frees it */
    if (x->prev != NULL)
        x->prev->next = x->next;
    else
        th_pending = x->next;
    if (x->next != NULL)
        x->next->prev = x->prev;
    if (http_request_respond(req, 200, "text/plain", slice_make(body, (size_t)n)) == 0)
        atomic_fetch_add(&th_late_answered, 1);
    else
        atomic_fetch_add(&th_late_dropped, 1);
}

static void th_later_fire(loop *l, loop_timer *t)
{
    (void)l;
    th_later_answer(t->data);
}

static void th_slow(http_request *req, void *data)
{
    worker *w = http_request_context(req);
    slice ms = http_request_param(req, "ms");
    th_later *x = pool_alloc(http_request_pool(req), sizeof(*x));
    char num[16];

    (void)data;
    if (x == NULL || w == NULL) {
        http_request_respond_error(req, 500, NULL, "no memory or no worker");
        return;
    }
    atomic_fetch_add(&th_slow_started, 1);
    snprintf(num, sizeof(num), "%.*s", (int)ms.len, ms.base);
    x->req = req;
    x->prev = NULL;
    x->next = th_pending;
    if (th_pending != NULL)
        th_pending->prev = x;
    th_pending = x;
    loop_timer_init(&x->t, th_later_fire, x);
    if (loop_timer_start(&w->loop, &x->t, strtoull(num, NULL, 10)) != LOOP_OK)
        th_later_answer(x);
}

int th_wait_slow_started(int n, int timeout_ms)
{
    int waited;

    for (waited = 0; atomic_load(&th_slow_started) < n; waited++) {
        if (waited >= timeout_ms)
            return 0;
        ts_sleep_ms(1);
    }
    return 1;
}

void th_flush_pending(worker *w)
{
    while (th_pending != NULL) {
        loop_timer_stop(&w->loop, &th_pending->t);
        th_later_answer(th_pending);
    }
}

/* GET /stream: a streamed answer, TH_STREAM_CHUNK bytes every 5 ms. */
typedef struct th_stream {
    loop_timer t;
    http_request *req;
    worker *w;
    uint32_t every_ms;
} th_stream;

static void th_stream_tick(loop *l, loop_timer *t)
{
    static char chunk[TH_STREAM_CHUNK];
    th_stream *s = t->data;

    memset(chunk, 'x', sizeof(chunk) - 1);
    chunk[sizeof(chunk) - 1] = '\n';
    if (http_request_stream_write(s->req, slice_make(chunk, sizeof(chunk))) != 0) {
        atomic_fetch_add(&th_stream_dropped, 1);
        http_request_stream_end(s->req);
        free(s);
        return;
    }
    (void)loop_timer_start(l, &s->t, s->every_ms);
}

static void th_stream_on_close(http_request *req, void *data)
{
    th_stream *s = data;

    loop_timer_stop(&s->w->loop, &s->t);
    atomic_fetch_add(&th_stream_closed, 1);
    http_request_stream_end(req);
    free(s);
}

/* data NULL: /stream; non-NULL: /burst. */
static void th_stream_start(http_request *req, void *data)
{
    static const http_request_header_out extra[] = {{"Cache-Control", "no-store"}};
    static char burst[TH_BURST_BYTES];
    worker *w = http_request_context(req);
    th_stream *s = calloc(1, sizeof(*s));
    int is_burst = data != NULL;

    if (s == NULL || w == NULL) {
        free(s);
        http_request_respond_error(req, 500, NULL, "no memory or no worker");
        return;
    }
    s->req = req;
    s->w = w;
    s->every_ms = is_burst ? 10 : 5;
    loop_timer_init(&s->t, th_stream_tick, s);
    if (http_request_stream_start(req, 200, "text/event-stream", extra, 1, is_burst ? TH_BURST_BOUND : TH_STREAM_BOUND,
                                  th_stream_on_close, s) != 0) {
        free(s);
        return;
    }
    if (is_burst) {
        memset(burst, 'b', sizeof(burst) - 1);
        burst[sizeof(burst) - 1] = '\n';
        if (http_request_stream_write(req, slice_make(burst, sizeof(burst))) != 0) {
            atomic_fetch_add(&th_stream_dropped, 1);
            http_request_stream_end(req);
            free(s);
            return;
        }
    }
    (void)loop_timer_start(&w->loop, &s->t, 1);
}

int th_add_routes(router *r)
{
    static int burst_tag;

    if (router_add(r, "GET", "/stream", th_stream_start, NULL) != 0 ||
        router_add(r, "GET", "/burst", th_stream_start, &burst_tag) != 0)
        return -1;
    if (router_add(r, "POST", "/echo/{tag}", th_echo, NULL) != 0 ||
        router_add(r, "GET", "/slow/{ms}", th_slow, NULL) != 0 ||
        router_add(r, "GET", "/big", th_big_handle, NULL) != 0)
        return -1;
    return 0;
}
