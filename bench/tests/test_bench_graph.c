/* test_bench_graph.c: the generator, Zipf-like counts, distinct samples. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench_graph.h"

static void test_rng_is_deterministic_and_in_range(void **state)
{
    bench_rng a, b;
    int hits[7] = {0};

    (void)state;
    bench_rng_seed(&a, 42);
    bench_rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        assert_true(bench_rng_next(&a) == bench_rng_next(&b));
    for (int i = 0; i < 70000; i++) {
        uint64_t x = bench_rng_below(&a, 7);
        double u = bench_rng_unit(&a);
        assert_true(x < 7);
        assert_true(u >= 0 && u < 1);
        hits[x]++;
    }
    for (int i = 0; i < 7; i++) /* 10000 expected each; 5 sigma is ~500 */
        assert_true(hits[i] > 9400 && hits[i] < 10600);
}

static void test_zipf_total_is_exact_and_counts_fall(void **state)
{
    size_t c[2000];
    long long sum = 0;

    (void)state;
    assert_int_equal(bench_zipf_counts(2000, 1.0, 50, 18000, c), 100000);
    for (size_t k = 0; k < 2000; k++) {
        sum += (long long)c[k];
        if (k > 0)
            assert_true(c[k] <= c[k - 1]);
    }
    assert_int_equal(sum, 100000);
    /* power law: the top author has about 100000 / H(2000) = 12,000 */
    assert_true(c[0] > 11000 && c[0] < 13000);
    assert_true(c[1999] < 10);
}

static void test_zipf_respects_the_cap(void **state)
{
    size_t c[100];
    long long sum = 0;

    (void)state;
    assert_int_equal(bench_zipf_counts(100, 1.5, 30, 200, c), 3000);
    for (size_t k = 0; k < 100; k++) {
        assert_true(c[k] <= 200);
        sum += (long long)c[k];
    }
    assert_int_equal(sum, 3000);
    assert_int_equal(c[0], 200);
}

static void test_zipf_zero_exponent_is_fixed(void **state)
{
    size_t c[10];

    (void)state;
    assert_int_equal(bench_zipf_counts(10, 0, 50, 100, c), 500);
    for (size_t k = 0; k < 10; k++)
        assert_int_equal(c[k], 50);
    /* a fraction: 10 * 2.5 = 25, top ranks get the extra one */
    assert_int_equal(bench_zipf_counts(10, 0, 2.5, 100, c), 25);
    assert_int_equal(c[0], 3);
    assert_int_equal(c[9], 2);
}

static void test_zipf_refuses_the_impossible(void **state)
{
    size_t c[10];

    (void)state;
    assert_int_equal(bench_zipf_counts(10, 1, 50, 40, c), -1); /* 500 > 10 * 40 */
    assert_int_equal(bench_zipf_counts(0, 1, 50, 40, c), -1);
    assert_int_equal(bench_zipf_counts(10, -1, 5, 40, c), -1);
    assert_int_equal(bench_zipf_counts(10, 1, -5, 40, c), -1);
}

static void test_sample_distinct_keeps_a_permutation(void **state)
{
    enum { N = 1000 };
    uint32_t perm[N];
    char seen[N];
    bench_rng r;

    (void)state;
    bench_rng_seed(&r, 7);
    for (uint32_t i = 0; i < N; i++)
        perm[i] = i;
    for (int round = 0; round < 20; round++) {
        size_t k = (size_t)(round * 50);
        bench_sample_distinct(&r, perm, N, k);
        memset(seen, 0, sizeof seen);
        for (size_t i = 0; i < N; i++) {
            assert_true(perm[i] < N);
            assert_int_equal(seen[perm[i]], 0); /* distinct, and still all of 0..N-1 */
            seen[perm[i]] = 1;
        }
    }
    bench_sample_distinct(&r, perm, N, N); /* all of them */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rng_is_deterministic_and_in_range),
        cmocka_unit_test(test_zipf_total_is_exact_and_counts_fall),
        cmocka_unit_test(test_zipf_respects_the_cap),
        cmocka_unit_test(test_zipf_zero_exponent_is_fixed),
        cmocka_unit_test(test_zipf_refuses_the_impossible),
        cmocka_unit_test(test_sample_distinct_keeps_a_permutation),
    };
    return cmocka_run_group_tests_name("bench_graph", tests, NULL, NULL);
}
