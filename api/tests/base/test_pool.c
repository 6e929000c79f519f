/* test_pool.c: the per-request pool (leaks show up under ASan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/base/pool.h"

static void test_nothing_allocated_until_used(void **state)
{
    pool p;

    (void)state;
    pool_init(&p, 0);
    assert_null(p.chunks);
    pool_dispose(&p);
}

static void test_alignment_and_distinct_pointers(void **state)
{
    pool p;
    char *a, *b, *z1, *z2;
    int i;

    (void)state;
    pool_init(&p, 256);
    for (i = 1; i < 40; i++) {
        a = pool_alloc(&p, (size_t)i);
        assert_non_null(a);
        assert_int_equal((uintptr_t)a % sizeof(max_align_t), 0);
        memset(a, 0xab, (size_t)i); /* ASan: must be writable */
    }
    z1 = pool_alloc(&p, 0);
    z2 = pool_alloc(&p, 0);
    assert_non_null(z1);
    assert_ptr_not_equal(z1, z2);
    b = pool_alloc(&p, 10000); /* bigger than a chunk: its own */
    assert_non_null(b);
    memset(b, 1, 10000);
    a = pool_alloc(&p, 8); /* still served after the big one */
    assert_non_null(a);
    pool_dispose(&p);
    assert_null(p.chunks);
}

static void test_strndup(void **state)
{
    pool p;
    char *s;

    (void)state;
    pool_init(&p, 0);
    s = pool_strndup(&p, "hello world", 5);
    assert_string_equal(s, "hello");
    s = pool_strndup(&p, NULL, 0);
    assert_string_equal(s, "");
    pool_dispose(&p);
}

static void test_huge_request_fails_cleanly(void **state)
{
    pool p;

    (void)state;
    pool_init(&p, 0);
    assert_null(pool_alloc(&p, SIZE_MAX));
    assert_null(pool_alloc(&p, SIZE_MAX - 8));
    pool_dispose(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nothing_allocated_until_used),
        cmocka_unit_test(test_alignment_and_distinct_pointers),
        cmocka_unit_test(test_strndup),
        cmocka_unit_test(test_huge_request_fails_cleanly),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
