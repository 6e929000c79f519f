/* test_stream_hot.c: which hot followees' events a home stream sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/stream/stream_hot.h"

static feed_event hot(int64_t source, int64_t ts_us, const char *id, int removed)
{
    feed_event e;

    memset(&e, 0, sizeof(e));
    e.user_id = 1;
    e.kind = FEED_HOME;
    e.source = source;
    e.removed = removed;
    assert_int_equal(feed_ref_set(&e.ref, ts_us, slice_from_cstr(id)), 0);
    return e;
}

static void test_rule(void **state)
{
    merge_source src[4];
    feed_event e;

    (void)state;
    memset(src, 0, sizeof(src));
    src[0].followee_id = 30; /* followed at 1000, backfill from (500, p:5) on */
    src[0].follow_ts_us = 1000;
    src[0].before = MERGE_BEFORE_FROM;
    assert_int_equal(feed_ref_set(&src[0].from, 500, SLICE_LIT("p:5")), 0);
    src[1].followee_id = 10; /* followed at 1000, no backfill */
    src[1].follow_ts_us = 1000;
    src[1].before = MERGE_BEFORE_NONE;
    src[2].followee_id = 20; /* followed at 1000, every older item */
    src[2].follow_ts_us = 1000;
    src[2].before = MERGE_BEFORE_ALL;
    src[3].followee_id = 5;
    src[3].follow_ts_us = 0;
    src[3].before = MERGE_BEFORE_NONE;
    stream_hot_sort(src, 4);
    assert_true(src[0].followee_id == 5 && src[1].followee_id == 10 && src[2].followee_id == 20 &&
                src[3].followee_id == 30);
    assert_non_null(stream_hot_find(src, 4, 20));
    assert_null(stream_hot_find(src, 4, 21));
    assert_null(stream_hot_find(src, 0, 20));

    /* the user's own feed's events: always */
    e = hot(0, 1, "p:1", 0);
    assert_true(stream_hot_accepts(src, 4, &e));
    assert_true(stream_hot_accepts(NULL, 0, &e));
    /* not a source (unfollowed, never followed): never, + or - */
    e = hot(11, 5000, "p:9", 0);
    assert_false(stream_hot_accepts(src, 4, &e));
    e = hot(11, 5000, "p:9", 1);
    assert_false(stream_hot_accepts(src, 4, &e));
    e = hot(10, 5000, "p:9", 0);
    assert_false(stream_hot_accepts(NULL, 0, &e));
    /* made after the follow: in */
    e = hot(10, 1001, "p:9", 0);
    assert_true(stream_hot_accepts(src, 4, &e));
    e = hot(10, 1001, "p:9", 1);
    assert_true(stream_hot_accepts(src, 4, &e));
    /* at or before it, no backfill: out */
    e = hot(10, 1000, "p:9", 0);
    assert_false(stream_hot_accepts(src, 4, &e));
    /* every older item */
    e = hot(20, 1, "p:2", 1);
    assert_true(stream_hot_accepts(src, 4, &e));
    /* a backfill from (500, p:5): p:5 and newer in, older out */
    e = hot(30, 500, "p:5", 0);
    assert_true(stream_hot_accepts(src, 4, &e));
    e = hot(30, 500, "p:6", 0);
    assert_true(stream_hot_accepts(src, 4, &e));
    e = hot(30, 500, "p:4", 0);
    assert_false(stream_hot_accepts(src, 4, &e));
    e = hot(30, 499, "p:7", 0);
    assert_false(stream_hot_accepts(src, 4, &e));
    e = hot(30, 999, "l:1", 0);
    assert_true(stream_hot_accepts(src, 4, &e));
    /* a hot event is a home event only */
    e = hot(30, 5000, "p:7", 0);
    e.kind = FEED_PROFILE;
    assert_false(stream_hot_accepts(src, 4, &e));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
