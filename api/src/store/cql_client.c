/* cql_client.c: CQL v4 over a non-blocking socket on our loop, with
 * stream ids, a prepared-statement cache, deadlines and reconnection.
 * See cql_client.h.
 *
 * Every entry from the loop (socket events, timers) and cql_client_free
 * goes through cql_enter/cql_leave; a free asked for at depth > 0 runs on
 * the way out of the outermost frame. User submissions only queue and
 * arm the "kick" timer, so no callback runs inside them.
 *
 * Frames are appended to c->out and written when the socket is writable
 * (level-triggered: the next loop turn), so requests made in one turn
 * leave in one write. Received bytes accumulate in c->in; each complete
 * frame is decoded in place and dispatched by its stream id.
 */
#include "api/src/store/cql_client.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CQL_CLIENT_READ_CHUNK 65536

enum { REQ_STARTUP, REQ_USE, REQ_PREPARE, REQ_QUERY, REQ_EXECUTE };
enum { QUEUED_NONE, QUEUED_WAITING, QUEUED_PREP };

/* A prepared-cache entry: lives until the client is freed. */
typedef struct cql_prep {
    struct cql_prep *next; /* bucket chain */
    char *text;            /* owned statement text */
    size_t len;
    uint8_t *id; /* owned prepared id; NULL while unknown */
    size_t id_len;
    int preparing;     /* a PREPARE is queued or in flight */
    job_queue waiters; /* EXECUTE requests waiting for the id */
} cql_prep;

typedef struct cql_req {
    job_link link; /* in c->waiting or prep->waiters (see queued) */
    int queued;
    cql_client *c;
    int kind;
    char *text;              /* owned: QUERY/USE text; NULL otherwise */
    cql_prep *prep;          /* EXECUTE and PREPARE */
    cql_values values;       /* owned copy of the bound values */
    cql_query_params params; /* values and paging_state point into this req */
    uint8_t *paging;         /* owned copy of the paging state */
    cql_client_cb *cb;       /* NULL for internal requests */
    void *privdata;
    loop_timer timer;
    int32_t stream; /* -1 while not on the wire */
    int answered;
    int reprepared;
} cql_req;

static void cql_run(cql_client *c, cql_req *req);
static void cql_conn_failed(cql_client *c, const char *why);
static void cql_on_io(loop *l, int fd, void *data, int mask);

const char *cql_client_strerror(int status)
{
    switch (status) {
    case CQL_CLIENT_ENONE: return "ok";
    case CQL_CLIENT_ESERVER: return "cassandra answered with an error";
    case CQL_CLIENT_ETIMEOUT: return "cql request timed out";
    case CQL_CLIENT_EDISCONNECTED: return "cql connection lost";
    case CQL_CLIENT_ECLOSED: return "cql client closed";
    case CQL_CLIENT_ENOMEM: return "out of memory";
    case CQL_CLIENT_EARG: return "invalid argument";
    default: return "unknown cql client error";
    }
}

static void cql_set_err(cql_client *c, int code, const char *msg)
{
    c->err = code;
    snprintf(c->errstr, sizeof(c->errstr), "%s", msg != NULL && *msg != '\0' ? msg : cql_client_strerror(code));
}

static void cql_enter(cql_client *c)
{
    c->depth++;
}

static void cql_destroy(cql_client *c);

static void cql_leave(cql_client *c)
{
    assert(c->depth > 0);
    if (--c->depth == 0 && c->freeing)
        cql_destroy(c);
}

/* --- requests -------------------------------------------------------------- */

static void cql_req_free(cql_req *req)
{
    loop_timer_stop(req->c->l, &req->timer);
    cql_values_dispose(&req->values);
    free(req->paging);
    free(req->text);
    free(req);
}

/* Take req off whatever queue holds it. */
static void cql_req_unqueue(cql_req *req)
{
    if (req->queued == QUEUED_WAITING)
        job_queue_remove(&req->c->waiting, &req->link);
    else if (req->queued == QUEUED_PREP)
        job_queue_remove(&req->prep->waiters, &req->link);
    req->queued = QUEUED_NONE;
}

/* Answer (once) and free; req must be off the wire and off queues. */
static void cql_req_finish(cql_req *req, int status, const cql_response *resp)
{
    cql_client *c = req->c;

    if (!req->answered && req->cb != NULL) {
        req->answered = 1;
        c->pending--;
        req->cb(c, status, resp, req->privdata);
    }
    cql_req_free(req);
}

static void cql_on_req_timeout(loop *l, loop_timer *t)
{
    cql_req *req = t->data;
    cql_client *c = req->c;

    (void)l;
    cql_enter(c);
    if (req->stream >= 0) {
        /* the id stays taken until the late answer: see cql_streams.h */
        if (!req->answered && req->cb != NULL) {
            req->answered = 1;
            c->pending--;
            req->cb(c, CQL_CLIENT_ETIMEOUT, NULL, req->privdata);
        }
    } else {
        cql_req_unqueue(req);
        cql_req_finish(req, CQL_CLIENT_ETIMEOUT, NULL);
    }
    cql_leave(c);
}

static cql_req *cql_req_new(cql_client *c, int kind)
{
    cql_req *req = calloc(1, sizeof(*req));

    if (req == NULL)
        return NULL;
    req->c = c;
    req->kind = kind;
    req->stream = -1;
    req->params.consistency = c->consistency;
    cql_values_init(&req->values);
    loop_timer_init(&req->timer, cql_on_req_timeout, req);
    return req;
}

/* --- the prepared cache ------------------------------------------------------ */

static uint32_t cql_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* The entry for text, created if absent; NULL when out of memory. */
static cql_prep *cql_prep_get(cql_client *c, const char *text)
{
    size_t n = strlen(text);
    cql_prep **bucket = &c->prep[cql_hash(text, n) % CQL_CLIENT_PREP_BUCKETS], *p;

    for (p = *bucket; p != NULL; p = p->next)
        if (p->len == n && memcmp(p->text, text, n) == 0)
            return p;
    p = calloc(1, sizeof(*p));
    if (p == NULL || (p->text = strdup(text)) == NULL) {
        free(p);
        return NULL;
    }
    p->len = n;
    job_queue_init(&p->waiters);
    p->next = *bucket;
    *bucket = p;
    return p;
}

static void cql_prep_forget_id(cql_prep *p)
{
    free(p->id);
    p->id = NULL;
    p->id_len = 0;
}

/* Fail every request waiting for p's id. */
static void cql_prep_fail_waiters(cql_prep *p, int status, const cql_response *resp)
{
    job_link *l;

    while ((l = job_queue_pop(&p->waiters)) != NULL) {
        cql_req *req = job_queue_entry(l, cql_req, link);
        req->queued = QUEUED_NONE;
        cql_req_finish(req, status, resp);
    }
}

/* --- sending --------------------------------------------------------------- */

static void cql_watch(cql_client *c, int mask)
{
    if (c->fd < 0)
        return;
    if (c->mask & ~mask)
        loop_del_file(c->l, c->fd, c->mask & ~mask);
    if ((mask & ~c->mask) && loop_add_file(c->l, c->fd, mask & ~c->mask, cql_on_io, c) != LOOP_OK) {
        cql_conn_failed(c, "cannot watch the cql socket");
        return;
    }
    c->mask = mask;
}

/* Build req's frame on a fresh stream id and queue it for writing. Waits
 * in c->waiting if the handshake is not done or no id is free. */
static void cql_send(cql_client *c, cql_req *req)
{
    int32_t id;
    int rc = CQL_ERR;
    int internal = req->kind == REQ_STARTUP || req->kind == REQ_USE;

    if (c->fd < 0 || (c->state != CQL_CLIENT_READY && !internal) || (id = cql_streams_alloc(&c->streams, req)) < 0) {
        req->queued = QUEUED_WAITING;
        job_queue_push(&c->waiting, &req->link);
        return;
    }
    req->stream = id;
    cql_buf_reset(&c->scratch);
    switch (req->kind) {
    case REQ_STARTUP: rc = cql_request_startup(&c->scratch, (int16_t)id); break;
    case REQ_USE:
    case REQ_QUERY:
        rc = cql_request_query(&c->scratch, (int16_t)id, cql_slice_from_cstr(req->text), &req->params);
        break;
    case REQ_PREPARE:
        rc = cql_request_prepare(&c->scratch, (int16_t)id, cql_slice_make(req->prep->text, req->prep->len));
        c->prepares++;
        break;
    case REQ_EXECUTE:
        assert(req->prep->id != NULL);
        rc = cql_request_execute(&c->scratch, (int16_t)id, cql_slice_make(req->prep->id, req->prep->id_len),
                                 &req->params);
        break;
    }
    if (rc != CQL_OK) {
        /* the request itself is bad (a value too long, say): only it fails */
        cql_streams_release(&c->streams, id);
        req->stream = -1;
        cql_set_err(c, c->scratch.err.code == CQL_ERR_NOMEM ? CQL_CLIENT_ENOMEM : CQL_CLIENT_EARG, c->scratch.err.msg);
        if (req->kind == REQ_PREPARE) {
            req->prep->preparing = 0;
            cql_prep_fail_waiters(req->prep, c->err, NULL);
        }
        cql_req_finish(req, c->err, NULL);
        return;
    }
    cql_buf_put_raw(&c->out, c->scratch.data, c->scratch.len);
    if (cql_buf_failed(&c->out)) {
        cql_conn_failed(c, "out of memory for the cql send buffer");
        return;
    }
    cql_watch(c, c->mask | LOOP_WRITABLE);
}

/* EXECUTE now if the id is known; else wait for it (preparing once). */
static void cql_run_execute(cql_client *c, cql_req *req)
{
    cql_prep *p = req->prep;
    cql_req *prep_req;

    if (p->id != NULL) {
        cql_send(c, req);
        return;
    }
    req->queued = QUEUED_PREP;
    job_queue_push(&p->waiters, &req->link);
    if (p->preparing)
        return;
    prep_req = cql_req_new(c, REQ_PREPARE);
    if (prep_req == NULL) {
        cql_set_err(c, CQL_CLIENT_ENOMEM, NULL);
        cql_prep_fail_waiters(p, CQL_CLIENT_ENOMEM, NULL);
        return;
    }
    prep_req->prep = p;
    p->preparing = 1;
    cql_send(c, prep_req);
}

static void cql_run(cql_client *c, cql_req *req)
{
    if (req->kind == REQ_EXECUTE)
        cql_run_execute(c, req);
    else
        cql_send(c, req);
}

/* Send what waits, as far as the handshake and free ids allow. */
static void cql_dispatch(cql_client *c)
{
    job_link *l;

    while (c->state == CQL_CLIENT_READY && c->fd >= 0 && c->streams.nfree > 0 &&
           (l = job_queue_pop(&c->waiting)) != NULL) {
        cql_req *req = job_queue_entry(l, cql_req, link);
        req->queued = QUEUED_NONE;
        cql_run(c, req);
    }
}

static void cql_flush(cql_client *c)
{
    while (c->out_sent < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_sent += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            cql_watch(c, c->mask | LOOP_WRITABLE);
            return;
        } else if (n < 0 && errno != EINTR) {
            char msg[128];
            snprintf(msg, sizeof(msg), "cql send: %s", strerror(errno));
            cql_conn_failed(c, msg);
            return;
        }
    }
    cql_buf_reset(&c->out);
    c->out_sent = 0;
    cql_watch(c, c->mask & ~LOOP_WRITABLE);
}

/* --- connection ------------------------------------------------------------ */

/* Fail everything on the wire and in the waiting queue; close; retry later. */
static void cql_conn_failed(cql_client *c, const char *why)
{
    job_link *l;
    int status;

    cql_set_err(c, CQL_CLIENT_EDISCONNECTED, why);
    if (c->fd >= 0) {
        loop_del_file(c->l, c->fd, LOOP_READABLE | LOOP_WRITABLE);
        close(c->fd);
    }
    c->fd = -1;
    /* The next attempt goes to the next contact point. */
    if (c->n_addrs > 1) {
        c->cur = (c->cur + 1) % c->n_addrs;
        c->addr = c->addrs[c->cur];
        c->addrlen = c->addrlens[c->cur];
        c->failovers++;
    }
    c->mask = LOOP_NONE;
    c->tcp_connected = 0;
    c->state = CQL_CLIENT_WAITING;
    cql_buf_reset(&c->out);
    c->out_sent = 0;
    c->in_len = 0;
    loop_timer_stop(c->l, &c->timer);
    status = c->freeing ? CQL_CLIENT_ECLOSED : CQL_CLIENT_EDISCONNECTED;
    for (int32_t id = 0; id < c->streams.cap && cql_streams_in_use(&c->streams) > 0; id++) {
        cql_req *req = cql_streams_release(&c->streams, id);
        if (req == NULL)
            continue;
        req->stream = -1;
        if (req->kind == REQ_PREPARE) {
            req->prep->preparing = 0;
            cql_prep_fail_waiters(req->prep, status, NULL);
        }
        cql_req_finish(req, status, NULL);
    }
    while ((l = job_queue_pop(&c->waiting)) != NULL) {
        cql_req *req = job_queue_entry(l, cql_req, link);
        req->queued = QUEUED_NONE;
        if (req->kind == REQ_PREPARE) {
            req->prep->preparing = 0;
            cql_prep_fail_waiters(req->prep, status, NULL);
        }
        cql_req_finish(req, status, NULL);
    }
    if (!c->freeing)
        (void)loop_timer_start(c->l, &c->timer, backoff_next(&c->retry));
}

static void cql_handshake_done(cql_client *c)
{
    c->state = CQL_CLIENT_READY;
    c->connects++;
    backoff_reset(&c->retry);
    loop_timer_stop(c->l, &c->timer);
    cql_dispatch(c);
}

static void cql_connect(cql_client *c)
{
    int one = 1;
    int fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    char msg[128];

    if (fd < 0) {
        snprintf(msg, sizeof(msg), "cql socket: %s", strerror(errno));
        cql_conn_failed(c, msg);
        return;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd = fd;
    c->mask = LOOP_NONE;
    c->state = CQL_CLIENT_CONNECTING;
    if (connect(fd, (struct sockaddr *)&c->addr, c->addrlen) != 0 && errno != EINPROGRESS) {
        snprintf(msg, sizeof(msg), "cql connect: %s", strerror(errno));
        cql_conn_failed(c, msg);
        return;
    }
    (void)loop_timer_start(c->l, &c->timer, c->connect_timeout_ms);
    cql_watch(c, LOOP_WRITABLE);
}

/* The socket became writable during connect: did it work? */
static void cql_connect_done(cql_client *c)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    cql_req *req;
    char msg[128];

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
        snprintf(msg, sizeof(msg), "cql connect: %s", strerror(soerr != 0 ? soerr : errno));
        cql_conn_failed(c, msg);
        return;
    }
    c->tcp_connected = 1;
    cql_watch(c, LOOP_READABLE);
    req = cql_req_new(c, REQ_STARTUP);
    if (req == NULL) {
        cql_conn_failed(c, "out of memory for STARTUP");
        return;
    }
    cql_send(c, req);
}

static void cql_on_timer(loop *l, loop_timer *t)
{
    cql_client *c = t->data;

    (void)l;
    cql_enter(c);
    if (!c->freeing) {
        if (c->state == CQL_CLIENT_CONNECTING)
            cql_conn_failed(c, "timed out connecting to cassandra");
        else if (c->state == CQL_CLIENT_WAITING)
            cql_connect(c);
    }
    cql_leave(c);
}

static void cql_on_kick(loop *l, loop_timer *t)
{
    cql_client *c = t->data;

    (void)l;
    cql_enter(c);
    if (!c->freeing)
        cql_dispatch(c);
    cql_leave(c);
}

/* --- receiving ----------------------------------------------------------- */

/* A handshake step failed: say why from the response, then drop. */
static void cql_handshake_failed(cql_client *c, const cql_response *resp, const char *step)
{
    char msg[CQL_ERRSTR_SIZE];

    if (resp->header.opcode == CQL_OP_ERROR)
        snprintf(msg, sizeof(msg), "%s: %s: %.*s", step, cql_server_error_name(resp->error.code),
                 (int)resp->error.message.len, resp->error.message.base);
    else
        snprintf(msg, sizeof(msg), "%s: unexpected %s (authentication is not supported)", step,
                 cql_opcode_name(resp->header.opcode));
    cql_conn_failed(c, msg);
}

static void cql_on_prepared(cql_client *c, cql_req *req, const cql_response *resp)
{
    cql_prep *p = req->prep;
    job_link *l;

    p->preparing = 0;
    if (resp->header.opcode == CQL_OP_RESULT && resp->result.kind == CQL_RESULT_PREPARED) {
        cql_prep_forget_id(p);
        p->id = malloc(resp->result.prepared.id.len != 0 ? resp->result.prepared.id.len : 1);
        if (p->id == NULL) {
            cql_set_err(c, CQL_CLIENT_ENOMEM, NULL);
            cql_prep_fail_waiters(p, CQL_CLIENT_ENOMEM, NULL);
            return;
        }
        memcpy(p->id, resp->result.prepared.id.base, resp->result.prepared.id.len);
        p->id_len = resp->result.prepared.id.len;
        while (p->id != NULL && (l = job_queue_pop(&p->waiters)) != NULL) {
            cql_req *w = job_queue_entry(l, cql_req, link);
            w->queued = QUEUED_NONE;
            cql_send(c, w);
        }
    } else {
        cql_prep_fail_waiters(p, resp->header.opcode == CQL_OP_ERROR ? CQL_CLIENT_ESERVER : CQL_CLIENT_EDISCONNECTED,
                              resp->header.opcode == CQL_OP_ERROR ? resp : NULL);
    }
}

/* One decoded response: find its request and act. */
static void cql_on_response(cql_client *c, const cql_response *resp)
{
    cql_req *req;
    int is_error = resp->header.opcode == CQL_OP_ERROR;

    if (resp->header.stream < 0)
        return; /* a server event; we never REGISTER, so ignore it */
    req = cql_streams_release(&c->streams, resp->header.stream);
    if (req == NULL) {
        cql_conn_failed(c, "cassandra answered on a stream id not in use");
        return;
    }
    req->stream = -1;
    switch (req->kind) {
    case REQ_STARTUP:
        if (resp->header.opcode != CQL_OP_READY) {
            cql_req_free(req);
            cql_handshake_failed(c, resp, "STARTUP");
            return;
        }
        cql_req_free(req);
        if (c->keyspace == NULL) {
            cql_handshake_done(c);
        } else if ((req = cql_req_new(c, REQ_USE)) == NULL || (req->text = malloc(strlen(c->keyspace) + 8)) == NULL) {
            if (req != NULL)
                cql_req_free(req);
            cql_conn_failed(c, "out of memory for USE");
        } else {
            sprintf(req->text, "USE \"%s\"", c->keyspace);
            cql_send(c, req);
        }
        return;
    case REQ_USE:
        cql_req_free(req);
        if (resp->header.opcode != CQL_OP_RESULT)
            cql_handshake_failed(c, resp, "USE");
        else
            cql_handshake_done(c);
        return;
    case REQ_PREPARE:
        cql_on_prepared(c, req, resp);
        cql_req_free(req);
        return;
    default: break;
    }
    if (req->answered) {
        cql_req_free(req); /* timed out earlier: drop the late answer */
        return;
    }
    if (is_error && resp->error.code == CQL_SERVER_UNPREPARED && req->kind == REQ_EXECUTE && !req->reprepared) {
        /* the server forgot the statement: prepare again, then retry once */
        req->reprepared = 1;
        if (req->prep->id != NULL && resp->error.unprepared_id.len == req->prep->id_len &&
            memcmp(resp->error.unprepared_id.base, req->prep->id, req->prep->id_len) == 0)
            cql_prep_forget_id(req->prep);
        /* else another request re-prepared meanwhile: the cached id is new */
        cql_run_execute(c, req);
        return;
    }
    if (is_error)
        cql_req_finish(req, CQL_CLIENT_ESERVER, resp);
    else if (resp->header.opcode == CQL_OP_RESULT)
        cql_req_finish(req, CQL_CLIENT_ENONE, resp);
    else {
        cql_req_finish(req, CQL_CLIENT_EDISCONNECTED, NULL);
        cql_conn_failed(c, "cassandra answered a request with an unexpected message");
    }
}

/* Decode and dispatch every complete frame in c->in. */
static void cql_process_input(cql_client *c)
{
    size_t off = 0;
    cql_frame frame;
    cql_response resp;
    cql_error err;
    int fd = c->fd;

    while (c->fd == fd && c->fd >= 0) {
        int rc = cql_frame_split(c->in + off, c->in_len - off, c->max_frame, &frame, &err);
        if (rc == CQL_INCOMPLETE)
            break;
        if (rc != CQL_OK) {
            cql_conn_failed(c, err.msg);
            return;
        }
        memset(&resp, 0, sizeof(resp));
        if (cql_response_decode_frame(&resp, &frame, &c->pool) != CQL_OK) {
            char msg[CQL_ERRSTR_SIZE];
            snprintf(msg, sizeof(msg), "undecodable cql response: %.400s", resp.err.msg);
            cql_pool_clear(&c->pool);
            cql_conn_failed(c, msg);
            return;
        }
        off += frame.size;
        cql_on_response(c, &resp);
        cql_pool_clear(&c->pool);
    }
    if (c->fd == fd && c->fd >= 0 && off > 0) {
        memmove(c->in, c->in + off, c->in_len - off);
        c->in_len -= off;
    }
}

static void cql_read(cql_client *c)
{
    char msg[128];

    for (int rounds = 0; rounds < 16; rounds++) {
        ssize_t n;
        /* reading stops after 16 chunks to decode, so the buffer holds at
         * most one frame (bounded by max_frame) plus 1 MiB */
        if (c->in_cap - c->in_len < CQL_CLIENT_READ_CHUNK) {
            size_t cap = c->in_cap != 0 ? c->in_cap * 2 : 2 * CQL_CLIENT_READ_CHUNK;
            uint8_t *in = realloc(c->in, cap);
            if (in == NULL) {
                cql_conn_failed(c, "out of memory for the cql receive buffer");
                return;
            }
            c->in = in;
            c->in_cap = cap;
        }
        n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            if ((size_t)n < CQL_CLIENT_READ_CHUNK)
                break;
        } else if (n == 0) {
            cql_conn_failed(c, c->in_len > 0 ? "cassandra closed the connection in the middle of a frame"
                                             : "cassandra closed the connection");
            return;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            break;
        } else if (errno != EINTR) {
            snprintf(msg, sizeof(msg), "cql recv: %s", strerror(errno));
            cql_conn_failed(c, msg);
            return;
        }
    }
    cql_process_input(c);
}

static void cql_on_io(loop *l, int fd, void *data, int mask)
{
    cql_client *c = data;

    (void)l;
    (void)fd;
    cql_enter(c);
    if (!c->freeing && c->fd >= 0 && (mask & LOOP_WRITABLE)) {
        if (!c->tcp_connected)
            cql_connect_done(c);
        if (c->fd >= 0 && c->tcp_connected)
            cql_flush(c);
    }
    if (!c->freeing && c->fd >= 0 && c->tcp_connected && (mask & LOOP_READABLE))
        cql_read(c);
    if (!c->freeing)
        cql_dispatch(c);
    cql_leave(c);
}

/* --- public ------------------------------------------------------------------ */

static int cql_parse_addr(struct sockaddr_storage *addr, socklen_t *addrlen, const char *host, int port)
{
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;

    memset(addr, 0, sizeof(*addr));
    if (host == NULL || port <= 0 || port > 65535)
        return -1;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        *addrlen = sizeof(*v4);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        *addrlen = sizeof(*v6);
        return 0;
    }
    return -1;
}

/* Every contact point of cfg into c->addrs; the first is in use. */
static int cql_parse_addrs(cql_client *c, const cql_client_config *cfg)
{
    if (cfg->n_more > CQL_CLIENT_MAX_HOSTS - 1 || (cfg->n_more > 0 && cfg->more == NULL))
        return -1;
    if (cql_parse_addr(&c->addrs[0], &c->addrlens[0], cfg->host, cfg->port) != 0)
        return -1;
    for (size_t i = 0; i < cfg->n_more; i++)
        if (cql_parse_addr(&c->addrs[i + 1], &c->addrlens[i + 1], cfg->more[i].host, cfg->more[i].port) != 0)
            return -1;
    c->n_addrs = cfg->n_more + 1;
    c->cur = 0;
    c->addr = c->addrs[0];
    c->addrlen = c->addrlens[0];
    return 0;
}

cql_client *cql_client_new(loop *l, const cql_client_config *cfg)
{
    cql_client *c;

    if (l == NULL || cfg == NULL || cfg->host == NULL || cfg->port <= 0 || cfg->port > 65535 || cfg->max_streams < 0 ||
        cfg->max_streams > CQL_STREAMS_MAX)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    if (cql_parse_addrs(c, cfg) != 0 ||
        cql_streams_init(&c->streams, cfg->max_streams != 0 ? cfg->max_streams : CQL_STREAMS_MAX) != 0 ||
        (cfg->keyspace != NULL && (c->keyspace = strdup(cfg->keyspace)) == NULL)) {
        cql_streams_dispose(&c->streams);
        free(c);
        return NULL;
    }
    c->l = l;
    c->fd = -1;
    c->request_timeout_ms = cfg->request_timeout_ms;
    c->consistency = cfg->consistency != CQL_CONSISTENCY_ANY ? cfg->consistency : CQL_CONSISTENCY_ONE;
    c->connect_timeout_ms = cfg->connect_timeout_ms != 0 ? cfg->connect_timeout_ms : 5000;
    c->max_frame = cfg->max_frame != 0 && cfg->max_frame < CQL_FRAME_MAX_BODY ? cfg->max_frame : CQL_FRAME_MAX_BODY;
    job_queue_init(&c->waiting);
    cql_buf_init(&c->out, 0);
    cql_buf_init(&c->scratch, 0);
    cql_pool_init(&c->pool);
    backoff_init(&c->retry, cfg->reconnect_base_ms != 0 ? cfg->reconnect_base_ms : 50,
                 cfg->reconnect_max_ms != 0 ? cfg->reconnect_max_ms : 5000, (uint64_t)(uintptr_t)c ^ loop_clock_us());
    loop_timer_init(&c->timer, cql_on_timer, c);
    loop_timer_init(&c->kick, cql_on_kick, c);
    c->depth++;
    cql_connect(c);
    c->depth--;
    return c;
}

static int cql_submit(cql_client *c, int kind, const char *text, const cql_query_params *params, cql_client_cb *cb,
                      void *privdata)
{
    cql_req *req;

    if (c->freeing) {
        cql_set_err(c, CQL_CLIENT_ECLOSED, NULL);
        return CQL_CLIENT_ERR;
    }
    if (text == NULL || cb == NULL) {
        cql_set_err(c, CQL_CLIENT_EARG, "a request needs its text and a callback");
        return CQL_CLIENT_ERR;
    }
    if (params != NULL && params->values != NULL &&
        (cql_buf_failed(&params->values->buf) || params->values->depth != 0)) {
        cql_set_err(c, CQL_CLIENT_EARG, "bound values are unfinished or failed");
        return CQL_CLIENT_ERR;
    }
    if (c->state == CQL_CLIENT_WAITING) {
        c->err = CQL_CLIENT_EDISCONNECTED; /* errstr keeps the reason */
        return CQL_CLIENT_ERR;
    }
    req = cql_req_new(c, kind);
    if (req == NULL)
        goto nomem;
    if (params != NULL)
        req->params = *params;
    req->params.values = NULL;
    req->params.paging_state = (cql_slice){NULL, 0};
    if (params != NULL && params->values != NULL && params->values->count > 0) {
        cql_buf_put_raw(&req->values.buf, params->values->buf.data, params->values->buf.len);
        req->values.count = params->values->count;
        if (cql_buf_failed(&req->values.buf))
            goto nomem;
        req->params.values = &req->values;
    }
    if (params != NULL && params->paging_state.base != NULL) {
        req->paging = malloc(params->paging_state.len != 0 ? params->paging_state.len : 1);
        if (req->paging == NULL)
            goto nomem;
        memcpy(req->paging, params->paging_state.base, params->paging_state.len);
        req->params.paging_state = cql_slice_make(req->paging, params->paging_state.len);
    }
    if (kind == REQ_EXECUTE) {
        if ((req->prep = cql_prep_get(c, text)) == NULL)
            goto nomem;
    } else if ((req->text = strdup(text)) == NULL) {
        goto nomem;
    }
    if (c->request_timeout_ms != 0 && loop_timer_start(c->l, &req->timer, c->request_timeout_ms) != LOOP_OK)
        goto nomem;
    if (!loop_timer_active(&c->kick) && loop_timer_start(c->l, &c->kick, 0) != LOOP_OK)
        goto nomem;
    req->cb = cb;
    req->privdata = privdata;
    req->queued = QUEUED_WAITING;
    job_queue_push(&c->waiting, &req->link);
    c->pending++;
    return CQL_CLIENT_OK;
nomem:
    if (req != NULL)
        cql_req_free(req);
    cql_set_err(c, CQL_CLIENT_ENOMEM, NULL);
    return CQL_CLIENT_ERR;
}

int cql_client_query(cql_client *c, const char *cql, const cql_query_params *params, cql_client_cb *cb, void *privdata)
{
    return cql_submit(c, REQ_QUERY, cql, params, cb, privdata);
}

int cql_client_execute(cql_client *c, const char *cql, const cql_query_params *params, cql_client_cb *cb,
                       void *privdata)
{
    return cql_submit(c, REQ_EXECUTE, cql, params, cb, privdata);
}

static void cql_destroy(cql_client *c)
{
    c->depth++; /* callbacks below must not free again */
    loop_timer_stop(c->l, &c->kick);
    cql_conn_failed(c, "cql client closed"); /* fails wire + waiting; freeing: no retry */
    for (int b = 0; b < CQL_CLIENT_PREP_BUCKETS; b++) {
        while (c->prep[b] != NULL) {
            cql_prep *p = c->prep[b];
            c->prep[b] = p->next;
            cql_prep_fail_waiters(p, CQL_CLIENT_ECLOSED, NULL);
            cql_prep_forget_id(p);
            free(p->text);
            free(p);
        }
    }
    loop_timer_stop(c->l, &c->timer);
    c->depth--;
    cql_streams_dispose(&c->streams);
    cql_buf_dispose(&c->out);
    cql_buf_dispose(&c->scratch);
    cql_pool_dispose(&c->pool);
    free(c->in);
    free(c->keyspace);
    free(c);
}

void cql_client_free(cql_client *c)
{
    if (c == NULL || c->freeing)
        return;
    c->freeing = 1;
    cql_enter(c);
    cql_leave(c);
}
