/* request.c: the handler-facing request API and the answer path.
 *
 * An answer is formatted straight into the connection's output buffer;
 * the body is copied once, there. If formatting fails (a handler passed
 * a header with a CR in it, or memory ran out), the client gets a 500
 * instead, and if even that cannot be queued the connection is closed:
 * a client never waits for an answer that will not come.
 */
#include "api/src/server/request.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "api/src/base/log.h"
#include "api/src/http/http_error.h"
#include "api/src/http/http_status.h"
#include "api/src/server/conn.h"
#include "api/src/server/server_internal.h"

#define REQUEST_MAX_OUT_HEADERS 16

const http_message *http_request_message(const http_request *req)
{
    return &req->msg;
}

slice http_request_method(const http_request *req)
{
    return req->msg.method;
}

slice http_request_path(const http_request *req)
{
    return req->msg.path;
}

slice http_request_query(const http_request *req)
{
    return req->msg.query;
}

slice http_request_body(const http_request *req)
{
    return req->msg.body;
}

slice http_request_header(const http_request *req, const char *name)
{
    return http_message_header(&req->msg, name);
}

slice http_request_param(const http_request *req, const char *name)
{
    return router_match_param(&req->match, name);
}

uint64_t http_request_id(const http_request *req)
{
    return req->id;
}

pool *http_request_pool(http_request *req)
{
    return &req->pool;
}

void *http_request_context(const http_request *req)
{
    return req->conn->srv != NULL ? req->conn->srv->context : NULL;
}

int http_request_abandoned(const http_request *req)
{
    return req->abandoned;
}

int request_error_body(buf *out, int status, const char *code, const char *message)
{
    if (code == NULL)
        code = http_status_error_code(status);
    if (code == NULL)
        code = "error";
    return http_error_body(out, code, message != NULL ? message : http_status_reason(status));
}

void request_log_access(server *s, const http_request *req, uint64_t id, int status, size_t bytes, const char *error)
{
    log_line l;
    uint64_t duration_us = req != NULL ? loop_clock_us() - req->start_us : 0;

    if (s->cfg.on_response != NULL)
        s->cfg.on_response(s->cfg.on_response_data,
                           req != NULL && req->match.route != NULL ? req->match.route->pattern : NULL, status,
                           duration_us);
    if (!s->cfg.access_log)
        return;
    log_begin(&l, LOG_INFO, "access");
    log_uint(&l, "worker", s->cfg.worker_id);
    if (req != NULL) {
        log_uint(&l, "req_id", req->id);
        log_slice(&l, "method", req->msg.method);
        log_slice(&l, "path", req->msg.path);
    } else {
        log_uint(&l, "req_id", id);
        log_str(&l, "method", "-");
        log_str(&l, "path", "-");
    }
    log_int(&l, "status", status);
    log_uint(&l, "bytes", bytes);
    if (req != NULL)
        log_uint(&l, "duration_us", duration_us);
    if (error != NULL)
        log_str(&l, "error", error);
    log_end(&l);
}

/* Last resort when an answer cannot be formatted: a fixed 500. */
static void request_queue_fallback(conn *c, http_request *req)
{
    static const char body[] = "{\"error\":{\"code\":\"internal\",\"message\":\"the answer could not be formatted\"}}";
    http_response r;

    memset(&r, 0, sizeof(r));
    r.status = 500;
    r.content_type = SLICE_LIT("application/json");
    r.body = SLICE_LIT(body);
    r.head_only = req->head_only;
    r.request_id = req->id;
    r.keep_alive = 0;
    c->closing = 1;
    if (conn_queue_response(c, &r) != 0)
        c->want_close = 1;
}

int http_request_respond_headers(http_request *req, int status, const char *content_type, slice body,
                                 const http_request_header_out *headers, size_t num_headers)
{
    conn *c = req->conn;
    http_header extra[REQUEST_MAX_OUT_HEADERS];
    http_response r;
    size_t i;
    int rc = -1;

    assert(req->live);
    if (req->abandoned || c->fd < 0 || c->srv == NULL) {
        conn_request_done(c); /* the answer has nowhere to go */
        return -1;
    }
    memset(&r, 0, sizeof(r));
    r.status = status;
    r.content_type = slice_from_cstr(content_type);
    r.body = body;
    r.keep_alive = req->msg.keep_alive && !c->srv->draining && !c->closing && !c->peer_eof;
    r.announce_keep_alive = req->msg.minor_version == 0;
    r.head_only = req->head_only;
    r.request_id = req->id;
    if (num_headers <= REQUEST_MAX_OUT_HEADERS) {
        for (i = 0; i < num_headers; i++) {
            extra[i].name = slice_from_cstr(headers[i].name);
            extra[i].value = slice_from_cstr(headers[i].value);
        }
        r.headers = extra;
        r.num_headers = num_headers;
        rc = conn_queue_response(c, &r);
    } else {
        errno = EINVAL;
    }
    if (rc != 0) {
        log_line l;
        log_begin(&l, LOG_ERROR, "cannot format an answer");
        log_uint(&l, "req_id", req->id);
        log_int(&l, "status", status);
        log_errno(&l, errno);
        log_end(&l);
        request_queue_fallback(c, req);
        status = 500;
    }
    if (!r.keep_alive)
        c->closing = 1;
    request_log_access(c->srv, req, req->id, status, body.len, NULL);
    conn_request_done(c); /* may free c and req */
    return rc;
}

int http_request_respond(http_request *req, int status, const char *content_type, slice body)
{
    return http_request_respond_headers(req, status, content_type, body, NULL, 0);
}

int http_request_respond_json(http_request *req, int status, slice json)
{
    return http_request_respond_headers(req, status, "application/json", json, NULL, 0);
}

int http_request_respond_error_headers(http_request *req, int status, const char *code, const char *message,
                                       const http_request_header_out *headers, size_t num_headers)
{
    static const char nomem[] = "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
    buf body;
    int rc;

    buf_init(&body, 0);
    if (request_error_body(&body, status, code, message) != 0)
        return http_request_respond_headers(req, 500, "application/json", SLICE_LIT(nomem), NULL, 0);
    rc = http_request_respond_headers(req, status, "application/json", slice_make(body.data, body.len), headers,
                                      num_headers);
    buf_dispose(&body);
    return rc;
}

int http_request_respond_error(http_request *req, int status, const char *code, const char *message)
{
    return http_request_respond_error_headers(req, status, code, message, NULL, 0);
}

/* ---- streams ------------------------------------------------------------ */

int http_request_stream_start(http_request *req, int status, const char *content_type,
                              const http_request_header_out *headers, size_t num_headers, size_t max_buffered,
                              http_stream_close_cb *on_close, void *data)
{
    conn *c = req->conn;
    http_header extra[REQUEST_MAX_OUT_HEADERS];
    http_response r;
    size_t i;
    int sndbuf;

    assert(req->live && !req->streaming && on_close != NULL);
    if (req->abandoned || c->fd < 0 || c->srv == NULL) {
        conn_request_done(c); /* nobody to stream to */
        return -1;
    }
    if (num_headers > REQUEST_MAX_OUT_HEADERS || req->head_only) {
        (void)http_request_respond_error(req, req->head_only ? 405 : 500, NULL,
                                         req->head_only ? "a stream has no HEAD" : "cannot start the stream");
        return -1;
    }
    memset(&r, 0, sizeof(r));
    r.status = status;
    r.content_type = slice_from_cstr(content_type);
    r.keep_alive = 0;
    r.streamed = 1;
    r.request_id = req->id;
    for (i = 0; i < num_headers; i++) {
        extra[i].name = slice_from_cstr(headers[i].name);
        extra[i].value = slice_from_cstr(headers[i].value);
    }
    r.headers = extra;
    r.num_headers = num_headers;
    if (conn_queue_response(c, &r) != 0) {
        c->closing = 1;
        request_queue_fallback(c, req);
        request_log_access(c->srv, req, req->id, 500, 0, "cannot format a stream head");
        conn_request_done(c);
        return -1;
    }
    /* The kernel's share of a slow client is bounded too (Linux doubles
     * the value); a failure only leaves the default. */
    sndbuf = max_buffered > (size_t)1 << 30 ? 1 << 30 : (int)max_buffered;
    (void)setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    req->streaming = 1;
    req->stream_over = 0;
    req->stream_status = status;
    req->stream_max = max_buffered;
    c->out_moved_ms = loop_clock_us() / 1000; /* the stall clock starts with the head */
    req->stream_bytes = 0;
    req->stream_on_close = on_close;
    req->stream_data = data;
    return 0;
}

int http_request_stream_write(http_request *req, slice data)
{
    return conn_stream_write(req->conn, data);
}

size_t http_request_stream_pending(const http_request *req)
{
    return conn_stream_pending(req->conn);
}

void http_request_stream_end(http_request *req)
{
    conn *c = req->conn;

    assert(req->live && req->streaming);
    req->streaming = 0;
    req->stream_over = 1;
    c->closing = 1; /* the body ends with the connection */
    if (c->srv != NULL)
        request_log_access(c->srv, req, req->id, req->stream_status, req->stream_bytes, NULL);
    conn_request_done(c); /* may free c and req */
}
