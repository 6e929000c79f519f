/* home_sql.h: the home feed computed at read time by one SQL query, the
 * naive baseline of the benchmark report (bench/README.md, issue 14).
 *
 * Selected by --home-source=sql (FEED_API_HOME_SOURCE=sql); the default
 * serves the feeds the job builds (read/feed_read.h). Same route, same
 * authorisation, same limit and cursor (FEED_HOME, bound to the user),
 * same JSON items and page as the normal read, so one wrk run can hit
 * either.
 *
 * What it computes: home(U) = U's own activities and those of every user
 * U follows (docs/DATA-MODEL.md "Feed rules"), all four verbs, newest
 * first by (ts_us, activity id as bytes), the page strictly after the
 * cursor: one statement, a UNION ALL over posts, comments, likes and
 * follows restricted to {U} and U's followees, sorted, LIMIT limit + 1
 * (the extra row says whether a next page exists). It differs from the
 * job's feed in one rule only: the job copies at most `backfill` (100)
 * of a followee's activities older than the follow; here all of them
 * are in. On a graph where no followee has more than 100 activities
 * before a follow, both are the same feed.
 *
 * Indexes: the query uses the primary key of follows (follower_id,
 * followee_id) for U's followees and the per-author indexes of the four
 * tables; bench/sql/naive-indexes.sql adds the (author, created_at)
 * indexes a team would add for this query (bench/run applies it).
 *
 * The pure parts (the statement's parameters from a page query, a row
 * as an item) are exported for the unit tests.
 */
#ifndef API_HANDLERS_HOME_SQL_H
#define API_HANDLERS_HOME_SQL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/base/buf.h"
#include "api/src/server/request.h"
#include "api/src/wire/page_query.h"

/* The statement: $1 user, $2 cursor ts_us or NULL (first page), $3 the
 * cursor's activity id (ignored when $2 is NULL), $4 rows to read.
 * Columns: id, verb, actor_id, object_id, target_id (NULL: none),
 * body (NULL: none), ts_us. */
extern const char home_sql_query[];

#define HOME_SQL_NPARAMS 4
#define HOME_SQL_COL_ID 0
#define HOME_SQL_COL_VERB 1
#define HOME_SQL_COL_ACTOR 2
#define HOME_SQL_COL_OBJECT 3
#define HOME_SQL_COL_TARGET 4
#define HOME_SQL_COL_BODY 5
#define HOME_SQL_COL_TS 6
#define HOME_SQL_NCOLS 7

/* The parameters' text, held inline. */
typedef struct home_sql_params {
    char user[24];
    char ts[24];
    char id[CURSOR_MAX_ID + 1];
    char rows[16];
    const char *values[HOME_SQL_NPARAMS]; /* into the fields above; values[1] NULL on the first page */
} home_sql_params;

/* Fill p for the page q of user's home. Never fails. */
void home_sql_params_set(home_sql_params *p, int64_t user, const page_query *q);

/* Append row i of res (the statement's columns) to out as a feed item
 * (read/feed_json.h's JSON), and its position to *ts_us and id (cap
 * bytes, NUL-terminated). 0, or -1 (a malformed row, an id longer than
 * cap - 1, or out could not grow). */
int home_sql_item(buf *out, const PGresult *res, int i, int64_t *ts_us, char *id, size_t cap);

/* Serve the page q of user's home on req (already authorised as user):
 * one statement through the worker's PostgreSQL pool (store_call.h: a
 * store failure is a 503 like any read); answers req later. */
void home_sql_serve(http_request *req, worker *w, int64_t user, const page_query *q);

#endif
