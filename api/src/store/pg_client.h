/* pg_client.h: a pool of non-blocking libpq connections on our loop.
 *
 * Each connection is driven by the loop: PQconnectStart/PQconnectPoll to
 * connect, then pipeline mode for good. A request (a "job") is one
 * statement, or a transaction of several (BEGIN; s1; ...; sn; COMMIT),
 * sent as PQsendQueryParams calls plus one PQpipelineSync: the whole
 * transaction costs one round trip. Results are read on readability with
 * PQconsumeInput/PQisBusy/PQgetResult; PQflush runs on writability while
 * libpq still holds unsent bytes. One job is on a connection at a time,
 * so a failure never takes a neighbour's statements with it.
 *
 * Jobs wait in one FIFO per client for a free connection. Each has a
 * deadline (a loop timer from submission): a queued job that times out
 * leaves the queue; a job that times out on a connection is answered at
 * once and that connection is reset (libpq 15 has no non-blocking cancel,
 * and the connection stays busy until the server finishes otherwise).
 *
 * When a connection breaks, its job fails with PG_CLIENT_EDISCONNECTED
 * and it reconnects with exponential backoff; when no connection is up
 * or on its way up, the queued jobs fail too, and new ones are refused
 * (-1, c->err) until one is up again: a request path fails fast.
 *
 * After a transaction whose statement failed, the server leaves the
 * session in an aborted transaction; the client sends ROLLBACK on that
 * connection before it takes another job.
 *
 * Callbacks never run inside pg_client_query/_transaction: a job is sent
 * on the next loop turn. Each callback runs exactly once.
 *
 * Ownership: pg_client_new allocates the client and pg_client_free
 * releases it (deferred when called inside a callback of the client, as
 * in hiredis). The job copies the SQL and parameters. The results handed
 * to a callback belong to the client and are cleared when it returns.
 * The loop is borrowed and must outlive the client. One thread.
 *
 * Blocking: PQconnectStart resolves a host NAME synchronously; give
 * hostaddr= (or a numeric host=) in the conninfo to keep the loop free.
 */
#ifndef API_STORE_PG_CLIENT_H
#define API_STORE_PG_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "api/src/loop/loop.h"
#include "api/src/store/backoff.h"
#include "api/src/store/job_queue.h"

#define PG_CLIENT_OK 0
#define PG_CLIENT_ERR (-1)

enum {
    PG_CLIENT_ENONE = 0,
    PG_CLIENT_ESERVER, /* a statement failed: errstr and sqlstate say why */
    PG_CLIENT_ETIMEOUT,
    PG_CLIENT_EDISCONNECTED,
    PG_CLIENT_ECLOSED, /* the client is being freed */
    PG_CLIENT_ENOMEM,
    PG_CLIENT_EARG
};

#define PG_CLIENT_MAX_CONNS 64
#define PG_CLIENT_MAX_STMTS 64

typedef struct pg_client pg_client;

/* What a callback gets; valid only while it runs. */
typedef struct pg_reply {
    int status;               /* PG_CLIENT_ENONE (0) or PG_CLIENT_E* */
    const char *errstr;       /* NULL when status is 0 */
    const char *sqlstate;     /* ESERVER: e.g. "23505"; else NULL */
    int nresults;             /* one per statement given (not BEGIN/COMMIT); 0 on failures other than ESERVER */
    PGresult *const *results; /* owned by the client; PGRES_PIPELINE_ABORTED after a failure */
    int sent;                 /* the job reached a connection: on ETIMEOUT or EDISCONNECTED
                                  the server may have run it (a COMMIT in flight may have
                                  committed); 0: it certainly did not run */
} pg_reply;

typedef void pg_client_cb(pg_client *c, const pg_reply *reply, void *privdata);

/* One statement; params are text (NULL: SQL NULL), as in PQexecParams. */
typedef struct pg_stmt {
    const char *sql;
    int nparams;
    const char *const *params;
} pg_stmt;

typedef struct pg_client_config {
    const char *conninfo;        /* libpq connection string (copied) */
    unsigned pool_size;          /* connections, 1..PG_CLIENT_MAX_CONNS (default 4) */
    uint32_t query_timeout_ms;   /* per job, from submission; 0: none */
    uint32_t connect_timeout_ms; /* per attempt (default 5000) */
    uint32_t reconnect_base_ms;  /* default 50 */
    uint32_t reconnect_max_ms;   /* default 5000 */
} pg_client_config;

typedef enum pg_conn_state {
    PG_CONN_WAITING, /* down, reconnect timer armed */
    PG_CONN_CONNECTING,
    PG_CONN_IDLE,
    PG_CONN_BUSY
} pg_conn_state;

struct pg_job;

typedef struct pg_conn {
    pg_client *c; /* back pointer */
    PGconn *pg;   /* owned; NULL while waiting */
    int fd;       /* registered on the loop, or -1 */
    int mask;     /* LOOP_* registered */
    pg_conn_state state;
    struct pg_job *job; /* in flight (state BUSY) */
    backoff retry;
    loop_timer timer; /* connect deadline, or reconnect delay */
} pg_conn;

struct pg_client {
    loop *l;        /* borrowed */
    char *conninfo; /* owned copy */
    uint32_t query_timeout_ms;
    uint32_t connect_timeout_ms;
    unsigned nconns;
    pg_conn conns[PG_CLIENT_MAX_CONNS];
    job_queue queue; /* pg_job waiting for a connection */
    loop_timer kick; /* dispatch on the next turn */
    unsigned depth;  /* our frames on the stack */
    int freeing;
    uint64_t connects; /* successful connections so far */
    uint64_t pending;  /* jobs whose callback has not run */
    int err;           /* PG_CLIENT_E* of the last failure */
    char errstr[256];
};

/* Allocate a client and start connecting its pool. NULL on bad
 * arguments or out of memory (a server that is down is not an error:
 * the connections retry). */
pg_client *pg_client_new(loop *l, const pg_client_config *cfg);

/* One statement. PG_CLIENT_OK: cb runs exactly once, later.
 * PG_CLIENT_ERR: refused (c->err: EDISCONNECTED, ECLOSED, ENOMEM, EARG). */
int pg_client_query(pg_client *c, const char *sql, int nparams, const char *const *params, pg_client_cb *cb,
                    void *privdata);

/* BEGIN; stmts[0..n); COMMIT in one round trip; all or nothing. */
int pg_client_transaction(pg_client *c, const pg_stmt *stmts, int n, pg_client_cb *cb, void *privdata);

/* Fail every job with PG_CLIENT_ECLOSED, close, free. Deferred inside a
 * callback of c. */
void pg_client_free(pg_client *c);

/* Connections up (IDLE or BUSY). */
unsigned pg_client_connected(const pg_client *c);

const char *pg_client_strerror(int status);

#endif
