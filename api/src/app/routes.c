/* routes.c: feed-api's route table. */
#include "api/src/app/routes.h"

#include "api/src/app/health.h"

int app_routes_register(router *r)
{
    if (router_add(r, "GET", "/healthz", health_handle, NULL) != 0)
        return -1;
    return 0;
}
