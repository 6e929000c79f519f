/* test_fc_compare.c: expected against found, each difference in its counter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/feedcheck/fc_compare.h"

/* "ts:id ts:id ..." into l. */
static void list(fc_items *l, const char *spec)
{
    char buf[512], *save = NULL, *tok;

    l->n = 0;
    snprintf(buf, sizeof buf, "%s", spec);
    for (tok = strtok_r(buf, " ", &save); tok != NULL; tok = strtok_r(NULL, " ", &save)) {
        fc_item *it = fc_items_push(l);
        char *colon = strchr(tok, '/');
        assert_non_null(it);
        assert_non_null(colon);
        *colon = '\0';
        it->ts = atoll(tok);
        snprintf(it->id, sizeof it->id, "%s", colon + 1);
    }
}

typedef struct seen {
    int n;
    int kinds[16];
    char ids[16][FC_ID_MAX];
} seen;

static void record(void *ctx, int kind, const fc_item *e, const fc_item *f, const char *detail)
{
    seen *s = ctx;
    (void)detail;
    if (s->n < 16) {
        s->kinds[s->n] = kind;
        snprintf(s->ids[s->n], FC_ID_MAX, "%s", (e != NULL ? e : f)->id);
        s->n++;
    }
}

static fc_items E, F;

static int teardown(void **state)
{
    (void)state;
    fc_items_free(&E);
    fc_items_free(&F);
    return 0;
}

static void test_equal(void **state)
{
    fc_counts c = {0};

    (void)state;
    list(&E, "30/p:3 20/p:2 10/p:1");
    list(&F, "30/p:3 20/p:2 10/p:1");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 0);
    assert_int_equal(c.items, 3);
    assert_int_equal(fc_counts_differences(&c), 0);
}

static void test_missing_extra(void **state)
{
    fc_counts c = {0};
    seen s = {0};

    (void)state;
    list(&E, "30/p:3 20/p:2 10/p:1");
    list(&F, "30/p:3 25/p:9 10/p:1");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, record, &s), 2);
    assert_int_equal(c.missing, 1);
    assert_int_equal(c.extra, 1);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.kinds[0], FC_DIFF_EXTRA);
    assert_string_equal(s.ids[0], "p:9");
    assert_int_equal(s.kinds[1], FC_DIFF_MISSING);
    assert_string_equal(s.ids[1], "p:2");
}

/* The same activity under a second ts_us: one duplicate, whichever copy comes first. */
static void test_duplicated(void **state)
{
    fc_counts c = {0};

    (void)state;
    list(&E, "30/p:3 20/p:2 10/p:1");
    list(&F, "30/p:3 25/p:1 20/p:2 10/p:1");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 1);
    assert_int_equal(c.duplicated, 1);
    assert_int_equal(c.out_of_order, 0);
    memset(&c, 0, sizeof c);
    list(&F, "30/p:3 20/p:2 10/p:1 5/p:3");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 1);
    assert_int_equal(c.duplicated, 1);
}

/* Once, but at another time: out of order (not missing, not extra). */
static void test_wrong_time(void **state)
{
    fc_counts c = {0};

    (void)state;
    list(&E, "30/p:3 20/p:2 10/p:1");
    list(&F, "30/p:3 25/p:1 20/p:2");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 1);
    assert_int_equal(c.out_of_order, 1);
    assert_int_equal(c.missing + c.extra + c.duplicated, 0);
}

/* Right times, wrong order (a store that does not sort): out of order. */
static void test_wrong_place(void **state)
{
    fc_counts c = {0};

    (void)state;
    list(&E, "30/p:3 20/p:2 10/p:1");
    list(&F, "30/p:3 10/p:1 20/p:2");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 1);
    assert_int_equal(c.out_of_order, 1);
}

/* A head must be the first entries; what lies below it is not cached. */
static void test_prefix(void **state)
{
    fc_counts c = {0};

    (void)state;
    list(&E, "40/p:4 30/p:3 20/p:2 10/p:1");
    list(&F, "40/p:4 30/p:3");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_PREFIX, &c, NULL, NULL), 0);
    list(&F, "");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_PREFIX, &c, NULL, NULL), 0);
    list(&F, "40/p:4 20/p:2"); /* a hole */
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_PREFIX, &c, NULL, NULL), 1);
    assert_int_equal(c.missing, 1);
    memset(&c, 0, sizeof c);
    list(&F, "40/p:4 35/p:2 30/p:3"); /* a member with a wrong score */
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_PREFIX, &c, NULL, NULL), 1);
    assert_int_equal(c.out_of_order, 1);
    /* the whole feed in FULL mode: a short head is missing the rest */
    memset(&c, 0, sizeof c);
    list(&F, "40/p:4 30/p:3");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 2);
    assert_int_equal(c.missing, 2);
}

/* Ties on time are ordered by id descending as bytes. */
static void test_tie_order(void **state)
{
    fc_counts c = {0};

    (void)state;
    list(&E, "10/p:9 10/p:10");
    list(&F, "10/p:9 10/p:10");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 0);
    list(&F, "10/p:10 10/p:9");
    assert_int_equal(fc_compare_items(&E, &F, FC_CMP_FULL, &c, NULL, NULL), 1);
    assert_int_equal(c.out_of_order, 1);
}

static fc_group group(const char *id, int64_t window, int count, int64_t latest)
{
    fc_group g;

    memset(&g, 0, sizeof g);
    snprintf(g.id, sizeof g.id, "%s", id);
    snprintf(g.verb, sizeof g.verb, "LIKE");
    snprintf(g.object, sizeof g.object, "p:1");
    g.window_us = window;
    g.actor_count = count;
    g.n_ids = count < FC_GROUP_IDS ? count : FC_GROUP_IDS;
    for (int i = 0; i < g.n_ids; i++)
        g.actor_ids[i] = 100 - i;
    g.latest_us = latest;
    return g;
}

static void test_groups(void **state)
{
    fc_groups e = {0}, f = {0};
    fc_counts c = {0};
    seen s = {0};

    (void)state;
    *fc_groups_push(&e) = group("LIKE:p:1:7200000", 7200000000, 3, 7300000000);
    *fc_groups_push(&e) = group("LIKE:p:1:3600000", 3600000000, 1, 3600000001);
    *fc_groups_push(&f) = group("LIKE:p:1:7200000", 7200000000, 3, 7300000000);
    *fc_groups_push(&f) = group("LIKE:p:1:3600000", 3600000000, 1, -1); /* latest_us not stored */
    assert_int_equal(fc_compare_groups(&e, &f, FC_CMP_FULL, &c, NULL, NULL), 0);
    f.v[0].actor_count = 4;
    assert_int_equal(fc_compare_groups(&e, &f, FC_CMP_FULL, &c, record, &s), 1);
    assert_int_equal(c.counts_off, 1);
    assert_int_equal(s.kinds[0], FC_DIFF_COUNT);
    f.v[0].actor_count = 3;
    f.v[0].actor_ids[1] = 5;
    assert_int_equal(fc_compare_groups(&e, &f, FC_CMP_FULL, &c, NULL, NULL), 1);
    f.v[0].actor_ids[1] = 99;
    f.v[0].latest_us = 1;
    assert_int_equal(fc_compare_groups(&e, &f, FC_CMP_FULL, &c, NULL, NULL), 1);
    f.v[0].latest_us = 7300000000;
    /* stored at its latest event instead of the window start: out of order, no content check */
    memset(&c, 0, sizeof c);
    f.v[1].window_us = 3600000001;
    f.v[1].actor_count = 9;
    assert_int_equal(fc_compare_groups(&e, &f, FC_CMP_FULL, &c, NULL, NULL), 1);
    assert_int_equal(c.out_of_order, 1);
    fc_groups_free(&e);
    fc_groups_free(&f);
}

static void test_counts_add(void **state)
{
    fc_counts a = {.feeds = 1, .missing = 1}, b = {.feeds = 2, .extra = 3, .ambiguous = 4};

    (void)state;
    fc_counts_add(&a, &b);
    assert_int_equal(a.feeds, 3);
    assert_int_equal(fc_counts_differences(&a), 4);
    assert_int_equal(a.ambiguous, 4);
    assert_string_equal(fc_diff_name(FC_DIFF_DUPLICATED), "duplicated");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_equal, teardown),
        cmocka_unit_test_teardown(test_missing_extra, teardown),
        cmocka_unit_test_teardown(test_duplicated, teardown),
        cmocka_unit_test_teardown(test_wrong_time, teardown),
        cmocka_unit_test_teardown(test_wrong_place, teardown),
        cmocka_unit_test_teardown(test_prefix, teardown),
        cmocka_unit_test_teardown(test_tie_order, teardown),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_counts_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
