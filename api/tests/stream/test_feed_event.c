/* test_feed_event.c: the job's live feed events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/stream/feed_event.h"

static int parse(const char *channel, const char *payload, feed_event *e)
{
    return feed_event_parse(slice_from_cstr(channel), slice_from_cstr(payload), e);
}

static void test_valid(void **state)
{
    feed_event e;

    (void)state;
    assert_int_equal(parse("feed:events:7", "1732500000000-3 home + 1732500000000000 p:42", &e), 0);
    assert_int_equal(e.user_id, 7);
    assert_int_equal(e.kind, FEED_HOME);
    assert_int_equal(e.removed, 0);
    assert_int_equal(e.ref.ts_us, 1732500000000000LL);
    assert_string_equal(e.ref.id, "p:42");
    assert_int_equal(e.has_log, 1);
    assert_true(e.log.ms == 1732500000000ULL && e.log.seq == 3);
    assert_int_equal(parse("feed:events:123456789", "- profile - 0 c:1", &e), 0);
    assert_int_equal(e.has_log, 0);
    assert_int_equal(e.user_id, 123456789);
    assert_int_equal(e.kind, FEED_PROFILE);
    assert_int_equal(e.removed, 1);
    assert_int_equal(e.ref.ts_us, 0);
    assert_string_equal(e.ref.id, "c:1");
    assert_int_equal(parse("feed:events:9", "0-1 notifications + 1732500000000000 LIKE:p:42:1732500000000", &e), 0);
    assert_int_equal(e.kind, FEED_NOTIFICATIONS);
    assert_int_equal(e.removed, 0);
    assert_string_equal(e.ref.id, "LIKE:p:42:1732500000000");
    assert_int_equal(
        parse("feed:events:9",
              "18446744073709551615-18446744073709551615 notifications - 1732500000000000 FOLLOW:u:9:1732500000000",
              &e),
        0);
    assert_true(e.log.ms == UINT64_MAX && e.log.seq == UINT64_MAX);
    assert_int_equal(e.removed, 1);
    assert_int_equal(e.marker, 0);
}

/* A read marker moved (handlers/markers.c publishes it). */
static void test_marker(void **state)
{
    feed_event e;

    (void)state;
    assert_int_equal(parse("feed:events:9", "- notifications seen 1732500000000000 LIKE:p:42:1732500000000", &e), 0);
    assert_int_equal(e.kind, FEED_NOTIFICATIONS);
    assert_int_equal(e.marker, 1);
    assert_int_equal(e.removed, 0);
    assert_int_equal(e.ref.ts_us, 1732500000000000LL);
    assert_string_equal(e.ref.id, "LIKE:p:42:1732500000000");
    assert_int_equal(parse("feed:events:9", "- home seen 1732500000000000 p:42", &e), 0);
    assert_int_equal(e.kind, FEED_HOME);
    assert_int_equal(e.marker, 1);
    assert_int_equal(parse("feed:events:9", "- home + 1732500000000000 p:42", &e), 0);
    assert_int_equal(e.marker, 0);
    /* profiles have no marker; a marker is a position like any other */
    assert_int_not_equal(parse("feed:events:9", "- profile seen 1732500000000000 p:42", &e), 0);
    assert_int_not_equal(parse("feed:events:9", "- home seen 1732500000000000", &e), 0);
    assert_int_not_equal(parse("feed:events:9", "- home seen x p:42", &e), 0);
    assert_int_not_equal(parse("feed:events:9", "- home seenx 1732500000000000 p:42", &e), 0);
}

/* A hot followee's profile item as its live followers get it. */
static void test_hot_source(void **state)
{
    feed_event e;

    (void)state;
    assert_int_equal(parse("feed:events:7", "1732500000000-3 home:42 + 1732500000000000 p:9", &e), 0);
    assert_int_equal(e.kind, FEED_HOME);
    assert_int_equal(e.source, 42);
    assert_int_equal(e.removed, 0);
    assert_string_equal(e.ref.id, "p:9");
    assert_int_equal(parse("feed:events:7", "1-1 home:42 - 1732500000000000 l:3", &e), 0);
    assert_int_equal(e.removed, 1);
    assert_int_equal(e.source, 42);
    assert_int_equal(parse("feed:events:7", "1-1 home + 1732500000000000 p:9", &e), 0);
    assert_int_equal(e.source, 0);
    assert_int_equal(feed_event_parse_entry(7, SLICE_LIT("1-2"), SLICE_LIT("home:5 + 5 p:9"), &e), 0);
    assert_int_equal(e.source, 5);
    assert_int_not_equal(parse("feed:events:7", "1-1 home: + 1 p:9", &e), 0);
    assert_int_not_equal(parse("feed:events:7", "1-1 home:0 + 1 p:9", &e), 0);
    assert_int_not_equal(parse("feed:events:7", "1-1 home:05 + 1 p:9", &e), 0);
    assert_int_not_equal(parse("feed:events:7", "1-1 home:x + 1 p:9", &e), 0);
    assert_int_not_equal(parse("feed:events:7", "1-1 home:5 seen 1 p:9", &e), 0);
    assert_int_not_equal(parse("feed:events:7", "1-1 profile:5 + 1 p:9", &e), 0);
    assert_int_not_equal(parse("feed:events:7", "1-1 home:5 + 1 LIKE:p:1:1", &e), 0);
}

static void test_invalid(void **state)
{
    static const char *const bad[][2] = {
        {"feed:events:", "- home + 1 p:1"},
        {"feed:events:0", "- home + 1 p:1"},
        {"feed:events:x", "- home + 1 p:1"},
        {"feed:events:07", "- home + 1 p:1"},
        {"feed:other:7", "- home + 1 p:1"},
        {"feed:events:7", "- notifications + 1 p:1"},
        {"feed:events:7", "- home * 1 p:1"},
        {"feed:events:7", "- home + -1 p:1"},
        {"feed:events:7", "- home + 01 p:1"},
        {"feed:events:7", "- home + 1"},
        {"feed:events:7", "- home + 1 "},
        {"feed:events:7", "- home + 1 p:1 x"},
        {"feed:events:7", "- home + 1 P:1"},
        {"feed:events:7", "- home +  1 p:1"},
        {"feed:events:7", "- home + 99999999999999999 p:1"}, /* past 2^53 */
        {"feed:events:7", "- "},
        {"feed:events:7", "home + 1 p:1"},   /* no entry */
        {"feed:events:7", "1 home + 1 p:1"}, /* not <ms>-<seq> */
        {"feed:events:7", "1- home + 1 p:1"},
        {"feed:events:7", "-1 home + 1 p:1"},
        {"feed:events:7", "01-1 home + 1 p:1"},
        {"feed:events:7", "1-01 home + 1 p:1"},
        {"feed:events:7", "18446744073709551616-0 home + 1 p:1"}, /* past 2^64 */
        {"feed:events:7", "1-1-1 home + 1 p:1"},
        {"feed:events:7", "--  home + 1 p:1"},
    };
    feed_event e;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i][0], bad[i][1], &e) == 0)
            fail_msg("accepted %s '%s'", bad[i][0], bad[i][1]);
    }
}

/* Log entries: an id and the field e; ids order as Redis orders them. */
static void test_log_entries(void **state)
{
    feed_event e;
    feed_log_id a, b;
    char text[FEED_LOG_ID_TEXT_MAX];

    (void)state;
    assert_int_equal(feed_event_parse_entry(7, SLICE_LIT("1700000000000-12"), SLICE_LIT("home - 5 p:9"), &e), 0);
    assert_int_equal(e.user_id, 7);
    assert_int_equal(e.has_log, 1);
    assert_true(e.log.ms == 1700000000000ULL && e.log.seq == 12);
    assert_int_equal(e.removed, 1);
    assert_string_equal(e.ref.id, "p:9");
    assert_int_equal(feed_event_parse_entry(7, SLICE_LIT("1-2"), SLICE_LIT("- home - 5 p:9"), &e), -1);
    assert_int_equal(feed_event_parse_entry(7, SLICE_LIT("-"), SLICE_LIT("home - 5 p:9"), &e), -1);
    assert_int_equal(feed_event_parse_entry(0, SLICE_LIT("1-2"), SLICE_LIT("home - 5 p:9"), &e), -1);
    assert_int_equal(feed_event_parse_entry(7, SLICE_LIT("1-2"), SLICE_LIT(""), &e), -1);
    assert_int_equal(feed_log_id_parse(SLICE_LIT("5-0"), &a), 0);
    assert_int_equal(feed_log_id_parse(SLICE_LIT("4-9"), &b), 0);
    assert_true(feed_log_id_cmp(&a, &b) > 0 && feed_log_id_cmp(&b, &a) < 0 && feed_log_id_cmp(&a, &a) == 0);
    assert_int_equal(feed_log_id_parse(SLICE_LIT("5-1"), &b), 0);
    assert_true(feed_log_id_cmp(&a, &b) < 0);
    assert_int_equal(feed_log_id_format(&b, text), 3);
    assert_string_equal(text, "5-1");
    a.ms = UINT64_MAX;
    a.seq = UINT64_MAX;
    assert_int_equal(feed_log_id_format(&a, text), 41);
    assert_int_equal(feed_log_id_parse(slice_from_cstr(text), &b), 0);
    assert_int_equal(feed_log_id_cmp(&a, &b), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),  cmocka_unit_test(test_invalid),    cmocka_unit_test(test_log_entries),
        cmocka_unit_test(test_marker), cmocka_unit_test(test_hot_source),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
