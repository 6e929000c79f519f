/* cql_client.h: a non-blocking CQL v4 connection on our loop.
 *
 * Built on the cql/ codec (frames, request builders, response decoder);
 * the socket, buffers, stream ids and timers are ours. It lives here and
 * not in cql/ because it needs the api's loop: libcql stays a codec that
 * depends on nothing, and the dependency runs one way (api -> cql).
 *
 * One TCP connection carries many requests at once, one stream id each
 * (up to 32768, see cql_streams.h). On connect: STARTUP, then USE
 * keyspace if one is configured; requests submitted meanwhile wait and
 * go out when the handshake is done.
 *
 * cql_client_execute runs a statement as a prepared one: a cache keyed
 * by the statement text holds the prepared id; the first use PREPAREs
 * (once, however many requests wait for it), later ones EXECUTE at once.
 * When the server answers UNPREPARED (0x2500: it restarted, or a schema
 * change evicted the statement) the client re-prepares and re-executes
 * transparently, once per request.
 *
 * Callbacks run exactly once with
 *   CQL_CLIENT_OK           resp is the RESULT (rows, void, ...)
 *   CQL_CLIENT_ESERVER      resp is the server's ERROR (resp->error)
 *   CQL_CLIENT_ETIMEOUT     no answer within request_timeout_ms; the
 *                           stream id stays taken until the late answer
 *                           arrives (which is then dropped)
 *   CQL_CLIENT_EDISCONNECTED  the connection broke; c->errstr says why
 *   CQL_CLIENT_ECLOSED      the client is being freed
 * resp is NULL unless OK or ESERVER, and points into the client's
 * receive buffer: it is valid only while the callback runs (copy values
 * out, e.g. the paging state to fetch the next page).
 * Callbacks never run inside cql_client_query/_execute.
 *
 * A broken connection fails what is in flight and reconnects with
 * backoff; while it waits, requests are refused (-1, c->err). With more
 * than one contact point (host/port, then more[]), each failed connection
 * or connection attempt moves to the next one, in turn: a node that is
 * down is left for the next node after one attempt (a refused connect
 * costs no time; the backoff is its base delay after a working
 * connection). Any node of a cluster coordinates any request, so the
 * client needs only one connection at a time.
 *
 * Consistency: requests whose params leave it to the client (NULL params)
 * and callers that read c->consistency use the configured level.
 *
 * Ownership: cql_client_new allocates, cql_client_free releases (deferred
 * when called inside one of its callbacks). Statement text, bound values
 * and paging state are copied at submission. The loop is borrowed.
 */
#ifndef API_STORE_CQL_CLIENT_H
#define API_STORE_CQL_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "api/src/loop/loop.h"
#include "api/src/store/backoff.h"
#include "api/src/store/cql_streams.h"
#include "api/src/store/job_queue.h"
#include "cql/cql_buf.h"
#include "cql/cql_pool.h"
#include "cql/cql_request.h"
#include "cql/cql_response.h"

#define CQL_CLIENT_OK 0
#define CQL_CLIENT_ERR (-1)

enum {
    CQL_CLIENT_ENONE = 0,
    CQL_CLIENT_ESERVER,
    CQL_CLIENT_ETIMEOUT,
    CQL_CLIENT_EDISCONNECTED,
    CQL_CLIENT_ECLOSED,
    CQL_CLIENT_ENOMEM,
    CQL_CLIENT_EARG
};

#define CQL_CLIENT_PREP_BUCKETS 64

typedef struct cql_client cql_client;

typedef void cql_client_cb(cql_client *c, int status, const cql_response *resp, void *privdata);

#define CQL_CLIENT_MAX_HOSTS 8

typedef struct cql_client_host {
    const char *host; /* numeric IPv4/IPv6 address */
    int port;
} cql_client_host;

typedef struct cql_client_config {
    const char *host; /* numeric IPv4/IPv6 address (no name lookup on the loop) */
    int port;
    const cql_client_host *more; /* further contact points, tried in turn; may be NULL */
    size_t n_more;               /* at most CQL_CLIENT_MAX_HOSTS - 1 */
    uint16_t consistency;        /* cql_consistency of the requests; 0 (ANY): ONE */
    const char *keyspace;        /* NULL: none (USE is sent after STARTUP otherwise) */
    uint32_t request_timeout_ms; /* 0: none */
    uint32_t connect_timeout_ms; /* TCP connect + handshake (default 5000) */
    uint32_t reconnect_base_ms;  /* default 50 */
    uint32_t reconnect_max_ms;   /* default 5000 */
    int32_t max_streams;         /* 1..32768 (default 32768) */
    size_t max_frame;            /* largest response body accepted (default 256 MiB) */
} cql_client_config;

typedef enum cql_client_state {
    CQL_CLIENT_WAITING,    /* down, reconnect timer armed */
    CQL_CLIENT_CONNECTING, /* TCP connect and handshake */
    CQL_CLIENT_READY
} cql_client_state;

struct cql_prep;
struct cql_req;

struct cql_client {
    loop *l;                      /* borrowed */
    struct sockaddr_storage addr; /* the contact point in use: addrs[cur] */
    socklen_t addrlen;
    struct sockaddr_storage addrs[CQL_CLIENT_MAX_HOSTS];
    socklen_t addrlens[CQL_CLIENT_MAX_HOSTS];
    size_t n_addrs, cur;
    uint64_t failovers;   /* moves to the next contact point */
    uint16_t consistency; /* cql_consistency for requests and callers */
    char *keyspace;       /* owned copy or NULL */
    uint32_t request_timeout_ms;
    uint32_t connect_timeout_ms;
    size_t max_frame;
    int fd;   /* -1 while down */
    int mask; /* LOOP_* registered */
    cql_client_state state;
    int tcp_connected;
    cql_streams streams; /* ids in flight -> struct cql_req */
    job_queue waiting;   /* requests waiting for the handshake or a free id */
    cql_buf out;         /* frames to send */
    size_t out_sent;     /* bytes of out already written */
    cql_buf scratch;     /* one frame being built */
    uint8_t *in;         /* received bytes */
    size_t in_len, in_cap;
    cql_pool pool;                                  /* decoder's memory for one response */
    struct cql_prep *prep[CQL_CLIENT_PREP_BUCKETS]; /* prepared cache */
    backoff retry;
    loop_timer timer; /* connect deadline or reconnect delay */
    loop_timer kick;  /* flush waiting requests on the next turn */
    unsigned depth;
    int freeing;
    uint64_t connects; /* handshakes completed */
    uint64_t prepares; /* PREPARE requests sent */
    uint64_t pending;  /* user requests whose callback has not run */
    int err;           /* CQL_CLIENT_E* of the last failure */
    char errstr[CQL_ERRSTR_SIZE];
};

/* Allocate a client and start connecting (to cfg->host first). NULL on
 * bad arguments (a host that is not a numeric address, too many contact
 * points) or out of memory. */
cql_client *cql_client_new(loop *l, const cql_client_config *cfg);

/* QUERY: cql text with params (consistency, values, page size, paging
 * state, ...; NULL means the client's consistency and nothing else). */
int cql_client_query(cql_client *c, const char *cql, const cql_query_params *params, cql_client_cb *cb, void *privdata);

/* EXECUTE of cql, prepared through the cache. Same params. */
int cql_client_execute(cql_client *c, const char *cql, const cql_query_params *params, cql_client_cb *cb,
                       void *privdata);

/* Fail everything with CQL_CLIENT_ECLOSED, close, free (deferred inside
 * a callback of c). */
void cql_client_free(cql_client *c);

const char *cql_client_strerror(int status);

#endif
