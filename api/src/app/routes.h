/* routes.h: the table of feed-api's endpoints, in one place.
 *
 * Handlers live in their own files (health.c; feed endpoints later);
 * this only says which method and path reach which of them.
 */
#ifndef API_APP_ROUTES_H
#define API_APP_ROUTES_H

#include "api/src/server/router.h"

/* Register every endpoint on r. 0, or -1 with errno (see router_add). */
int app_routes_register(router *r);

#endif
