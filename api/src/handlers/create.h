/* create.h: running a POST (a create) end to end, with its
 * Idempotency-Key.
 *
 * The handler validates the request, then hands the write over as a CTE
 * (see idem_compose_sql) whose relation a(body) is the answer's JSON.
 * create_run then
 *   - checks the Idempotency-Key header if there is one (400
 *     invalid_value, field Idempotency-Key, unless 1..255 printable
 *     ASCII) and digests the request (method, path, body);
 *   - runs [claim key;] write [; release unused claim] as one
 *     transaction (idempotency.h);
 *   - answers 201 with the body, or the empty error when the write made
 *     no row, or the mapped error (store_call.h); on a key already used,
 *     the stored answer with Idempotent-Replayed: true, or 422
 *     idempotency_key_reused when the key was used for another request.
 *
 * Ownership: spec and its strings are read during the call only (the
 * client copies SQL and parameters). req is answered exactly once, now
 * or later.
 */
#ifndef API_HANDLERS_CREATE_H
#define API_HANDLERS_CREATE_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/base/buf.h"
#include "api/src/base/slice.h"
#include "api/src/server/request.h"

#define CREATE_MAX_PARAMS 8

/* Turn the stored answer (a.body) into the body sent: run on the first
 * answer and on every replay alike, so both send the same bytes. For
 * what must not be stored in the database (POST /v1/users derives its
 * token here). Append to out; 0, or -1 (the request gets a 500). */
typedef int create_finish(const worker *w, slice stored, buf *out);

typedef struct create_spec {
    const char *cte;                       /* "WITH w AS (...), a AS (SELECT ... AS body FROM w)" */
    int nparams;                           /* <= CREATE_MAX_PARAMS */
    const char *params[CREATE_MAX_PARAMS]; /* text, $1..$nparams */
    int64_t key_owner;                     /* the token's user; 0 for POST /v1/users */
    int empty_status;                      /* the answer when the write made no row */
    const char *empty_code;
    const char *empty_message;
    create_finish *finish; /* NULL: send the stored answer as it is */
} create_spec;

void create_run(http_request *req, const worker *w, const create_spec *spec);

#endif
