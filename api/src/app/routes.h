/* routes.h: the table of feed-api's endpoints, in one place.
 *
 * The endpoints live in handlers/ (handlers.h, ops.h), each folder of
 * them registering its own routes; this only puts them on one router.
 */
#ifndef API_APP_ROUTES_H
#define API_APP_ROUTES_H

#include "api/src/server/router.h"

/* Register every endpoint on r. 0, or -1 with errno (see router_add). */
int app_routes_register(router *r);

#endif
