/* unseen_range.c: which rows an unseen count takes (see unseen_range.h). */
#include "api/src/read/unseen_range.h"

#include <string.h>

void unseen_range_after(const feed_ref *marker, unseen_range *out)
{
    memset(out, 0, sizeof(*out));
    if (marker == NULL)
        return;
    out->bound = UNSEEN_BOUND_AFTER;
    out->at = *marker;
}

void unseen_range_source(const merge_source *s, const feed_ref *marker, unseen_range *out)
{
    memset(out, 0, sizeof(*out));
    switch (s->before) {
    case MERGE_BEFORE_ALL:
        /* every item of V: the marker alone bounds it */
        unseen_range_after(marker, out);
        return;
    case MERGE_BEFORE_FROM:
        /* the items from `from` on (from is at or before the follow, so
         * this holds every item made after it too) */
        if (marker != NULL && feed_ref_cmp(marker, &s->from) <= 0) {
            unseen_range_after(marker, out); /* the marker is from or newer */
            return;
        }
        out->bound = UNSEEN_BOUND_FROM;
        out->at = s->from;
        return;
    default:
        /* the items made after the follow: a marker at the follow's
         * microsecond or before it takes nothing more away */
        if (marker != NULL && marker->ts_us > s->follow_ts_us) {
            unseen_range_after(marker, out);
            return;
        }
        out->bound = UNSEEN_BOUND_AFTER_TS;
        out->at.ts_us = s->follow_ts_us;
        return;
    }
}

const char *unseen_range_cql(const unseen_range *r)
{
    switch (r->bound) {
    case UNSEEN_BOUND_AFTER_TS: return " AND ts_us > ?";
    case UNSEEN_BOUND_AFTER: return " AND (ts_us, activity_id) > (?, ?)";
    case UNSEEN_BOUND_FROM: return " AND (ts_us, activity_id) >= (?, ?)";
    default: return "";
    }
}

int unseen_range_includes(const unseen_range *r, const feed_ref *x)
{
    switch (r->bound) {
    case UNSEEN_BOUND_AFTER_TS: return x->ts_us > r->at.ts_us;
    case UNSEEN_BOUND_AFTER: return feed_ref_cmp(x, &r->at) < 0;
    case UNSEEN_BOUND_FROM: return feed_ref_cmp(x, &r->at) <= 0;
    default: return 1;
    }
}
