/* bench_http.h: one HTTP/1.1 request per connection, for the Flink REST
 * API, over httpclient (lib/http_client/http_client.h).
 *
 * "Connection: close" and "Accept: application/json" on every request;
 * the response is read by httpclient (Content-Length, chunked or up to
 * the close) within timeout_ms for the whole exchange, so a stalled
 * server costs a benchmark at most that. Enough for Flink's JSON answers
 * on 127.0.0.1; no redirects, no TLS, no keep-alive.
 *
 * Ownership: *body is malloc'd, NUL-terminated, and the caller's to free.
 */
#ifndef BENCH_HTTP_H
#define BENCH_HTTP_H

#include <stddef.h>

/* GET path from host:port (a dotted IPv4 address), within timeout_ms for
 * the whole exchange. 0 with *status, *body and *body_len (without the
 * terminator), or -1 with the reason in err and *body NULL. */
int bench_http_get(const char *host, int port, const char *path, int timeout_ms, int *status, char **body,
                   size_t *body_len, char *err, size_t errlen);

/* method (e.g. "POST") with an optional JSON body (NULL: none), as
 * bench_http_get. */
int bench_http_request(const char *host, int port, const char *method, const char *path, const char *json,
                       int timeout_ms, int *status, char **body, size_t *body_len, char *err, size_t errlen);

#endif
