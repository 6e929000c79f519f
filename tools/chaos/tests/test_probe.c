/* test_probe.c: the probe's pure parts (quantile, finding a post on a home
 * page) and the table cells it feeds (report.c). The threads and the API
 * calls run against a real stack in `make chaos`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/chaos/probe.h"
#include "tools/chaos/report.h"

static void test_quantile_nearest_rank(void **state)
{
    int64_t one[] = {7};
    int64_t v[100];
    int64_t few[] = {900, 100, 500, 300};
    (void)state;
    assert_int_equal(pb_quantile(NULL, 0, 0.99), -1);
    assert_int_equal(pb_quantile(one, 1, 0.99), 7);
    /* 1..100 shuffled: p99 is the 99th value, p50 the 50th. */
    for (int i = 0; i < 100; i++)
        v[i] = (i * 37) % 100 + 1;
    assert_int_equal(pb_quantile(v, 100, 0.99), 99);
    assert_int_equal(pb_quantile(v, 100, 0.50), 50);
    assert_int_equal(pb_quantile(v, 100, 1.0), 100);
    /* Fewer than 100 values: p99 is the largest. */
    assert_int_equal(pb_quantile(few, 4, 0.99), 900);
    assert_int_equal(few[0], 100); /* sorted in place */
}

static void test_page_has_post(void **state)
{
    json_error_t err;
    json_t *page = json_loads("{\"items\":[{\"id\":\"p:12\"},{\"id\":\"c:13\"},{\"id\":\"p:130\"}],"
                              "\"next_cursor\":null}",
                              0, &err);
    json_t *empty = json_loads("{\"items\":[]}", 0, &err);
    (void)state;
    assert_non_null(page);
    assert_true(pb_page_has_post(page, 12));
    assert_true(pb_page_has_post(page, 130));
    assert_false(pb_page_has_post(page, 13)); /* a comment's id is not a post's */
    assert_false(pb_page_has_post(page, 1));
    assert_false(pb_page_has_post(empty, 12));
    assert_false(pb_page_has_post(NULL, 12));
    json_decref(page);
    json_decref(empty);
}

static void test_probe_cells(void **state)
{
    pb_summary s;
    char cell[64];
    (void)state;
    memset(&s, 0, sizeof s);
    assert_string_equal(rp_probe_cell(&s, PB_DURING, cell, sizeof cell), "-");
    s.posted[PB_DURING] = 20;
    s.seen[PB_DURING] = 20;
    s.p99_ms[PB_DURING] = 1234;
    assert_string_equal(rp_probe_cell(&s, PB_DURING, cell, sizeof cell), "1.2 (20)");
    s.seen[PB_AFTER] = 38;
    s.posted[PB_AFTER] = 40;
    assert_string_equal(rp_probe_cell(&s, PB_AFTER, cell, sizeof cell), "**never seen: 2 of 40**");
}

static void test_unseen_probe_post_breaks_the_promise(void **state)
{
    rp_fault f;
    (void)state;
    memset(&f, 0, sizeof f);
    f.caught_up = 1;
    assert_true(rp_fault_ok(&f));
    f.probed = 1;
    f.probe.posted[PB_AFTER] = 10;
    f.probe.seen[PB_AFTER] = 10;
    assert_true(rp_fault_ok(&f));
    f.probe.seen[PB_AFTER] = 9;
    assert_false(rp_fault_ok(&f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile_nearest_rank),
        cmocka_unit_test(test_page_has_post),
        cmocka_unit_test(test_probe_cells),
        cmocka_unit_test(test_unseen_probe_post_breaks_the_promise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
