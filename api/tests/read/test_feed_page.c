/* test_feed_page.c: page assembly from rounds of refs (head rows, then
 * Cassandra rows), undone items, the cursor decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/feed_page.h"

static feed_ref refs[16];
static slice json[16];
static char text[16][16];

/* Refs ts 100-i, ids "p:<i>" for i in [from, from+n); gone: a bitmask
 * (relative to from) of items whose body is gone. */
static void round_of(int from, int n, unsigned gone)
{
    int i;

    for (i = 0; i < n; i++) {
        char id[16];
        snprintf(id, sizeof(id), "p:%d", from + i);
        assert_int_equal(feed_ref_set(&refs[i], 100 - (from + i), slice_from_cstr(id)), 0);
        snprintf(text[i], sizeof(text[i]), "{%d}", from + i);
        json[i] = (gone >> i) & 1 ? slice_make(NULL, 0) : slice_from_cstr(text[i]);
    }
}

static char *items_text(buf *b)
{
    assert_int_equal(buf_append(b, "", 1), 0);
    b->len--;
    return b->data;
}

/* A head of 3 items, then Cassandra: limit 5 asks 6, gets 3 (head ends,
 * partial), then asks 3 from Cassandra and gets 3: full, and the 6th
 * ref proves the feed goes on. */
static void test_head_then_cassandra(void **state)
{
    buf b;
    feed_page p = {.limit = 5};

    (void)state;
    buf_init(&b, 0);
    p.items = &b;
    assert_int_equal(feed_page_want(&p), 6);
    round_of(0, 3, 0);
    assert_int_equal(feed_page_add(&p, refs, json, 3), 0);
    assert_int_equal(feed_page_next(&p, 0, 1, 8), FEED_PAGE_AGAIN);
    assert_string_equal(p.pos.id, "p:2");
    assert_int_equal(feed_page_want(&p), 3);
    round_of(3, 3, 0);
    assert_int_equal(feed_page_add(&p, refs, json, 3), 0);
    assert_int_equal(p.nitems, 5);
    assert_true(p.more);
    assert_int_equal(feed_page_next(&p, 0, 2, 8), FEED_PAGE_CURSOR_LAST);
    assert_string_equal(p.last.id, "p:4");
    assert_string_equal(items_text(&b), "{0},{1},{2},{3},{4}");
    buf_dispose(&b);
}

/* The feed ends exactly at the page: no cursor. */
static void test_exact_end(void **state)
{
    buf b;
    feed_page p = {.limit = 3};

    (void)state;
    buf_init(&b, 0);
    p.items = &b;
    round_of(0, 3, 0);
    assert_int_equal(feed_page_add(&p, refs, json, 3), 0);
    assert_false(p.more);
    assert_int_equal(feed_page_next(&p, 1, 1, 8), FEED_PAGE_END);
    /* the same page from a source that may go on: a cursor */
    assert_int_equal(feed_page_next(&p, 0, 1, 8), FEED_PAGE_CURSOR_LAST);
    buf_dispose(&b);
}

/* Undone items are skipped, the position still moves past them, and
 * the page reads further to have limit items. */
static void test_gone_items_skipped(void **state)
{
    buf b;
    feed_page p = {.limit = 3};

    (void)state;
    buf_init(&b, 0);
    p.items = &b;
    round_of(0, 4, 0x6); /* p:1 and p:2 gone */
    assert_int_equal(feed_page_add(&p, refs, json, 4), 0);
    assert_int_equal(p.nitems, 2);
    assert_string_equal(p.pos.id, "p:3");
    assert_int_equal(feed_page_next(&p, 0, 1, 8), FEED_PAGE_AGAIN);
    assert_int_equal(feed_page_want(&p), 2);
    round_of(4, 2, 0x1); /* p:4 gone, p:5 there */
    assert_int_equal(feed_page_add(&p, refs, json, 2), 0);
    assert_int_equal(p.nitems, 3);
    assert_string_equal(p.last.id, "p:5");
    assert_string_equal(items_text(&b), "{0},{3},{5}");
    /* the feed ended after p:5 */
    assert_int_equal(feed_page_next(&p, 1, 2, 8), FEED_PAGE_END);
    buf_dispose(&b);
}

/* Out of rounds in a run of undone items: answer short, cursor at the
 * position reached; everything gone and the feed ended: empty, no cursor. */
static void test_round_limit_and_empty(void **state)
{
    buf b;
    feed_page p = {.limit = 2};

    (void)state;
    buf_init(&b, 0);
    p.items = &b;
    round_of(0, 3, 0x7);
    assert_int_equal(feed_page_add(&p, refs, json, 3), 0);
    assert_int_equal(feed_page_next(&p, 0, 8, 8), FEED_PAGE_CURSOR_POS);
    assert_string_equal(p.pos.id, "p:2");
    assert_int_equal(feed_page_next(&p, 1, 1, 8), FEED_PAGE_END);
    assert_int_equal(b.len, 0);
    /* an empty feed */
    p = (feed_page){.limit = 2, .items = &b};
    assert_int_equal(feed_page_add(&p, refs, json, 0), 0);
    assert_int_equal(feed_page_next(&p, 1, 1, 8), FEED_PAGE_END);
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_then_cassandra),
        cmocka_unit_test(test_exact_end),
        cmocka_unit_test(test_gone_items_skipped),
        cmocka_unit_test(test_round_limit_and_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
