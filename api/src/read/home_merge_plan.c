/* home_merge_plan.c: see home_merge_plan.h. */
#include "api/src/read/home_merge_plan.h"

#include <string.h>

/* How many of part p's items count (a source's first excluded item
 * ends it), and whether the part goes on after them. */
static size_t part_usable(const merge_part *p, int *goes_on)
{
    size_t k;

    *goes_on = p->next != NULL;
    if (p->rule == NULL)
        return p->n;
    for (k = 0; k < p->n; k++) {
        if (!merge_source_includes(p->rule, &p->refs[k])) {
            *goes_on = 0;
            return k;
        }
    }
    return p->n;
}

void home_merge_plan(const merge_part *parts, size_t nparts, size_t limit, merge_pick *out, merge_plan *plan)
{
    size_t pos[MERGE_SOURCES_MAX + 1], usable[MERGE_SOURCES_MAX + 1];
    const feed_ref *frontier = NULL, *last = NULL;
    size_t i, n = 0;
    int more = 0;

    memset(plan, 0, sizeof(*plan));
    if (nparts > MERGE_SOURCES_MAX + 1)
        nparts = MERGE_SOURCES_MAX + 1;
    for (i = 0; i < nparts; i++) {
        int goes_on;
        pos[i] = 0;
        usable[i] = part_usable(&parts[i], &goes_on);
        if (goes_on && (frontier == NULL || feed_ref_cmp(parts[i].next, frontier) < 0))
            frontier = parts[i].next;
    }
    for (;;) {
        size_t best = nparts;
        for (i = 0; i < nparts; i++) {
            if (pos[i] < usable[i] &&
                (best == nparts || feed_ref_cmp(&parts[i].refs[pos[i]], &parts[best].refs[pos[best]]) < 0))
                best = i;
        }
        if (best == nparts)
            break; /* nothing left in any part */
        const feed_ref *x = &parts[best].refs[pos[best]];
        if (frontier != NULL && feed_ref_cmp(x, frontier) > 0)
            break; /* below the frontier: the next page's */
        if (last != NULL && feed_ref_cmp(x, last) == 0) {
            pos[best]++; /* the same item from a second part */
            continue;
        }
        if (n == limit) {
            more = 1;
            break;
        }
        out[n].part = best;
        out[n].item = pos[best];
        n++;
        last = x;
        pos[best]++;
    }
    plan->n = n;
    if (n == limit && n > 0 && (more || frontier != NULL)) {
        plan->has_next = 1;
        plan->next = *last;
    } else if (frontier != NULL) {
        plan->has_next = 1;
        plan->next = *frontier;
    }
}
