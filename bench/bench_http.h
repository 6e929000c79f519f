/* bench_http.h: the smallest HTTP/1.1 GET client, for the Flink REST API.
 *
 * One request per connection ("Connection: close"), the whole response
 * read into memory, then parsed: status line, Content-Length or chunked
 * body. Enough for Flink's JSON answers on 127.0.0.1; not a general
 * client (no redirects, no TLS, no keep-alive). The parser is pure and
 * separate so it can be tested on bytes.
 *
 * Ownership: *body is malloc'd, NUL-terminated, and the caller's to free.
 */
#ifndef BENCH_HTTP_H
#define BENCH_HTTP_H

#include <stddef.h>

/* Parse a complete response raw[0..len). 0 with *status and *body (and
 * *body_len without the terminator), or -1 with a reason in err. */
int bench_http_parse(const char *raw, size_t len, int *status, char **body, size_t *body_len, char *err,
                     size_t errlen);

/* GET path from host:port, within timeout_ms for the whole exchange.
 * 0 or -1 with err, as bench_http_parse. */
int bench_http_get(const char *host, int port, const char *path, int timeout_ms, int *status, char **body,
                   size_t *body_len, char *err, size_t errlen);

/* method (e.g. "POST") with an optional JSON body (NULL: none); the
 * request line, headers and body must fit 1 KiB. */
int bench_http_request(const char *host, int port, const char *method, const char *path, const char *json,
                       int timeout_ms, int *status, char **body, size_t *body_len, char *err, size_t errlen);

#endif
