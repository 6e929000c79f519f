/* timer_heap.h: the event loop's timers, in a binary min-heap.
 *
 * Redis's ae.c keeps timers in an unsorted list and scans it every turn,
 * which is fine for a dozen timers. Here every connection arms a timer
 * (idle keep-alive, request read, handler deadline), so with ten
 * thousand connections the loop needs the earliest deadline in O(1) and
 * start/stop in O(log n): a heap whose nodes know their own position.
 *
 * The caller owns each loop_timer (embedded in a connection, say); the
 * heap only holds pointers to them and never frees one. A timer must be
 * removed from the heap before its memory goes away.
 */
#ifndef API_LOOP_TIMER_HEAP_H
#define API_LOOP_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct loop;
typedef struct loop_timer loop_timer;

/* Called once when the timer is due; the timer is no longer armed, so
 * the callback may start it again or free its memory. */
typedef void loop_timer_proc(struct loop *l, loop_timer *t);

struct loop_timer {
    uint64_t when_ms;  /* deadline on the loop's monotonic clock */
    uint64_t seq;      /* start order: equal deadlines fire first-armed first */
    size_t heap_index; /* 1 + position in the heap; 0 when not armed */
    loop_timer_proc *proc;
    void *data; /* for the callback; not owned */
};

typedef struct timer_heap {
    loop_timer **items; /* owned array of borrowed pointers */
    size_t len;
    size_t cap;
} timer_heap;

void timer_heap_init(timer_heap *h);

/* Free the array. Timers still inside are simply forgotten (marked not
 * armed); their memory belongs to their owners. */
void timer_heap_dispose(timer_heap *h);

/* Insert t (not yet in the heap) with its when_ms and seq set.
 * 0, or -1 with errno ENOMEM and the heap unchanged. */
int timer_heap_push(timer_heap *h, loop_timer *t);

/* Remove t, which must be in h. */
void timer_heap_remove(timer_heap *h, loop_timer *t);

/* The earliest timer, or NULL when the heap is empty. */
static inline loop_timer *timer_heap_peek(const timer_heap *h)
{
    return h->len != 0 ? h->items[0] : NULL;
}

#endif
