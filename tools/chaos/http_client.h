/* http_client.h: the chaos driver's view of httpclient
 * (lib/http_client/http_client.h): the same blocking keep-alive HTTP/1.1
 * connection, with every failure classified by what it means for the
 * request's fate, because a fault-injection driver must tell "refused"
 * from "sent, fate unknown":
 *
 *   HC_OK           a whole response was read (any status)
 *   HC_ERR_CONNECT  the request never began to leave (no connection, bad
 *                   address, no memory for it): the server did nothing
 *   HC_ERR_IO       the request was (maybe partly) sent and no whole
 *                   response came back (reset, EOF, timeout, malformed or
 *                   oversize answer): the server may or may not have acted
 *
 * Requests carry "User-Agent: feed-chaos", "Accept: application/json",
 * "Content-Type: application/json" with a body, and always a
 * Content-Length. The response is httpclient's: head and body are
 * NUL-terminated and owned by it (hc_response_free). A reused connection
 * that the server closed while idle is reopened before sending, so an
 * idle close is not an HC_ERR_IO.
 */
#ifndef FEED_CHAOS_HTTP_CLIENT_H
#define FEED_CHAOS_HTTP_CLIENT_H

#include <stddef.h>

#include "lib/http_client/http_client.h"

#define HC_OK 0
#define HC_ERR_CONNECT (-1)
#define HC_ERR_IO (-2)

/* One connection; c->errstr says what went wrong, with host:port. */
typedef httpc_conn hc_conn;
typedef httpc_response hc_response;

/* Prepare c for host:port (no connection yet). host is a dotted IPv4
 * address or "localhost"; timeout_ms bounds each connect, send and read
 * (<= 0: 10 s). */
void hc_init(hc_conn *c, const char *host, int port, int timeout_ms);

/* Parse "http://host:port" (a trailing path is ignored) into host/port.
 * 0, or -1 when malformed. */
int hc_parse_url(const char *url, char *host, size_t hostlen, int *port);

/* Close the connection and free the buffer; c can be used again. */
void hc_close(hc_conn *c);

/* Send one request and read its response. headers: extra header lines,
 * each ending in "\r\n" (NULL for none); body may be NULL. On HC_OK the
 * caller owns *r (hc_response_free). On an error the connection is closed
 * and c->errstr says why. */
int hc_request(hc_conn *c, const char *method, const char *path, const char *headers, const char *body, size_t body_len,
               hc_response *r);

/* A response header's value copied into out ("" when absent). */
const char *hc_header(const hc_response *r, const char *name, char *out, size_t outlen);

void hc_response_free(hc_response *r);

#endif
