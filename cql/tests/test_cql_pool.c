/* test_cql_pool.c: unit tests of cql_pool.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_pool.h"

static void test_alloc_is_aligned_and_zeroed(void **state)
{
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    for (size_t size = 0; size < 100; size += 7) {
        unsigned char *p = cql_pool_alloc(&pool, size);

        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
        for (size_t i = 0; i < size; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, size); /* ASan: the whole size is ours */
    }
    cql_pool_dispose(&pool);
}

static void test_distinct_and_large(void **state)
{
    cql_pool pool;
    char *a, *b, *big;

    (void)state;
    cql_pool_init(&pool);
    a = cql_pool_alloc(&pool, 0);
    b = cql_pool_alloc(&pool, 0);
    assert_ptr_not_equal(a, b);
    big = cql_pool_alloc(&pool, 100000); /* larger than a chunk */
    assert_non_null(big);
    memset(big, 1, 100000);
    assert_true(pool.allocated >= 100000);
    cql_pool_dispose(&pool);
    assert_null(pool.chunks);
    assert_int_equal(pool.allocated, 0);
}

static void test_clear_keeps_one_chunk(void **state)
{
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    for (int i = 0; i < 100; i++)
        assert_non_null(cql_pool_alloc(&pool, 1000));
    assert_true(pool.allocated > 8192);
    cql_pool_clear(&pool);
    assert_int_equal(pool.allocated, 8192);
    assert_int_equal(pool.used, 0);
    assert_non_null(cql_pool_alloc(&pool, 10));
    cql_pool_dispose(&pool);
    cql_pool_clear(&pool); /* clearing an empty pool is fine */
}

static void test_overflow_is_refused(void **state)
{
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    assert_null(cql_pool_alloc_array(&pool, SIZE_MAX / 2, 4));
    assert_null(cql_pool_alloc(&pool, SIZE_MAX - 4));
    assert_non_null(cql_pool_alloc_array(&pool, 0, 16));
    cql_pool_dispose(&pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc_is_aligned_and_zeroed),
        cmocka_unit_test(test_distinct_and_large),
        cmocka_unit_test(test_clear_keeps_one_chunk),
        cmocka_unit_test(test_overflow_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
