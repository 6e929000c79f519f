/* test_bench_flink.c: the pure part of bench_flink.c, the "wait until
 * quiet" decision (the REST calls need a running Flink). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bench/bench_flink.h"

#define MS 1000000LL

/* Done once the counter has not moved for quiet_ms since its last change. */
static void test_quiet_after_still_counter(void **state)
{
    bench_quiet q;

    (void)state;
    bench_quiet_start(&q, 1000, 60000, 0);
    assert_int_equal(bench_quiet_done(&q, 5, 0), 0);
    assert_int_equal(bench_quiet_done(&q, 5, 500 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 5, 999 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 5, 1000 * MS), 1);
}

/* Every change restarts the quiet period. */
static void test_move_restarts_quiet(void **state)
{
    bench_quiet q;

    (void)state;
    bench_quiet_start(&q, 1000, 60000, 0);
    assert_int_equal(bench_quiet_done(&q, 5, 0), 0);
    assert_int_equal(bench_quiet_done(&q, 6, 900 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 6, 1800 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 7, 1899 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 7, 2898 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 7, 2899 * MS), 1);
}

/* A counter that never stops moving: done once max_ms passed. */
static void test_gives_up_after_max(void **state)
{
    bench_quiet q;
    int64_t t = 0;
    double v = 0;

    (void)state;
    bench_quiet_start(&q, 1000, 5000, 0);
    for (; t < 5000 * MS; t += 100 * MS)
        assert_int_equal(bench_quiet_done(&q, v++, t), 0);
    assert_int_equal(bench_quiet_done(&q, v++, t), 1);
}

/* The first reading counts as a move, even a reading of 0: quiet is
 * measured from it, not from the start. */
static void test_first_reading_is_a_move(void **state)
{
    bench_quiet q;

    (void)state;
    bench_quiet_start(&q, 1000, 60000, 0);
    assert_int_equal(bench_quiet_done(&q, 0, 600 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 0, 1500 * MS), 0);
    assert_int_equal(bench_quiet_done(&q, 0, 1600 * MS), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_after_still_counter),
        cmocka_unit_test(test_move_restarts_quiet),
        cmocka_unit_test(test_gives_up_after_max),
        cmocka_unit_test(test_first_reading_is_a_move),
    };

    return cmocka_run_group_tests_name("bench_flink", tests, NULL, NULL);
}
