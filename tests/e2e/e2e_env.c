/* e2e_env.c: clock and LSN helpers shared by the end-to-end tests. */
#include "tests/e2e/e2e_env.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

int64_t e2e_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t e2e_parse_lsn(const char *text)
{
    uint32_t high, low;
    if (text == NULL || sscanf(text, "%" SCNx32 "/%" SCNx32, &high, &low) != 2)
        return 0;
    return ((uint64_t)high << 32) | low;
}
