/* authn.h: who is calling. The acting user of every write (and the
 * owner check of private reads) is the one named by the bearer token:
 *
 *     Authorization: Bearer v1.<user id>.<expiry>.<tag>     (auth/token.h)
 *
 * A missing, malformed, forged or expired token is answered here with
 * 401 {"error":{"code":"unauthorized",...}} and WWW-Authenticate: Bearer,
 * so that handlers only see verified user ids.
 */
#ifndef API_HANDLERS_AUTHN_H
#define API_HANDLERS_AUTHN_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/server/request.h"

/* The verified user of req into *user_id and 0; or -1 after answering
 * req with a 401 (req is then finished: do not touch it). */
int authn_require_user(http_request *req, const worker *w, int64_t *user_id);

/* The same, but a request without an Authorization header may carry the
 * token as ?access_token=<token> (percent-decoded): for the streams, whose
 * browser client, EventSource, cannot set headers. Only where a token in
 * a URL is worth it: URLs end up in proxies' and browsers' histories
 * (feed-api's own access log writes the path without the query). */
int authn_require_user_or_query(http_request *req, const worker *w, int64_t *user_id);

/* The same without answering: TOKEN_OK and *user_id, or a TOKEN_* error
 * (TOKEN_MALFORMED also when the header is missing). */
int authn_user(const http_request *req, const worker *w, int64_t *user_id);

#endif
