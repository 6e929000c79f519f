/* fc_merge.h: home feeds as the API serves them, for the oracle.
 *
 * The job copies no item of a hot account V into its followers' homes;
 * each follower U has a merge source (U, V, follow time F, backfill n)
 * in Cassandra home_merge, and the API serves home(U) as home_feed(U)
 * merged with profile_feed(V): V's items made after F and the newest n
 * made at or before it, an item in both once (docs/DATA-MODEL.md "Hot
 * accounts", api/src/read/merge_source.h). feedcheck checks that served
 * home against PostgreSQL's rules, built here from what Cassandra holds:
 * the merge sources (the whole table) and the profiles they name.
 *
 * Ownership: an fc_merges owns its arrays; fc_merges_free releases them.
 */
#ifndef TOOLS_FEEDCHECK_FC_MERGE_H
#define TOOLS_FEEDCHECK_FC_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "tools/feedcheck/fc_model.h"

typedef struct fc_merge_src {
    int64_t user, followee, follow_ts;
    int32_t backfill;
} fc_merge_src;

typedef struct fc_merges {
    fc_merge_src *v; /* sorted by (user, followee) */
    size_t n, cap;
    int64_t *hot;       /* the distinct followees, sorted */
    fc_items *profiles; /* profiles[i]: profile_feed(hot[i]), feed order */
    size_t nhot;
} fc_merges;

void fc_merges_free(fc_merges *mg);

/* Add a row (before fc_merges_index). 0 or -1 (memory). */
int fc_merges_add(fc_merges *mg, const fc_merge_src *s);

/* Sort the rows and list the distinct followees (profiles zeroed, to
 * be filled by the caller in hot[] order). 0 or -1 (memory). */
int fc_merges_index(fc_merges *mg);

/* Does user have merge sources? */
int fc_merges_has(const fc_merges *mg, int64_t user);

/* out = stored (a home feed as Cassandra or a head holds it) with the
 * merged items of user's sources, feed order, each id once; merged
 * items carry the followee as actor. 0 or -1 (memory). */
int fc_merges_served(const fc_merges *mg, int64_t user, const fc_items *stored, fc_items *out);

/* Remove from l, in place, every item the merge serves for user (for
 * comparing a cached head, which holds only stored items, with the
 * expected home without them). */
void fc_merges_hide(const fc_merges *mg, int64_t user, fc_items *l);

#endif
