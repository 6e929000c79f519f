/* test_home_merge_plan.c: a merged home page from the stored home and
 * hot accounts' profiles: order, duplicates, the rule, the frontier and
 * the next position; and a walk over pages that neither repeats nor
 * skips an item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/home_merge_plan.h"

static feed_ref ref(int64_t ts, const char *id)
{
    feed_ref r;

    assert_int_equal(feed_ref_set(&r, ts, slice_from_cstr(id)), 0);
    return r;
}

/* The ids picked, space-separated, into out. */
static void picked(const merge_part *parts, const merge_pick *picks, size_t n, char *out, size_t cap)
{
    size_t k, len = 0;

    out[0] = '\0';
    for (k = 0; k < n; k++)
        len +=
            (size_t)snprintf(out + len, cap - len, "%s%s", k ? " " : "", parts[picks[k].part].refs[picks[k].item].id);
}

static void test_parts_merge_in_feed_order_and_an_item_in_two_parts_shows_once(void **state)
{
    feed_ref home[] = {ref(90, "p:9"), ref(50, "p:5"), ref(10, "p:1")};
    feed_ref hot[] = {ref(70, "p:7"), ref(50, "p:5"), ref(20, "p:2")};
    merge_source rule = {.followee_id = 3, .follow_ts_us = 0, .before = MERGE_BEFORE_ALL};
    merge_part parts[] = {{home, 3, NULL, NULL}, {hot, 3, NULL, &rule}};
    merge_pick picks[10];
    merge_plan plan;
    char ids[128];

    (void)state;
    home_merge_plan(parts, 2, 10, picks, &plan);
    picked(parts, picks, plan.n, ids, sizeof(ids));
    assert_string_equal(ids, "p:9 p:7 p:5 p:2 p:1");
    assert_false(plan.has_next); /* every part ended */
}

static void test_a_source_stops_at_the_first_item_its_rule_excludes(void **state)
{
    feed_ref home[] = {ref(95, "p:95")};
    /* followed at 60 with a backfill of 1: p:80 (after), p:50 (the backfill), not p:40 */
    feed_ref hot[] = {ref(80, "p:80"), ref(50, "p:50"), ref(40, "p:40")};
    merge_source rule = {.followee_id = 3, .follow_ts_us = 60, .before = MERGE_BEFORE_FROM};
    feed_ref next = ref(40, "p:40");
    merge_part parts[] = {{home, 1, NULL, NULL}, {hot, 3, &next, &rule}};
    merge_pick picks[10];
    merge_plan plan;
    char ids[128];

    (void)state;
    rule.from = ref(50, "p:50");
    home_merge_plan(parts, 2, 10, picks, &plan);
    picked(parts, picks, plan.n, ids, sizeof(ids));
    assert_string_equal(ids, "p:95 p:80 p:50");
    assert_false(plan.has_next); /* the source ended at its rule, whatever its next said */
}

static void test_the_page_stops_at_the_frontier_of_a_part_that_goes_on(void **state)
{
    /* home returned a full page of 2 down to 60 and goes on; the hot
     * account's items below 60 may be interleaved with home's next ones */
    feed_ref home[] = {ref(90, "p:9"), ref(60, "p:6")};
    feed_ref hot[] = {ref(70, "p:7"), ref(30, "p:3")};
    merge_source rule = {.followee_id = 3, .follow_ts_us = 0, .before = MERGE_BEFORE_ALL};
    merge_part parts[] = {{home, 2, &home[1], NULL}, {hot, 2, NULL, &rule}};
    merge_pick picks[5];
    merge_plan plan;
    char ids[128];

    (void)state;
    home_merge_plan(parts, 2, 5, picks, &plan);
    picked(parts, picks, plan.n, ids, sizeof(ids));
    assert_string_equal(ids, "p:9 p:7 p:6");
    assert_true(plan.has_next);
    assert_int_equal(feed_ref_cmp(&plan.next, &home[1]), 0);
}

static void test_a_full_page_continues_after_its_last_item(void **state)
{
    feed_ref home[] = {ref(90, "p:9"), ref(60, "p:6")};
    feed_ref hot[] = {ref(70, "p:7"), ref(65, "p:65")};
    merge_source rule = {.followee_id = 3, .follow_ts_us = 0, .before = MERGE_BEFORE_ALL};
    merge_part parts[] = {{home, 2, NULL, NULL}, {hot, 2, NULL, &rule}};
    merge_pick picks[2];
    merge_plan plan;
    char ids[128];

    (void)state;
    home_merge_plan(parts, 2, 2, picks, &plan);
    picked(parts, picks, plan.n, ids, sizeof(ids));
    assert_string_equal(ids, "p:9 p:7");
    assert_true(plan.has_next);
    assert_int_equal(feed_ref_cmp(&plan.next, &hot[0]), 0);
}

/* A home of stored items and two hot accounts (one with a backfill
 * cut), read page by page of 3 the way the API does: every part read
 * after the cursor. The pages together must be the expected feed, in
 * order, each item once. */
#define WALK_MAX 64

static size_t take_after(const feed_ref *all, size_t n, const feed_ref *after, size_t limit, feed_ref *out, int *more)
{
    size_t i, k = 0;

    *more = 0;
    for (i = 0; i < n; i++) {
        if (after != NULL && !feed_ref_after(&all[i], after))
            continue;
        if (k == limit) {
            *more = 1;
            break;
        }
        out[k++] = all[i];
    }
    return k;
}

static void test_walking_pages_neither_repeats_nor_skips(void **state)
{
    feed_ref home[] = {ref(100, "p:100"), ref(81, "p:81"), ref(80, "l:80"), ref(60, "p:60"),
                       ref(55, "p:55"),   ref(20, "p:20"), ref(5, "p:5")};
    /* account A: hot, followed at 58 with backfill 2: items after 58, and 50, 40 (not 30) */
    feed_ref a[] = {ref(90, "p:90"), ref(81, "p:81"), ref(70, "p:70"),
                    ref(50, "p:50"), ref(40, "p:40"), ref(30, "p:30")};
    /* account B: everything (followed at 0 with its whole history) */
    feed_ref b[] = {ref(80, "l:80"), ref(75, "c:75"), ref(10, "p:10")};
    const char *expected = "p:100 p:90 p:81 l:80 c:75 p:70 p:60 p:55 p:50 p:40 p:20 p:10 p:5";
    merge_source ra = {.followee_id = 1, .follow_ts_us = 58, .before = MERGE_BEFORE_FROM};
    merge_source rb = {.followee_id = 2, .follow_ts_us = 0, .before = MERGE_BEFORE_ALL};
    feed_ref pages[3][3], nexts[3], at;
    int has_cursor = 0, more, round;
    char all[512] = "", ids[128];

    (void)state;
    ra.from = ref(40, "p:40");
    for (round = 0; round < 20; round++) {
        const feed_ref *after = has_cursor ? &at : NULL;
        size_t nh = take_after(home, 7, after, 3, pages[0], &more);
        merge_part parts[3];
        merge_pick picks[3];
        merge_plan plan;
        parts[0] = (merge_part){pages[0], nh, NULL, NULL};
        if (more) {
            nexts[0] = pages[0][nh - 1];
            parts[0].next = &nexts[0];
        }
        parts[1] = (merge_part){pages[1], take_after(a, 6, after, 3, pages[1], &more), NULL, &ra};
        if (more) {
            nexts[1] = pages[1][2];
            parts[1].next = &nexts[1];
        }
        parts[2] = (merge_part){pages[2], take_after(b, 3, after, 3, pages[2], &more), NULL, &rb};
        if (more) {
            nexts[2] = pages[2][2];
            parts[2].next = &nexts[2];
        }
        home_merge_plan(parts, 3, 3, picks, &plan);
        picked(parts, picks, plan.n, ids, sizeof(ids));
        if (plan.n > 0)
            snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", all[0] ? " " : "", ids);
        if (!plan.has_next)
            break;
        at = plan.next;
        has_cursor = 1;
    }
    assert_string_equal(all, expected);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_merge_in_feed_order_and_an_item_in_two_parts_shows_once),
        cmocka_unit_test(test_a_source_stops_at_the_first_item_its_rule_excludes),
        cmocka_unit_test(test_the_page_stops_at_the_frontier_of_a_part_that_goes_on),
        cmocka_unit_test(test_a_full_page_continues_after_its_last_item),
        cmocka_unit_test(test_walking_pages_neither_repeats_nor_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
