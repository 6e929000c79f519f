/* backoff.c: exponential reconnect delays with equal jitter. */
#include "api/src/store/backoff.h"

void backoff_init(backoff *b, uint32_t base_ms, uint32_t max_ms, uint64_t seed)
{
    b->base_ms = base_ms != 0 ? base_ms : 1;
    b->max_ms = max_ms >= b->base_ms ? max_ms : b->base_ms;
    b->attempt = 0;
    b->rng = seed != 0 ? seed : 0x9E3779B97F4A7C15ull;
}

static uint64_t backoff_rand(backoff *b)
{
    uint64_t x = b->rng;

    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b->rng = x;
    return x;
}

uint32_t backoff_next(backoff *b)
{
    uint64_t ceiling = b->base_ms;
    uint32_t half;

    /* doubling stops at the cap, so the shift can never overflow */
    for (uint32_t i = 0; i < b->attempt && ceiling < b->max_ms; i++)
        ceiling *= 2;
    if (ceiling > b->max_ms)
        ceiling = b->max_ms;
    if (b->attempt < UINT32_MAX)
        b->attempt++;
    half = (uint32_t)(ceiling / 2);
    return half + (uint32_t)(backoff_rand(b) % (ceiling - half + 1));
}

void backoff_reset(backoff *b)
{
    b->attempt = 0;
}
