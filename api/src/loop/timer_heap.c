/* timer_heap.c: binary min-heap ordered by (when_ms, seq).
 *
 * The seq tie-break makes the heap behave like a FIFO for timers with the
 * same deadline, which keeps firing order deterministic (tests rely on
 * it) even though a heap by itself is not stable.
 */
#include "api/src/loop/timer_heap.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

static int timer_before(const loop_timer *a, const loop_timer *b)
{
    if (a->when_ms != b->when_ms)
        return a->when_ms < b->when_ms;
    return a->seq < b->seq;
}

static void timer_heap_set(timer_heap *h, size_t i, loop_timer *t)
{
    h->items[i] = t;
    t->heap_index = i + 1;
}

static void timer_heap_up(timer_heap *h, size_t i)
{
    loop_timer *t = h->items[i];

    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(t, h->items[parent]))
            break;
        timer_heap_set(h, i, h->items[parent]);
        i = parent;
    }
    timer_heap_set(h, i, t);
}

static void timer_heap_down(timer_heap *h, size_t i)
{
    loop_timer *t = h->items[i];

    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= h->len)
            break;
        if (child + 1 < h->len && timer_before(h->items[child + 1], h->items[child]))
            child++;
        if (!timer_before(h->items[child], t))
            break;
        timer_heap_set(h, i, h->items[child]);
        i = child;
    }
    timer_heap_set(h, i, t);
}

void timer_heap_init(timer_heap *h)
{
    h->items = NULL;
    h->len = 0;
    h->cap = 0;
}

void timer_heap_dispose(timer_heap *h)
{
    size_t i;

    for (i = 0; i < h->len; i++)
        h->items[i]->heap_index = 0;
    free(h->items);
    timer_heap_init(h);
}

int timer_heap_push(timer_heap *h, loop_timer *t)
{
    assert(t->heap_index == 0);
    if (h->len == h->cap) {
        size_t cap = h->cap != 0 ? h->cap * 2 : 64;
        loop_timer **items;
        if (cap > SIZE_MAX / sizeof(*items)) {
            errno = ENOMEM;
            return -1;
        }
        items = realloc(h->items, cap * sizeof(*items));
        if (items == NULL) {
            errno = ENOMEM;
            return -1;
        }
        h->items = items;
        h->cap = cap;
    }
    h->len++;
    timer_heap_set(h, h->len - 1, t);
    timer_heap_up(h, h->len - 1);
    return 0;
}

void timer_heap_remove(timer_heap *h, loop_timer *t)
{
    size_t i = t->heap_index - 1;
    loop_timer *last;

    assert(t->heap_index != 0 && i < h->len && h->items[i] == t);
    t->heap_index = 0;
    last = h->items[--h->len];
    if (i == h->len)
        return; /* t was the last item */
    /* Move the last item into the hole, then restore the order in
     * whichever direction it is broken. */
    timer_heap_set(h, i, last);
    if (i > 0 && timer_before(last, h->items[(i - 1) / 2]))
        timer_heap_up(h, i);
    else
        timer_heap_down(h, i);
}
