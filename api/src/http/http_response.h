/* http_response.h: serialise a response (status line, headers, body)
 * into a connection's output buffer.
 *
 * The writer only formats; sending, partial writes and back-pressure are
 * the connection's business (server/conn.c). Everything is appended in
 * one go or not at all: on failure the buffer is rolled back, so a
 * half-written response can never reach the wire.
 *
 * Always "HTTP/1.1" in the status line, as RFC 9110 asks of a 1.1 server
 * even when answering a 1.0 client.
 */
#ifndef API_HTTP_HTTP_RESPONSE_H
#define API_HTTP_HTTP_RESPONSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "api/src/base/buf.h"
#include "api/src/base/slice.h"
#include "api/src/http/http_parser.h"

#define HTTP_DATE_LEN 29 /* "Sun, 06 Nov 1994 08:49:37 GMT" */

typedef struct http_response {
    int status;
    slice content_type;         /* empty: no Content-Type header */
    slice body;                 /* not owned; copied into the buffer */
    const http_header *headers; /* extra headers (Allow, ...), not owned */
    size_t num_headers;
    int keep_alive;          /* 0: "Connection: close" */
    int announce_keep_alive; /* 1: "Connection: keep-alive" (HTTP/1.0 peers) */
    int head_only;           /* HEAD: Content-Length of body, but no body */
    int streamed;            /* the body follows later, until the close:
                                    no Content-Length (keep_alive must be 0) */
    const char *date;        /* HTTP_DATE_LEN chars, or NULL for no Date */
    uint64_t request_id;     /* X-Request-Id when not 0 */
} http_response;

/* Append the whole response to out. 0; or -1 with out unchanged and
 * errno EINVAL (a CR, LF or NUL in a header name or value: refused, so
 * that no caller can inject headers), EMSGSIZE or ENOMEM. 1xx, 204 and
 * 304 responses get neither Content-Length nor body. */
int http_response_write(buf *out, const http_response *r);

/* Append "HTTP/1.1 100 Continue" and the blank line. */
int http_response_write_continue(buf *out);

/* Format t as an IMF-fixdate into out (HTTP_DATE_LEN + 1 bytes). */
void http_date_format(time_t t, char *out);

#endif
