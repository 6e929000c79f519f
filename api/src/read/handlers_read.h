/* handlers_read.h: the read side of the public API.
 *
 *   GET /v1/users/{id}/home           token user must be {id} (401/403)
 *   GET /v1/users/{id}/profile        public
 *   GET /v1/users/{id}/notifications  token user must be {id}
 *       ?limit&cursor -> 200 {"items":[...],"next_cursor":...|null}
 *   GET /readyz                       app/readyz.h
 *   GET /metrics                      Prometheus text (app/metrics.h)
 *
 * Checks in order: the path id (400 invalid_value), the token (401) and
 * owner (403 forbidden) where private, the query (400 invalid_value /
 * invalid_cursor, page_query.h), then the page (feed_read.h).
 * PostgreSQL is never read: reads go on while it is down.
 */
#ifndef API_READ_HANDLERS_READ_H
#define API_READ_HANDLERS_READ_H

#include "api/src/server/router.h"

/* Register the five routes above. 0 or -1 (errno). */
int handlers_read_register(router *r);

#endif
