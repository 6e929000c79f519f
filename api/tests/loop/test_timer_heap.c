/* test_timer_heap.c: the min-heap of timers, against a brute-force model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/loop/timer_heap.h"

#define N 500

static void check_heap(const timer_heap *h)
{
    size_t i;

    for (i = 0; i < h->len; i++) {
        assert_int_equal(h->items[i]->heap_index, i + 1);
        if (i > 0) {
            const loop_timer *p = h->items[(i - 1) / 2], *c = h->items[i];
            assert_true(p->when_ms < c->when_ms || (p->when_ms == c->when_ms && p->seq < c->seq));
        }
    }
}

static loop_timer *pop(timer_heap *h)
{
    loop_timer *t = timer_heap_peek(h);

    if (t != NULL)
        timer_heap_remove(h, t);
    return t;
}

static void test_empty(void **state)
{
    timer_heap h;

    (void)state;
    timer_heap_init(&h);
    assert_null(timer_heap_peek(&h));
    timer_heap_dispose(&h);
}

static void test_orders_by_deadline_then_fifo(void **state)
{
    loop_timer t[6];
    uint64_t when[6] = {50, 10, 50, 10, 0, 50};
    size_t order[6] = {4, 1, 3, 0, 2, 5};
    timer_heap h;
    size_t i;

    (void)state;
    timer_heap_init(&h);
    for (i = 0; i < 6; i++) {
        memset(&t[i], 0, sizeof(t[i]));
        t[i].when_ms = when[i];
        t[i].seq = i;
        assert_int_equal(timer_heap_push(&h, &t[i]), 0);
        check_heap(&h);
    }
    for (i = 0; i < 6; i++) {
        loop_timer *x = pop(&h);
        assert_ptr_equal(x, &t[order[i]]);
        assert_int_equal(x->heap_index, 0);
        check_heap(&h);
    }
    assert_null(timer_heap_peek(&h));
    timer_heap_dispose(&h);
}

static void test_remove_from_middle(void **state)
{
    loop_timer t[10];
    timer_heap h;
    size_t i;

    (void)state;
    timer_heap_init(&h);
    for (i = 0; i < 10; i++) {
        memset(&t[i], 0, sizeof(t[i]));
        t[i].when_ms = 100 - i * 7;
        t[i].seq = i;
        assert_int_equal(timer_heap_push(&h, &t[i]), 0);
    }
    timer_heap_remove(&h, &t[3]);
    timer_heap_remove(&h, &t[9]); /* the root */
    timer_heap_remove(&h, &t[0]); /* likely a leaf */
    check_heap(&h);
    assert_int_equal(h.len, 7);
    assert_ptr_equal(timer_heap_peek(&h), &t[8]);
    timer_heap_dispose(&h);
    for (i = 0; i < 10; i++)
        assert_int_equal(t[i].heap_index, 0); /* dispose disarms */
}

/* Random pushes, removals and pops against a linear-scan model. */
static void test_random_against_model(void **state)
{
    loop_timer *t = calloc(N, sizeof(*t));
    int *in = calloc(N, sizeof(*in));
    timer_heap h;
    uint64_t seq = 0;
    unsigned rnd = 12345;
    int step;

    (void)state;
    assert_non_null(t);
    assert_non_null(in);
    timer_heap_init(&h);
    for (step = 0; step < 20000; step++) {
        size_t k;
        rnd = rnd * 1103515245u + 12345u;
        k = (rnd >> 8) % N;
        switch ((rnd >> 4) % 3) {
        case 0: /* push or move */
            if (in[k])
                timer_heap_remove(&h, &t[k]);
            t[k].when_ms = (rnd >> 12) % 1000;
            t[k].seq = seq++;
            assert_int_equal(timer_heap_push(&h, &t[k]), 0);
            in[k] = 1;
            break;
        case 1: /* remove */
            if (in[k]) {
                timer_heap_remove(&h, &t[k]);
                in[k] = 0;
            }
            break;
        default: { /* pop: must be the model's minimum */
            loop_timer *best = NULL, *got;
            size_t i;
            for (i = 0; i < N; i++) {
                if (in[i] && (best == NULL || t[i].when_ms < best->when_ms ||
                              (t[i].when_ms == best->when_ms && t[i].seq < best->seq)))
                    best = &t[i];
            }
            got = pop(&h);
            assert_ptr_equal(got, best);
            if (got != NULL)
                in[got - t] = 0;
            break;
        }
        }
        if (step % 1000 == 0)
            check_heap(&h);
    }
    check_heap(&h);
    timer_heap_dispose(&h);
    free(t);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_orders_by_deadline_then_fifo),
        cmocka_unit_test(test_remove_from_middle),
        cmocka_unit_test(test_random_against_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
