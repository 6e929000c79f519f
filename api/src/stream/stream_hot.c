/* stream_hot.c: see stream_hot.h. */
#include "api/src/stream/stream_hot.h"

#include <stdlib.h>

static int stream_hot_cmp(const void *a, const void *b)
{
    const merge_source *x = a, *y = b;

    return x->followee_id < y->followee_id ? -1 : x->followee_id > y->followee_id ? 1 : 0;
}

void stream_hot_sort(merge_source *src, size_t n)
{
    if (n > 1)
        qsort(src, n, sizeof(*src), stream_hot_cmp);
}

const merge_source *stream_hot_find(const merge_source *src, size_t n, int64_t followee_id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (src[mid].followee_id == followee_id)
            return &src[mid];
        if (src[mid].followee_id < followee_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int stream_hot_accepts(const merge_source *src, size_t n, const feed_event *ev)
{
    const merge_source *s;

    if (ev->source == 0)
        return 1;
    if (ev->kind != FEED_HOME)
        return 0;
    s = stream_hot_find(src, n, ev->source);
    return s != NULL && merge_source_includes(s, &ev->ref);
}
