/* resource_sql.h: the JSON of each resource, written by PostgreSQL.
 *
 * A write's answer is made by the statement that writes (so that the
 * answer stored under an Idempotency-Key is the very text sent, see
 * idempotency.h), and the reads of the same resources use the same
 * fragments, so POST /v1/posts and GET /v1/posts/{id} show a post alike.
 *
 * row_to_json of a subselect writes compact JSON ({"id":1,"body":"x"}),
 * escapes strings, and keeps the columns' order and names; times are the
 * RFC 3339 text of wire/time_format.h and the microseconds since the
 * epoch (exact: extract() is numeric).
 *
 * RSQL_*_COLS(t) is the select list of a resource for the row alias t (a
 * string literal); a caller may add columns (counts). RSQL_WRAP(member,
 * cols, from) is the expression {"member":{cols}} as text, from the
 * FROM-clause text `from`.
 */
#ifndef API_HANDLERS_RESOURCE_SQL_H
#define API_HANDLERS_RESOURCE_SQL_H

#define RSQL_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define RSQL_TS_US(col) "(extract(epoch FROM " col ") * 1000000)::bigint"
#define RSQL_TIMES(t, name) RSQL_TIME(t ".created_at") " AS " name ", " RSQL_TS_US(t ".created_at") " AS ts_us"

#define RSQL_USER_COLS(t) \
    t ".id AS id, " t ".handle AS handle, " t ".display_name AS display_name, " RSQL_TIMES(t, "created_at")

#define RSQL_FOLLOW_COLS(t)                                                              \
    t ".id AS id, 'f:' || " t ".id AS activity_id, " t ".follower_id AS follower_id, " t \
      ".followee_id AS followee_id, " RSQL_TIMES(t, "created_at")

#define RSQL_POST_COLS(t)                                                            \
    t ".id AS id, 'p:' || " t ".id AS activity_id, " t ".author_id AS author_id, " t \
      ".body AS body, " RSQL_TIMES(t, "created_at")

#define RSQL_COMMENT_COLS(t)                                                     \
    t ".id AS id, 'c:' || " t ".id AS activity_id, " t ".post_id AS post_id, " t \
      ".post_author_id AS post_author_id, " t ".author_id AS author_id, " t      \
      ".body AS body, " RSQL_TIMES(t, "created_at")

#define RSQL_LIKE_COLS(t)                                                        \
    t ".id AS id, 'l:' || " t ".id AS activity_id, " t ".post_id AS post_id, " t \
      ".post_author_id AS post_author_id, " t ".user_id AS user_id, " RSQL_TIMES(t, "created_at")

#define RSQL_WRAP(member, cols, from) \
    "(SELECT '{\"" member "\":' || row_to_json(r)::text || '}' FROM (SELECT " cols " FROM " from ") r)"

/* The CTE of a create (idempotency.h): w is the INSERT ... RETURNING *,
 * a(body) its answer. */
#define RSQL_CREATE(insert, member, cols) \
    "WITH w AS (" insert " RETURNING *), a AS (SELECT " RSQL_WRAP(member, cols, "w") " AS body FROM w)"

#endif
