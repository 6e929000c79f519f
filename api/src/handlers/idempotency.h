/* idempotency.h: Idempotency-Key on the POST endpoints.
 *
 * A client that retries a POST (a timeout, a dropped connection) sends
 * the same Idempotency-Key; the write must happen once and every retry
 * must get the first answer. Keys live in idempotency_keys
 * (schema/sql/003), scoped by user (the token's user; 0 for POST
 * /v1/users, which has no token), with a digest of the request and the
 * answer. How a write uses them (create.c runs it), all in ONE
 * transaction, one round trip:
 *
 *   1. IDEM_SQL_CLAIM inserts (user, key, digest, status 0, '') first.
 *      The primary key decides between concurrent retries: the second
 *      INSERT waits for the first transaction; if that one commits, the
 *      second gets 23505 on idempotency_keys_pkey, rolls back having
 *      written nothing, and replays the stored answer (IDEM_SQL_LOOKUP);
 *      if it rolls back, the second proceeds as if it were first. So a
 *      key is never half-used and never in progress for anyone else to
 *      see: no 409 "in progress" answers in normal operation.
 *   2. The write itself, a CTE that also stores its answer under the key
 *      (idem_compose_sql): the answer JSON is made by the same statement
 *      that writes, so the stored text and the text sent are one.
 *   3. IDEM_SQL_RELEASE deletes the claim if the write made no row (a
 *      like of a missing post): the key stays free, nothing is written.
 *
 * Keys expire: before its claim, a keyed write deletes its own key if it
 * is older than the TTL (app_config.idempotency_ttl_s, default 24 h), so
 * a retry after that is a new request, and deletes the two oldest
 * expired keys of anyone (IDEM_SQL_SWEEP, skipping rows that another
 * transaction holds). Every keyed write adds one key and removes up to
 * two expired ones, so expired keys cannot pile up and the table holds
 * about one TTL's worth of keys, with no timer or cron job.
 *
 * A write refused by a constraint rolls everything back, key included:
 * only successful answers (201) are stored and replayed; a retry of a
 * refused request is evaluated again. A key reused for a different
 * request (method, path or body) is answered 422
 * idempotency_key_reused.
 *
 * Pure helpers; strings come from the caller's pool or are static.
 */
#ifndef API_HANDLERS_IDEMPOTENCY_H
#define API_HANDLERS_IDEMPOTENCY_H

#include <stddef.h>

#include "api/src/base/pool.h"
#include "api/src/base/slice.h"

#define IDEM_HEADER "Idempotency-Key"
#define IDEM_REPLAYED_HEADER "Idempotent-Replayed"
#define IDEM_KEY_MAX 255
#define IDEM_HASH_HEX 64 /* SHA-256 in hex, without the NUL */

#define IDEM_TTL_DEFAULT_S (24u * 3600)

/* $1 user, $2 key, $3 TTL in seconds: forget this key if it expired. */
#define IDEM_SQL_EXPIRE                                             \
    "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 " \
    "AND created_at < now() - $3::bigint * interval '1 second'"
/* $1 TTL in seconds: delete the two oldest expired keys nobody holds
 * (idempotency_keys_created_idx makes it an index range scan). */
#define IDEM_SQL_SWEEP                                                                               \
    "DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY("                                          \
    "SELECT ctid FROM idempotency_keys WHERE created_at < now() - $1::bigint * interval '1 second' " \
    "ORDER BY created_at LIMIT 2 FOR UPDATE SKIP LOCKED))"
/* $1 user, $2 key, $3 request digest in hex. */
#define IDEM_SQL_CLAIM                                                             \
    "INSERT INTO idempotency_keys (user_id, key, request_hash, status, response) " \
    "VALUES ($1, $2, decode($3, 'hex'), 0, '')"
#define IDEM_SQL_RELEASE "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status = 0"
/* -> same_request (bool), status, response */
#define IDEM_SQL_LOOKUP                                                                \
    "SELECT request_hash = decode($3, 'hex'), status, response FROM idempotency_keys " \
    "WHERE user_id = $1 AND key = $2"

/* 1 when key is 1..IDEM_KEY_MAX printable ASCII bytes (0x20..0x7e). */
int idem_key_valid(slice key);

/* SHA-256 of method, NUL, path, NUL, body as 64 lowercase hex digits
 * and a NUL into hex[IDEM_HASH_HEX + 1]. 0, or -1 (libcrypto failed). */
int idem_request_hash(slice method, slice path, slice body, char *hex);

/* The statement of step 2 from the write's CTE. cte must end with a
 * relation a(body) holding the answer JSON, one row when the write
 * succeeded, e.g.
 *     WITH w AS (INSERT ... RETURNING ...), a AS (SELECT ... AS body FROM w)
 * and use $1..$nparams. With a key (with_key != 0), the statement also
 * stores (status, a.body) under the key given as parameters
 * $nparams+1 (user) and $nparams+2 (key); without, it only selects
 * body. A NUL-terminated string from p, or NULL when out of memory. */
char *idem_compose_sql(pool *p, const char *cte, int nparams, int with_key, int status);

#endif
