/* merge_source.h: a hot account merged into a reader's home feed, and
 * which of its items belong there (pure).
 *
 * The job copies no item of a hot account V into its followers' homes;
 * each follower U has a row (U, V, follow time, backfill) in Cassandra
 * `home_merge` instead (docs/DATA-MODEL.md "Hot accounts"), and the home
 * read merges profile(V) into home(U) by the rule a copy follows: V's
 * items made after the follow, and the newest `backfill` made at or
 * before it. The second part is decided once, when the sources are read
 * from Cassandra (merge_sources.h): `before` says whether none, all, or
 * those from `from` on (the backfill-th newest at or before the follow)
 * belong. A later deletion among those is not replaced by an older item
 * (as with a copied backfill: the ambiguity feedcheck accepts).
 *
 * The cached text form (Redis feed:hotf:<uid>), one line per source:
 *   "v1\n" then "<followee> <follow_ts_us> none|all|from <ts_us> <id>\n"...
 * An empty list is "v1\n" (cached too: most readers follow no hot account).
 */
#ifndef API_READ_MERGE_SOURCE_H
#define API_READ_MERGE_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/base/buf.h"
#include "api/src/base/pool.h"
#include "api/src/base/slice.h"
#include "api/src/read/feed_order.h"

/* The most merge sources one reader's home merges (a reader following
 * more hot accounts gets 500 internal: see api/README.md "Hot accounts"). */
#define MERGE_SOURCES_MAX 1000

typedef enum merge_before {
    MERGE_BEFORE_NONE = 0, /* backfill 0: nothing made before the follow */
    MERGE_BEFORE_ALL,      /* V had at most `backfill` items before the follow */
    MERGE_BEFORE_FROM      /* the items at or before the follow from `from` on */
} merge_before;

typedef struct merge_source {
    int64_t followee_id;
    int64_t follow_ts_us;
    merge_before before;
    feed_ref from; /* MERGE_BEFORE_FROM only */
} merge_source;

/* 1 when item x of s->followee_id belongs in the reader's home. */
int merge_source_includes(const merge_source *s, const feed_ref *x);

/* Append the cached text form of src[0..n) to out. 0, or -1 (memory). */
int merge_sources_format(buf *out, const merge_source *src, size_t n);

/* Parse the cached text form; the array is allocated from p (*out NULL
 * when n is 0). 0, or -1 when text is not that form (or out of memory). */
int merge_sources_parse(slice text, pool *p, merge_source **out, size_t *n);

#endif
