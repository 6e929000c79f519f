/* ops.h: the operator's endpoints.
 *
 *   GET /healthz   200 {"status":"ok"} from the worker's event loop: a
 *                  reply proves the process is alive and that loop
 *                  turns. It checks no store on purpose: a liveness
 *                  probe that fails when PostgreSQL is down gets healthy
 *                  API processes restarted for nothing.
 *   GET /readyz    readiness, the stores reachable (readyz.h)
 *   GET /metrics   Prometheus text of the process (app/metrics.h); 503
 *                  unavailable when the worker has no metrics
 */
#ifndef API_HANDLERS_OPS_H
#define API_HANDLERS_OPS_H

#include "api/src/server/request.h"
#include "api/src/server/router.h"

void health_handle(http_request *req, void *data);
void metrics_handle(http_request *req, void *data);

/* Register the three routes above. 0 or -1 (errno). */
int handlers_ops_register(router *r);

#endif
