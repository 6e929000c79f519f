/* request.h: what a handler sees of a request, and how it answers.
 *
 * A handler is called with a request and must answer it exactly once,
 * with one of the http_request_respond* calls, either before it returns
 * or later from any callback on the same worker thread (a database reply,
 * a timer). The request, its message slices, its parameters and its pool
 * stay valid until that call; the call frees them, so the handler must
 * not touch req afterwards.
 *
 * The connection may go away while a handler is still working (the peer
 * reset it, the request timed out and got its 503, the server was shut
 * down). The request is then "abandoned": it stays valid, its answer is
 * dropped and the connection's memory is freed only once the handler
 * has answered, hiredis's deferred-free discipline. A handler that does
 * slow work can check http_request_abandoned to skip it.
 *
 * Every call here must come from the worker thread that owns the request.
 */
#ifndef API_SERVER_REQUEST_H
#define API_SERVER_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/pool.h"
#include "api/src/base/slice.h"
#include "api/src/http/http_parser.h"

typedef struct http_request http_request;

/* The parsed request: method, raw path and query, headers, body. Its
 * slices point into the connection's read buffer. */
const http_message *http_request_message(const http_request *req);

slice http_request_method(const http_request *req);
slice http_request_path(const http_request *req);  /* raw, percent-encoded */
slice http_request_query(const http_request *req); /* raw, see http_uri.h */
slice http_request_body(const http_request *req);
slice http_request_header(const http_request *req, const char *name);

/* A decoded path parameter of the matched route ("id" for
 * /v1/users/{id}); NULL base if the route has no such parameter. */
slice http_request_param(const http_request *req, const char *name);

/* Unique per process; also sent back as X-Request-Id and logged. */
uint64_t http_request_id(const http_request *req);

/* Memory freed with the request. */
pool *http_request_pool(http_request *req);

/* The worker's context pointer given to server_init (per-thread clients
 * and state live there). NULL once the server is gone. */
void *http_request_context(const http_request *req);

/* 1 when the answer will be dropped (see above). */
int http_request_abandoned(const http_request *req);

/* An extra response header, e.g. {"Retry-After", "1"}. */
typedef struct http_request_header_out {
    const char *name;
    const char *value;
} http_request_header_out;

/* Answer. body is copied; content_type may be NULL for no body type.
 * Returns 0 when the answer was queued for the peer, -1 when it was
 * dropped (request abandoned, or the answer could not be formatted:
 * then a 500 is sent instead, or the connection closed). Either way the
 * request is finished and freed. */
int http_request_respond(http_request *req, int status, const char *content_type, slice body);

/* The same with extra headers. */
int http_request_respond_headers(http_request *req, int status, const char *content_type, slice body,
                                 const http_request_header_out *headers, size_t num_headers);

/* application/json shorthand. */
int http_request_respond_json(http_request *req, int status, slice json);

/* An error: {"error":{"code":code,"message":message}}, JSON-escaped.
 * code NULL picks the standard name for status (http_status.h). */
int http_request_respond_error(http_request *req, int status, const char *code, const char *message);

/* An error with extra headers (Allow for a 405, Retry-After for a 429). */
int http_request_respond_error_headers(http_request *req, int status, const char *code, const char *message,
                                       const http_request_header_out *headers, size_t num_headers);

/* ---- streamed answers (Server-Sent Events) ---------------------------
 *
 * A stream is an answer whose body is written piece by piece for as long
 * as the handler likes: http_request_stream_start sends the status line
 * and headers (no Content-Length, "Connection: close": the body ends
 * when the connection does), http_request_stream_write appends to the
 * connection's output and sends what the socket takes, and
 * http_request_stream_end finishes the request (the connection closes
 * once the output is sent). Between start and end the request stays
 * live, with no handler deadline; a peer that reads nothing for
 * write_timeout_ms is dropped as for any answer.
 *
 * The output of a stream is bounded: a write that would leave more than
 * max_buffered bytes waiting for the peer is refused (-1) when the peer
 * has taken nothing for the server's stream_stall_ms (since the output
 * last moved or began to wait), and always when it would leave more than
 * CONN_STREAM_HARD_FACTOR times max_buffered; the connection is then
 * closed at once, and what was queued is thrown away. So a client that
 * keeps reading survives a burst over the bound, and one that stops
 * reading costs at most the hard cap (plus the socket's send buffer,
 * which stream_start sets to the bound) for at most the stall time
 * after the next write (a stream's heartbeat is one), or the write
 * timeout, and never slows the worker or other clients.
 *
 * The end of a stream is always the handler's call to
 * http_request_stream_end, exactly once, after which req is gone:
 *   - after a write returned -1 (bound passed, connection gone);
 *   - after on_close(req, data) ran: the connection ended first (peer
 *     closed or reset, stalled writes, the server draining or aborting).
 *     on_close runs from the connection's own callbacks, never from
 *     inside http_request_stream_write; stream_end may be called from
 *     inside it.
 */
typedef void http_stream_close_cb(http_request *req, void *data);

#define CONN_STREAM_HARD_FACTOR 4 /* a stream's unsent output never passes this many bounds */

/* Start streaming. 0; or -1 (the request was abandoned, or the head
 * could not be formatted: a 500 or nothing was sent) and the request is
 * finished and freed as by http_request_respond, on_close never runs. */
int http_request_stream_start(http_request *req, int status, const char *content_type,
                              const http_request_header_out *headers, size_t num_headers, size_t max_buffered,
                              http_stream_close_cb *on_close, void *data);

/* Append data to the stream and send what the socket takes now. 0, or
 * -1: the stream is over (see above) and nothing was queued. */
int http_request_stream_write(http_request *req, slice data);

/* Bytes queued for the peer and not yet sent. */
size_t http_request_stream_pending(const http_request *req);

/* Finish the stream: the connection closes after sending what is queued
 * (nothing more when the stream ended on an error). Frees req. */
void http_request_stream_end(http_request *req);

#endif
