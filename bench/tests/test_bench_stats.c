/* test_bench_stats.c: nearest-rank percentiles and the summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bench/bench_stats.h"

static void test_percentile_is_nearest_rank(void **state)
{
    double v[100];

    (void)state;
    for (int i = 0; i < 100; i++)
        v[i] = i + 1; /* 1..100 */
    assert_true(bench_percentile(v, 100, 50) == 50);
    assert_true(bench_percentile(v, 100, 90) == 90);
    assert_true(bench_percentile(v, 100, 99) == 99);
    assert_true(bench_percentile(v, 100, 100) == 100);
    assert_true(bench_percentile(v, 100, 0) == 1);
    /* 10 samples: p50 is the 5th, p99 the 10th (ceil(9.9)) */
    assert_true(bench_percentile(v, 10, 50) == 5);
    assert_true(bench_percentile(v, 10, 99) == 10);
    assert_true(bench_percentile(v, 10, 1) == 1);
    /* one sample is every percentile */
    assert_true(bench_percentile(v, 1, 50) == 1);
    assert_true(bench_percentile(v, 1, 99) == 1);
}

static void test_summary_sorts_and_summarises(void **state)
{
    bench_samples s;
    bench_summary sum;
    const double in[] = {5, 1, 4, 2, 3};

    (void)state;
    bench_samples_init(&s);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(bench_samples_add(&s, in[i]), 0);
    bench_summarize(&s, &sum);
    assert_int_equal(sum.n, 5);
    assert_true(sum.min == 1 && sum.max == 5 && sum.mean == 3);
    assert_true(sum.p50 == 3); /* ceil(2.5) = 3rd */
    assert_true(sum.p90 == 5 && sum.p99 == 5);
    for (size_t i = 1; i < s.n; i++)
        assert_true(s.v[i - 1] <= s.v[i]);
    bench_samples_free(&s);
    assert_null(s.v);
}

static void test_summary_of_nothing_is_zero(void **state)
{
    bench_samples s;
    bench_summary sum;

    (void)state;
    bench_samples_init(&s);
    bench_summarize(&s, &sum);
    assert_int_equal(sum.n, 0);
    assert_true(sum.p99 == 0 && sum.max == 0);
}

static void test_samples_grow_past_the_first_block(void **state)
{
    bench_samples s;
    bench_summary sum;

    (void)state;
    bench_samples_init(&s);
    for (int i = 10000; i > 0; i--)
        assert_int_equal(bench_samples_add(&s, i), 0);
    bench_summarize(&s, &sum);
    assert_int_equal(sum.n, 10000);
    assert_true(sum.p50 == 5000 && sum.p99 == 9900 && sum.max == 10000);
    bench_samples_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentile_is_nearest_rank),
        cmocka_unit_test(test_summary_sorts_and_summarises),
        cmocka_unit_test(test_summary_of_nothing_is_zero),
        cmocka_unit_test(test_samples_grow_past_the_first_block),
    };
    return cmocka_run_group_tests_name("bench_stats", tests, NULL, NULL);
}
