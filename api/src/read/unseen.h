/* unseen.h: the exact unseen counts of a feed after its read marker.
 *
 * A marker (handlers/markers.c, PostgreSQL `markers`) is the position a
 * user has seen up to in the home or notification feed. The counts are
 * read from Cassandra past that position, in one statement:
 *
 *   home           COUNT(*) over home_feed after the marker, plus, for
 *                  each hot account the reader follows, its merged items
 *                  after it less those also copied (read/unseen_range.h):
 *                  1 + 2k counts for k hot followees, all in flight
 *   notifications  COUNT(*), SUM(actor_count) over notifications after it,
 *                  and the groups between the marker's seen range's lower
 *                  bound and the marker that it did not have when set
 *                  (notif_seen.h: a group that appeared later can sort
 *                  below the marker): 2 statements in flight
 *
 * items: the feed items (notification groups) newer than the marker;
 * activities: the activities in them (home: one per item). Exact, no cap
 * (the partition's rows past the position are counted by the server).
 * No marker yet: the whole feed is unseen.
 *
 * Three ways in: unseen_count when the caller has the marker already (the
 * markers endpoint, which reads or moves it itself), unseen_read to read
 * the marker first (one primary-key lookup in PostgreSQL; a home marker
 * from its Redis copy, read/marker_cache.h, the row only when missing), for the
 * notifications read and the streams, and unseen_read_marker for the
 * marker alone (the home read, which counts from its first page when the
 * page reaches the marker: handlers/feeds.c).
 *
 * Ownership: the caller owns the unseen_req and keeps it alive until
 * done has run; done runs exactly once, now (the store refused at once)
 * or later on the worker's loop. The statement's values are copied by
 * the clients.
 */
#ifndef API_READ_UNSEEN_H
#define API_READ_UNSEEN_H

#include <stdint.h>

#include "api/src/app/metrics.h"
#include "api/src/app/worker.h"
#include "api/src/base/buf.h"
#include "api/src/base/pool.h"
#include "api/src/read/feed_order.h"

typedef struct unseen_counts {
    int64_t items;      /* items (groups) newer than the marker */
    int64_t activities; /* the activities in them */
} unseen_counts;

typedef enum unseen_status {
    UNSEEN_OK = 0,
    UNSEEN_UNAVAILABLE, /* a store is down or not configured: store and message say which */
    UNSEEN_INTERNAL     /* an answer that is not what was asked, a stored marker that is not a position */
} unseen_status;

typedef struct unseen_req unseen_req;
typedef void unseen_done(unseen_req *r);

struct unseen_req {
    /* the caller's, set before the call */
    worker *w;
    feed_kind kind; /* FEED_HOME or FEED_NOTIFICATIONS */
    int64_t uid;
    unseen_done *done;
    void *data;
    /* the marker: set by the caller for unseen_count, by unseen_read */
    int has_marker;
    feed_ref marker;
    char updated_at[40]; /* unseen_read: the marker's updated_at, ISO 8601 UTC ("" without one) */
    /* notifications: the groups the marker had below it when set
     * (notif_seen.h), from the marker row; has_seen_range 0: none stored
     * (counted by position alone). seen_ids is the ids' array text,
     * malloc'd by unseen_marker_from_row, freed before done runs. */
    int has_seen_range;
    feed_ref seen_lower;
    char *seen_ids;
    /* the result, when done runs */
    unseen_status status;
    metric_store store;
    const char *message;
    unseen_counts counts;
    /* unseen.c's, while it runs */
    int count_after_marker; /* unseen_read: count once the marker is read */
    int cache_fill;         /* home: the cache missed, the row read is cached */
    pool pool;              /* a home count: the merge sources, the counts' state */
    int pending;            /* a home count: counts in flight (+1 while sending) */
    int failed;             /* a home count: one of them failed */
};

/* The marker row's columns (ts_us, item_id, updated_at as text, the seen
 * range: lower ts, lower id, ids as array text) and the statement that
 * reads it ($1 user id, $2 timeline), for markers.c. */
#define UNSEEN_MARKER_COLUMNS                                                                       \
    "ts_us, item_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), " \
    "seen_lower_ts, seen_lower_id, seen_ids::text"
extern const char unseen_marker_select_sql[];

/* The feed's name in the markers table and the live events. */
const char *unseen_timeline_name(feed_kind kind);

/* Set r's marker (and seen range) from row `row` of a result with
 * UNSEEN_MARKER_COLUMNS (0, or -1 when the stored position is not one, or
 * out of memory). Then unseen_count must run (it frees what this took),
 * or unseen_marker_forget. */
int unseen_marker_from_row(unseen_req *r, const PGresult *res, int row);

/* Free the seen range's ids that unseen_marker_from_row took, for a
 * caller that will not count. */
void unseen_marker_forget(unseen_req *r);

/* Count after r's marker (has_marker 0: the whole feed). */
void unseen_count(unseen_req *r);

/* Read the marker (PostgreSQL), then count. */
void unseen_read(unseen_req *r);

/* Read the marker alone: done runs with status UNSEEN_OK and has_marker
 * set or not, counts untouched. */
void unseen_read_marker(unseen_req *r);

/* `"unseen":{"items":N,"activities":M}` (ok) or `"unseen":null` into out:
 * the member the feed reads and the stream events carry. 0, or -1 out of
 * memory. */
int unseen_json_member(buf *out, const unseen_req *r);

/* `{"items":N,"activities":M}` into out. */
int unseen_json(buf *out, const unseen_counts *c);

#endif
