/* test_fill_table.c: the per-worker single-flight of fills. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/fill_table.h"

typedef struct waiter {
    fill_waiter w;
    int called;
    int order;
    size_t nrows;
    fill_flight *got;
} waiter;

static int calls;

static void on_done(fill_waiter *fw, fill_flight *f)
{
    waiter *w = (waiter *)fw;

    w->called++;
    w->order = ++calls;
    w->nrows = f->nrows;
    w->got = f;
}

static void test_concurrent_misses_share_one_flight(void **state)
{
    fill_table t;
    fill_flight *f, *g;
    waiter w[3];
    feed_ref *rows = calloc(2, sizeof(*rows));
    int i;

    (void)state;
    calls = 0;
    fill_table_init(&t);
    assert_null(fill_table_find(&t, FEED_HOME, 7));
    f = fill_table_start(&t, FEED_HOME, 7);
    assert_non_null(f);
    /* other feeds and kinds are other flights */
    assert_null(fill_table_find(&t, FEED_PROFILE, 7));
    assert_null(fill_table_find(&t, FEED_HOME, 8));
    for (i = 0; i < 3; i++) {
        memset(&w[i], 0, sizeof(w[i]));
        w[i].w.done = on_done;
        assert_ptr_equal(fill_table_find(&t, FEED_HOME, 7), f);
        fill_flight_wait(f, &w[i].w);
    }
    assert_int_equal(f->refs, 4);
    assert_int_equal(t.count, 1);
    fill_flight_finish(&t, f, 0, 1, rows, 2);
    assert_int_equal(t.count, 0);
    assert_null(fill_table_find(&t, FEED_HOME, 7));
    for (i = 0; i < 3; i++) {
        assert_int_equal(w[i].called, 1);
        assert_int_equal(w[i].order, i + 1); /* arrival order */
        assert_int_equal(w[i].nrows, 2);
    }
    /* a new miss after the finish starts a new flight */
    g = fill_table_start(&t, FEED_HOME, 7);
    assert_ptr_not_equal(g, NULL);
    fill_flight_finish(&t, g, -1, 0, NULL, 0);
    fill_flight_release(g);
    for (i = 0; i < 3; i++)
        fill_flight_release(f); /* the rows stay until the last release */
    assert_int_equal(f->refs, 1);
    assert_int_equal(f->rows[1].ts_us, 0);
    fill_flight_release(f);
}

/* Published rows serve a late joiner at once while the leader stores
 * them; after fill_table_remove a miss starts a new flight. */
static void test_join_after_publish(void **state)
{
    fill_table t;
    fill_flight *f;
    waiter early, late;
    feed_ref *rows = calloc(3, sizeof(*rows));

    (void)state;
    calls = 0;
    fill_table_init(&t);
    f = fill_table_start(&t, FEED_PROFILE, 9);
    memset(&early, 0, sizeof(early));
    memset(&late, 0, sizeof(late));
    early.w.done = on_done;
    late.w.done = on_done;
    fill_flight_wait(f, &early.w);
    assert_int_equal(early.called, 0);
    fill_flight_publish(f, 0, 0, rows, 3);
    assert_int_equal(early.called, 1);
    assert_ptr_equal(fill_table_find(&t, FEED_PROFILE, 9), f); /* still joinable */
    fill_flight_wait(f, &late.w);
    assert_int_equal(late.called, 1); /* at once, with the rows */
    assert_int_equal(late.nrows, 3);
    assert_int_equal(f->refs, 3);
    fill_table_remove(&t, f);
    fill_table_remove(&t, f); /* twice is harmless */
    assert_null(fill_table_find(&t, FEED_PROFILE, 9));
    assert_int_equal(t.count, 0);
    fill_flight_release(f);
    fill_flight_release(f);
    fill_flight_release(f);
}

static void test_several_flights(void **state)
{
    fill_table t;
    fill_flight *a, *b, *c;

    (void)state;
    fill_table_init(&t);
    a = fill_table_start(&t, FEED_HOME, 1);
    b = fill_table_start(&t, FEED_NOTIFICATIONS, 1);
    c = fill_table_start(&t, FEED_HOME, 2);
    assert_int_equal(t.count, 3);
    fill_flight_finish(&t, b, 0, 0, NULL, 0);
    assert_ptr_equal(fill_table_find(&t, FEED_HOME, 1), a);
    assert_ptr_equal(fill_table_find(&t, FEED_HOME, 2), c);
    assert_null(fill_table_find(&t, FEED_NOTIFICATIONS, 1));
    fill_flight_finish(&t, a, 0, 0, NULL, 0);
    fill_flight_finish(&t, c, 0, 0, NULL, 0);
    assert_int_equal(t.count, 0);
    fill_flight_release(a);
    fill_flight_release(b);
    fill_flight_release(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_misses_share_one_flight),
        cmocka_unit_test(test_join_after_publish),
        cmocka_unit_test(test_several_flights),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
