/* home_merge_plan.h: which items a merged home page shows (pure).
 *
 * A merged home page is read as several parts, each a page of `limit`
 * items after the same position: the stored home feed, and the profile
 * feed of each merge source (merge_source.h). Every part is in feed
 * order and knows whether it ended (next NULL) or goes on after its
 * `next` position. The plan:
 *
 *  - a source part keeps only the items its rule includes; the first one
 *    it excludes ends it (all older ones are excluded too);
 *  - the frontier is the newest `next` among the parts that go on: down
 *    to it every part has given all its items, below it not;
 *  - the items at or above the frontier, merged in feed order, an item
 *    present in two parts (copied before its author turned hot, and
 *    merged) once, the first `limit` of them, make the page;
 *  - the next position: the last item shown when the page is full and
 *    anything may follow; the frontier when the page stopped there; none
 *    when every part ended and nothing is left.
 *
 * So walking pages while hot and cold accounts post neither repeats nor
 * skips an item: each page is exact down to its cursor, and the next
 * page starts strictly after it in every part.
 */
#ifndef API_READ_HOME_MERGE_PLAN_H
#define API_READ_HOME_MERGE_PLAN_H

#include <stddef.h>

#include "api/src/read/feed_order.h"
#include "api/src/read/merge_source.h"

typedef struct merge_part {
    const feed_ref *refs; /* n items, feed order */
    size_t n;
    const feed_ref *next;     /* NULL: the part ended within its page */
    const merge_source *rule; /* NULL: the stored home (every item in) */
} merge_part;

typedef struct merge_pick {
    size_t part, item;
} merge_pick;

typedef struct merge_plan {
    size_t n;      /* picks in the caller's array, feed order */
    int has_next;  /* a next page may hold items */
    feed_ref next; /* its position, when has_next */
} merge_plan;

/* Plan a page of at most limit items (out has room for limit picks).
 * Never fails. */
void home_merge_plan(const merge_part *parts, size_t nparts, size_t limit, merge_pick *out, merge_plan *plan);

#endif
