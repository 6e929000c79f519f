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
 * Ownership: the request's pool (feed_read_page: the caller's pool)
 * holds the page state; nothing outlives the answer but a fill's own
 * state (feed_fill.h).
 */
#ifndef API_READ_FEED_READ_H
#define API_READ_FEED_READ_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/base/pool.h"
#include "api/src/read/feed_order.h"
#include "api/src/server/request.h"
#include "api/src/wire/page_query.h"

#define READ_MAX_ROUNDS 8

/* Serve the page q of feed (kind, user_id) on req (already
 * authorised); answers req, now or later. extra: members added to the
 * page's object after next_cursor (`"unseen":{...}`, handlers/feeds.c),
 * rendered, in memory that lives until the answer (the request's pool);
 * empty: none. */
void feed_read_serve(http_request *req, worker *w, feed_kind kind, int64_t user_id, const page_query *q, slice extra);

/* Answer req with a page already read: items (rendered, comma-separated),
 * next (NULL: the feed ended) and extra as for feed_read_serve. */
void feed_read_respond(http_request *req, worker *w, feed_kind kind, int64_t user_id, slice items, const feed_ref *next,
                       slice extra);

/* The same page for a caller that is not answering it as such (the
 * streams' backlog, handlers/streams.c): the result goes to a callback. */
typedef enum feed_read_status {
    FEED_READ_OK = 0,
    FEED_READ_UNAVAILABLE, /* store and message say which, as 503 store_unavailable would */
    FEED_READ_INTERNAL     /* out of memory, a bad position */
} feed_read_status;

typedef struct feed_read_result {
    feed_read_status status;
    metric_store store;
    const char *message;
    slice items; /* rendered items, comma-separated, as in a page */
    int nitems;
    const feed_ref *item_refs; /* nitems positions, feed order */
    const size_t *item_ends;   /* end of item k's text in items */
    const feed_ref *next;      /* the next page's position; NULL: the feed ended */
    const feed_ref *missing;   /* refs skipped for want of a body (feed_page.h) */
    size_t nmissing;
    int missing_overflow; /* more than FEED_READ_MAX_MISSING of them */
} feed_read_result;

#define FEED_READ_MAX_MISSING 32

/* r and everything it points to are valid during the call only. */
typedef void feed_read_cb(const feed_read_result *r, void *data);

/* Read the page of limit items after `after` (NULL: the newest) of feed
 * (kind, user_id) as it is served: a home feed merged with the hot
 * accounts its user follows (home_merge.h). cb runs exactly once, now or
 * later. p holds the read's state until cb has run (cb may dispose it). */
void feed_read_page(worker *w, pool *p, feed_kind kind, int64_t user_id, int limit, const feed_ref *after,
                    feed_read_cb *cb, void *data);

/* The same page of the stored feed alone (home: without the merge). */
void feed_read_stored_page(worker *w, pool *p, feed_kind kind, int64_t user_id, int limit, const feed_ref *after,
                           feed_read_cb *cb, void *data);

#endif
