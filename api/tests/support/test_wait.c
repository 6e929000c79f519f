/* test_wait.c: bounded loop turns for tests (see test_wait.h). */
#include "api/tests/support/test_wait.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* The guard only wakes the loop; it has nothing to do itself. */
static void tw_on_guard(loop *l, loop_timer *t)
{
    (void)l;
    (void)t;
}

int tw_run_until(loop *l, const int *flag, uint64_t timeout_ms)
{
    uint64_t end = loop_clock_ms() + timeout_ms;
    loop_timer guard; /* on our stack: disarmed before we return */

    assert_non_null(flag);
    loop_timer_init(&guard, tw_on_guard, NULL);
    while (!*flag && loop_clock_ms() < end) {
        assert_int_equal(loop_timer_start(l, &guard, 10), LOOP_OK);
        assert_true(loop_run_once(l, 1) >= 0);
    }
    loop_timer_stop(l, &guard);
    return *flag;
}

void tw_run_for(loop *l, uint64_t ms)
{
    const int never = 0;

    (void)tw_run_until(l, &never, ms);
}
