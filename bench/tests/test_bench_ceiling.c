/* test_bench_ceiling.c: Murmur3 tokens (against values a Cassandra 5.0
 * node returned for SELECT token(user_id)) and each shape's requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench/bench_ceiling.h"

static void test_token_matches_cassandra(void **state)
{
    (void)state;
    /* SELECT token(user_id), user_id FROM feed.home_feed on Cassandra 5.0.9 */
    assert_true(bench_murmur3_token(0) == INT64_C(2945182322382062539));
    assert_true(bench_murmur3_token(1) == INT64_C(6292367497774912474));
    assert_true(bench_murmur3_token(-1) == INT64_C(7071048584287372947));
    assert_true(bench_murmur3_token(42) == INT64_C(8623491988607824794));
    assert_true(bench_murmur3_token(1000000007) == INT64_C(8339083685079672608));
    assert_true(bench_murmur3_token(INT64_MIN) == INT64_C(9204767954415360687));
}

static void test_token_range_slices_the_ring_in_order(void **state)
{
    (void)state;
    assert_int_equal(bench_token_range(INT64_MIN, 4), 0);
    assert_int_equal(bench_token_range(-1, 4), 1);
    assert_int_equal(bench_token_range(0, 4), 2);
    assert_int_equal(bench_token_range(INT64_MAX, 4), 3);
    assert_int_equal(bench_token_range(INT64_MAX, 1), 0);
    assert_int_equal(bench_token_range(INT64_MIN / 2 - 1, 4), 0);
    assert_int_equal(bench_token_range(INT64_MIN / 2, 4), 1);
}

static void fill(bench_feed_row *rows, size_t n, int users)
{
    for (size_t i = 0; i < n; i++) {
        rows[i] = (bench_feed_row){.user_id = 1000 + (int64_t)(i % (size_t)users), .ts_us = (int64_t)(n - i)};
    }
}

static void test_single_is_one_row_per_request_in_order(void **state)
{
    bench_feed_row rows[10];
    bench_span *sp = NULL;
    size_t m = 0;

    (void)state;
    fill(rows, 10, 3);
    assert_int_equal(bench_ceiling_plan(rows, 10, BENCH_SHAPE_SINGLE, 8, 4, &sp, &m), 0);
    assert_int_equal(m, 10);
    for (size_t i = 0; i < m; i++) {
        assert_int_equal(sp[i].off, i);
        assert_int_equal(sp[i].n, 1);
    }
    assert_true(rows[0].user_id == 1000 && rows[1].user_id == 1001); /* not reordered */
    free(sp);
}

static void test_partition_batches_hold_one_partition_at_most_k(void **state)
{
    enum { N = 50 };
    bench_feed_row rows[N];
    bench_span *sp = NULL;
    size_t m = 0, total = 0;

    (void)state;
    fill(rows, N, 4); /* users 1000..1003: 13, 13, 12, 12 rows */
    assert_int_equal(bench_ceiling_plan(rows, N, BENCH_SHAPE_PARTITION, 5, 1, &sp, &m), 0);
    assert_int_equal(m, 12); /* 13 -> 5+5+3, 12 -> 5+5+2 */
    for (size_t i = 0; i < m; i++) {
        assert_true(sp[i].n >= 1 && sp[i].n <= 5);
        assert_int_equal(sp[i].off, total);
        for (size_t j = 1; j < sp[i].n; j++) {
            assert_true(rows[sp[i].off + j].user_id == rows[sp[i].off].user_id);
            assert_true(rows[sp[i].off + j].ts_us > rows[sp[i].off + j - 1].ts_us);
        }
        total += sp[i].n;
    }
    assert_int_equal(total, N);
    free(sp);
}

static void test_range_batches_share_one_token_range(void **state)
{
    enum { N = 400, RANGES = 8 };
    bench_feed_row rows[N];
    bench_span *sp = NULL;
    size_t m = 0, total = 0, multi = 0;
    int last = -1;

    (void)state;
    fill(rows, N, 100);
    assert_int_equal(bench_ceiling_plan(rows, N, BENCH_SHAPE_RANGE, 16, RANGES, &sp, &m), 0);
    for (size_t i = 0; i < m; i++) {
        int r = bench_token_range(bench_murmur3_token(rows[sp[i].off].user_id), RANGES);
        assert_true(sp[i].n >= 1 && sp[i].n <= 16);
        assert_true(r >= last); /* ranges in ring order */
        last = r;
        for (size_t j = 1; j < sp[i].n; j++) {
            assert_int_equal(bench_token_range(bench_murmur3_token(rows[sp[i].off + j].user_id), RANGES), r);
            if (rows[sp[i].off + j].user_id != rows[sp[i].off].user_id)
                multi++;
        }
        total += sp[i].n;
    }
    assert_int_equal(total, N);
    assert_true(multi > 0);            /* several partitions per batch */
    assert_true(m <= N / 16 + RANGES); /* full batches but for each range's last */
    free(sp);
}

static void test_plan_rejects_bad_arguments(void **state)
{
    bench_feed_row rows[2] = {{.user_id = 1}, {.user_id = 2}};
    bench_span *sp = NULL;
    size_t m = 0;
    bench_shape s;

    (void)state;
    assert_int_equal(bench_ceiling_plan(rows, 0, BENCH_SHAPE_RANGE, 4, 4, &sp, &m), -1);
    assert_int_equal(bench_ceiling_plan(rows, 2, BENCH_SHAPE_RANGE, 0, 4, &sp, &m), -1);
    assert_int_equal(bench_ceiling_plan(rows, 2, BENCH_SHAPE_RANGE, 129, 4, &sp, &m), -1);
    assert_int_equal(bench_ceiling_plan(rows, 2, BENCH_SHAPE_RANGE, 4, 0, &sp, &m), -1);
    assert_null(sp);
    assert_int_equal(bench_shape_parse("range", &s), 0);
    assert_int_equal(s, BENCH_SHAPE_RANGE);
    assert_int_equal(bench_shape_parse("batch", &s), -1);
    assert_string_equal(bench_shape_name(BENCH_SHAPE_PARTITION), "partition");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_token_matches_cassandra),
        cmocka_unit_test(test_token_range_slices_the_ring_in_order),
        cmocka_unit_test(test_single_is_one_row_per_request_in_order),
        cmocka_unit_test(test_partition_batches_hold_one_partition_at_most_k),
        cmocka_unit_test(test_range_batches_share_one_token_range),
        cmocka_unit_test(test_plan_rejects_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
