/* fc_compare.h: one feed as expected against the same feed as a store holds it.
 *
 * Pure: two lists in, counters and difference reports out. A store's list
 * is taken in the order the store returned it (Cassandra's clustering
 * order, a Redis ZREVRANGE), so that a wrong time or a wrong place shows.
 *
 * What each counter means, per entry of the found list or the expected one:
 *   missing      expected, not found (in PREFIX mode: only above the
 *                oldest entry the head holds correctly, see below);
 *   duplicated   an id found a second time (e.g. under a second ts_us);
 *   extra        found, not expected;
 *   out of order found once, but with another time than expected, or
 *                after an entry that should come after it;
 *   counts off   (groups) found in place with another actor_count,
 *                actor_ids, latest_us, verb or object.
 * FULL mode is for Cassandra (the whole feed); PREFIX for a Redis head,
 * which must equal the first entries of the feed: what lies below its
 * oldest correctly placed entry is simply not cached.
 */
#ifndef FC_COMPARE_H
#define FC_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "tools/feedcheck/fc_model.h"

typedef struct fc_counts {
    uint64_t feeds; /* feeds compared */
    uint64_t items; /* entries read from the store */
    uint64_t missing, duplicated, extra, out_of_order, counts_off;
    uint64_t ambiguous; /* feeds that differ from the created_at rule only as the job's LSN rule may */
} fc_counts;

enum fc_diff_kind {
    FC_DIFF_MISSING,
    FC_DIFF_DUPLICATED,
    FC_DIFF_EXTRA,
    FC_DIFF_ORDER,
    FC_DIFF_COUNT,
    FC_DIFF_BODY_MISSING,
    FC_DIFF_BODY_WRONG
};

enum { FC_CMP_FULL = 0, FC_CMP_PREFIX = 1 };

/* Called once per difference. expected or found may be NULL; detail is a
 * short text (may be empty), valid during the call. */
typedef void (*fc_diff_fn)(void *ctx, int kind, const fc_item *expected, const fc_item *found, const char *detail);

/* Static name of a difference kind ("missing", ...). */
const char *fc_diff_name(int kind);

/* Add the differences between expected (sorted newest first, ids unique)
 * and found to c, calling fn (if not NULL) for each; c->items grows by
 * found->n (c->feeds is the caller's). Returns the number of differences,
 * or -1 when out of memory. */
long fc_compare_items(const fc_items *expected, const fc_items *found, int mode, fc_counts *c, fc_diff_fn fn,
                      void *ctx);

/* The same for notification groups, plus each matched group's contents
 * (counts off). A found latest_us of -1 means "not stored": not compared. */
long fc_compare_groups(const fc_groups *expected, const fc_groups *found, int mode, fc_counts *c, fc_diff_fn fn,
                       void *ctx);

/* What differs between two groups' contents (actor_count, actor_ids,
 * latest_us unless f's is -1, verb, object), written into detail; returns
 * 0 when nothing does. */
int fc_group_diff(const fc_group *e, const fc_group *f, char *detail, size_t cap);

/* Sum b into a. */
void fc_counts_add(fc_counts *a, const fc_counts *b);

/* Differences counted (missing + duplicated + extra + out of order + counts off). */
uint64_t fc_counts_differences(const fc_counts *c);

#endif
