/* feed_order.h: the order of a feed and the pieces of a page, pure.
 *
 * docs/DATA-MODEL.md "Order of a feed": newest first by (ts_us, id),
 * both descending, ids compared as bytes (memcmp, then length: what
 * Redis does for members of equal score and Cassandra for text
 * clustering columns). A page after a position p holds the items that
 * sort strictly after p: ts < p.ts, or ts == p.ts and id < p.id.
 *
 * Redis cannot express "strictly after (ts, id)" in one range: a score
 * range is by score only. So a head read returns two lists (see
 * feed_head.h): the members whose score equals p.ts (the ties, few) and
 * the first K members with a score below p.ts; the ties whose id sorts
 * after p.id (feed_ref_after), then the lower ones, are exactly "the
 * first K items after p" as long as the ties list was complete.
 *
 * Every struct is the caller's; nothing allocates.
 */
#ifndef API_READ_FEED_ORDER_H
#define API_READ_FEED_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/wire/cursor.h"

/* One item's place in a feed: an activity id, or a notification group id. */
typedef struct feed_ref {
    int64_t ts_us;
    uint8_t id_len;
    char id[CURSOR_MAX_ID + 1]; /* NUL-terminated */
} feed_ref;

/* Fill r; 0, or -1 when id is empty or longer than CURSOR_MAX_ID. */
int feed_ref_set(feed_ref *r, int64_t ts_us, slice id);

/* <0 when a sorts before b in the feed (a is newer), 0 when equal, >0 after. */
int feed_ref_cmp(const feed_ref *a, const feed_ref *b);

/* Byte order of two ids (memcmp, then the shorter first), as Redis and
 * Cassandra compare them. */
int feed_id_cmp(slice a, slice b);

/* 1 when x comes strictly after the position p (x is older). */
int feed_ref_after(const feed_ref *x, const feed_ref *p);

/* The first items after p (NULL: from the top) of a sorted array (a
 * fill's rows): copies up to cap into out, returns how many. */
size_t feed_take_after(const feed_ref *p, const feed_ref *rows, size_t nrows, feed_ref *out, size_t cap);

/* The items of a (a fill's first read) that a later read b of the same
 * feed no longer has: deleted in between. Both sorted in feed order. When
 * b is not the whole feed (b_complete 0), items of a past b's last one
 * prove nothing (newer items may have pushed them out of b's window)
 * and are not reported. Copies them into out (room for na), returns how
 * many. */
size_t feed_vanished(const feed_ref *a, size_t na, const feed_ref *b, size_t nb, int b_complete, feed_ref *out);

/* Parse a Redis score ("1732500000000000", "1.7325e+15") that must be a
 * whole number in 0..CURSOR_MAX_TS. 0 and *ts_us, or -1. */
int feed_parse_score(slice s, int64_t *ts_us);

#endif
