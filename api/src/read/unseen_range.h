/* unseen_range.h: which rows of a feed partition an unseen count takes
 * (pure; the statements are read/unseen.c's).
 *
 * The home feed's unseen items are those of the home as it is served:
 * the stored home merged with the hot accounts its reader follows
 * (merge_source.h). Counted in Cassandra, with every count in flight at
 * once:
 *
 *   stored   rows of home_feed(U) newer than the marker
 *   + each merge source V:
 *            rows of profile_feed(V) its rule includes, newer than the
 *            marker (the rule's items are the newest of V's profile down
 *            to a bound, so with the marker that is one clustering range)
 *   - each merge source V:
 *            rows of home_feed(U) by V in that same range: copied before V
 *            turned hot and merged too, shown once (home_merge_plan.h)
 *
 * No marker: the whole feed is unseen (the rule's bound alone).
 */
#ifndef API_READ_UNSEEN_RANGE_H
#define API_READ_UNSEEN_RANGE_H

#include "api/src/read/feed_order.h"
#include "api/src/read/merge_source.h"

typedef enum unseen_bound {
    UNSEEN_BOUND_NONE = 0, /* every row of the partition */
    UNSEEN_BOUND_AFTER_TS, /* ts_us > at.ts_us (whatever the id) */
    UNSEEN_BOUND_AFTER,    /* newer than the position at */
    UNSEEN_BOUND_FROM      /* the position at, or newer */
} unseen_bound;

typedef struct unseen_range {
    unseen_bound bound;
    feed_ref at; /* unused for UNSEEN_BOUND_NONE; only ts_us for AFTER_TS */
} unseen_range;

/* The rows newer than marker (NULL: no marker, every row). */
void unseen_range_after(const feed_ref *marker, unseen_range *out);

/* The items of merge source s that its rule includes and that are newer
 * than marker (NULL: no marker). */
void unseen_range_source(const merge_source *s, const feed_ref *marker, unseen_range *out);

/* The range as a CQL restriction on (ts_us, activity_id), to append to
 * "... WHERE user_id = ?": "", " AND ts_us > ?",
 * " AND (ts_us, activity_id) > (?, ?)" or ">= (?, ?)". */
const char *unseen_range_cql(const unseen_range *r);

/* 1 when x is in r. */
int unseen_range_includes(const unseen_range *r, const feed_ref *x);

#endif
