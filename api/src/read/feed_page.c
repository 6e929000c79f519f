/* feed_page.c: page assembly (see feed_page.h). */
#include "api/src/read/feed_page.h"

int feed_page_add(feed_page *p, const feed_ref *refs, const slice *json, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (p->nitems == p->limit) {
            p->more = 1;
            break;
        }
        p->pos = refs[i];
        p->has_pos = 1;
        if (json[i].base == NULL) { /* undone: gone everywhere */
            if (p->missing != NULL && p->nmissing < p->missing_cap)
                p->missing[p->nmissing++] = refs[i];
            else if (p->missing != NULL)
                p->missing_overflow = 1;
            continue;
        }
        if ((p->nitems > 0 && buf_append_cstr(p->items, ",") != 0) || buf_append_slice(p->items, json[i]) != 0)
            return -1;
        if (p->item_refs != NULL) {
            p->item_refs[p->nitems] = refs[i];
            p->item_ends[p->nitems] = p->items->len;
        }
        p->nitems++;
        p->last = refs[i];
    }
    return 0;
}

feed_page_step feed_page_next(const feed_page *p, int src_end, int rounds, int max_rounds)
{
    if (p->nitems == p->limit)
        return p->more || !src_end ? FEED_PAGE_CURSOR_LAST : FEED_PAGE_END;
    if (src_end)
        return FEED_PAGE_END;
    if (rounds >= max_rounds)
        return p->has_pos ? FEED_PAGE_CURSOR_POS : FEED_PAGE_END;
    return FEED_PAGE_AGAIN;
}

unsigned feed_page_want(const feed_page *p)
{
    return (unsigned)(p->limit - p->nitems + 1);
}
