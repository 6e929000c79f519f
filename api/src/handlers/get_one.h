/* get_one.h: the GET-by-id endpoints' one shape (a user, a post).
 *
 * One read-only statement with $1 = the path's id, whose single column
 * is the answer's JSON, rendered by PostgreSQL (resource_sql.h); no row,
 * or a NULL, is a 404.
 */
#ifndef API_HANDLERS_GET_ONE_H
#define API_HANDLERS_GET_ONE_H

#include "api/src/server/request.h"

typedef struct get_one_spec {
    const char *sql;
    const char *missing_code; /* the 404's code and message */
    const char *missing_message;
} get_one_spec;

/* Run spec (static: it must outlive the request) for req; answers req. */
void get_one_run(http_request *req, const get_one_spec *spec);

#endif
