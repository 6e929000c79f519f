/* stream_merge.c: order, ids and repeats of a feed stream (see
 * stream_merge.h). */
#include "api/src/stream/stream_merge.h"

#include <string.h>

void stream_merge_init(stream_merge *m, const feed_ref *after)
{
    memset(m, 0, sizeof(*m));
    if (after != NULL) {
        m->has_mark = 1;
        m->mark = *after;
    }
}

static int stream_merge_recent(const stream_merge *m, const feed_ref *item)
{
    unsigned i;

    for (i = 0; i < m->recent_n; i++) {
        if (m->recent_len[i] == item->id_len && memcmp(m->recent[i], item->id, item->id_len) == 0)
            return 1;
    }
    return 0;
}

int stream_merge_offer(stream_merge *m, const feed_ref *item)
{
    if (!m->updates && stream_merge_recent(m, item))
        return 0;
    if (!m->has_mark || feed_ref_cmp(item, &m->mark) < 0) {
        m->has_mark = 1;
        m->mark = *item;
    }
    memcpy(m->recent[m->recent_next], item->id, item->id_len);
    m->recent_len[m->recent_next] = item->id_len;
    m->recent_next = (m->recent_next + 1) % STREAM_RECENT;
    if (m->recent_n < STREAM_RECENT)
        m->recent_n++;
    return 1;
}

const feed_ref *stream_merge_mark(const stream_merge *m)
{
    return m->has_mark ? &m->mark : NULL;
}

size_t stream_backlog_newer(const feed_ref *after, const feed_ref *refs, size_t n, int *reached)
{
    size_t i;

    *reached = 0;
    if (after == NULL)
        return n;
    for (i = 0; i < n; i++) {
        if (feed_ref_cmp(&refs[i], after) >= 0) {
            *reached = 1;
            return i;
        }
    }
    return n;
}

int stream_backlog_has(const feed_ref *refs, size_t n, const feed_ref *x)
{
    size_t lo = 0, hi = n, mid;
    int c;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        c = feed_ref_cmp(&refs[mid], x);
        if (c == 0)
            return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* FNV-1a, 64 bits. */
static uint64_t stream_history_hash(const feed_ref *item)
{
    uint64_t h = 14695981039346656037ULL;
    size_t i;

    for (i = 0; i < item->id_len; i++) {
        h ^= (unsigned char)item->id[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void stream_history_note(stream_history *h, const feed_ref *item, int removed)
{
    h->hash[h->next] = stream_history_hash(item);
    h->removed[h->next] = removed != 0;
    h->next = (h->next + 1) % STREAM_HISTORY;
    if (h->n < STREAM_HISTORY)
        h->n++;
}

int stream_history_repeat(const stream_history *h, const feed_ref *item, int removed)
{
    uint64_t x = stream_history_hash(item);
    unsigned i, at;

    for (i = 0; i < h->n; i++) { /* newest first: the item's last state */
        at = (h->next + STREAM_HISTORY - 1 - i) % STREAM_HISTORY;
        if (h->hash[at] == x)
            return h->removed[at] == (removed != 0);
    }
    return 0;
}
