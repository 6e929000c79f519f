/* test_wait.h: turning a test's own loop until something happens, with
 * a deadline, for the store client tests (unit and integration).
 *
 * A client under test may have nothing armed on the loop (a request
 * waiting on a socket that never becomes readable, say), so every turn
 * here is bounded by a guard timer of 10 ms: loop_run_once never blocks
 * longer than that, and a deadline is noticed within about 10 ms of
 * passing. The guard lives on the caller's stack only for the duration
 * of one call and is always disarmed before the call returns.
 *
 * Ownership: the caller owns the loop and the flag; nothing here
 * allocates. A failing loop call fails the running cmocka test.
 */
#ifndef API_TESTS_SUPPORT_TEST_WAIT_H
#define API_TESTS_SUPPORT_TEST_WAIT_H

#include <stdint.h>

#include "api/src/loop/loop.h"

/* Turn l until *flag is non-zero or timeout_ms have passed on the
 * monotonic clock; returns *flag (0: the deadline won). The flag is read
 * before each turn, so one already set returns at once, without a turn. */
int tw_run_until(loop *l, const int *flag, uint64_t timeout_ms);

/* Turn l for ms milliseconds, whatever happens: time for a client's
 * timers and sockets to do their work. */
void tw_run_for(loop *l, uint64_t ms);

#endif
