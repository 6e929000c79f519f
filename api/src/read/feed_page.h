/* feed_page.h: assembling a page from rounds of refs, pure.
 *
 * A round hands over refs in feed order with their rendered items (a
 * NULL base: the item is gone everywhere, an undone activity). They are
 * appended until the page holds limit items; a ref seen after that
 * proves the feed goes on. The position advances over every ref
 * examined, skipped ones included, so the next round starts after them.
 *
 * Then: a full page answers with a cursor at its last item unless the
 * source said the feed ends right there; a short page answers without a
 * cursor at the end of the feed, goes for another round otherwise, and
 * after max_rounds answers short with a cursor at the position reached
 * (a long run of undone items must not make one request unbounded).
 *
 * The accumulator is the caller's; items is the caller's buf.
 */
#ifndef API_READ_FEED_PAGE_H
#define API_READ_FEED_PAGE_H

#include <stddef.h>

#include "api/src/base/buf.h"
#include "api/src/read/feed_order.h"

typedef struct feed_page {
    int limit; /* 1..PAGE_LIMIT_MAX */
    int nitems;
    int more; /* a ref beyond the full page was seen */
    int has_pos;
    feed_ref pos;  /* the last ref examined (or the cursor) */
    feed_ref last; /* the last item appended */
    buf *items;    /* rendered items, comma-separated */
    /* Optional (NULL: not kept), room for limit each: item k's position,
     * and the end of its text in items (it starts after item k-1's end
     * and its comma). */
    feed_ref *item_refs;
    size_t *item_ends;
    /* Optional: the refs skipped because their body was found nowhere
     * (undone, or not stored yet: the body sinks are not ordered with
     * the feed's), up to missing_cap; more sets missing_overflow. */
    feed_ref *missing;
    size_t nmissing, missing_cap;
    int missing_overflow;
} feed_page;

typedef enum feed_page_step {
    FEED_PAGE_CURSOR_LAST, /* answer, next_cursor at the last item */
    FEED_PAGE_END,         /* answer, next_cursor null */
    FEED_PAGE_CURSOR_POS,  /* answer short, next_cursor at pos */
    FEED_PAGE_AGAIN        /* another round after pos */
} feed_page_step;

/* Append a round. 0, or -1 when items could not grow. */
int feed_page_add(feed_page *p, const feed_ref *refs, const slice *json, size_t n);

/* What to do after a round; src_end: the round's refs end the feed. */
feed_page_step feed_page_next(const feed_page *p, int src_end, int rounds, int max_rounds);

/* Refs to ask for in the next round: what is missing, plus one to know
 * whether the feed goes on. */
unsigned feed_page_want(const feed_page *p);

#endif
