/* server.h: one worker's HTTP server on one event loop.
 *
 * Each worker thread runs a loop, and a server on it with its own
 * SO_REUSEPORT listening socket: the kernel spreads new connections over
 * the workers, and a connection lives and dies on the thread that
 * accepted it, so nothing in here takes a lock.
 *
 * Ownership: the caller owns the server struct, the loop and the router
 * (shared read-only by all workers) and must keep them alive until
 * server_dispose. The server owns its listening socket (from
 * server_listen on) and its connections.
 *
 * Shutdown is two-step, as a rolling restart wants it: server_drain stops
 * accepting, closes idle keep-alive connections at once, lets requests in
 * progress finish (their answers carry Connection: close), and reports
 * when the last connection is gone or when the timeout forced them shut.
 * server_dispose then frees what is left.
 */
#ifndef API_SERVER_SERVER_H
#define API_SERVER_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "api/src/http/http_parser.h"
#include "api/src/http/http_response.h"
#include "api/src/loop/loop.h"
#include "api/src/server/router.h"

typedef struct server_config {
    http_limits limits;
    size_t out_high_water;       /* stop reading a connection while more
                                    than this is waiting to be sent */
    uint32_t idle_timeout_ms;    /* keep-alive connection with no request */
    uint32_t read_timeout_ms;    /* a started request must be complete by then */
    uint32_t request_timeout_ms; /* a handler must have answered by then (503) */
    uint32_t write_timeout_ms;   /* a peer that reads nothing for this long is dropped */
    uint32_t linger_ms;          /* after our close, drain the peer's input this long */
    uint32_t stream_stall_ms;    /* a stream past its bound is dropped once its peer
                                    has taken nothing for this long (request.h) */
    size_t max_connections;      /* per server; more are accepted and closed */
    int access_log;              /* one log line per request */
    unsigned worker_id;          /* 0..255: in request ids and log lines */
    /* Optional: called once per answered request (every route, errors,
     * 404s and answers given before any route was known), where the
     * access log line is written, with the matched route's pattern
     * ("/v1/users/{id}/home") or NULL when no route matched, the status
     * sent and the time since the request started. For metrics; must be
     * cheap and thread-safe for the data it gets (on_response_data). */
    void (*on_response)(void *data, const char *route_template, int status, uint64_t duration_us);
    void *on_response_data;
} server_config;

/* Defaults: http_limits_default, 256 KiB high water, idle 60 s, read
 * 10 s, request 10 s, write 30 s, linger 2 s, stream stall 2 s, 10000
 * connections. */
void server_config_default(server_config *cfg);

typedef struct server server;
typedef struct conn conn;

/* Called (from a timer, never from inside a connection's callback) when
 * a drain has finished. */
typedef void server_drained_proc(server *s, void *data);

struct server {
    loop *loop;           /* not owned */
    const router *router; /* not owned */
    server_config cfg;
    void *context;     /* not owned: what handlers get */
    int listen_fd;     /* owned; -1 when not listening */
    int accept_paused; /* after EMFILE and friends */
    conn *conns;       /* open connections (owned) */
    size_t nconns;
    conn *zombies;     /* closed, a handler still holds a request */
    uint64_t next_seq; /* request ids: seq * 256 + worker_id */
    int draining;
    loop_timer accept_timer; /* resumes accepting after a pause */
    loop_timer drain_timer;  /* drain deadline */
    loop_timer done_timer;   /* reports the end of a drain */
    server_drained_proc *on_drained;
    void *on_drained_data;
    time_t date_sec; /* cached Date header */
    char date[HTTP_DATE_LEN + 1];
    uint64_t accepted, rejected, requests;
};

/* Prepare a server on loop l; allocates nothing. 0, or -1 (EINVAL for a
 * config that makes no sense: zero limits, worker_id over 255). */
int server_init(server *s, loop *l, const router *r, const server_config *cfg, void *context);

/* Start accepting on fd, a listening socket (non-blocking); the server
 * owns fd from now on, even when this fails. 0, or -1 with errno. */
int server_listen(server *s, int fd);

/* Begin a graceful shutdown (see above); on_drained runs once when done.
 * Calling it again does nothing. */
void server_drain(server *s, uint32_t timeout_ms, server_drained_proc *on_drained, void *data);

/* Close everything. Requests still held by handlers are abandoned and
 * detached: their answers are dropped and their memory is freed when the
 * handler answers. Call on the loop's thread, not from a callback of one
 * of this server's connections. */
void server_dispose(server *s);

/* The cached Date header value for now. */
const char *server_date(server *s);

#endif
