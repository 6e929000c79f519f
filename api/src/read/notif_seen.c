/* notif_seen.c: the groups below the marker a user had when marking (see
 * notif_seen.h). */
#include "api/src/read/notif_seen.h"

#include <string.h>

#include "api/src/wire/cursor.h"

void notif_seen_lower_default(int64_t now_us, feed_ref *lower)
{
    lower->ts_us = now_us - NOTIF_WINDOW_US - NOTIF_SEEN_MARGIN_US;
    lower->id_len = 0;
    lower->id[0] = '\0';
}

void notif_seen_builder_init(notif_seen_builder *b, int64_t now_us)
{
    memset(b, 0, sizeof(*b));
    buf_init(&b->array, 0);
    notif_seen_lower_default(now_us, &b->lower);
    if (buf_append(&b->array, "{", 1) != 0)
        b->failed = 1;
}

void notif_seen_builder_add(notif_seen_builder *b, int64_t ts_us, slice id)
{
    if (b->failed || b->full)
        return;
    if (b->n == NOTIF_SEEN_MAX) {
        /* the range starts above this group: it and older count as seen */
        if (feed_ref_set(&b->lower, ts_us, id) != 0)
            b->failed = 1;
        b->full = 1;
        return;
    }
    /* an id outside the cursor alphabet would need quoting in the array
     * text and could not be a position anyway */
    if (!cursor_id_valid(FEED_NOTIFICATIONS, id) || (b->n > 0 && buf_append(&b->array, ",", 1) != 0) ||
        buf_append_slice(&b->array, id) != 0) {
        b->failed = 1;
        return;
    }
    b->n++;
}

int notif_seen_builder_finish(notif_seen_builder *b)
{
    if (b->failed || buf_append(&b->array, "}", 2) != 0) /* with its NUL */
        return -1;
    b->array.len--; /* the NUL is not part of the text */
    return 0;
}

void notif_seen_builder_dispose(notif_seen_builder *b)
{
    buf_dispose(&b->array);
}

int notif_seen_has(const char *array, slice id)
{
    const char *p, *end;
    size_t len;

    if (array == NULL || id.len == 0 || array[0] != '{')
        return 0;
    len = strlen(array);
    if (len < 2 || array[len - 1] != '}')
        return 0;
    p = array + 1;
    end = array + len - 1;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma != NULL ? comma : end;

        if ((size_t)(stop - p) == id.len && memcmp(p, id.base, id.len) == 0)
            return 1;
        p = stop + 1;
    }
    return 0;
}
