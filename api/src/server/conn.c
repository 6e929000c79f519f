/* conn.c: the connection state machine.
 *
 * Every entry point (socket event, timer, late answer) runs
 *
 *     conn_enter(c); ...do the thing...; conn_leave(c);
 *
 * and conn_leave, for the outermost frame only, "settles" the
 * connection: parse and dispatch whatever complete requests are
 * buffered, write what is queued, then decide what to watch (read,
 * write, neither), which timer to arm, and whether to close. Keeping all
 * of those decisions in one place (conn_settle) is what makes the
 * combinations (pipelining x back-pressure x async handlers x shutdown)
 * tractable: every path ends there.
 *
 * Back-pressure: while more than cfg.out_high_water bytes wait to be
 * sent, no further pipelined request is parsed and the socket is not
 * read, so a client that sends requests but never reads answers costs a
 * bounded amount of memory.
 *
 * Closing after an answer shuts our side first and discards input for a
 * while (lingering close, as nginx does): closing a socket with unread
 * input makes the kernel send RST, which can destroy the answer (a 413,
 * say) before the client has read it.
 */
#include "api/src/server/conn.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/src/base/log.h"
#include "api/src/http/http_error.h"
#include "api/src/http/http_status.h"
#include "api/src/server/server_internal.h"

#define CONN_READ_CHUNK 4096      /* the read buffer grows by at least this */
#define CONN_MIN_READ 512         /* grow first when less room is left */
#define CONN_KEEP_BUF (16 * 1024) /* free emptied buffers bigger than this */

static void conn_on_event(loop *l, int fd, void *data, int mask);
static void conn_on_timer(loop *l, loop_timer *t);
static void conn_stream_over(conn *c);

/* ---- lists ---------------------------------------------------------- */

static void conn_list_push(conn **head, conn *c)
{
    c->prev = NULL;
    c->next = *head;
    if (*head != NULL)
        (*head)->prev = c;
    *head = c;
}

static void conn_list_unlink(conn **head, conn *c)
{
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        *head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
}

/* ---- small predicates ----------------------------------------------- */

static size_t conn_out_pending(const conn *c)
{
    return c->out.len - c->out_pos;
}

static int conn_is_idle(const conn *c)
{
    return !c->req.live && conn_out_pending(c) == 0 && c->in.len == c->in_pos;
}

/* ---- lifetime ------------------------------------------------------- */

conn *conn_new(server *s, int fd)
{
    conn *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    c->srv = s;
    c->fd = fd;
    buf_init(&c->in, http_limits_request_max(&s->cfg.limits));
    buf_init(&c->out, 0); /* answers are bounded by handlers; pipelining by out_high_water */
    http_parser_reset(&c->parser);
    c->req.conn = c;
    loop_timer_init(&c->timer, conn_on_timer, c);
    if (loop_add_file(s->loop, fd, LOOP_READABLE, conn_on_event, c) != LOOP_OK)
        goto err;
    c->events = LOOP_READABLE;
    if (loop_timer_start(s->loop, &c->timer, s->cfg.idle_timeout_ms) != LOOP_OK) {
        loop_del_file(s->loop, fd, LOOP_READABLE);
        goto err;
    }
    c->timer_kind = CONN_TIMER_IDLE;
    conn_list_push(&s->conns, c);
    s->nconns++;
    return c;

err : {
    int saved = errno;
    free(c);
    errno = saved;
}
    return NULL;
}

/* Close the socket now. The memory stays while a handler holds the
 * request (the connection becomes a zombie) or a frame is on the stack. */
static void conn_close_now(conn *c)
{
    server *s = c->srv;

    if (c->fd < 0)
        return;
    assert(s != NULL);
    loop_del_file(s->loop, c->fd, LOOP_READABLE | LOOP_WRITABLE);
    /* close(2) errors (EINTR, EIO) leave nothing to retry on Linux: the
     * descriptor is released either way. */
    (void)close(c->fd);
    c->fd = -1;
    c->events = 0;
    loop_timer_stop(s->loop, &c->timer);
    c->timer_kind = CONN_TIMER_NONE;
    c->want_close = 0;
    conn_list_unlink(&s->conns, c);
    s->nconns--;
    if (c->req.live) {
        c->req.abandoned = 1;
        c->zombie = 1;
        conn_list_push(&s->zombies, c);
    }
    buf_dispose(&c->out);
    c->out_pos = 0;
    server_conn_closed(s);
    conn_stream_over(c);
}

/* A live stream whose connection ends: tell its handler, once. Called
 * inside a frame of c, so c stays allocated whatever on_close does. */
static void conn_stream_over(conn *c)
{
    http_request *req = &c->req;

    if (!req->live || !req->streaming || req->stream_over)
        return;
    assert(c->depth > 0);
    req->stream_over = 1;
    if (!req->stream_writing) /* else the write returns -1 */
        req->stream_on_close(req, req->stream_data);
}

static void conn_maybe_free(conn *c)
{
    if (c->fd >= 0 || c->req.live || c->depth != 0)
        return;
    if (c->zombie && c->srv != NULL)
        conn_list_unlink(&c->srv->zombies, c);
    buf_dispose(&c->in);
    buf_dispose(&c->out);
    free(c);
}

static void conn_settle(conn *c);

static void conn_enter(conn *c)
{
    c->depth++;
}

/* Leave a frame; the outermost one settles and may free c. */
static void conn_leave(conn *c)
{
    assert(c->depth > 0);
    if (c->depth == 1 && c->fd >= 0)
        conn_settle(c);
    c->depth--;
    if (c->depth == 0)
        conn_maybe_free(c);
}

static void conn_fail(conn *c, const char *what, int err)
{
    log_line l;

    log_begin(&l, LOG_DEBUG, what);
    if (c->srv != NULL)
        log_uint(&l, "worker", c->srv->cfg.worker_id);
    log_int(&l, "fd", c->fd);
    if (err != 0)
        log_errno(&l, err);
    log_end(&l);
    c->want_close = 1;
}

/* ---- output --------------------------------------------------------- */

int conn_queue_response(conn *c, http_response *r)
{
    if (c->srv != NULL)
        r->date = server_date(c->srv);
    return http_response_write(&c->out, r);
}

void conn_send_error(conn *c, int status, const char *message)
{
    http_response r;
    buf body;

    memset(&r, 0, sizeof(r));
    buf_init(&body, 0);
    c->closing = 1;
    if (request_error_body(&body, status, NULL, message) != 0) {
        conn_fail(c, "cannot build an error answer", errno);
        return;
    }
    r.status = status;
    r.content_type = SLICE_LIT("application/json");
    r.body = slice_make(body.data, body.len);
    r.keep_alive = 0;
    r.request_id = c->srv != NULL ? server_next_request_id(c->srv) : 0;
    if (conn_queue_response(c, &r) != 0)
        conn_fail(c, "cannot queue an error answer", errno);
    else if (c->srv != NULL)
        request_log_access(c->srv, NULL, r.request_id, status, body.len, message);
    buf_dispose(&body);
}

static void conn_flush(conn *c)
{
    int progress = 0;
    ssize_t n;

    while (c->out_pos < c->out.len) {
        n = send(c->fd, c->out.data + c->out_pos, c->out.len - c->out_pos, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_pos += (size_t)n;
            progress = 1;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        conn_fail(c, "write failed", n < 0 ? errno : 0);
        return;
    }
    if (c->out_pos == c->out.len) {
        c->out.len = 0;
        c->out_pos = 0;
        if (c->out.cap > CONN_KEEP_BUF)
            buf_dispose(&c->out);
    }
    if (progress)
        c->out_moved_ms = loop_clock_us() / 1000;
    if (progress && c->timer_kind == CONN_TIMER_WRITE)
        c->timer_kind = CONN_TIMER_NONE; /* the peer reads: restart the clock */
}

/* ---- input ---------------------------------------------------------- */

/* Lingering close: throw input away until EOF. */
static void conn_discard(conn *c)
{
    char sink[4096];
    ssize_t n;
    int i;

    for (i = 0; i < 16; i++) {
        n = read(c->fd, sink, sizeof(sink));
        if (n > 0 || (n < 0 && errno == EINTR))
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        c->want_close = 1; /* EOF or an error: done lingering */
        return;
    }
}

static void conn_read(conn *c)
{
    ssize_t n;

    if (c->lingering) {
        conn_discard(c);
        return;
    }
    if (c->peer_eof || c->closing)
        return;
    /* Compact only between requests: a live request has slices into the
     * buffer, so then the bytes must not move (no compaction, no growth). */
    if (!c->req.live && c->in_pos > 0) {
        buf_drop_front(&c->in, c->in_pos);
        c->in_pos = 0;
    }
    if (buf_space(&c->in) < CONN_MIN_READ && !c->req.live) {
        size_t room = c->in.limit - c->in.len;
        /* The parser fails a request before it can fill the buffer, so
         * this is a bug if it ever happens; close rather than spin. */
        if (room == 0) {
            conn_fail(c, "read buffer full", 0);
            return;
        }
        if (buf_reserve(&c->in, room < CONN_READ_CHUNK ? room : CONN_READ_CHUNK) != 0) {
            conn_fail(c, "cannot grow a read buffer", errno);
            return;
        }
    }
    if (buf_space(&c->in) == 0)
        return;
    do {
        n = read(c->fd, c->in.data + c->in.len, buf_space(&c->in));
    } while (n < 0 && errno == EINTR);
    if (n > 0) {
        c->in.len += (size_t)n;
    } else if (n == 0) {
        c->peer_eof = 1;
    } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
        conn_fail(c, "read failed", errno); /* ECONNRESET: the peer is gone */
    }
}

/* ---- requests ------------------------------------------------------- */

static void conn_dispatch(conn *c)
{
    server *s = c->srv;
    http_request *req = &c->req;
    http_request_header_out allow;
    int rc;

    req->conn = c;
    req->id = server_next_request_id(s);
    req->start_us = loop_clock_us();
    req->live = 1;
    req->abandoned = 0;
    req->head_only = slice_eq_cstr(req->msg.method, "HEAD");
    req->streaming = 0;
    req->stream_over = 0;
    req->stream_writing = 0;
    pool_init(&req->pool, 0);
    s->requests++;
    c->timer_kind = CONN_TIMER_NONE; /* a new state: settling re-arms the timer */

    rc = router_find(s->router, req->msg.method, req->msg.path, &req->pool, &req->match);
    switch (rc) {
    case ROUTER_FOUND: req->match.route->handler(req, req->match.route->data); break;
    case ROUTER_METHOD_NOT_ALLOWED:
        allow.name = "Allow";
        allow.value = req->match.allow;
        http_request_respond_error_headers(req, 405, NULL, "method not allowed for this path", &allow, 1);
        break;
    case ROUTER_NOT_FOUND: http_request_respond_error(req, 404, NULL, "no route for this path"); break;
    case ROUTER_BAD_PATH: http_request_respond_error(req, 400, NULL, "malformed percent-encoding in the path"); break;
    default: http_request_respond_error(req, 500, NULL, "out of memory"); break;
    }
}

/* Parse and dispatch buffered requests while nothing stands in the way. */
static void conn_process(conn *c)
{
    server *s = c->srv;
    size_t avail;
    int rc;

    c->parse_blocked = 0;
    while (c->fd >= 0 && !c->closing && !c->want_close && !c->req.live) {
        avail = c->in.len - c->in_pos;
        if (avail == 0)
            break;
        if (conn_out_pending(c) > s->cfg.out_high_water) {
            c->parse_blocked = 1;
            break;
        }
        rc = http_parser_execute(&c->parser, c->in.data + c->in_pos, avail, &s->cfg.limits, &c->req.msg);
        if (rc == HTTP_PARSE_NEED_MORE) {
            if (c->parser.expect_continue && http_parser_head_done(&c->parser) && !c->continue_sent) {
                if (http_response_write_continue(&c->out) != 0)
                    conn_fail(c, "cannot queue 100 Continue", errno);
                c->continue_sent = 1;
            }
            break;
        }
        if (rc < 0) {
            conn_send_error(c, http_parse_status(rc), c->parser.err);
            break;
        }
        conn_dispatch(c);
    }
    /* A stream's client that closed its side is gone (an SSE client
     * never half-closes to wait for more). */
    if (c->peer_eof && c->req.live && c->req.streaming)
        c->want_close = 1;
    /* After EOF nothing more can complete: answer what is in progress,
     * then close. */
    if (c->peer_eof && !c->req.live && !c->parse_blocked)
        c->closing = 1;
}

void conn_request_done(conn *c)
{
    http_request *req = &c->req;

    assert(req->live);
    req->live = 0;
    pool_dispose(&req->pool);
    if (!req->abandoned && c->fd >= 0) {
        c->in_pos += req->msg.total_len;
        if (c->in_pos == c->in.len) {
            c->in.len = 0;
            c->in_pos = 0;
            if (c->in.cap > CONN_KEEP_BUF)
                buf_dispose(&c->in);
        }
        http_parser_reset(&c->parser);
        c->continue_sent = 0;
    }
    req->abandoned = 0;
    /* From a handler's own frame this only counts; from a late answer it
     * settles the connection (next pipelined request, write, close). */
    conn_enter(c);
    conn_leave(c);
}

static void conn_handler_timeout(conn *c)
{
    http_request *req = &c->req;
    http_response r;
    buf body;
    log_line l;

    log_begin(&l, LOG_WARN, "handler timeout");
    log_uint(&l, "worker", c->srv->cfg.worker_id);
    log_uint(&l, "req_id", req->id);
    log_slice(&l, "method", req->msg.method);
    log_slice(&l, "path", req->msg.path);
    log_end(&l);

    req->abandoned = 1;
    c->closing = 1;
    memset(&r, 0, sizeof(r));
    buf_init(&body, 0);
    if (request_error_body(&body, 503, "timeout", "the request took too long") != 0) {
        conn_fail(c, "cannot build an error answer", errno);
        return;
    }
    r.status = 503;
    r.content_type = SLICE_LIT("application/json");
    r.body = slice_make(body.data, body.len);
    r.head_only = req->head_only;
    r.request_id = req->id;
    if (conn_queue_response(c, &r) != 0)
        conn_fail(c, "cannot queue an error answer", errno);
    else
        request_log_access(c->srv, req, req->id, 503, body.len, "timeout");
    buf_dispose(&body);
}

/* ---- settling -------------------------------------------------------- */

static conn_timer_kind conn_timer_wanted(const conn *c)
{
    if (c->lingering)
        return CONN_TIMER_LINGER;
    if (conn_out_pending(c) > 0)
        return CONN_TIMER_WRITE;
    if (c->req.live)
        return c->req.abandoned || c->req.streaming ? CONN_TIMER_NONE : CONN_TIMER_HANDLER;
    if (c->in.len > c->in_pos)
        return CONN_TIMER_READ;
    return CONN_TIMER_IDLE;
}

static uint32_t conn_timeout_ms(const server_config *cfg, conn_timer_kind kind)
{
    switch (kind) {
    case CONN_TIMER_IDLE: return cfg->idle_timeout_ms;
    case CONN_TIMER_READ: return cfg->read_timeout_ms;
    case CONN_TIMER_HANDLER: return cfg->request_timeout_ms;
    case CONN_TIMER_WRITE: return cfg->write_timeout_ms;
    case CONN_TIMER_LINGER: return cfg->linger_ms;
    case CONN_TIMER_NONE: break;
    }
    return 0;
}

/* Arm the timer for the current state, unless it is armed for it. A
 * timer keeps running across events of the same state: a slow client
 * dribbling a request gets read_timeout_ms for all of it, not per byte. */
static int conn_update_timer(conn *c)
{
    conn_timer_kind kind = conn_timer_wanted(c);

    if (kind == c->timer_kind && (kind == CONN_TIMER_NONE || loop_timer_active(&c->timer)))
        return 0;
    c->timer_kind = kind;
    if (kind == CONN_TIMER_NONE) {
        loop_timer_stop(c->srv->loop, &c->timer);
        return 0;
    }
    if (loop_timer_start(c->srv->loop, &c->timer, conn_timeout_ms(&c->srv->cfg, kind)) != LOOP_OK)
        return -1;
    return 0;
}

static int conn_update_events(conn *c)
{
    loop *l = c->srv->loop;
    int want = LOOP_NONE;

    if (c->lingering) {
        want = LOOP_READABLE;
    } else {
        if (!c->closing && !c->peer_eof && !c->parse_blocked && conn_out_pending(c) <= c->srv->cfg.out_high_water &&
            !(c->req.live && buf_space(&c->in) == 0))
            want |= LOOP_READABLE;
        if (conn_out_pending(c) > 0)
            want |= LOOP_WRITABLE;
    }
    if (want == c->events)
        return 0;
    if (c->events & ~want)
        loop_del_file(l, c->fd, c->events & ~want);
    c->events &= want;
    if (want & ~c->events) {
        if (loop_add_file(l, c->fd, want & ~c->events, conn_on_event, c) != LOOP_OK)
            return -1;
    }
    c->events = want;
    return 0;
}

static void conn_settle(conn *c)
{
    for (;;) {
        if (c->want_close)
            break;
        conn_process(c);
        if (c->want_close)
            break;
        conn_flush(c);
        /* Sending made room: carry on with the pipelined requests. */
        if (c->want_close || !c->parse_blocked || conn_out_pending(c) > c->srv->cfg.out_high_water)
            break;
    }
    if (!c->want_close) {
        if (c->srv->draining && conn_is_idle(c))
            c->closing = 1;
        if (c->closing && !c->lingering && conn_out_pending(c) == 0) {
            /* Nothing more to say. If the peer has finished too, close;
             * otherwise shut our side and linger. */
            if (c->peer_eof || shutdown(c->fd, SHUT_WR) != 0)
                c->want_close = 1;
            else
                c->lingering = 1;
        }
    }
    if (!c->want_close && conn_update_events(c) != 0)
        conn_fail(c, "cannot update the event mask", errno);
    if (!c->want_close && conn_update_timer(c) != 0)
        conn_fail(c, "cannot arm a connection timer", errno);
    if (c->want_close)
        conn_close_now(c);
}

/* ---- entry points ----------------------------------------------------- */

static void conn_on_event(loop *l, int fd, void *data, int mask)
{
    conn *c = data;

    (void)l;
    (void)fd;
    conn_enter(c);
    if (mask & LOOP_WRITABLE)
        conn_flush(c);
    if ((mask & LOOP_READABLE) && !c->want_close)
        conn_read(c);
    conn_leave(c);
}

static void conn_on_timer(loop *l, loop_timer *t)
{
    conn *c = t->data;
    conn_timer_kind kind = c->timer_kind;

    (void)l;
    c->timer_kind = CONN_TIMER_NONE;
    conn_enter(c);
    switch (kind) {
    case CONN_TIMER_READ:
        if (!c->closing)
            conn_send_error(c, 408, "request not received in time");
        else
            c->want_close = 1;
        break;
    case CONN_TIMER_HANDLER: conn_handler_timeout(c); break;
    case CONN_TIMER_IDLE:
    case CONN_TIMER_WRITE:
    case CONN_TIMER_LINGER:
    case CONN_TIMER_NONE: c->want_close = 1; break;
    }
    conn_leave(c);
}

void conn_drain(conn *c)
{
    conn_enter(c);
    conn_stream_over(c); /* a stream ends at once: its handler closes it */
    conn_leave(c);       /* settling sees srv->draining */
}

/* ---- streams ------------------------------------------------------------ */

/* 1 when a stream's write of n more bytes must end it (request.h): past
 * the hard cap, or past the bound while the peer has taken nothing for
 * the stall time. A burst over the bound alone is not enough: a client
 * that keeps reading drains it in time. */
static int conn_stream_refuse(const conn *c, size_t n, uint64_t *stalled_ms)
{
    size_t pending = conn_out_pending(c), max = c->req.stream_max;
    uint64_t now = loop_clock_us() / 1000;
    uint32_t stall = c->srv != NULL ? c->srv->cfg.stream_stall_ms : 0;

    *stalled_ms = pending > 0 && now > c->out_moved_ms ? now - c->out_moved_ms : 0;
    if (pending + n <= max)
        return 0;
    if (pending + n > max * CONN_STREAM_HARD_FACTOR)
        return 1;
    return pending > 0 && *stalled_ms >= stall;
}

int conn_stream_write(conn *c, slice data)
{
    http_request *req = &c->req;
    uint64_t stalled_ms;
    log_line l;

    assert(req->live && req->streaming);
    if (req->stream_over || c->fd < 0 || c->want_close)
        return -1;
    if (conn_stream_refuse(c, data.len, &stalled_ms)) {
        log_begin(&l, LOG_INFO, "stream dropped: the client does not read");
        if (c->srv != NULL)
            log_uint(&l, "worker", c->srv->cfg.worker_id);
        log_uint(&l, "req_id", req->id);
        log_uint(&l, "pending", conn_out_pending(c));
        log_uint(&l, "stalled_ms", stalled_ms);
        log_end(&l);
        req->stream_over = 1;
        conn_enter(c);
        c->want_close = 1;
        conn_leave(c); /* closes now: the queued output goes with it */
        return -1;
    }
    if (conn_out_pending(c) == 0)
        c->out_moved_ms = loop_clock_us() / 1000; /* the stall clock starts */
    if (buf_append_slice(&c->out, data) != 0) {
        req->stream_over = 1;
        conn_enter(c);
        conn_fail(c, "cannot queue stream output", errno);
        conn_leave(c);
        return -1;
    }
    req->stream_bytes += data.len;
    /* Send now, watch for writability if the socket is full. Sending may
     * find the peer gone (EPIPE, ECONNRESET) and close: that end is this
     * call's -1, never an on_close inside it. */
    req->stream_writing = 1;
    conn_enter(c);
    conn_leave(c);
    req->stream_writing = 0;
    return req->stream_over ? -1 : 0;
}

size_t conn_stream_pending(const conn *c)
{
    return c->fd >= 0 ? conn_out_pending(c) : 0;
}

void conn_abort(conn *c, const char *reason)
{
    conn_enter(c);
    conn_fail(c, reason, 0);
    conn_leave(c);
}

void conn_detach(conn *c)
{
    assert(c->fd < 0 && c->zombie);
    c->zombie = 0;
    c->srv = NULL;
    c->prev = c->next = NULL;
}
