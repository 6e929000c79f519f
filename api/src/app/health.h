/* health.h: GET /healthz.
 *
 * Answers 200 {"status":"ok"} from the worker's event loop: a reply
 * proves the process is alive and that loop turns. It checks no store
 * on purpose: a liveness probe that fails when PostgreSQL is down gets
 * healthy API processes restarted for nothing. Readiness (stores
 * reachable) belongs in a separate endpoint once the clients exist.
 */
#ifndef API_APP_HEALTH_H
#define API_APP_HEALTH_H

#include "api/src/server/request.h"

void health_handle(http_request *req, void *data);

#endif
