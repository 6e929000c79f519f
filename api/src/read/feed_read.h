/* feed_read.h: serve one page of a feed (home, profile, notifications).
 *
 * A page is assembled in rounds. Each round takes the next refs (ts, id)
 * after the current position from one source, resolves their bodies
 * (feed_bodies.h) and appends the items that still exist, until the page
 * holds `limit` items (plus the knowledge that one more exists, for
 * next_cursor) or the feed ends:
 *
 *   head    the Redis head (feed_head.h), one script per round: state,
 *           items after the position, idle expiry renewed. A complete
 *           head ends the feed where it ends; past the end of a partial
 *           one the page goes on in Cassandra from the last head item.
 *   fill    on a miss, the rows of this worker's fill of the feed (the
 *           request either led it or joined it: feed_fill.h), used as
 *           an in-memory head, then Cassandra past their end.
 *   cass    Cassandra, feed_cql_refs after the position.
 *
 * Redis down (not configured, refused, failed): Cassandra only.
 * Cassandra down: what the head (and the cached bodies) can answer; a
 * page that needs Cassandra gets 503 store_unavailable (Retry-After: 1).
 *
 * next_cursor is the last item's position when the page is full and the
 * feed may go on; null at the end. After READ_MAX_ROUNDS rounds (a
 * stretch of undone items) the page is answered short, its cursor at the
 * last position examined.
 *
 * Ownership: the request's pool holds the page state; nothing outlives
 * the answer but a fill's own state (feed_fill.h).
 */
#ifndef API_READ_FEED_READ_H
#define API_READ_FEED_READ_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/server/request.h"
#include "api/src/wire/page_query.h"

#define READ_MAX_ROUNDS 8

/* Serve the page q of feed (kind, user_id) on req (already
 * authorised); answers req, now or later. */
void feed_read_serve(http_request *req, worker *w, feed_kind kind, int64_t user_id, const page_query *q);

#endif
