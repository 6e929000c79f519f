/* store_call.h: one PostgreSQL request on behalf of an HTTP request,
 * with every failure answered the same way.
 *
 *   PostgreSQL not configured, down (the client refuses at once), timed
 *   out, disconnected, closing        -> 503 store_unavailable (+ Retry-After)
 *   a statement refused by the server -> pg_errors_map: the 4xx it means,
 *                                        503 when retryable, else 500
 *
 * On success the caller's done function gets the statement's result and
 * must answer the request itself. A transaction (tx != 0) wraps the one
 * statement in BEGIN/COMMIT: writes use it, so the pool's connections
 * never hold an implicit transaction open.
 *
 * Ownership: sql and params are copied by the client; data is the
 * caller's and must live until done runs (the request's pool does).
 * done runs at most once, later, on the worker thread; it is not called
 * when the request was answered here.
 */
#ifndef API_HANDLERS_STORE_CALL_H
#define API_HANDLERS_STORE_CALL_H

#include <libpq-fe.h>

#include "api/src/app/worker.h"
#include "api/src/server/request.h"
#include "api/src/store/pg_client.h"

#define STORE_CALL_PG_DOWN "PostgreSQL is unavailable; writes are refused"

typedef void store_call_done(http_request *req, void *data, const PGresult *res);

/* Run sql for req; answers req itself on any failure (see above). */
void store_call(http_request *req, const worker *w, int tx, const char *sql, int nparams, const char *const *params,
                store_call_done *done, void *data);

#define STORE_CALL_PG_UNKNOWN                                                                 \
    "PostgreSQL went away while this write was being committed: it may or may not have been " \
    "applied. Retry with the same Idempotency-Key to get its outcome"

/* Answer req for a reply that failed (status != 0): 503, a mapped 4xx,
 * or 500 (logged). write: the reply is of a write transaction, so a
 * timeout or lost connection after it was sent (reply->sent) is answered
 * 503 outcome_unknown rather than store_unavailable: the COMMIT may have
 * reached the server, and "refused" would be a lie. */
void store_call_fail(http_request *req, const worker *w, const pg_reply *reply, int write);

/* Answer req 503 because the client refused a request (c->err), or is
 * not configured (c NULL). */
void store_call_refused(http_request *req, const worker *w, const pg_client *c);

#endif
