/* test_marker_cache.c: the cached marker's text (read/marker_cache.h),
 * both ways; what Redis does with it is tested against Redis in
 * api/tests/integration/read/test_marker_cache.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/marker_cache.h"

static void test_format_and_parse_round_trip(void **state)
{
    char text[MARKER_CACHE_TEXT_MAX];
    feed_ref m, back;
    int has = -1;

    (void)state;
    assert_int_equal(feed_ref_set(&m, 1795600000199000LL, slice_make("p:42", 4)), 0);
    assert_int_equal(marker_cache_format(text, sizeof(text), 1, &m), 21);
    assert_string_equal(text, "1795600000199000 p:42");
    assert_int_equal(marker_cache_parse(text, strlen(text), &has, &back), 0);
    assert_int_equal(has, 1);
    assert_int_equal(back.ts_us, m.ts_us);
    assert_string_equal(back.id, "p:42");
    assert_int_equal(back.id_len, 4);
}

static void test_no_marker_is_a_dash(void **state)
{
    char text[8];
    feed_ref m;
    int has = -1;

    (void)state;
    assert_int_equal(marker_cache_format(text, sizeof(text), 0, NULL), 1);
    assert_string_equal(text, "-");
    assert_int_equal(marker_cache_parse("-", 1, &has, &m), 0);
    assert_int_equal(has, 0);
}

static void test_what_cannot_be_cached_or_read(void **state)
{
    char text[MARKER_CACHE_TEXT_MAX], small[8];
    feed_ref m;
    int has = 0;
    size_t i;
    static const char *const bad[] = {
        "",
        "--",
        " p:1",
        "12",
        "12 ",
        "x12 p:1",
        "012 p:1",
        "12  p:1",
        "12 p:1 p:2",
        "-1 p:1",
        "1.5 p:1",
        "12\tp:1",
        "99999999999999999999 p:1", /* beyond int64 */
    };

    (void)state;
    assert_int_equal(feed_ref_set(&m, -5, slice_make("p:1", 3)), 0);
    assert_int_equal(marker_cache_format(text, sizeof(text), 1, &m), -1); /* the script reads digits only */
    assert_int_equal(feed_ref_set(&m, 1795600000199000LL, slice_make("p:1", 3)), 0);
    assert_int_equal(marker_cache_format(small, sizeof(small), 1, &m), -1);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (marker_cache_parse(bad[i], strlen(bad[i]), &has, &m) == 0)
            fail_msg("parsed \"%s\"", bad[i]);
    }
    assert_int_equal(marker_cache_parse("0 p:1", 5, &has, &m), 0); /* zero is a number */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_and_parse_round_trip),
        cmocka_unit_test(test_no_marker_is_a_dash),
        cmocka_unit_test(test_what_cannot_be_cached_or_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
