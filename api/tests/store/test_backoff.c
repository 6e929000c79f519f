/* test_backoff.c: reconnect delays grow, cap, jitter within bounds, reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/src/store/backoff.h"

static void test_grows_and_caps(void **state)
{
    backoff b;
    uint32_t ceiling = 100;

    (void)state;
    backoff_init(&b, 100, 5000, 42);
    for (int i = 0; i < 40; i++) {
        uint32_t d = backoff_next(&b);
        assert_true(d >= ceiling / 2);
        assert_true(d <= ceiling);
        if (ceiling < 5000)
            ceiling = ceiling * 2 > 5000 ? 5000 : ceiling * 2;
    }
    assert_int_equal(b.attempt, 40);
}

static void test_reset(void **state)
{
    backoff b;

    (void)state;
    backoff_init(&b, 10, 1000, 7);
    for (int i = 0; i < 10; i++)
        (void)backoff_next(&b);
    assert_true(backoff_next(&b) >= 500);
    backoff_reset(&b);
    assert_true(backoff_next(&b) <= 10);
}

static void test_jitter_spreads(void **state)
{
    backoff a, b;
    int differ = 0;

    (void)state;
    backoff_init(&a, 1000, 1000, 1);
    backoff_init(&b, 1000, 1000, 2);
    for (int i = 0; i < 20; i++)
        differ += backoff_next(&a) != backoff_next(&b);
    assert_true(differ > 10);
}

static void test_degenerate_arguments(void **state)
{
    backoff b;

    (void)state;
    backoff_init(&b, 0, 0, 0);
    assert_int_equal(b.base_ms, 1);
    assert_int_equal(b.max_ms, 1);
    for (int i = 0; i < 100; i++)
        assert_true(backoff_next(&b) <= 1);
    b.attempt = UINT32_MAX;
    assert_true(backoff_next(&b) <= 1);
    assert_int_equal(b.attempt, UINT32_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_and_caps),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_jitter_spreads),
        cmocka_unit_test(test_degenerate_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
