/* feed_event.h: the live feed events the job publishes, pure.
 *
 * The job (job/.../FeedCacheWrite.java) publishes every feed write, after
 * Cassandra acknowledged it, on the owner's channel:
 *
 *     channel  feed:events:<user id>
 *     payload  <feed> <op> <ts_us> <id>
 *              feed: home | profile | notifications
 *              op: + (entered the feed; for a notification group: created
 *                  or changed) | - (left it; a group: emptied)
 *              ts_us and id: the item's position (a group's: its window
 *              start and group id)
 *
 * e.g. "home + 1732500000000000 p:42",
 *      "notifications + 1732500000000000 LIKE:p:42:1732500000000".
 *
 * The API publishes on the same channel when a read marker moves
 * (handlers/markers.c), so every stream of the user re-counts its unseen
 * items (stream/stream_unseen.h):
 *
 *     payload  <feed> seen <ts_us> <id>
 *              feed: home | notifications; ts_us and id: the marker now
 * docs/DATA-MODEL.md "Live events".
 */
#ifndef API_STREAM_FEED_EVENT_H
#define API_STREAM_FEED_EVENT_H

#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/read/feed_order.h"
#include "api/src/wire/cursor.h"

typedef struct feed_event {
    int64_t user_id;
    feed_kind kind; /* FEED_HOME, FEED_PROFILE or FEED_NOTIFICATIONS */
    int removed;    /* op '-' */
    int marker;     /* op "seen": the read marker moved to ref */
    feed_ref ref;   /* ts_us and the activity (or group) id */
} feed_event;

/* Parse a message of channel. 0, or -1 when either is not what the job
 * writes (an unknown feed or op, a bad number, an invalid activity id). */
int feed_event_parse(slice channel, slice payload, feed_event *out);

#endif
