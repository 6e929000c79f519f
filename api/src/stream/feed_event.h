/* feed_event.h: the live feed events the job publishes, and the entries
 * of a user's event log, pure.
 *
 * The job (job/.../FeedCacheWrite.java, schema/redis/feed_event_publish.lua)
 * handles every feed write, after Cassandra acknowledged it: while the
 * owner has a live key, it appends the event to the owner's log, then
 * publishes it on the owner's channel:
 *
 *     log      feed:log:<user id>, a Redis Stream; entry <ms>-<seq>,
 *              field e = <event> (an entry without it, such as the one
 *              a stream's start adds to an empty log, is no event)
 *     channel  feed:events:<user id>
 *     payload  <entry> <event>, entry the log entry's id or "-" when not
 *              logged
 *     event    <feed> <op> <ts_us> <id>
 *              feed: home | profile | notifications
 *              op: + (entered the feed; for a notification group: created
 *                  or changed) | - (left it; a group: emptied)
 *              ts_us and id: the item's position (a group's: its window
 *              start and group id)
 *
 * e.g. "1732500000000-0 home + 1732500000000000 p:42",
 *      "- notifications + 1732500000000000 LIKE:p:42:1732500000000".
 *
 * A hot account's profile event, as its live followers get it in their
 * own log and channel (the account is a merge source of their homes:
 * docs/DATA-MODEL.md "Hot accounts: live"), names the account:
 *
 *     event    home:<account id> <op> <ts_us> <id>
 *
 * a home event with source_id set; the follower's home stream applies
 * the follow's merge rule to it (stream_hot.h).
 *
 * The API publishes on the same channel when a read marker moves
 * (handlers/markers.c), never logged, so every stream of the user
 * re-counts its unseen items (stream/stream_unseen.h):
 *
 *     payload  - <feed> seen <ts_us> <id>
 *              feed: home | notifications; ts_us and id: the marker now
 * docs/DATA-MODEL.md "Live events".
 */
#ifndef API_STREAM_FEED_EVENT_H
#define API_STREAM_FEED_EVENT_H

#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/read/feed_order.h"
#include "api/src/wire/cursor.h"

/* A log entry id, <ms>-<seq>, ordered as Redis orders them. */
typedef struct feed_log_id {
    uint64_t ms, seq;
} feed_log_id;

#define FEED_LOG_ID_TEXT_MAX 42 /* "<20 digits>-<20 digits>" and a NUL */

typedef struct feed_event {
    int64_t user_id;
    feed_kind kind; /* FEED_HOME, FEED_PROFILE or FEED_NOTIFICATIONS */
    int removed;    /* op '-' */
    int marker;     /* op "seen": the read marker moved to ref */
    int64_t source; /* home:<id>: a hot followee's profile item (0: the user's own feed's event) */
    feed_ref ref;   /* ts_us and the activity (or group) id */
    int has_log;    /* logged: log is its entry's id */
    feed_log_id log;
} feed_event;

/* Parse a message of channel. 0, or -1 when either is not what the job
 * writes (an unknown feed or op, a bad number or entry id, an invalid
 * activity id). */
int feed_event_parse(slice channel, slice payload, feed_event *out);

/* Parse a log entry of user_id's log: its id and its field e (body).
 * 0, or -1 as feed_event_parse. */
int feed_event_parse_entry(int64_t user_id, slice entry_id, slice body, feed_event *out);

/* Parse "<ms>-<seq>" (canonical decimals, each at most UINT64_MAX). 0 or -1. */
int feed_log_id_parse(slice s, feed_log_id *out);

/* Write id as "<ms>-<seq>" into out (FEED_LOG_ID_TEXT_MAX bytes); returns its length. */
size_t feed_log_id_format(const feed_log_id *id, char *out);

/* <0, 0, >0 as a is before, the same as, or after b. */
int feed_log_id_cmp(const feed_log_id *a, const feed_log_id *b);

#endif
