/* health.c: the liveness endpoint. */
#include "api/src/app/health.h"

void health_handle(http_request *req, void *data)
{
    (void)data;
    http_request_respond_json(req, 200, SLICE_LIT("{\"status\":\"ok\"}"));
}
