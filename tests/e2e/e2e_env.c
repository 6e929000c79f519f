/* e2e_env.c: environment lookups shared by the end-to-end tests. */
#include "tests/e2e/e2e_env.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int e2e_env_int(const char *name, int default_value) {
    const char *text = getenv(name);
    char *end = NULL;
    long value;

    if (text == NULL || *text == '\0') return default_value;
    value = strtol(text, &end, 10);
    if (*end != '\0' || value <= 0 || value > 65535) return default_value;
    return (int)value;
}

const char *e2e_pg_conninfo(void) {
    static char buf[256];
    const char *dsn = getenv("FEED_PG_DSN");

    if (dsn != NULL && *dsn != '\0') return dsn;
    snprintf(buf, sizeof buf,
             "host=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=5",
             e2e_env_int("FEED_PG_PORT", 15432));
    return buf;
}

int64_t e2e_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

uint64_t e2e_parse_lsn(const char *text) {
    uint32_t high, low;
    if (text == NULL || sscanf(text, "%" SCNx32 "/%" SCNx32, &high, &low) != 2) return 0;
    return ((uint64_t)high << 32) | low;
}
