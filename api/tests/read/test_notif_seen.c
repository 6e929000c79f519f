/* test_notif_seen.c: the groups recorded at a marker PUT, the array text
 * they travel in, and the scheme they serve: a group that appears after
 * the marker is unseen wherever it sorts, one that was there is seen. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/notif_seen.h"

#define HOUR_US INT64_C(3600000000)
#define NOW_US (INT64_C(1732500000) * 1000000)

static slice id_of(const char *s)
{
    return slice_from_cstr(s);
}

static void test_lower_default_is_an_hour_and_the_margin_back(void **state)
{
    feed_ref lower, group;

    (void)state;
    notif_seen_lower_default(NOW_US, &lower);
    assert_true(lower.ts_us == NOW_US - NOTIF_WINDOW_US - NOTIF_SEEN_MARGIN_US);
    assert_int_equal(lower.id_len, 0);
    /* a group at the bound's own time, whatever its id, is inside (newer) */
    assert_int_equal(feed_ref_set(&group, lower.ts_us, id_of("COMMENT:p:1:0")), 0);
    assert_true(feed_ref_cmp(&group, &lower) < 0);
}

static void test_builder_array_text(void **state)
{
    notif_seen_builder b;

    (void)state;
    notif_seen_builder_init(&b, NOW_US);
    assert_int_equal(notif_seen_builder_finish(&b), 0);
    assert_string_equal(b.array.data, "{}");
    assert_false(notif_seen_has(b.array.data, id_of("LIKE:p:1:0")));
    notif_seen_builder_dispose(&b);

    notif_seen_builder_init(&b, NOW_US);
    notif_seen_builder_add(&b, NOW_US - 10, id_of("LIKE:p:9:1732496400000"));
    notif_seen_builder_add(&b, NOW_US - 10, id_of("FOLLOW:u:7:1732496400000"));
    assert_int_equal(notif_seen_builder_finish(&b), 0);
    assert_string_equal(b.array.data, "{LIKE:p:9:1732496400000,FOLLOW:u:7:1732496400000}");
    assert_int_equal(b.n, 2);
    assert_false(b.full);
    assert_true(notif_seen_has(b.array.data, id_of("LIKE:p:9:1732496400000")));
    assert_true(notif_seen_has(b.array.data, id_of("FOLLOW:u:7:1732496400000")));
    /* whole elements only: no prefix, no suffix, no empty id */
    assert_false(notif_seen_has(b.array.data, id_of("LIKE:p:9:173249640000")));
    assert_false(notif_seen_has(b.array.data, id_of("IKE:p:9:1732496400000")));
    assert_false(notif_seen_has(b.array.data, id_of("")));
    notif_seen_builder_dispose(&b);
}

static void test_builder_refuses_ids_outside_the_alphabet(void **state)
{
    notif_seen_builder b;

    (void)state;
    notif_seen_builder_init(&b, NOW_US);
    notif_seen_builder_add(&b, NOW_US, id_of("LIKE:p:1,2:0"));
    assert_int_equal(notif_seen_builder_finish(&b), -1);
    notif_seen_builder_dispose(&b);
}

static void test_has_on_malformed_text(void **state)
{
    (void)state;
    assert_false(notif_seen_has(NULL, id_of("a:1")));
    assert_false(notif_seen_has("", id_of("a:1")));
    assert_false(notif_seen_has("{a:1", id_of("a:1")));
    assert_false(notif_seen_has("a:1}", id_of("a:1")));
    assert_false(notif_seen_has("{", id_of("a:1")));
    assert_true(notif_seen_has("{a:1}", id_of("a:1")));
    assert_true(notif_seen_has("{,a:1,}", id_of("a:1")));
    assert_false(notif_seen_has("{,,}", id_of("a:1")));
}

static void test_builder_keeps_at_most_the_max_and_moves_the_bound(void **state)
{
    notif_seen_builder b;
    char id[64];

    (void)state;
    notif_seen_builder_init(&b, NOW_US);
    for (int i = 0; i < NOTIF_SEEN_MAX + 5; i++) {
        snprintf(id, sizeof(id), "LIKE:p:%d:1732496400000", i);
        notif_seen_builder_add(&b, NOW_US - 1000 - i, id_of(id));
    }
    assert_int_equal(notif_seen_builder_finish(&b), 0);
    assert_int_equal(b.n, NOTIF_SEEN_MAX);
    assert_true(b.full);
    /* the first group not kept is the bound: it, and older, are seen */
    assert_true(b.lower.ts_us == NOW_US - 1000 - NOTIF_SEEN_MAX);
    snprintf(id, sizeof(id), "LIKE:p:%d:1732496400000", NOTIF_SEEN_MAX);
    assert_string_equal(b.lower.id, id);
    assert_false(notif_seen_has(b.array.data, id_of(id)));
    snprintf(id, sizeof(id), "LIKE:p:%d:1732496400000", NOTIF_SEEN_MAX - 1);
    assert_true(notif_seen_has(b.array.data, id_of(id)));
    notif_seen_builder_dispose(&b);
}

/* ---- the scheme, as read/unseen.c and handlers/markers.c use it ------ */

typedef struct group {
    feed_ref at;
    int existed; /* there when the marker was set */
} group;

/* unseen.c's rule: after the marker, or in (lower, marker] and not kept */
static int unseen(const group *g, const feed_ref *marker, const notif_seen_builder *b)
{
    if (feed_ref_cmp(&g->at, marker) < 0)
        return 1;
    return feed_ref_cmp(&g->at, &b->lower) < 0 && !notif_seen_has(b->array.data, slice_make(g->at.id, g->at.id_len));
}

static int by_position(const void *a, const void *b)
{
    return feed_ref_cmp(&((const group *)a)->at, &((const group *)b)->at);
}

/* Random groups in the last two windows before now; a marker at one of
 * them; the PUT records the range (as markers.c: newest first); then new
 * groups appear in the current window (events after the marker). Every
 * new group is unseen, and exactly the old ones after the marker are. */
static void test_new_groups_are_unseen_wherever_they_sort(void **state)
{
    static const char *verbs[] = {"FOLLOW:u", "LIKE:p", "COMMENT:p"};
    enum { OLD = 60, NEW = 20 };
    group g[OLD + NEW];
    notif_seen_builder b;
    char id[64];

    (void)state;
    srand(7);
    for (int round = 0; round < 500; round++) {
        int64_t window = (NOW_US / HOUR_US) * HOUR_US;
        feed_ref marker;
        int n_old = 1 + rand() % OLD, expect = 0, got = 0;

        for (int i = 0; i < n_old; i++) {
            int64_t w = window - (rand() % 3) * HOUR_US; /* this hour, or one or two before */
            snprintf(id, sizeof(id), "%s:%d:%" PRId64, verbs[rand() % 3], rand() % 8, w / 1000);
            assert_int_equal(feed_ref_set(&g[i].at, w, id_of(id)), 0);
            g[i].existed = 1;
        }
        qsort(g, (size_t)n_old, sizeof(g[0]), by_position);
        marker = g[rand() % n_old].at;
        notif_seen_builder_init(&b, NOW_US);
        for (int i = 0; i < n_old; i++) /* newest first, as the range read */
            if (feed_ref_cmp(&g[i].at, &b.lower) < 0 && feed_ref_cmp(&g[i].at, &marker) >= 0 &&
                (i == 0 || feed_ref_cmp(&g[i].at, &g[i - 1].at) != 0))
                notif_seen_builder_add(&b, g[i].at.ts_us, slice_make(g[i].at.id, g[i].at.id_len));
        assert_int_equal(notif_seen_builder_finish(&b), 0);
        for (int i = 0; i < NEW; i++) { /* events after the marker: this window only */
            snprintf(id, sizeof(id), "%s:%d:%" PRId64, verbs[rand() % 3], 8 + rand() % 100, window / 1000);
            assert_int_equal(feed_ref_set(&g[n_old + i].at, window, id_of(id)), 0);
            g[n_old + i].existed = 0;
        }
        for (int i = 0; i < n_old + NEW; i++) {
            int dup = 0;
            for (int k = 0; k < i; k++)
                dup |= feed_ref_cmp(&g[k].at, &g[i].at) == 0;
            if (dup)
                continue; /* one group per position */
            expect += !g[i].existed || feed_ref_cmp(&g[i].at, &marker) < 0;
            got += unseen(&g[i], &marker, &b);
        }
        assert_int_equal(got, expect);
        notif_seen_builder_dispose(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_default_is_an_hour_and_the_margin_back),
        cmocka_unit_test(test_builder_array_text),
        cmocka_unit_test(test_builder_refuses_ids_outside_the_alphabet),
        cmocka_unit_test(test_has_on_malformed_text),
        cmocka_unit_test(test_builder_keeps_at_most_the_max_and_moves_the_bound),
        cmocka_unit_test(test_new_groups_are_unseen_wherever_they_sort),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
