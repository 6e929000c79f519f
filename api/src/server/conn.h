/* conn.h: one HTTP connection (internal to the server module; what
 * request.c and server.c give each other and conn.c is in
 * server_internal.h).
 *
 * A connection reads into a bounded buffer, parses requests in order,
 * runs one request at a time (HTTP/1.1 pipelining answers in order, and
 * running one at a time is what guarantees it), queues answers into an
 * output buffer and writes them out as the socket allows.
 *
 * The request is embedded in its connection: a connection has at most
 * one request in flight, and no new one starts until that one answered.
 *
 * Lifetime, the hiredis way: every callback into a connection (socket
 * events, timers, a late answer) enters it (depth++), and a close asked
 * for while inside only sets want_close; the close happens on the way
 * out. The memory is freed when the socket is closed, no callback frame
 * is on the stack and no handler holds the request.
 */
#ifndef API_SERVER_CONN_H
#define API_SERVER_CONN_H

#include <stdint.h>

#include "api/src/base/buf.h"
#include "api/src/base/pool.h"
#include "api/src/http/http_parser.h"
#include "api/src/http/http_response.h"
#include "api/src/loop/loop.h"
#include "api/src/server/request.h"
#include "api/src/server/router.h"
#include "api/src/server/server.h"

typedef enum conn_timer_kind {
    CONN_TIMER_NONE = 0,
    CONN_TIMER_IDLE,    /* keep-alive: waiting for a request */
    CONN_TIMER_READ,    /* a request has started arriving */
    CONN_TIMER_HANDLER, /* a handler has not answered yet */
    CONN_TIMER_WRITE,   /* output waiting for the peer to read */
    CONN_TIMER_LINGER   /* closed our side; draining the peer's input */
} conn_timer_kind;

struct http_request {
    conn *conn; /* the owner; its memory outlives the request */
    uint64_t id;
    uint64_t start_us; /* monotonic, for duration_us */
    http_message msg;  /* slices into conn->in */
    router_match match;
    pool pool;
    int live;      /* dispatched and not yet answered */
    int abandoned; /* the answer will be dropped */
    int head_only; /* HEAD: no body in the answer */
    /* A streamed answer (request.h): started, and whether its end was
     * already announced (a write refused, or on_close called). */
    int streaming;
    int stream_over;
    int stream_writing; /* inside http_request_stream_write: an end is
                                reported by its -1, not by on_close */
    int stream_status;
    size_t stream_max;   /* bound on unsent output */
    size_t stream_bytes; /* body bytes queued so far, for the log */
    http_stream_close_cb *stream_on_close;
    void *stream_data;
};

struct conn {
    server *srv;       /* NULL once detached by server_dispose */
    conn *prev, *next; /* in srv->conns, or srv->zombies once closed */
    int fd;            /* owned; -1 once closed */
    int events;        /* LOOP_ mask registered on the loop */
    buf in;            /* requests as read; in_pos: first unconsumed byte */
    size_t in_pos;
    buf out; /* answers to send; out_pos: first unsent byte */
    size_t out_pos;
    http_parser parser;
    http_request req;
    loop_timer timer;
    conn_timer_kind timer_kind;
    uint64_t out_moved_ms;      /* monotonic: when the output last made progress
                                   or began to wait (a stream's stall clock) */
    unsigned depth;             /* callback frames of this conn on the stack */
    unsigned peer_eof : 1;      /* the peer will send no more */
    unsigned closing : 1;       /* close once the output is sent */
    unsigned lingering : 1;     /* our side shut; discarding the peer's input */
    unsigned want_close : 1;    /* close now (deferred to the outermost frame) */
    unsigned parse_blocked : 1; /* parsing paused by output back-pressure */
    unsigned continue_sent : 1; /* 100 Continue sent for this request */
    unsigned zombie : 1;        /* in srv->zombies */
};

/* Take over an accepted, non-blocking socket. NULL (fd not closed,
 * errno set) when memory or the loop fails. */
conn *conn_new(server *s, int fd);

/* Drain step for one connection: close it if idle, otherwise let its
 * current request finish (answers then carry Connection: close). */
void conn_drain(conn *c);

/* Close at once, abandoning an unanswered request. */
void conn_abort(conn *c, const char *reason);

/* server_dispose: the server is going away; forget it. */
void conn_detach(conn *c);

/* Called by http_request_respond* with the answer already queued (or
 * dropped): finish the request and carry on with the connection. May
 * free c. */
void conn_request_done(conn *c);

/* A stream's write (request.h): queue data and send, or refuse it when
 * the bound would be passed and the peer stalls, or the hard cap would
 * be passed (the connection is then closed at once, without calling
 * on_close). 0 or -1. Never frees c (req is live). */
int conn_stream_write(conn *c, slice data);

/* Unsent output bytes. */
size_t conn_stream_pending(const conn *c);

/* Queue an error answer outside of any request (a parse error, a read
 * timeout) and close after sending it. */
void conn_send_error(conn *c, int status, const char *message);

/* Format r into the output buffer, filling in Date. 0, or -1 with errno
 * (see http_response_write) and nothing queued. */
int conn_queue_response(conn *c, http_response *r);

#endif
