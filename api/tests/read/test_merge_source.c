/* test_merge_source.c: which items of a hot account a reader's home
 * merges, and the cached text form of the merge sources. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/merge_source.h"

static feed_ref ref(int64_t ts, const char *id)
{
    feed_ref r;

    assert_int_equal(feed_ref_set(&r, ts, slice_from_cstr(id)), 0);
    return r;
}

static void test_items_after_the_follow_are_always_in(void **state)
{
    merge_source s = {.followee_id = 7, .follow_ts_us = 100, .before = MERGE_BEFORE_NONE};
    feed_ref after = ref(101, "p:1"), at = ref(100, "p:9"), before = ref(50, "p:2");

    (void)state;
    assert_true(merge_source_includes(&s, &after));
    assert_false(merge_source_includes(&s, &at)); /* at the follow counts as before it */
    assert_false(merge_source_includes(&s, &before));
    s.before = MERGE_BEFORE_ALL;
    assert_true(merge_source_includes(&s, &at));
    assert_true(merge_source_includes(&s, &before));
}

static void test_the_backfill_starts_at_from_inclusive(void **state)
{
    merge_source s = {.followee_id = 7, .follow_ts_us = 100, .before = MERGE_BEFORE_FROM};
    feed_ref older = ref(40, "p:9"), same_ts_lower_id = ref(50, "p:1"), from = ref(50, "p:3"),
             same_ts_higher_id = ref(50, "p:5"), newer = ref(90, "p:1");

    (void)state;
    s.from = from;
    assert_true(merge_source_includes(&s, &from));
    assert_true(merge_source_includes(&s, &same_ts_higher_id)); /* sorts before from: newer */
    assert_true(merge_source_includes(&s, &newer));
    assert_false(merge_source_includes(&s, &same_ts_lower_id));
    assert_false(merge_source_includes(&s, &older));
}

static void test_format_then_parse_gives_the_same_sources(void **state)
{
    merge_source in[3], *out = NULL;
    size_t n = 0;
    buf text;
    pool pl, *p = &pl;

    (void)state;
    pool_init(p, 0);
    memset(in, 0, sizeof(in));
    in[0] = (merge_source){.followee_id = 7, .follow_ts_us = 1732500000000000, .before = MERGE_BEFORE_NONE};
    in[1] = (merge_source){.followee_id = 9, .follow_ts_us = 0, .before = MERGE_BEFORE_ALL};
    in[2] = (merge_source){.followee_id = 11, .follow_ts_us = 5, .before = MERGE_BEFORE_FROM};
    in[2].from = ref(3, "c:42");
    buf_init(&text, 0);
    assert_int_equal(merge_sources_format(&text, in, 3), 0);
    assert_int_equal(merge_sources_parse(slice_make(text.data, text.len), p, &out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(&out[0], &in[0], sizeof(in[0]));
    assert_memory_equal(&out[1], &in[1], sizeof(in[1]));
    assert_int_equal(out[2].followee_id, 11);
    assert_int_equal(out[2].before, MERGE_BEFORE_FROM);
    assert_int_equal(feed_ref_cmp(&out[2].from, &in[2].from), 0);
    buf_dispose(&text);
    pool_dispose(p);
}

static void test_an_empty_list_is_a_list(void **state)
{
    merge_source *out = (merge_source *)1;
    size_t n = 7;
    pool pl, *p = &pl;

    (void)state;
    pool_init(p, 0);
    assert_int_equal(merge_sources_parse(slice_from_cstr("v1\n"), p, &out, &n), 0);
    assert_int_equal(n, 0);
    assert_null(out);
    pool_dispose(p);
}

static void test_malformed_texts_are_refused(void **state)
{
    static const char *bad[] = {
        "",
        "v2\n",
        "v1",
        "v1\n7 5 all",
        "v1\n7 5 some\n",
        "v1\n7 5 from 3\n",
        "v1\nx 5 all\n",
        "v1\n7 -5 all\n",
        "v1\n7 5 all \n",
        "v1\n99999999999999999999 5 all\n",
        "v1\n7 5 from 3 \n",
    };
    merge_source *out;
    size_t n, i;
    pool pl, *p = &pl;

    (void)state;
    pool_init(p, 0);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (merge_sources_parse(slice_from_cstr(bad[i]), p, &out, &n) != -1)
            fail_msg("accepted: \"%s\"", bad[i]);
    }
    pool_dispose(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_items_after_the_follow_are_always_in),
        cmocka_unit_test(test_the_backfill_starts_at_from_inclusive),
        cmocka_unit_test(test_format_then_parse_gives_the_same_sources),
        cmocka_unit_test(test_an_empty_list_is_a_list),
        cmocka_unit_test(test_malformed_texts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
