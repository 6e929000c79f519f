/* notif_seen.h: which notification groups below the read marker the user
 * had when marking (pure; the statements are read/unseen.c's and
 * handlers/markers.c's).
 *
 * A notification group's position is (window start, group id)
 * (docs/DATA-MODEL.md), so the groups of one hour sort by id, not by when
 * they appeared: a group that appears after the user marked the feed
 * seen can sort below the marker (a new COMMENT:... group below a marked
 * LIKE:... of the same hour) and would count as seen. New events land
 * only in windows that start after now - 1 hour (an event's group is the
 * window of its created_at), so a marker PUT records the groups that
 * exist between there and the marker: the seen range (lower, marker] and
 * the ids in it (at most NOTIF_SEEN_MAX: beyond that the range starts at
 * the first group not kept). The unseen groups are then those after the
 * marker, plus those in the seen range whose ids were not recorded.
 * Groups below the range are of older windows and count as seen (a late
 * event, created_at more than an hour old, that starts a group there is
 * seen, as a late home item below the marker is).
 *
 * The recorded ids travel as PostgreSQL array text, "{id,id,...}": a
 * group id is [A-Za-z0-9:_] (cursor_id_valid), so no element is quoted.
 */
#ifndef API_READ_NOTIF_SEEN_H
#define API_READ_NOTIF_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/buf.h"
#include "api/src/base/slice.h"
#include "api/src/read/feed_order.h"

/* Most group ids a marker keeps. */
#define NOTIF_SEEN_MAX 1000
/* The job's notification window (Notifications.WINDOW_MS), microseconds. */
#define NOTIF_WINDOW_US INT64_C(3600000000)
/* How far the API's clock may be ahead of PostgreSQL's (created_at). */
#define NOTIF_SEEN_MARGIN_US INT64_C(60000000)

/* The seen range's lower bound (exclusive) for a marker set at now_us
 * (wall clock): the position (now - window - margin, "") — any group
 * id sorts after "" at the same time. */
void notif_seen_lower_default(int64_t now_us, feed_ref *lower);

/* Collects the groups read at a marker PUT, newest first (the order of
 * the range read): the first NOTIF_SEEN_MAX are kept; one more moves the
 * range's lower bound up to it (it and older count as seen). */
typedef struct notif_seen_builder {
    buf array;      /* "{a,b" while open; "{a,b}" once finished */
    size_t n;       /* ids kept */
    feed_ref lower; /* the range's lower bound, exclusive */
    int full;       /* a group beyond NOTIF_SEEN_MAX was seen */
    int failed;     /* out of memory or an id that cannot be kept */
} notif_seen_builder;

void notif_seen_builder_init(notif_seen_builder *b, int64_t now_us);
/* Add the next group (newer ones first). */
void notif_seen_builder_add(notif_seen_builder *b, int64_t ts_us, slice id);
/* Close the array text: 0, or -1 when an add failed. The text is
 * b->array (NUL-terminated); the caller disposes of it with
 * notif_seen_builder_dispose. */
int notif_seen_builder_finish(notif_seen_builder *b);
void notif_seen_builder_dispose(notif_seen_builder *b);

/* 1 when id is an element of the array text ("{a,b}"), else 0. */
int notif_seen_has(const char *array, slice id);

#endif
