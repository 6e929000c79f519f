/* delete.h: the DELETE endpoints' one shape.
 *
 * Each runs one statement in a transaction, with $1 = the path's id and
 * $2 = the token's user, and tells the outcome from its result:
 *   - pair resources (a follow, a like: the row is the user's by its key),
 *     forbidden == NULL: the statement RETURNs the deleted rows; none
 *     means the user had no such row (404 missing_code);
 *   - owned resources (a post, a comment), forbidden != NULL: the
 *     statement returns one row (deleted count, whether the row exists),
 *     so one snapshot tells 204, 403 (someone else's) and 404 apart.
 */
#ifndef API_HANDLERS_DELETE_H
#define API_HANDLERS_DELETE_H

#include "api/src/server/request.h"

typedef struct delete_spec {
    const char *sql;
    const char *forbidden;    /* the 403's message; NULL: a pair resource */
    const char *missing_code; /* the 404's code and message */
    const char *missing_message;
} delete_spec;

/* Run spec (static: it must outlive the request) for req; answers req. */
void delete_run(http_request *req, const delete_spec *spec);

#endif
