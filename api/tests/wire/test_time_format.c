/* test_time_format.c: RFC 3339 from microseconds, against fixed vectors
 * and against libc's gmtime_r on a sweep of times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "api/src/wire/time_format.h"

static void expect(int64_t us, const char *text)
{
    char out[TIME_FORMAT_SIZE];

    assert_int_equal(format_time_us(us, out, sizeof(out)), TIME_FORMAT_LEN);
    assert_string_equal(out, text);
}

static void test_vectors(void **state)
{
    (void)state;
    expect(0, "1970-01-01T00:00:00.000000Z");
    expect(1, "1970-01-01T00:00:00.000001Z");
    expect(-1, "1969-12-31T23:59:59.999999Z");
    expect(1795628548713123LL, "2026-11-25T17:42:28.713123Z");
    expect(951782400000000LL, "2000-02-29T00:00:00.000000Z");  /* leap day of a century leap year */
    expect(4107542399999999LL, "2100-02-28T23:59:59.999999Z"); /* 2100 is not a leap year */
    expect(4107542400000000LL, "2100-03-01T00:00:00.000000Z");
    expect(TIME_FORMAT_MIN_US, "0000-01-01T00:00:00.000000Z");
    expect(TIME_FORMAT_MAX_US, "9999-12-31T23:59:59.999999Z");
    expect((int64_t)1 << 53, "2255-06-05T23:47:34.740992Z"); /* CURSOR_MAX_TS */
}

static void test_refusals(void **state)
{
    char out[TIME_FORMAT_SIZE + 8];

    (void)state;
    memcpy(out, "untouched", 10);
    assert_int_equal(format_time_us(TIME_FORMAT_MIN_US - 1, out, sizeof(out)), -1);
    assert_int_equal(format_time_us(TIME_FORMAT_MAX_US + 1, out, sizeof(out)), -1);
    assert_int_equal(format_time_us(INT64_MIN, out, sizeof(out)), -1);
    assert_int_equal(format_time_us(INT64_MAX, out, sizeof(out)), -1);
    assert_int_equal(format_time_us(0, out, TIME_FORMAT_SIZE - 1), -1);
    assert_int_equal(format_time_us(0, NULL, 64), -1);
    assert_string_equal(out, "untouched");
}

/* The same text as gmtime_r for times spread over the whole range. */
static void test_matches_gmtime(void **state)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    char out[TIME_FORMAT_SIZE], want[64];
    struct tm tm;
    int i;

    (void)state;
    for (i = 0; i < 200000; i++) {
        int64_t us, secs, frac;
        time_t t;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        us = TIME_FORMAT_MIN_US + (int64_t)(x % (uint64_t)(TIME_FORMAT_MAX_US - TIME_FORMAT_MIN_US));
        if (i < 1000)
            us = (int64_t)(i - 500) * 86400000000LL + (int64_t)(x % 86400000000ULL); /* around the epoch */
        secs = us / 1000000;
        frac = us % 1000000;
        if (frac < 0) {
            frac += 1000000;
            secs--;
        }
        t = (time_t)secs;
        assert_non_null(gmtime_r(&t, &tm));
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)frac);
        assert_int_equal(format_time_us(us, out, sizeof(out)), TIME_FORMAT_LEN);
        assert_string_equal(out, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_matches_gmtime),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
