/* pg_errors.h: what a failed PostgreSQL statement means to the client.
 *
 * The database is the authority on conflicts and references: a write
 * does not look before it leaps (no "SELECT then INSERT" race), it
 * writes and lets the constraints refuse. This maps the refusal, by
 * SQLSTATE and constraint name (schema/sql/001, 003), to the error the
 * API promises:
 *
 *   23505 unique     users_handle_key 409 handle_taken, follows_pkey 409
 *                    already_following, likes_pkey 409 already_liked,
 *                    anything else 409 conflict
 *   23503 foreign    *_post_id_post_author_id_fkey 404 post_not_found,
 *                    a reference to users 404 user_not_found
 *   23514 check      follows_not_self 400 self_follow, others 400
 *                    invalid_value naming their field
 *   23502, class 22  400 invalid_value (bad data the validation let by)
 *   40001, 40P01, 55P03, 57014, class 08, 53, 57P0x
 *                    PG_ERR_UNAVAILABLE: retryable, the caller answers
 *                    503 store_unavailable
 *   anything else    PG_ERR_INTERNAL (500): a bug of ours, logged
 *
 * idempotency_keys_pkey is not mapped here: the idempotency code
 * catches it first (a retried request, see idempotency.h).
 *
 * Pure; the caller owns every struct and string.
 */
#ifndef API_HANDLERS_PG_ERRORS_H
#define API_HANDLERS_PG_ERRORS_H

#include <libpq-fe.h>

#include "api/src/store/pg_client.h"
#include "api/src/wire/api_error.h"

#define PG_ERR_CLIENT 0      /* *out is a 4xx to send */
#define PG_ERR_UNAVAILABLE 1 /* transient: answer 503 */
#define PG_ERR_INTERNAL 2    /* unexpected: answer 500 */

/* Classify (sqlstate, constraint); either may be NULL. Fills *out for
 * PG_ERR_CLIENT. */
int pg_errors_map(const char *sqlstate, const char *constraint, api_error *out);

/* The constraint name of the statement that failed in reply (an
 * ESERVER reply of pg_client), or NULL when none is known. Valid while
 * the reply is. */
const char *pg_errors_constraint(const pg_reply *reply);

#endif
