/* feed_order.c: feed order, positions, merging a head read. */
#include "api/src/read/feed_order.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int feed_ref_set(feed_ref *r, int64_t ts_us, slice id)
{
    if (id.len == 0 || id.len > CURSOR_MAX_ID)
        return -1;
    r->ts_us = ts_us;
    r->id_len = (uint8_t)id.len;
    memcpy(r->id, id.base, id.len);
    r->id[id.len] = '\0';
    return 0;
}

int feed_id_cmp(slice a, slice b)
{
    size_t n = a.len < b.len ? a.len : b.len;
    int c = n > 0 ? memcmp(a.base, b.base, n) : 0;

    if (c != 0)
        return c;
    return a.len < b.len ? -1 : a.len > b.len ? 1 : 0;
}

int feed_ref_cmp(const feed_ref *a, const feed_ref *b)
{
    int c;

    if (a->ts_us != b->ts_us)
        return a->ts_us > b->ts_us ? -1 : 1;
    c = feed_id_cmp(slice_make(a->id, a->id_len), slice_make(b->id, b->id_len));
    return c > 0 ? -1 : c < 0 ? 1 : 0;
}

int feed_ref_after(const feed_ref *x, const feed_ref *p)
{
    return feed_ref_cmp(x, p) > 0;
}

size_t feed_take_after(const feed_ref *p, const feed_ref *rows, size_t nrows, feed_ref *out, size_t cap)
{
    size_t lo = 0, hi = nrows, n = 0;

    /* rows are sorted in feed order: binary search the first one after p */
    if (p != NULL) {
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (feed_ref_after(&rows[mid], p))
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    while (lo < nrows && n < cap)
        out[n++] = rows[lo++];
    return n;
}

size_t feed_vanished(const feed_ref *a, size_t na, const feed_ref *b, size_t nb, int b_complete, feed_ref *out)
{
    size_t i = 0, j = 0, n = 0;

    for (i = 0; i < na; i++) {
        int c = 1;
        /* a merge walk: skip b's items newer than a[i] (inserted since) */
        while (j < nb && (c = feed_ref_cmp(&b[j], &a[i])) < 0)
            j++;
        if (j < nb && c == 0) {
            j++;
            continue; /* still there */
        }
        if (j == nb && !b_complete)
            break; /* past b's window: unknown */
        out[n++] = a[i];
    }
    return n;
}

int feed_parse_score(slice s, int64_t *ts_us)
{
    char tmp[64], *end;
    double d;

    if (s.base == NULL || s.len == 0 || s.len >= sizeof(tmp))
        return -1;
    memcpy(tmp, s.base, s.len);
    tmp[s.len] = '\0';
    d = strtod(tmp, &end);
    if (end != tmp + s.len || !isfinite(d) || d < 0 || d > (double)CURSOR_MAX_TS || d != floor(d))
        return -1;
    *ts_us = (int64_t)d;
    return 0;
}
