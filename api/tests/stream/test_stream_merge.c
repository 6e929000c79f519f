/* test_stream_merge.c: order, ids and repeats of a feed stream, and the
 * backlog's helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/stream/stream_merge.h"

static feed_ref ref(int64_t ts, const char *id)
{
    feed_ref r;

    assert_int_equal(feed_ref_set(&r, ts, slice_from_cstr(id)), 0);
    return r;
}

static void mark_is(const stream_merge *m, int64_t ts, const char *id)
{
    const feed_ref *k = stream_merge_mark(m);

    assert_non_null(k);
    assert_int_equal(k->ts_us, ts);
    assert_string_equal(k->id, id);
}

/* In feed order, every item is sent under its own position. */
static void test_in_order(void **state)
{
    stream_merge m;
    feed_ref a = ref(100, "p:1"), b = ref(200, "p:2"), c = ref(200, "p:3");

    (void)state;
    stream_merge_init(&m, NULL);
    assert_null(stream_merge_mark(&m));
    assert_int_equal(stream_merge_offer(&m, &a), 1);
    mark_is(&m, 100, "p:1");
    assert_int_equal(stream_merge_offer(&m, &b), 1);
    mark_is(&m, 200, "p:2");
    /* equal ts: the greater id is newer (feed order, descending ids) */
    assert_int_equal(stream_merge_offer(&m, &c), 1);
    mark_is(&m, 200, "p:3");
}

/* A late item (older than the mark) is sent, the mark stays: a client
 * resuming from the last id is not sent the newer items again. */
static void test_late_item_keeps_mark(void **state)
{
    stream_merge m;
    feed_ref after = ref(500, "p:5"), late = ref(300, "p:3"), older = ref(400, "p:4"), newer = ref(600, "p:6");

    (void)state;
    stream_merge_init(&m, &after);
    mark_is(&m, 500, "p:5");
    assert_int_equal(stream_merge_offer(&m, &late), 1);
    mark_is(&m, 500, "p:5");
    assert_int_equal(stream_merge_offer(&m, &newer), 1);
    mark_is(&m, 600, "p:6");
    assert_int_equal(stream_merge_offer(&m, &older), 1);
    mark_is(&m, 600, "p:6");
}

/* An item is never sent twice while it is among the last STREAM_RECENT. */
static void test_repeats(void **state)
{
    stream_merge m;
    feed_ref r[STREAM_RECENT + 1];
    char id[16];
    int i;

    (void)state;
    stream_merge_init(&m, NULL);
    for (i = 0; i <= STREAM_RECENT; i++) {
        snprintf(id, sizeof(id), "p:%d", i);
        r[i] = ref(1000 + i, id);
        assert_int_equal(stream_merge_offer(&m, &r[i]), 1);
        assert_int_equal(stream_merge_offer(&m, &r[i]), 0);
    }
    for (i = 1; i <= STREAM_RECENT; i++)
        assert_int_equal(stream_merge_offer(&m, &r[i]), 0);
    /* the first one has left the window */
    assert_int_equal(stream_merge_offer(&m, &r[0]), 1);
    mark_is(&m, 1000 + STREAM_RECENT, "p:16");
}

/* Notification groups change in place: every state is sent. */
static void test_updates(void **state)
{
    stream_merge m;
    feed_ref g = ref(100, "LIKE:p:1:0"), h = ref(50, "LIKE:p:2:0");

    (void)state;
    stream_merge_init(&m, NULL);
    m.updates = 1;
    assert_int_equal(stream_merge_offer(&m, &g), 1);
    assert_int_equal(stream_merge_offer(&m, &g), 1);
    assert_int_equal(stream_merge_offer(&m, &h), 1);
    mark_is(&m, 100, "LIKE:p:1:0");
}

/* A page (newest first) against the resume position. */
static void test_backlog_newer(void **state)
{
    feed_ref page[4] = {ref(400, "p:4"), ref(300, "p:3"), ref(300, "p:2"), ref(100, "p:1")};
    feed_ref after = ref(300, "p:2"), gone = ref(250, "p:9"), top = ref(900, "p:90");
    int reached;

    (void)state;
    assert_int_equal(stream_backlog_newer(&after, page, 4, &reached), 2);
    assert_int_equal(reached, 1);
    /* the position itself need not exist any more (deleted meanwhile) */
    assert_int_equal(stream_backlog_newer(&gone, page, 4, &reached), 3);
    assert_int_equal(reached, 1);
    /* everything newer: a further page is needed */
    after = ref(50, "p:0");
    assert_int_equal(stream_backlog_newer(&after, page, 4, &reached), 4);
    assert_int_equal(reached, 0);
    /* nothing newer */
    assert_int_equal(stream_backlog_newer(&top, page, 4, &reached), 0);
    assert_int_equal(reached, 1);
    /* a fresh stream takes the page */
    assert_int_equal(stream_backlog_newer(NULL, page, 4, &reached), 4);
    assert_int_equal(reached, 0);
    assert_int_equal(stream_backlog_newer(&after, page, 0, &reached), 0);
    assert_int_equal(reached, 0);
}

static void test_backlog_has(void **state)
{
    feed_ref page[5] = {ref(500, "p:5"), ref(400, "p:4"), ref(300, "p:31"), ref(300, "p:3"), ref(100, "p:1")};
    feed_ref x;
    size_t i;

    (void)state;
    for (i = 0; i < 5; i++)
        assert_int_equal(stream_backlog_has(page, 5, &page[i]), 1);
    x = ref(300, "p:30");
    assert_int_equal(stream_backlog_has(page, 5, &x), 0);
    x = ref(400, "p:3"); /* the id at another position is another item */
    assert_int_equal(stream_backlog_has(page, 5, &x), 0);
    x = ref(600, "p:6");
    assert_int_equal(stream_backlog_has(page, 5, &x), 0);
    x = ref(50, "p:0");
    assert_int_equal(stream_backlog_has(page, 5, &x), 0);
    assert_int_equal(stream_backlog_has(page, 0, &page[0]), 0);
}

/* The whole resume, as feed_stream runs it: backlog oldest first, then
 * the events buffered meanwhile (some also in the backlog), then live
 * ones: every item once, ids never going back. */
static void test_resume_merge(void **state)
{
    feed_ref after = ref(200, "p:2");
    feed_ref backlog[3] = {ref(500, "p:5"), ref(400, "p:4"), ref(300, "p:3")}; /* feed order */
    feed_ref buffered[3] = {ref(400, "p:4"), ref(500, "p:5"), ref(600, "p:6")};
    feed_ref live[2] = {ref(700, "p:7"), ref(650, "p:65")};
    const char *want[] = {"p:3", "p:4", "p:5", "p:6", "p:7", "p:65"};
    const int64_t want_mark[] = {300, 400, 500, 600, 700, 700};
    const char *sent[8];
    int64_t marks[8];
    stream_merge m;
    size_t i, n = 0;

    (void)state;
    stream_merge_init(&m, &after);
    for (i = 3; i-- > 0;) {
        if (stream_merge_offer(&m, &backlog[i])) {
            sent[n] = backlog[i].id;
            marks[n++] = stream_merge_mark(&m)->ts_us;
        }
    }
    for (i = 0; i < 3; i++) {
        if (stream_backlog_has(backlog, 3, &buffered[i]))
            continue;
        if (stream_merge_offer(&m, &buffered[i])) {
            sent[n] = buffered[i].id;
            marks[n++] = stream_merge_mark(&m)->ts_us;
        }
    }
    for (i = 0; i < 2; i++) {
        if (stream_merge_offer(&m, &live[i])) {
            sent[n] = live[i].id;
            marks[n++] = stream_merge_mark(&m)->ts_us;
        }
    }
    assert_int_equal(n, 6);
    for (i = 0; i < n; i++) {
        assert_string_equal(sent[i], want[i]);
        assert_int_equal(marks[i], want_mark[i]);
    }
}

/* The log's history: a replayed '+' (or '-') repeats the item's last
 * state and is dropped; a change is not; the ring forgets the oldest. */
static void test_history_repeats(void **state)
{
    static stream_history h;
    feed_ref a = ref(10, "p:1"), b = ref(20, "p:2"), x;
    char id[16];
    int i;

    (void)state;
    memset(&h, 0, sizeof(h));
    assert_int_equal(stream_history_repeat(&h, &a, 0), 0); /* unknown */
    stream_history_note(&h, &a, 0);
    assert_int_equal(stream_history_repeat(&h, &a, 0), 1); /* + + */
    assert_int_equal(stream_history_repeat(&h, &a, 1), 0); /* + - */
    assert_int_equal(stream_history_repeat(&h, &b, 0), 0);
    stream_history_note(&h, &a, 1);
    assert_int_equal(stream_history_repeat(&h, &a, 1), 1); /* - - */
    assert_int_equal(stream_history_repeat(&h, &a, 0), 0); /* - + (a replay of +,- sends both again) */
    stream_history_note(&h, &b, 0);
    for (i = 0; i < STREAM_HISTORY - 1; i++) {
        snprintf(id, sizeof(id), "c:%d", i);
        x = ref(30 + i, id);
        stream_history_note(&h, &x, 0);
    }
    assert_int_equal(stream_history_repeat(&h, &b, 0), 1); /* still the oldest of the ring */
    x = ref(1, "c:999999");
    stream_history_note(&h, &x, 0);
    assert_int_equal(stream_history_repeat(&h, &b, 0), 0); /* forgotten */
    assert_int_equal(h.n, STREAM_HISTORY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_history_repeats),
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_late_item_keeps_mark),
        cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_updates),
        cmocka_unit_test(test_backlog_newer),
        cmocka_unit_test(test_backlog_has),
        cmocka_unit_test(test_resume_merge),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
