/* test_feed_json.c: items and pages, from fields and from cached bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/feed_json.h"

static char *text(buf *b)
{
    assert_int_equal(buf_append(b, "", 1), 0);
    return b->data;
}

static void test_activity_from_cache(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(feed_json_activity_from_cache(
                         &b,
                         SLICE_LIT("{\"id\":\"c:7\",\"verb\":\"COMMENT\",\"actor_id\":3,\"object_id\":\"p:42\","
                                   "\"target_id\":\"u:9\",\"body\":\"a \\\"quote\\\"\\n\",\"ts_us\":1795629372881423}"),
                         SLICE_LIT("c:7")),
                     0);
    assert_string_equal(text(&b), "{\"id\":\"c:7\",\"verb\":\"COMMENT\",\"actor_id\":3,\"object_id\":\"p:42\","
                                  "\"target_id\":\"u:9\",\"body\":\"a \\\"quote\\\"\\n\",\"ts_us\":1795629372881423,"
                                  "\"time\":\"2026-11-25T17:56:12.881423Z\"}");
    buf_dispose(&b);
}

static void test_activity_nulls_and_rejects(void **state)
{
    activity_fields a = {SLICE_LIT("f:1"), SLICE_LIT("FOLLOW"), 5, SLICE_LIT("u:6"), {NULL, 0}, {NULL, 0}, 0};
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(feed_json_activity(&b, &a), 0);
    assert_string_equal(text(&b),
                        "{\"id\":\"f:1\",\"verb\":\"FOLLOW\",\"actor_id\":5,\"object_id\":\"u:6\","
                        "\"target_id\":null,\"body\":null,\"ts_us\":0,\"time\":\"1970-01-01T00:00:00.000000Z\"}");
    b.len = 0;
    /* another id, a wrong type, missing members, not JSON: all refused */
    assert_int_equal(feed_json_activity_from_cache(&b,
                                                   SLICE_LIT("{\"id\":\"p:1\",\"verb\":\"SHARD\",\"actor_id\":1,"
                                                             "\"object_id\":\"p:1\",\"ts_us\":1}"),
                                                   SLICE_LIT("p:2")),
                     -1);
    assert_int_equal(feed_json_activity_from_cache(&b,
                                                   SLICE_LIT("{\"id\":\"p:1\",\"verb\":\"SHARD\",\"actor_id\":\"1\","
                                                             "\"object_id\":\"p:1\",\"ts_us\":1}"),
                                                   SLICE_LIT("p:1")),
                     -1);
    assert_int_equal(feed_json_activity_from_cache(&b, SLICE_LIT("{\"id\":\"p:1\"}"), SLICE_LIT("p:1")), -1);
    assert_int_equal(feed_json_activity_from_cache(&b, SLICE_LIT("{\"id\":"), SLICE_LIT("p:1")), -1);
    assert_int_equal(feed_json_activity_from_cache(&b, SLICE_LIT("[1]"), SLICE_LIT("p:1")), -1);
    /* absent target_id and body are null */
    assert_int_equal(feed_json_activity_from_cache(&b,
                                                   SLICE_LIT("{\"id\":\"p:1\",\"verb\":\"SHARD\",\"actor_id\":1,"
                                                             "\"object_id\":\"p:1\",\"ts_us\":1}"),
                                                   SLICE_LIT("p:1")),
                     0);
    assert_non_null(strstr(text(&b), "\"target_id\":null,\"body\":null"));
    buf_dispose(&b);
}

static void test_notif(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(feed_json_notif_from_cache(
                         &b,
                         SLICE_LIT("{\"group_id\":\"LIKE:p:42:1732500000000\",\"verb\":\"LIKE\",\"object_id\":\"p:42\","
                                   "\"actor_count\":12,\"actor_ids\":[9,8,7,6,5,4,3,2,1,11,12],"
                                   "\"latest_us\":1732500000000123,\"ts_us\":1732500000000000}"),
                         SLICE_LIT("LIKE:p:42:1732500000000")),
                     0);
    assert_string_equal(text(&b), "{\"id\":\"LIKE:p:42:1732500000000\",\"verb\":\"LIKE\",\"object_id\":\"p:42\","
                                  "\"actor_count\":12,\"actor_ids\":[9,8,7,6,5,4,3,2,1,11],"
                                  "\"latest_us\":1732500000000123,\"time\":\"2024-11-25T02:00:00.000123Z\","
                                  "\"ts_us\":1732500000000000}");
    b.len = 0;
    /* no latest_us in the row: null, time of the window */
    assert_int_equal(
        feed_json_notif_from_cache(&b,
                                   SLICE_LIT("{\"group_id\":\"FOLLOW:u:7:0\",\"verb\":\"FOLLOW\",\"object_id\":\"u:7\","
                                             "\"actor_count\":1,\"actor_ids\":[3],\"ts_us\":0}"),
                                   SLICE_LIT("FOLLOW:u:7:0")),
        0);
    assert_string_equal(text(&b),
                        "{\"id\":\"FOLLOW:u:7:0\",\"verb\":\"FOLLOW\",\"object_id\":\"u:7\",\"actor_count\":1,"
                        "\"actor_ids\":[3],\"latest_us\":null,\"time\":\"1970-01-01T00:00:00.000000Z\",\"ts_us\":0}");
    b.len = 0;
    assert_int_equal(feed_json_notif_from_cache(&b,
                                                SLICE_LIT("{\"group_id\":\"FOLLOW:u:7:0\",\"verb\":\"FOLLOW\","
                                                          "\"object_id\":\"u:7\",\"actor_count\":1,"
                                                          "\"actor_ids\":[\"3\"],\"ts_us\":0}"),
                                                SLICE_LIT("FOLLOW:u:7:0")),
                     -1);
    buf_dispose(&b);
}

static void test_page(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(feed_json_page(&b, SLICE_LIT("{\"a\":1},{\"b\":2}"), SLICE_LIT("AQE"), slice_make(NULL, 0)), 0);
    assert_string_equal(text(&b), "{\"items\":[{\"a\":1},{\"b\":2}],\"next_cursor\":\"AQE\"}");
    b.len = 0;
    assert_int_equal(feed_json_page(&b, slice_make(NULL, 0), slice_make(NULL, 0), slice_make(NULL, 0)), 0);
    assert_string_equal(text(&b), "{\"items\":[],\"next_cursor\":null}");
    b.len = 0; /* members after next_cursor: the first page's unseen counts */
    assert_int_equal(feed_json_page(&b, slice_make(NULL, 0), slice_make(NULL, 0), SLICE_LIT("\"unseen\":null")), 0);
    assert_string_equal(text(&b), "{\"items\":[],\"next_cursor\":null,\"unseen\":null}");
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activity_from_cache),
        cmocka_unit_test(test_activity_nulls_and_rejects),
        cmocka_unit_test(test_notif),
        cmocka_unit_test(test_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
