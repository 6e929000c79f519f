/* server.c: accepting connections, request ids, the Date cache, drain.
 *
 * Accepting is bounded per event (SERVER_ACCEPT_BATCH) so that a flood
 * of new connections cannot starve the ones already open. When the
 * process runs out of descriptors (EMFILE), the listener is unwatched for
 * SERVER_ACCEPT_PAUSE_MS instead of spinning on a level-triggered event
 * that accept cannot clear; the kernel keeps queueing in the backlog.
 */
#include "api/src/server/server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api/src/base/log.h"
#include "api/src/server/conn.h"
#include "api/src/server/server_internal.h"

#define SERVER_ACCEPT_BATCH 64
#define SERVER_ACCEPT_PAUSE_MS 100

void server_config_default(server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    http_limits_default(&cfg->limits);
    cfg->out_high_water = 256 * 1024;
    cfg->idle_timeout_ms = 60000;
    cfg->read_timeout_ms = 10000;
    cfg->request_timeout_ms = 10000;
    cfg->write_timeout_ms = 30000;
    cfg->linger_ms = 2000;
    cfg->stream_stall_ms = 2000;
    cfg->max_connections = 10000;
}

static void server_on_accept(loop *l, int fd, void *data, int mask);
static void server_on_accept_timer(loop *l, loop_timer *t);
static void server_on_drain_timer(loop *l, loop_timer *t);
static void server_on_done_timer(loop *l, loop_timer *t);

int server_init(server *s, loop *l, const router *r, const server_config *cfg, void *context)
{
    const http_limits *lim = &cfg->limits;

    if (lim->max_request_line == 0 || lim->max_header_bytes == 0 || lim->max_headers == 0 ||
        lim->max_headers > HTTP_MAX_HEADERS || cfg->worker_id > 255 || cfg->max_connections == 0 ||
        cfg->idle_timeout_ms == 0 || cfg->read_timeout_ms == 0 || cfg->request_timeout_ms == 0 ||
        cfg->write_timeout_ms == 0) {
        errno = EINVAL;
        return -1;
    }
    memset(s, 0, sizeof(*s));
    s->loop = l;
    s->router = r;
    s->cfg = *cfg;
    s->context = context;
    s->listen_fd = -1;
    loop_timer_init(&s->accept_timer, server_on_accept_timer, s);
    loop_timer_init(&s->drain_timer, server_on_drain_timer, s);
    loop_timer_init(&s->done_timer, server_on_done_timer, s);
    return 0;
}

uint64_t server_next_request_id(server *s)
{
    return ++s->next_seq * 256u + s->cfg.worker_id;
}

const char *server_date(server *s)
{
    time_t now = time(NULL);

    if (now != s->date_sec || s->date[0] == '\0') {
        http_date_format(now, s->date);
        s->date_sec = now;
    }
    return s->date;
}

static void server_log_errno(server *s, log_level level, const char *msg, int err)
{
    log_line l;

    log_begin(&l, level, msg);
    log_uint(&l, "worker", s->cfg.worker_id);
    log_errno(&l, err);
    log_end(&l);
}

static void server_pause_accept(server *s, int err)
{
    server_log_errno(s, LOG_WARN, "accept paused", err);
    loop_del_file(s->loop, s->listen_fd, LOOP_READABLE);
    s->accept_paused = 1;
    if (loop_timer_start(s->loop, &s->accept_timer, SERVER_ACCEPT_PAUSE_MS) != LOOP_OK) {
        /* Without the timer accepting would never resume: stay watched
         * and spin rather than go deaf. */
        s->accept_paused = 0;
        (void)loop_add_file(s->loop, s->listen_fd, LOOP_READABLE, server_on_accept, s);
    }
}

static void server_take(server *s, int fd)
{
    int one = 1;

    if (s->draining || s->nconns >= s->cfg.max_connections) {
        s->rejected++;
        (void)close(fd);
        return;
    }
    /* Answers go out in one write each; Nagle would only delay the
     * last segment of a pipelined batch. Failure only costs latency. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (conn_new(s, fd) == NULL) {
        server_log_errno(s, LOG_ERROR, "cannot set up a connection", errno);
        (void)close(fd);
        return;
    }
    s->accepted++;
}

static void server_on_accept(loop *l, int fd, void *data, int mask)
{
    server *s = data;
    int i, cfd;

    (void)l;
    (void)mask;
    for (i = 0; i < SERVER_ACCEPT_BATCH && s->listen_fd >= 0; i++) {
        cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd >= 0) {
            server_take(s, cfd);
            continue;
        }
        switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO: continue; /* that connection died in the backlog; next */
        case EAGAIN:
#if EWOULDBLOCK != EAGAIN
        case EWOULDBLOCK:
#endif
            return;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM: server_pause_accept(s, errno); return;
        default: server_log_errno(s, LOG_ERROR, "accept failed", errno); return;
        }
    }
}

static void server_on_accept_timer(loop *l, loop_timer *t)
{
    server *s = t->data;

    s->accept_paused = 0;
    if (s->listen_fd < 0)
        return;
    if (loop_add_file(l, s->listen_fd, LOOP_READABLE, server_on_accept, s) != LOOP_OK)
        server_pause_accept(s, errno);
}

int server_listen(server *s, int fd)
{
    if (s->listen_fd >= 0) {
        (void)close(fd);
        errno = EBUSY;
        return -1;
    }
    s->listen_fd = fd;
    if (loop_add_file(s->loop, fd, LOOP_READABLE, server_on_accept, s) != LOOP_OK)
        return -1; /* fd is closed by server_dispose */
    return 0;
}

static void server_close_listener(server *s)
{
    if (s->listen_fd < 0)
        return;
    loop_del_file(s->loop, s->listen_fd, LOOP_READABLE);
    (void)close(s->listen_fd);
    s->listen_fd = -1;
    loop_timer_stop(s->loop, &s->accept_timer);
}

void server_conn_closed(server *s)
{
    if (s->draining && s->nconns == 0 && !loop_timer_active(&s->done_timer) && s->on_drained != NULL) {
        /* Report from a timer: we are inside a connection's frame here. */
        if (loop_timer_start(s->loop, &s->done_timer, 0) != LOOP_OK)
            server_log_errno(s, LOG_ERROR, "cannot report the end of a drain", errno);
    }
}

static void server_on_done_timer(loop *l, loop_timer *t)
{
    server *s = t->data;
    server_drained_proc *cb = s->on_drained;

    loop_timer_stop(l, &s->drain_timer);
    s->on_drained = NULL; /* report once */
    if (cb != NULL)
        cb(s, s->on_drained_data);
}

static void server_abort_all(server *s, const char *reason)
{
    conn *c = s->conns, *next;

    while (c != NULL) {
        next = c->next; /* aborting unlinks (and may free) c */
        conn_abort(c, reason);
        c = next;
    }
}

static void server_on_drain_timer(loop *l, loop_timer *t)
{
    server *s = t->data;
    log_line lg;

    (void)l;
    log_begin(&lg, LOG_WARN, "drain timeout");
    log_uint(&lg, "worker", s->cfg.worker_id);
    log_uint(&lg, "connections", s->nconns);
    log_end(&lg);
    server_abort_all(s, "drain timeout");
    server_conn_closed(s);
}

void server_drain(server *s, uint32_t timeout_ms, server_drained_proc *on_drained, void *data)
{
    conn *c, *next;

    if (s->draining)
        return;
    s->draining = 1;
    s->on_drained = on_drained;
    s->on_drained_data = data;
    server_close_listener(s);
    for (c = s->conns; c != NULL; c = next) {
        next = c->next;
        conn_drain(c);
    }
    if (s->nconns == 0) {
        server_conn_closed(s);
        return;
    }
    if (loop_timer_start(s->loop, &s->drain_timer, timeout_ms) != LOOP_OK) {
        server_log_errno(s, LOG_ERROR, "cannot arm the drain timer; closing now", errno);
        server_abort_all(s, "drain");
        server_conn_closed(s);
    }
}

void server_dispose(server *s)
{
    conn *c, *next;

    server_close_listener(s);
    s->draining = 1;
    s->on_drained = NULL;
    server_abort_all(s, "server disposed");
    for (c = s->zombies; c != NULL; c = next) {
        next = c->next;
        conn_detach(c);
    }
    s->zombies = NULL;
    loop_timer_stop(s->loop, &s->drain_timer);
    loop_timer_stop(s->loop, &s->done_timer);
    loop_timer_stop(s->loop, &s->accept_timer);
}
