/* request_start.h: the first steps every handler of handlers.h takes.
 *
 * The worker (http_request_context), the token's user (401 otherwise,
 * answered by authn_require_user) and, when asked, the path id (400
 * invalid_value otherwise). Ids are also wanted as decimal text, the
 * form PostgreSQL parameters take; rs_ids holds both.
 */
#ifndef API_HANDLERS_REQUEST_START_H
#define API_HANDLERS_REQUEST_START_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/server/request.h"
#include "api/src/wire/api_error.h"

typedef struct rs_ids {
    worker *w;
    int64_t user;       /* the token's user */
    int64_t id;         /* the path's {id}, when asked for */
    char user_text[24]; /* decimal */
    char id_text[24];
} rs_ids;

/* Fill *out for req: worker, token user, and the path parameter
 * id_param when not NULL. 0, or -1 after answering req (401/400/500). */
int rs_start(http_request *req, const char *id_param, rs_ids *out);

/* The same without a token (POST /v1/users): worker and path id. */
int rs_start_public(http_request *req, const char *id_param, rs_ids *out);

/* Answer 204 No Content. */
void rs_no_content(http_request *req);

/* Answer with the error e (its status and JSON body); returns -1. */
int rs_fail(http_request *req, const api_error *e);

#endif
