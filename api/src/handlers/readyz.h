/* readyz.h: GET /readyz, the readiness probe.
 *
 * Checks the three stores of the worker that serves the probe at once,
 * concurrently, each bounded by READYZ_DEADLINE_MS: PostgreSQL SELECT 1,
 * Redis PING, Cassandra SELECT release_version FROM system.local.
 *
 *   200 {"status":"ready","checks":{"postgres":"ok","redis":"ok","cassandra":"ok"}}
 *   503 {"status":"not_ready","checks":{"postgres":"ok","redis":"down: <reason>",...}}
 *
 * The 503 body is this shape, not the API's {"error":{...}} one: a probe
 * wants to see every check (documented in api/README.md). A store that is
 * not configured is "down: not configured". Retry-After: 1 on 503.
 *
 * The probe's state is malloc'd and freed by whichever comes last, the
 * answer (at the deadline or when all three replied) or the last store
 * callback, so late replies are safe.
 */
#ifndef API_HANDLERS_READYZ_H
#define API_HANDLERS_READYZ_H

#include "api/src/server/request.h"

#define READYZ_DEADLINE_MS 1000

void readyz_handle(http_request *req, void *data);

#endif
