/* routes.c: feed-api's route table. */
#include "api/src/app/routes.h"

#include "api/src/handlers/handlers.h"
#include "api/src/handlers/ops.h"

int app_routes_register(router *r)
{
    if (handlers_ops_register(r) != 0) /* /healthz, /readyz, /metrics */
        return -1;
    if (handlers_write_register(r) != 0)
        return -1;
    if (handlers_feeds_register(r) != 0)
        return -1;
    if (handlers_streams_register(r) != 0)
        return -1;
    return 0;
}
