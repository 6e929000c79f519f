/* routes.c: feed-api's route table. */
#include "api/src/app/routes.h"

#include "api/src/app/health.h"
#include "api/src/handlers/handlers.h"
#include "api/src/read/handlers_read.h"

int app_routes_register(router *r)
{
    if (router_add(r, "GET", "/healthz", health_handle, NULL) != 0)
        return -1;
    if (handlers_write_register(r) != 0)
        return -1;
    if (handlers_read_register(r) != 0) /* feed reads, /readyz, /metrics */
        return -1;
    return 0;
}
