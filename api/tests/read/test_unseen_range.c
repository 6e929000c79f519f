/* test_unseen_range.c: the rows an unseen count takes are exactly the
 * served items newer than the marker, for every rule and marker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/unseen_range.h"

static feed_ref ref(int64_t ts, const char *id)
{
    feed_ref r;

    assert_int_equal(feed_ref_set(&r, ts, slice_from_cstr(id)), 0);
    return r;
}

/* Small timestamps and ids, so ties at one microsecond come up often. */
static feed_ref ref_at(int ts, int id)
{
    char text[16];

    snprintf(text, sizeof(text), "p:%d", id);
    return ref(ts, text);
}

static int newer_than(const feed_ref *x, const feed_ref *marker)
{
    return marker == NULL || feed_ref_cmp(x, marker) < 0;
}

/* Every (rule, marker) over a grid of items: the range holds x exactly
 * when the rule includes x and x is newer than the marker. */
static void test_the_range_is_the_rule_after_the_marker(void **state)
{
    merge_before befores[] = {MERGE_BEFORE_NONE, MERGE_BEFORE_ALL, MERGE_BEFORE_FROM};
    size_t b;
    int checked = 0;

    (void)state;
    for (b = 0; b < 3; b++)
        for (int follow = 0; follow <= 4; follow++)
            for (int from_ts = 0; from_ts <= follow; from_ts++)
                for (int from_id = 0; from_id < 3; from_id++)
                    for (int m = -1; m < 5 * 3; m++) {
                        merge_source s = {.followee_id = 7, .follow_ts_us = follow, .before = befores[b]};
                        feed_ref marker, *mp = NULL;
                        unseen_range r;

                        s.from = ref_at(from_ts, from_id);
                        if (m >= 0) {
                            marker = ref_at(m / 3, m % 3);
                            mp = &marker;
                        }
                        unseen_range_source(&s, mp, &r);
                        for (int x = 0; x < 5 * 3; x++) {
                            feed_ref item = ref_at(x / 3, x % 3);
                            int want = merge_source_includes(&s, &item) && newer_than(&item, mp);

                            assert_int_equal(unseen_range_includes(&r, &item), want);
                            checked++;
                        }
                    }
    assert_true(checked > 10000);
}

static void test_the_stored_home_takes_rows_after_the_marker(void **state)
{
    feed_ref marker = ref(100, "p:5"), newer = ref(100, "p:6"), same = ref(100, "p:5"), older = ref(99, "p:9");
    unseen_range r;

    (void)state;
    unseen_range_after(&marker, &r);
    assert_int_equal(r.bound, UNSEEN_BOUND_AFTER);
    assert_true(unseen_range_includes(&r, &newer));
    assert_false(unseen_range_includes(&r, &same));
    assert_false(unseen_range_includes(&r, &older));
    unseen_range_after(NULL, &r);
    assert_int_equal(r.bound, UNSEEN_BOUND_NONE);
    assert_true(unseen_range_includes(&r, &older));
    assert_string_equal(unseen_range_cql(&r), "");
}

static void test_each_bound_has_its_restriction(void **state)
{
    merge_source s = {.followee_id = 7, .follow_ts_us = 100, .before = MERGE_BEFORE_NONE};
    feed_ref old_marker = ref(50, "p:1"), new_marker = ref(150, "p:1");
    unseen_range r;

    (void)state;
    unseen_range_source(&s, &old_marker, &r);
    assert_int_equal(r.bound, UNSEEN_BOUND_AFTER_TS);
    assert_int_equal(r.at.ts_us, 100);
    assert_string_equal(unseen_range_cql(&r), " AND ts_us > ?");
    unseen_range_source(&s, &new_marker, &r);
    assert_int_equal(r.bound, UNSEEN_BOUND_AFTER);
    assert_string_equal(unseen_range_cql(&r), " AND (ts_us, activity_id) > (?, ?)");
    s.before = MERGE_BEFORE_FROM;
    s.from = ref(80, "p:4");
    unseen_range_source(&s, &old_marker, &r);
    assert_int_equal(r.bound, UNSEEN_BOUND_FROM);
    assert_int_equal(feed_ref_cmp(&r.at, &s.from), 0);
    assert_string_equal(unseen_range_cql(&r), " AND (ts_us, activity_id) >= (?, ?)");
    s.before = MERGE_BEFORE_ALL;
    unseen_range_source(&s, NULL, &r);
    assert_int_equal(r.bound, UNSEEN_BOUND_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_range_is_the_rule_after_the_marker),
        cmocka_unit_test(test_the_stored_home_takes_rows_after_the_marker),
        cmocka_unit_test(test_each_bound_has_its_restriction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
