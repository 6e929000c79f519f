/* bench_cql.c: prepared reads and unlogged batch writes over cql_conn. */
#include "bench/bench_cql.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

int bench_cql_open(cql_conn *c, const bench_addr *a)
{
    cql_conn_init(c, 0);
    if (cql_conn_connect(c, a->host, (uint16_t)a->port, 5000, 30000) != CQL_OK)
        return -1;
    return cql_conn_startup(c) == CQL_OK ? 0 : -1;
}

int bench_cql_run(cql_conn *c, const char *query)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;

    return cql_conn_query(c, cql_slice_from_cstr(query), &p, &resp) == CQL_OK ? 0 : -1;
}

int bench_cql_prepare(cql_conn *c, const char *query, bench_prep *out)
{
    cql_response resp;

    if (cql_conn_prepare(c, cql_slice_from_cstr(query), &resp) != CQL_OK)
        return -1;
    if (resp.result.kind != CQL_RESULT_PREPARED || resp.result.prepared.id.len > sizeof out->id) {
        cql_error_set(&c->err, CQL_ERR_PROTOCOL, "PREPARE of %.60s: no usable id", query);
        return -1;
    }
    memcpy(out->id, resp.result.prepared.id.base, resp.result.prepared.id.len);
    out->len = resp.result.prepared.id.len;
    return 0;
}

int bench_cql_count(cql_conn *c, const char *table, int64_t user, int64_t *n)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    cql_row_iter it;
    cql_value v[1];
    char q[160];

    snprintf(q, sizeof q, "SELECT count(*) FROM feed.%s WHERE user_id = %lld", table, (long long)user);
    if (cql_conn_query(c, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
        return -1;
    cql_row_iter_init(&it, &resp.result.rows);
    if (resp.result.kind != CQL_RESULT_ROWS || cql_row_iter_next(&it, v, 1) != 1 ||
        cql_value_as_int64(&v[0], n, &c->err) != CQL_OK) {
        if (c->err.code == CQL_ERR_NONE)
            cql_error_set(&c->err, CQL_ERR_PROTOCOL, "%s: no count", q);
        return -1;
    }
    return 0;
}

int bench_cql_setting(cql_conn *c, const char *name, char *out, size_t len)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    cql_row_iter it;
    cql_value v[1];
    cql_slice text;
    char q[160];

    snprintf(q, sizeof q, "SELECT value FROM system_views.settings WHERE name = '%s'", name);
    if (cql_conn_query(c, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
        return -1;
    cql_row_iter_init(&it, &resp.result.rows);
    if (resp.result.kind != CQL_RESULT_ROWS || cql_row_iter_next(&it, v, 1) != 1 ||
        cql_value_as_text(&v[0], &text, &c->err) != CQL_OK) {
        if (c->err.code == CQL_ERR_NONE)
            cql_error_set(&c->err, CQL_ERR_PROTOCOL, "no setting %s", name);
        return -1;
    }
    snprintf(out, len, "%.*s", (int)text.len, text.base);
    return 0;
}

int bench_cql_home_has(cql_conn *c, const bench_prep *p, int64_t user, int64_t ts_us, const char *activity_id,
                       int *found)
{
    cql_values vals;
    cql_query_params qp = {.consistency = CQL_CONSISTENCY_ONE, .skip_metadata = 0};
    cql_response resp;
    int rc;

    cql_values_init(&vals);
    cql_values_add_int64(&vals, user);
    cql_values_add_int64(&vals, ts_us);
    cql_values_add_text(&vals, cql_slice_from_cstr(activity_id));
    qp.values = &vals;
    rc = cql_conn_execute(c, cql_slice_make(p->id, p->len), &qp, &resp);
    cql_values_dispose(&vals);
    if (rc != CQL_OK)
        return -1;
    *found = resp.result.kind == CQL_RESULT_ROWS && resp.result.rows.row_count > 0;
    return 0;
}

int bench_cql_home_since(cql_conn *c, const bench_prep *p, int64_t user, int64_t since, bench_cql_row_fn fn, void *arg)
{
    cql_values vals;
    cql_query_params qp = {.consistency = CQL_CONSISTENCY_ONE, .page_size = 5000};
    cql_response resp;
    cql_row_iter it;
    cql_value v[2];
    int rc;

    cql_values_init(&vals);
    cql_values_add_int64(&vals, user);
    cql_values_add_int64(&vals, since);
    qp.values = &vals;
    rc = cql_conn_execute(c, cql_slice_make(p->id, p->len), &qp, &resp);
    cql_values_dispose(&vals);
    if (rc != CQL_OK)
        return -1;
    if (resp.result.kind != CQL_RESULT_ROWS) {
        cql_error_set(&c->err, CQL_ERR_PROTOCOL, "home_since: not rows");
        return -1;
    }
    cql_row_iter_init(&it, &resp.result.rows);
    while (cql_row_iter_next(&it, v, 2) == 1) {
        int64_t ts;
        cql_slice id;
        if (cql_value_as_int64(&v[0], &ts, &c->err) != CQL_OK || cql_value_as_text(&v[1], &id, &c->err) != CQL_OK)
            return -1;
        fn(arg, ts, id);
    }
    return 0;
}

static void bench_cql_bind_row(cql_values *v, int with_actor, const bench_feed_row *r);

/* Build the batch frame into c->out on stream. */
static int bench_cql_build_batch(cql_conn *c, int16_t stream, const bench_prep *p, int with_actor,
                                 const bench_feed_row *rows, size_t n)
{
    cql_batch_stmt stmts[128];
    cql_values vals[128];
    cql_query_params qp = {.consistency = CQL_CONSISTENCY_LOCAL_QUORUM};
    int built;

    if (n == 0 || n > 128)
        return cql_error_set(&c->err, CQL_ERR_ARG, "batch of %zu rows (1..128)", n);
    for (size_t i = 0; i < n; i++) {
        bench_cql_bind_row(&vals[i], with_actor, &rows[i]);
        stmts[i].query = cql_slice_make(NULL, 0);
        stmts[i].prepared_id = cql_slice_make(p->id, p->len);
        stmts[i].values = &vals[i];
    }
    cql_buf_reset(&c->out);
    built = cql_request_batch(&c->out, stream, CQL_BATCH_UNLOGGED, stmts, (uint16_t)n, &qp);
    for (size_t i = 0; i < n; i++)
        cql_values_dispose(&vals[i]);
    if (built != CQL_OK)
        return cql_error_set(&c->err, c->out.err.code, "building a batch: %s", c->out.err.msg);
    return CQL_OK;
}

/* Bind one feed row's values as bench_cql_batch describes. */
static void bench_cql_bind_row(cql_values *v, int with_actor, const bench_feed_row *r)
{
    cql_values_init(v);
    cql_values_add_int64(v, r->user_id);
    cql_values_add_int64(v, r->ts_us);
    cql_values_add_text(v, cql_slice_from_cstr(r->activity_id));
    if (with_actor)
        cql_values_add_int64(v, r->actor_id);
    cql_values_add_int64(v, r->write_ts);
}

/* Write c->out whole to the socket. 0 or -1 (c->err). */
static int bench_cql_write_out(cql_conn *c)
{
    size_t sent = 0;

    while (sent < c->out.len) {
        ssize_t w = send(c->fd, c->out.data + sent, c->out.len - sent, MSG_NOSIGNAL);
        if (w > 0) {
            sent += (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {c->fd, POLLOUT, 0};
            if (poll(&pfd, 1, c->io_timeout_ms) == 0)
                return cql_error_set(&c->err, CQL_ERR_TIMEOUT, "send timed out");
        } else if (w < 0 && errno != EINTR) {
            return cql_error_set(&c->err, CQL_ERR_IO, "send: %s", strerror(errno));
        }
    }
    return 0;
}

int bench_cql_pipe_send(cql_conn *c, int16_t stream, const bench_prep *p, int with_actor, const bench_feed_row *rows,
                        size_t n)
{
    if (bench_cql_build_batch(c, stream, p, with_actor, rows, n) != CQL_OK)
        return -1;
    return bench_cql_write_out(c);
}

int bench_cql_pipe_send_row(cql_conn *c, int16_t stream, const bench_prep *p, int with_actor, const bench_feed_row *row)
{
    cql_values vals;
    cql_query_params qp = {.consistency = CQL_CONSISTENCY_LOCAL_QUORUM};
    int built;

    bench_cql_bind_row(&vals, with_actor, row);
    qp.values = &vals;
    cql_buf_reset(&c->out);
    built = cql_request_execute(&c->out, stream, cql_slice_make(p->id, p->len), &qp);
    cql_values_dispose(&vals);
    if (built != CQL_OK)
        return cql_error_set(&c->err, c->out.err.code, "building an EXECUTE: %s", c->out.err.msg);
    return bench_cql_write_out(c);
}

int bench_cql_pipe_recv(cql_conn *c, int16_t *stream)
{
    cql_frame frame;
    int rc;

    if (c->in_used > 0) {
        /* the last round trip's response: done with */
        memmove(c->in, c->in + c->in_used, c->in_len - c->in_used);
        c->in_len -= c->in_used;
        c->in_used = 0;
    }
    for (;;) {
        rc = cql_frame_split(c->in, c->in_len, c->max_body, &frame, &c->err);
        if (rc == CQL_ERR)
            return -1;
        if (rc == CQL_OK) {
            int err = frame.header.opcode == CQL_OP_ERROR;
            if (err) {
                cql_response resp;
                cql_pool_clear(&c->pool);
                if (cql_response_decode_frame(&resp, &frame, &c->pool) == CQL_OK)
                    cql_error_set(&c->err, CQL_ERR_SERVER, "%.*s", (int)resp.error.message.len,
                                  resp.error.message.base);
                else
                    cql_error_set(&c->err, CQL_ERR_SERVER, "an ERROR response");
            }
            *stream = frame.header.stream;
            memmove(c->in, c->in + frame.size, c->in_len - frame.size);
            c->in_len -= frame.size;
            if (*stream < 0)
                continue; /* a server event */
            return err ? -1 : 0;
        }
        if (c->in_cap - c->in_len < 65536) {
            size_t cap = c->in_cap ? c->in_cap * 2 : 262144;
            uint8_t *in;
            while (cap - c->in_len < 65536 || cap < frame.size)
                cap *= 2;
            in = realloc(c->in, cap);
            if (in == NULL)
                return cql_error_set(&c->err, CQL_ERR_NOMEM, "out of memory");
            c->in = in;
            c->in_cap = cap;
        }
        ssize_t got = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (got > 0) {
            c->in_len += (size_t)got;
        } else if (got == 0) {
            return cql_error_set(&c->err, CQL_ERR_IO, "connection closed by the server");
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            struct pollfd pfd = {c->fd, POLLIN, 0};
            if (poll(&pfd, 1, c->io_timeout_ms) == 0)
                return cql_error_set(&c->err, CQL_ERR_TIMEOUT, "no response within %d ms", c->io_timeout_ms);
        } else if (errno != EINTR) {
            return cql_error_set(&c->err, CQL_ERR_IO, "recv: %s", strerror(errno));
        }
    }
}

int bench_cql_batch(cql_conn *c, const bench_prep *p, int with_actor, const bench_feed_row *rows, size_t n)
{
    cql_response resp;

    if (bench_cql_build_batch(c, cql_conn_next_stream(c), p, with_actor, rows, n) != CQL_OK)
        return -1;
    return cql_conn_roundtrip(c, &resp) == CQL_OK ? 0 : -1;
}
