/* backoff.h: reconnect delays for the store clients.
 *
 * Exponential with "equal jitter": attempt n waits between half and all
 * of min(max_ms, base_ms * 2^n), so that the clients of many worker
 * threads that lost the same server do not knock on its door in step.
 * The jitter comes from a per-object xorshift state seeded by the caller,
 * which keeps the unit tests deterministic. Pure: no clock, no I/O.
 *
 * The caller owns the struct; nothing is allocated.
 */
#ifndef API_STORE_BACKOFF_H
#define API_STORE_BACKOFF_H

#include <stdint.h>

typedef struct backoff {
    uint32_t base_ms; /* first delay's ceiling (> 0) */
    uint32_t max_ms;  /* ceiling of every delay (>= base_ms) */
    uint32_t attempt; /* failures since the last success */
    uint64_t rng;     /* xorshift64 state, never 0 */
} backoff;

/* Prepare b; base_ms 0 is taken as 1, max_ms below base_ms as base_ms. */
void backoff_init(backoff *b, uint32_t base_ms, uint32_t max_ms, uint64_t seed);

/* The delay before the next attempt, and count one more failure. The
 * result lies in [ceiling/2, ceiling] with ceiling = min(max, base*2^n). */
uint32_t backoff_next(backoff *b);

/* A connection succeeded: the next failure starts from base_ms again. */
void backoff_reset(backoff *b);

#endif
