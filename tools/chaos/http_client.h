/* http_client.h: a small blocking HTTP/1.1 client for tools and tests.
 *
 * One hc_conn is one keep-alive connection to one host:port, used by one
 * thread. Unlike api/tests/support/test_client.h (which fails the running
 * cmocka test on any error and reads by a fixed buffer), every failure
 * here is returned to the caller, classified by what it means for the
 * request's fate, because a fault-injection driver must tell "refused"
 * from "sent, fate unknown":
 *
 *   HC_OK           a whole response was read (any status)
 *   HC_ERR_CONNECT  no connection could be made: the request was never
 *                   sent, so the server did nothing
 *   HC_ERR_IO       the request was (maybe partly) sent and no whole
 *                   response came back (reset, EOF, timeout): the server
 *                   may or may not have acted on it
 *
 * Responses are read by Content-Length or chunked transfer coding; the
 * body is NUL-terminated and owned by the response (hc_response_free).
 * A reused connection that the server closed while idle is detected
 * before sending and reopened, so an idle close is not an HC_ERR_IO.
 */
#ifndef FEED_CHAOS_HTTP_CLIENT_H
#define FEED_CHAOS_HTTP_CLIENT_H

#include <stddef.h>

#define HC_OK 0
#define HC_ERR_CONNECT (-1)
#define HC_ERR_IO (-2)

typedef struct hc_conn {
    char host[64];
    int port;
    int timeout_ms; /* per connect, per send and per read */
    int fd;         /* -1 when closed */
    char *buf;      /* bytes received past the last response */
    size_t len, cap;
    char err[160];  /* what went wrong, for messages */
} hc_conn;

typedef struct hc_response {
    int status;
    char *head; /* status line and headers, NUL-terminated, owned */
    char *body; /* NUL-terminated, owned */
    size_t body_len;
} hc_response;

/* Prepare c for host:port (no connection yet). host is a dotted IPv4
 * address or "localhost". */
void hc_init(hc_conn *c, const char *host, int port, int timeout_ms);

/* Parse "http://host:port" (a trailing path is ignored) into host/port.
 * 0, or -1 when malformed. */
int hc_parse_url(const char *url, char *host, size_t hostlen, int *port);

/* Close the connection and free the buffer; c can be used again. */
void hc_close(hc_conn *c);

/* Send one request and read its response. headers: extra header lines,
 * each ending in "\r\n" (NULL for none); body may be NULL. On HC_OK the
 * caller owns *r (hc_response_free). On an error the connection is closed
 * and c->err says why. */
int hc_request(hc_conn *c, const char *method, const char *path, const char *headers, const char *body,
               size_t body_len, hc_response *r);

/* A response header's value copied into out ("" when absent). */
const char *hc_header(const hc_response *r, const char *name, char *out, size_t outlen);

void hc_response_free(hc_response *r);

/* Parse a response from buf[0..len): 0 and *consumed set when a whole
 * response is there, 1 when more bytes are needed, -1 when malformed.
 * On 0 the caller owns *r. Exposed for the unit tests. */
int hc_parse_response(const char *buf, size_t len, hc_response *r, size_t *consumed);

#endif
