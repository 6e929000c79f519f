/* ops.c: /healthz, /metrics, and the /readyz route. */
#include "api/src/handlers/ops.h"

#include "api/src/app/metrics.h"
#include "api/src/app/worker.h"
#include "api/src/handlers/readyz.h"

void health_handle(http_request *req, void *data)
{
    (void)data;
    http_request_respond_json(req, 200, SLICE_LIT("{\"status\":\"ok\"}"));
}

void metrics_handle(http_request *req, void *data)
{
    worker *w = http_request_context(req);
    buf body;

    (void)data;
    if (w == NULL || w->metrics == NULL) {
        http_request_respond_error(req, 503, "unavailable", "no metrics in this process");
        return;
    }
    buf_init(&body, 0);
    if (metrics_render(w->metrics, &body) != 0)
        http_request_respond_error(req, 500, "internal", "out of memory");
    else
        http_request_respond(req, 200, "text/plain; version=0.0.4", slice_make(body.data, body.len));
    buf_dispose(&body);
}

int handlers_ops_register(router *r)
{
    if (router_add(r, "GET", "/healthz", health_handle, NULL) != 0 ||
        router_add(r, "GET", "/readyz", readyz_handle, NULL) != 0 ||
        router_add(r, "GET", "/metrics", metrics_handle, NULL) != 0)
        return -1;
    return 0;
}
