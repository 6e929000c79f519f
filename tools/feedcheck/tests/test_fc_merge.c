/* test_fc_merge.c: the home feed as served, for the oracle: stored items
 * with the hot accounts' items each merge source's rule takes, once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/feedcheck/fc_merge.h"

static void add_item(fc_items *l, int64_t ts, const char *id, int64_t actor)
{
    fc_item *it = fc_items_push(l);

    assert_non_null(it);
    memset(it, 0, sizeof *it);
    it->ts = ts;
    it->actor = actor;
    snprintf(it->id, sizeof it->id, "%s", id);
}

static void ids(const fc_items *l, char *out, size_t cap)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < l->n; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? " " : "", l->v[i].id);
}

/* User 1 follows hot accounts 7 (at 55, backfill 2) and 8 (at 0, backfill 0). */
static void setup_merges(fc_merges *mg)
{
    fc_merge_src a = {.user = 1, .followee = 7, .follow_ts = 55, .backfill = 2};
    fc_merge_src b = {.user = 1, .followee = 8, .follow_ts = 0, .backfill = 0};
    fc_merge_src c = {.user = 2, .followee = 7, .follow_ts = 1000, .backfill = 0};

    memset(mg, 0, sizeof *mg);
    assert_int_equal(fc_merges_add(mg, &c), 0);
    assert_int_equal(fc_merges_add(mg, &b), 0);
    assert_int_equal(fc_merges_add(mg, &a), 0);
    assert_int_equal(fc_merges_index(mg), 0);
    assert_int_equal(mg->nhot, 2);
    assert_int_equal(mg->hot[0], 7);
    /* profile(7): 90 and 60 after the follow; 50, 40 the backfill; 30 not */
    add_item(&mg->profiles[0], 90, "p:90", 0);
    add_item(&mg->profiles[0], 60, "p:60", 0);
    add_item(&mg->profiles[0], 50, "p:50", 0);
    add_item(&mg->profiles[0], 40, "p:40", 0);
    add_item(&mg->profiles[0], 30, "p:30", 0);
    add_item(&mg->profiles[1], 70, "l:70", 0);
}

static void test_served_is_stored_plus_each_rule_once(void **state)
{
    fc_merges mg;
    fc_items stored = {0}, out = {0};
    char got[256];

    (void)state;
    setup_merges(&mg);
    add_item(&stored, 95, "p:95", 3);
    add_item(&stored, 60, "p:60", 7); /* copied before 7 turned hot: shown once */
    add_item(&stored, 10, "p:10", 3);
    assert_int_equal(fc_merges_served(&mg, 1, &stored, &out), 0);
    ids(&out, got, sizeof got);
    assert_string_equal(got, "p:95 p:90 l:70 p:60 p:50 p:40 p:10");
    assert_int_equal(out.v[1].actor, 7);
    assert_true(fc_merges_has(&mg, 2));
    assert_false(fc_merges_has(&mg, 3));
    assert_int_equal(fc_merges_served(&mg, 3, &stored, &out), 0);
    ids(&out, got, sizeof got);
    assert_string_equal(got, "p:95 p:60 p:10"); /* no sources: as stored */
    fc_items_free(&stored);
    fc_items_free(&out);
    fc_merges_free(&mg);
}

static void test_hide_removes_what_the_merge_serves(void **state)
{
    fc_merges mg;
    fc_items head = {0};
    char got[256];

    (void)state;
    setup_merges(&mg);
    add_item(&head, 95, "p:95", 3);
    add_item(&head, 60, "p:60", 7);
    add_item(&head, 30, "p:30", 7); /* not served by the merge: stays, and would show as extra */
    fc_merges_hide(&mg, 1, &head);
    ids(&head, got, sizeof got);
    assert_string_equal(got, "p:95 p:30");
    fc_items_free(&head);
    fc_merges_free(&mg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_served_is_stored_plus_each_rule_once),
        cmocka_unit_test(test_hide_removes_what_the_merge_serves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
