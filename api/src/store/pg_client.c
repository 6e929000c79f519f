/* pg_client.c: libpq pipeline mode on our epoll loop, a small pool,
 * a job queue, deadlines and reconnection. See pg_client.h.
 *
 * Entry points from the loop (fd events, the three kinds of timers) and
 * pg_client_free go through pg_enter/pg_leave; a free asked for at
 * depth > 0 happens on the way out of the outermost frame.
 */
#include "api/src/store/pg_client.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_job_stmt {
    char *sql;
    int nparams;
    char **params; /* NULL entries are SQL NULLs */
} pg_job_stmt;

typedef struct pg_job {
    job_link link; /* in c->queue while waiting */
    pg_client *c;
    pg_conn *conn;    /* while on a connection */
    pg_client_cb *cb; /* NULL for our own ROLLBACK */
    void *privdata;
    loop_timer timer;
    int transaction; /* wrapped in BEGIN/COMMIT */
    int answered;    /* cb ran (timeout); results are dropped */
    int sent;        /* handed to a connection (see pg_reply.sent) */
    int nstmts;
    pg_job_stmt *stmts;
    int nexpected; /* results the pipeline will return */
    int nresults;
    PGresult **results; /* nexpected slots */
} pg_job;

static void pg_conn_connect(pg_conn *conn);
static void pg_dispatch(pg_client *c);
static void pg_conn_on_io(loop *l, int fd, void *data, int mask);

const char *pg_client_strerror(int status)
{
    switch (status) {
    case PG_CLIENT_ENONE: return "ok";
    case PG_CLIENT_ESERVER: return "statement failed";
    case PG_CLIENT_ETIMEOUT: return "postgres query timed out";
    case PG_CLIENT_EDISCONNECTED: return "postgres connection lost";
    case PG_CLIENT_ECLOSED: return "postgres client closed";
    case PG_CLIENT_ENOMEM: return "out of memory";
    case PG_CLIENT_EARG: return "invalid argument";
    default: return "unknown postgres client error";
    }
}

static void pg_set_err(pg_client *c, int code, const char *msg)
{
    size_t n;

    c->err = code;
    snprintf(c->errstr, sizeof(c->errstr), "%s", msg != NULL && *msg != '\0' ? msg : pg_client_strerror(code));
    n = strlen(c->errstr); /* libpq messages end with a newline */
    while (n > 0 && (c->errstr[n - 1] == '\n' || c->errstr[n - 1] == ' '))
        c->errstr[--n] = '\0';
}

/* --- jobs ---------------------------------------------------------------- */

static void pg_job_free(pg_job *job)
{
    for (int i = 0; i < job->nresults; i++)
        PQclear(job->results[i]);
    for (int i = 0; i < job->nstmts; i++) {
        for (int k = 0; k < job->stmts[i].nparams; k++)
            free(job->stmts[i].params[k]);
        free(job->stmts[i].params);
        free(job->stmts[i].sql);
    }
    free(job->stmts);
    free(job->results);
    free(job);
}

/* Answer job (unless done already) and free it; it must be off every
 * queue and connection. */
static void pg_job_finish(pg_job *job, int status, const char *errstr, const char *sqlstate)
{
    pg_client *c = job->c;
    int skip = job->transaction ? 1 : 0;
    pg_reply reply = {0};

    loop_timer_stop(c->l, &job->timer);
    if (!job->answered && job->cb != NULL) {
        job->answered = 1;
        reply.status = status;
        reply.errstr = status == PG_CLIENT_ENONE ? NULL : errstr != NULL ? errstr : pg_client_strerror(status);
        reply.sqlstate = sqlstate;
        reply.sent = job->sent;
        if (status == PG_CLIENT_ENONE || status == PG_CLIENT_ESERVER) {
            /* statements only: BEGIN's result and COMMIT's are not the caller's */
            reply.nresults = job->nresults > skip ? job->nresults - skip : 0;
            if (reply.nresults > job->nstmts)
                reply.nresults = job->nstmts;
            reply.results = job->results + skip;
        }
        c->pending--;
        job->cb(c, &reply, job->privdata);
    }
    pg_job_free(job);
}

/* Judge the results of a completed pipeline and answer. */
static void pg_job_complete(pg_job *job)
{
    for (int i = 0; i < job->nresults; i++) {
        ExecStatusType st = PQresultStatus(job->results[i]);
        if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
            pg_job_finish(job, PG_CLIENT_ESERVER, PQresultErrorMessage(job->results[i]),
                          PQresultErrorField(job->results[i], PG_DIAG_SQLSTATE));
            return;
        }
    }
    if (job->nresults != job->nexpected) {
        pg_job_finish(job, PG_CLIENT_ESERVER, "the server returned fewer results than statements", NULL);
        return;
    }
    pg_job_finish(job, PG_CLIENT_ENONE, NULL, NULL);
}

static void pg_on_job_timeout(loop *l, loop_timer *t);

static void pg_enter(pg_client *c)
{
    c->depth++;
}

static void pg_destroy(pg_client *c);

static void pg_leave(pg_client *c)
{
    assert(c->depth > 0);
    if (--c->depth == 0 && c->freeing)
        pg_destroy(c);
}

/* --- connections ----------------------------------------------------------- */

/* Watch fd for mask exactly (fd may differ from the one registered). */
static void pg_conn_watch(pg_conn *conn, int fd, int mask)
{
    loop *l = conn->c->l;

    if (conn->fd >= 0 && (conn->fd != fd || mask == LOOP_NONE)) {
        loop_del_file(l, conn->fd, LOOP_READABLE | LOOP_WRITABLE);
        conn->fd = -1;
        conn->mask = LOOP_NONE;
    }
    if (fd < 0 || mask == LOOP_NONE)
        return;
    if (conn->mask & ~mask)
        loop_del_file(l, fd, conn->mask & ~mask);
    if (mask & ~conn->mask) {
        if (loop_add_file(l, fd, mask & ~conn->mask, pg_conn_on_io, conn) != LOOP_OK) {
            /* ENOMEM growing the fd table: this connection's jobs end by
             * their deadlines, the connect by its timer */
            pg_set_err(conn->c, PG_CLIENT_ENOMEM, "cannot watch a postgres socket");
        }
    }
    conn->fd = fd;
    conn->mask = mask;
}

static int pg_any_alive(const pg_client *c)
{
    for (unsigned i = 0; i < c->nconns; i++)
        if (c->conns[i].state != PG_CONN_WAITING)
            return 1;
    return 0;
}

unsigned pg_client_connected(const pg_client *c)
{
    unsigned n = 0;

    for (unsigned i = 0; i < c->nconns; i++)
        n += c->conns[i].state == PG_CONN_IDLE || c->conns[i].state == PG_CONN_BUSY;
    return n;
}

/* Close conn's socket; its job (if any) fails with status. */
static void pg_conn_close(pg_conn *conn, int status, const char *why)
{
    pg_job *job = conn->job;

    pg_conn_watch(conn, -1, LOOP_NONE);
    loop_timer_stop(conn->c->l, &conn->timer);
    if (conn->pg != NULL)
        PQfinish(conn->pg);
    conn->pg = NULL;
    conn->job = NULL;
    conn->state = PG_CONN_WAITING;
    if (job != NULL) {
        job->conn = NULL;
        pg_job_finish(job, status, why, NULL);
    }
}

/* Fail every queued job (nothing can run them). */
static void pg_fail_queue(pg_client *c, int status, const char *why)
{
    job_link *l;

    while ((l = job_queue_pop(&c->queue)) != NULL)
        pg_job_finish(job_queue_entry(l, pg_job, link), status, why, NULL);
}

/* The connection broke or could not be made: fail its job, wait, retry. */
static void pg_conn_failed(pg_conn *conn, const char *why)
{
    pg_client *c = conn->c;
    char msg[256];

    snprintf(msg, sizeof(msg), "%s", why != NULL && *why != '\0' ? why : "postgres connection lost");
    pg_set_err(c, PG_CLIENT_EDISCONNECTED, msg);
    pg_conn_close(conn, PG_CLIENT_EDISCONNECTED, c->errstr);
    if (c->freeing)
        return;
    (void)loop_timer_start(c->l, &conn->timer, backoff_next(&conn->retry));
    if (!pg_any_alive(c))
        pg_fail_queue(c, PG_CLIENT_EDISCONNECTED, c->errstr);
}

static void pg_notice_ignore(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* NOTICEs (e.g. "there is no transaction in progress") are not errors */
}

static void pg_conn_ready(pg_conn *conn)
{
    pg_client *c = conn->c;

    loop_timer_stop(c->l, &conn->timer);
    if (PQsetnonblocking(conn->pg, 1) != 0 || PQenterPipelineMode(conn->pg) != 1) {
        pg_conn_failed(conn, PQerrorMessage(conn->pg));
        return;
    }
    PQsetNoticeProcessor(conn->pg, pg_notice_ignore, NULL);
    backoff_reset(&conn->retry);
    conn->state = PG_CONN_IDLE;
    c->connects++;
    pg_conn_watch(conn, PQsocket(conn->pg), LOOP_READABLE); /* to notice a close while idle */
    pg_dispatch(c);
}

/* Advance the connect state machine after an event on its socket. */
static void pg_conn_poll_connect(pg_conn *conn)
{
    /* libpq may close its socket and open another (next host, SSL
     * fallback), possibly with the same number, which epoll has then
     * forgotten: register afresh on every step of the connect */
    pg_conn_watch(conn, -1, LOOP_NONE);
    switch (PQconnectPoll(conn->pg)) {
    case PGRES_POLLING_READING: pg_conn_watch(conn, PQsocket(conn->pg), LOOP_READABLE); break;
    case PGRES_POLLING_WRITING: pg_conn_watch(conn, PQsocket(conn->pg), LOOP_WRITABLE); break;
    case PGRES_POLLING_OK: pg_conn_ready(conn); break;
    default: pg_conn_failed(conn, PQerrorMessage(conn->pg)); break;
    }
}

static void pg_conn_connect(pg_conn *conn)
{
    pg_client *c = conn->c;

    conn->pg = PQconnectStart(c->conninfo);
    if (conn->pg == NULL) {
        pg_conn_failed(conn, "out of memory for a postgres connection");
        return;
    }
    if (PQstatus(conn->pg) == CONNECTION_BAD) {
        pg_conn_failed(conn, PQerrorMessage(conn->pg));
        return;
    }
    conn->state = PG_CONN_CONNECTING;
    (void)loop_timer_start(c->l, &conn->timer, c->connect_timeout_ms);
    pg_conn_watch(conn, PQsocket(conn->pg), LOOP_WRITABLE);
}

/* conn->timer: a connect deadline, or the end of a reconnect delay. */
static void pg_conn_on_timer(loop *l, loop_timer *t)
{
    pg_conn *conn = t->data;
    pg_client *c = conn->c;

    (void)l;
    pg_enter(c);
    if (!c->freeing) {
        if (conn->state == PG_CONN_CONNECTING)
            pg_conn_failed(conn, "timed out connecting to postgres");
        else if (conn->state == PG_CONN_WAITING)
            pg_conn_connect(conn);
    }
    pg_leave(c);
}

/* Push libpq's output; watch for writability while some is left. */
static int pg_conn_flush(pg_conn *conn)
{
    int rc = PQflush(conn->pg);

    if (rc < 0) {
        pg_conn_failed(conn, PQerrorMessage(conn->pg));
        return -1;
    }
    pg_conn_watch(conn, PQsocket(conn->pg), LOOP_READABLE | (rc == 1 ? LOOP_WRITABLE : 0));
    return 0;
}

static int pg_send_one(PGconn *pg, const char *sql, int nparams, char *const *params)
{
    return PQsendQueryParams(pg, sql, nparams, NULL, (const char *const *)params, NULL, NULL, 0);
}

/* Send job's pipeline on the idle conn. */
static void pg_conn_send(pg_conn *conn, pg_job *job)
{
    PGconn *pg = conn->pg;
    int ok = 1;

    conn->job = job;
    job->conn = conn;
    job->sent = 1;
    conn->state = PG_CONN_BUSY;
    if (job->transaction)
        ok = pg_send_one(pg, "BEGIN", 0, NULL);
    for (int i = 0; ok && i < job->nstmts; i++)
        ok = pg_send_one(pg, job->stmts[i].sql, job->stmts[i].nparams, job->stmts[i].params);
    if (ok && job->transaction)
        ok = pg_send_one(pg, "COMMIT", 0, NULL);
    if (ok)
        ok = PQpipelineSync(pg);
    if (!ok) {
        pg_conn_failed(conn, PQerrorMessage(pg));
        return;
    }
    (void)pg_conn_flush(conn);
}

/* A ROLLBACK of our own, first in line on conn, with no callback. */
static void pg_conn_rollback(pg_conn *conn)
{
    pg_job *job = calloc(1, sizeof(*job));

    if (job == NULL || (job->stmts = calloc(1, sizeof(*job->stmts))) == NULL ||
        (job->results = calloc(1, sizeof(*job->results))) == NULL || (job->stmts[0].sql = strdup("ROLLBACK")) == NULL) {
        if (job != NULL) {
            free(job->results);
            if (job->stmts != NULL)
                free(job->stmts[0].sql);
            free(job->stmts);
            free(job);
        }
        /* cannot clean the session: drop it rather than hand it out broken */
        pg_conn_failed(conn, "out of memory for a rollback");
        return;
    }
    job->c = conn->c;
    job->nstmts = 1;
    job->nexpected = 1;
    loop_timer_init(&job->timer, pg_on_job_timeout, job);
    pg_conn_send(conn, job);
}

/* Read what arrived and hand out complete results. */
static void pg_conn_read(pg_conn *conn)
{
    int nulls = 0;

    if (PQconsumeInput(conn->pg) == 0) {
        pg_conn_failed(conn, PQerrorMessage(conn->pg));
        return;
    }
    while (conn->job != NULL && !PQisBusy(conn->pg)) {
        pg_job *job = conn->job;
        PGresult *r = PQgetResult(conn->pg);

        if (r == NULL) {
            if (++nulls > 1)
                break; /* between statements once; twice means nothing is ready */
            continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            conn->job = NULL;
            job->conn = NULL;
            conn->state = PG_CONN_IDLE;
            pg_job_complete(job);
            if (conn->state == PG_CONN_IDLE && PQtransactionStatus(conn->pg) == PQTRANS_INERROR)
                pg_conn_rollback(conn);
            break;
        }
        if (job->nresults < job->nexpected)
            job->results[job->nresults++] = r;
        else
            PQclear(r);
    }
    if (conn->state == PG_CONN_IDLE && PQstatus(conn->pg) == CONNECTION_BAD)
        pg_conn_failed(conn, PQerrorMessage(conn->pg));
}

static void pg_conn_on_io(loop *l, int fd, void *data, int mask)
{
    pg_conn *conn = data;
    pg_client *c = conn->c;

    (void)l;
    (void)fd;
    pg_enter(c);
    if (c->freeing || conn->pg == NULL) {
        /* nothing to do */
    } else if (conn->state == PG_CONN_CONNECTING) {
        pg_conn_poll_connect(conn);
    } else {
        if ((mask & LOOP_WRITABLE) && pg_conn_flush(conn) != 0)
            mask = 0;
        if ((mask & LOOP_READABLE) && conn->pg != NULL)
            pg_conn_read(conn);
    }
    if (!c->freeing)
        pg_dispatch(c);
    pg_leave(c);
}

/* --- dispatch and deadlines ------------------------------------------------ */

static void pg_dispatch(pg_client *c)
{
    for (unsigned i = 0; i < c->nconns && c->queue.len > 0; i++) {
        pg_conn *conn = &c->conns[i];
        if (conn->state == PG_CONN_IDLE)
            pg_conn_send(conn, job_queue_entry(job_queue_pop(&c->queue), pg_job, link));
    }
}

static void pg_on_kick(loop *l, loop_timer *t)
{
    pg_client *c = t->data;

    (void)l;
    pg_enter(c);
    if (!c->freeing)
        pg_dispatch(c);
    pg_leave(c);
}

static void pg_on_job_timeout(loop *l, loop_timer *t)
{
    pg_job *job = t->data;
    pg_client *c = job->c;
    pg_conn *conn = job->conn;

    (void)l;
    pg_enter(c);
    if (conn == NULL) {
        job_queue_remove(&c->queue, &job->link);
        pg_job_finish(job, PG_CLIENT_ETIMEOUT, NULL, NULL);
    } else {
        /* answer now; the connection is reset, since it stays busy until
         * the server is done and libpq 15 cannot cancel without blocking */
        if (!job->answered && job->cb != NULL) {
            pg_reply reply = {
                .status = PG_CLIENT_ETIMEOUT, .errstr = pg_client_strerror(PG_CLIENT_ETIMEOUT), .sent = 1};
            job->answered = 1;
            c->pending--;
            job->cb(c, &reply, job->privdata);
        }
        if (!c->freeing && conn->job == job) {
            pg_conn_close(conn, PG_CLIENT_ETIMEOUT, NULL);
            pg_conn_connect(conn); /* a reset, not a failure: no backoff */
        }
    }
    pg_leave(c);
}

/* --- public ------------------------------------------------------------------ */

pg_client *pg_client_new(loop *l, const pg_client_config *cfg)
{
    pg_client *c;
    unsigned n;

    if (l == NULL || cfg == NULL || cfg->conninfo == NULL || cfg->pool_size > PG_CLIENT_MAX_CONNS)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL || (c->conninfo = strdup(cfg->conninfo)) == NULL) {
        free(c);
        return NULL;
    }
    n = cfg->pool_size != 0 ? cfg->pool_size : 4;
    c->l = l;
    c->nconns = n;
    c->query_timeout_ms = cfg->query_timeout_ms;
    c->connect_timeout_ms = cfg->connect_timeout_ms != 0 ? cfg->connect_timeout_ms : 5000;
    job_queue_init(&c->queue);
    loop_timer_init(&c->kick, pg_on_kick, c);
    for (unsigned i = 0; i < n; i++) {
        pg_conn *conn = &c->conns[i];
        conn->c = c;
        conn->fd = -1;
        conn->state = PG_CONN_WAITING;
        backoff_init(&conn->retry, cfg->reconnect_base_ms != 0 ? cfg->reconnect_base_ms : 50,
                     cfg->reconnect_max_ms != 0 ? cfg->reconnect_max_ms : 5000,
                     ((uint64_t)(uintptr_t)c ^ loop_clock_us()) + i);
        loop_timer_init(&conn->timer, pg_conn_on_timer, conn);
    }
    pg_enter(c);
    for (unsigned i = 0; i < n; i++)
        pg_conn_connect(&c->conns[i]);
    c->depth--; /* no pg_leave: nothing can have asked for a free yet */
    return c;
}

/* Copy one statement into dst. 0, or -1 out of memory. */
static int pg_copy_stmt(pg_job_stmt *dst, const char *sql, int nparams, const char *const *params)
{
    dst->sql = strdup(sql);
    if (dst->sql == NULL)
        return -1;
    if (nparams == 0)
        return 0;
    dst->params = calloc((size_t)nparams, sizeof(char *));
    if (dst->params == NULL)
        return -1;
    dst->nparams = nparams;
    for (int i = 0; i < nparams; i++)
        if (params[i] != NULL && (dst->params[i] = strdup(params[i])) == NULL)
            return -1;
    return 0;
}

static int pg_submit(pg_client *c, const pg_stmt *stmts, int n, int transaction, pg_client_cb *cb, void *privdata)
{
    pg_job *job;

    if (c->freeing) {
        pg_set_err(c, PG_CLIENT_ECLOSED, NULL);
        return PG_CLIENT_ERR;
    }
    if (cb == NULL || n <= 0 || n > PG_CLIENT_MAX_STMTS) {
        pg_set_err(c, PG_CLIENT_EARG, "a job needs a callback and 1..64 statements");
        return PG_CLIENT_ERR;
    }
    for (int i = 0; i < n; i++)
        if (stmts[i].sql == NULL || stmts[i].nparams < 0 || (stmts[i].nparams > 0 && stmts[i].params == NULL)) {
            pg_set_err(c, PG_CLIENT_EARG, "a statement needs SQL and its parameters");
            return PG_CLIENT_ERR;
        }
    if (!pg_any_alive(c)) {
        c->err = PG_CLIENT_EDISCONNECTED; /* errstr keeps the reason */
        return PG_CLIENT_ERR;
    }
    job = calloc(1, sizeof(*job));
    if (job == NULL)
        goto nomem;
    job->c = c;
    job->cb = cb;
    job->privdata = privdata;
    job->transaction = transaction;
    job->nexpected = n + (transaction ? 2 : 0);
    loop_timer_init(&job->timer, pg_on_job_timeout, job);
    job->stmts = calloc((size_t)n, sizeof(*job->stmts));
    job->results = calloc((size_t)job->nexpected, sizeof(*job->results));
    if (job->stmts == NULL || job->results == NULL)
        goto nomem;
    for (int i = 0; i < n; i++) {
        job->nstmts = i + 1; /* what pg_job_free must release */
        if (pg_copy_stmt(&job->stmts[i], stmts[i].sql, stmts[i].nparams, stmts[i].params) != 0)
            goto nomem;
    }
    if (c->query_timeout_ms != 0 && loop_timer_start(c->l, &job->timer, c->query_timeout_ms) != LOOP_OK)
        goto nomem;
    if (!loop_timer_active(&c->kick) && loop_timer_start(c->l, &c->kick, 0) != LOOP_OK) {
        loop_timer_stop(c->l, &job->timer);
        goto nomem;
    }
    job_queue_push(&c->queue, &job->link);
    c->pending++;
    return PG_CLIENT_OK;
nomem:
    if (job != NULL)
        pg_job_free(job);
    pg_set_err(c, PG_CLIENT_ENOMEM, NULL);
    return PG_CLIENT_ERR;
}

int pg_client_query(pg_client *c, const char *sql, int nparams, const char *const *params, pg_client_cb *cb,
                    void *privdata)
{
    pg_stmt s = {sql, nparams, params};

    return pg_submit(c, &s, 1, 0, cb, privdata);
}

int pg_client_transaction(pg_client *c, const pg_stmt *stmts, int n, pg_client_cb *cb, void *privdata)
{
    return pg_submit(c, stmts, n, 1, cb, privdata);
}

static void pg_destroy(pg_client *c)
{
    c->depth++; /* callbacks below may call in; keep them deferred */
    loop_timer_stop(c->l, &c->kick);
    pg_fail_queue(c, PG_CLIENT_ECLOSED, NULL);
    for (unsigned i = 0; i < c->nconns; i++)
        pg_conn_close(&c->conns[i], PG_CLIENT_ECLOSED, NULL);
    c->depth--;
    free(c->conninfo);
    free(c);
}

void pg_client_free(pg_client *c)
{
    if (c == NULL || c->freeing)
        return;
    c->freeing = 1;
    pg_enter(c);
    pg_leave(c);
}
