/* feed_cql.h: the Cassandra side of the feed reads (keyspace feed,
 * schema/cql/001_feeds.cql; the client has USE'd the keyspace).
 *
 *   refs    SELECT ts_us, activity_id FROM home_feed|profile_feed
 *           (SELECT ts_us, group_id FROM notifications)
 *           WHERE user_id = ? [AND (ts_us, id) < (?, ?)] LIMIT ?
 *           i.e. the first n items strictly after a position, in feed
 *           order (the clustering order), one request, no paging state
 *           needed: the next request starts after the last row.
 *   bodies  SELECT ... FROM activities WHERE activity_id = ?   and
 *           SELECT ... FROM notifications WHERE user_id = ? AND ts_us = ?
 *           AND group_id = ?   one prepared statement per id, all in
 *           flight at once on the one connection.
 *
 * Every submit returns CQL_CLIENT_OK (cb runs once) or CQL_CLIENT_ERR.
 * Decoders are pure over a response valid only inside the callback.
 */
#ifndef API_READ_FEED_CQL_H
#define API_READ_FEED_CQL_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/buf.h"
#include "api/src/read/feed_order.h"
#include "api/src/store/cql_client.h"
#include "api/src/wire/cursor.h"

/* The first limit refs of (kind, user_id) after pos (NULL: the top). */
int feed_cql_refs(cql_client *c, feed_kind kind, int64_t user_id, const feed_ref *pos, int32_t limit, cql_client_cb *cb,
                  void *privdata);

/* One WARN log line for a feed read Cassandra did not answer: what was
 * being read, the client status and, for a server error, its code and
 * message, else the client's errstr (why the connection failed). */
void feed_cql_log_failure(const cql_client *c, int status, const cql_response *resp, const char *what);

/* Rows of a refs answer into out[0..cap); *n how many. 0 or -1. */
int feed_cql_parse_refs(const cql_response *resp, feed_ref *out, size_t cap, size_t *n);

/* The body of activity ref->id, or of notification group ref->id of
 * user_id (ts_us = ref->ts_us). */
int feed_cql_body(cql_client *c, feed_kind kind, int64_t user_id, const feed_ref *ref, cql_client_cb *cb,
                  void *privdata);

/* Append the item of a body answer to out: 1 appended, 0 no row (the
 * activity or group is gone), -1 malformed or out of memory. */
int feed_cql_render_body(const cql_response *resp, feed_kind kind, buf *out);

#endif
