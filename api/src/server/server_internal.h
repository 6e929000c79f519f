/* server_internal.h: what request.c and server.c provide to the rest of
 * the server module (conn.c mostly); not for use outside server/.
 *
 *   request.c   the JSON error body and the access log line of a request
 *   server.c    request ids and the count of open connections
 *
 * The connection's own functions are in conn.h.
 */
#ifndef API_SERVER_SERVER_INTERNAL_H
#define API_SERVER_SERVER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/buf.h"
#include "api/src/server/request.h"
#include "api/src/server/server.h"

/* request.c ------------------------------------------------------------ */

/* Build a JSON error body into out (see http_error.h); code NULL picks
 * the standard name of status. 0 or -1. */
int request_error_body(buf *out, int status, const char *code, const char *message);

/* One access log line for a finished request, or for a refused one
 * (req NULL, id the id its answer carries), and the server_config's
 * on_response hook (called even without the access log). */
void request_log_access(server *s, const http_request *req, uint64_t id, int status, size_t bytes, const char *error);

/* server.c ------------------------------------------------------------- */

/* The next request id of s (X-Request-Id, req_id in the logs). */
uint64_t server_next_request_id(server *s);

/* A connection of s has closed its socket: one fewer open. */
void server_conn_closed(server *s);

#endif
