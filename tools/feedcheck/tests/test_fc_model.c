/* test_fc_model.c: expected feeds from hand-made rows (no server).
 *
 * Times are small numbers of seconds (S) so that expectations read easily;
 * the rules do not care where the epoch is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tools/feedcheck/fc_model.h"

#define S 1000000LL /* one second in µs */
#define H (3600 * S)

static void add_users(fc_model *m, int n)
{
    for (int i = 1; i <= n; i++)
        assert_int_equal(fc_model_add_user(m, i), 0);
}

static void post(fc_model *m, int64_t id, int64_t author, int64_t ts)
{
    fc_act a = {.id = id, .actor = author, .ts_us = ts, .object = id, .body_len = 5, .kind = 'p'};
    assert_int_equal(fc_model_add_act(m, &a), 0);
}

static void like(fc_model *m, int64_t id, int64_t user, int64_t post_id, int64_t post_author, int64_t ts)
{
    fc_act a = {
        .id = id, .actor = user, .ts_us = ts, .object = post_id, .target = post_author, .body_len = -1, .kind = 'l'};
    assert_int_equal(fc_model_add_act(m, &a), 0);
}

static void comment(fc_model *m, int64_t id, int64_t user, int64_t post_id, int64_t post_author, int64_t ts)
{
    fc_act a = {
        .id = id, .actor = user, .ts_us = ts, .object = post_id, .target = post_author, .body_len = 3, .kind = 'c'};
    assert_int_equal(fc_model_add_act(m, &a), 0);
}

static void follow(fc_model *m, int64_t id, int64_t follower, int64_t followee, int64_t ts)
{
    fc_follow f = {.id = id, .follower = follower, .followee = followee, .ts_us = ts};
    assert_int_equal(fc_model_add_follow(m, &f), 0);
}

static size_t user(const fc_model *m, int64_t id)
{
    ptrdiff_t u = fc_model_user(m, id);
    assert_true(u >= 0);
    return (size_t)u;
}

/* The ids of l, space-separated. */
static const char *ids(const fc_items *l)
{
    static char buf[4096];
    size_t n = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < l->n; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? " " : "", l->v[i].id);
    return buf;
}

static void test_ids(void **state)
{
    fc_act a = {.id = 42, .kind = 'p'};
    char buf[FC_ID_MAX], kind;
    int64_t id;

    (void)state;
    assert_int_equal(fc_act_id(&a, buf), 4);
    assert_string_equal(buf, "p:42");
    assert_int_equal(fc_parse_act_id("c:7", 3, &kind, &id), 0);
    assert_int_equal(kind, 'c');
    assert_int_equal(id, 7);
    assert_int_equal(fc_parse_act_id("x:7", 3, &kind, &id), -1);
    assert_int_equal(fc_parse_act_id("p:", 2, &kind, &id), -1);
    assert_int_equal(fc_parse_act_id("p:07", 4, &kind, &id), -1);
    assert_int_equal(fc_parse_act_id("p:1a", 4, &kind, &id), -1);
    assert_int_equal(fc_parse_act_id("p:99999999999999999999", 22, &kind, &id), -1);
    /* bytes, not numbers: "p:9" sorts after "p:10" */
    assert_true(fc_id_cmp("p:9", "p:10") > 0);
    assert_true(fc_id_cmp("p:1", "p:10") < 0);
}

/* profile: own activities, newest first; equal times by id descending as bytes. */
static void test_profile_order(void **state)
{
    fc_model m;
    fc_items l = {0};

    (void)state;
    fc_model_init(&m);
    add_users(&m, 2);
    post(&m, 10, 1, 5 * S);
    post(&m, 9, 1, 5 * S);
    post(&m, 11, 1, 7 * S);
    post(&m, 12, 2, 8 * S);
    like(&m, 1, 1, 12, 2, 6 * S);
    assert_int_equal(fc_model_index(&m), 0);
    assert_int_equal(fc_expect_profile(&m, user(&m, 1), &l), 0);
    assert_string_equal(ids(&l), "p:11 l:1 p:9 p:10");
    assert_int_equal(l.v[0].ts, 7 * S);
    fc_items_free(&l);
    fc_model_free(&m);
}

/* home: own + each followee's activities after the follow + the newest
 * `backfill` before it; a FOLLOW is the follower's own activity. */
static void test_home_backfill(void **state)
{
    fc_model m;
    fc_items l = {0};
    fc_rules r = {.backfill = 2, .skew_us = 0};

    (void)state;
    fc_model_init(&m);
    add_users(&m, 3);
    for (int i = 1; i <= 5; i++)
        post(&m, i, 2, i * S);     /* V=2 posts at 1..5 s */
    follow(&m, 100, 1, 2, 10 * S); /* U=1 follows V at 10 s */
    post(&m, 6, 2, 20 * S);        /* after the follow */
    post(&m, 7, 1, 15 * S);        /* U's own */
    follow(&m, 101, 2, 3, 30 * S); /* V follows 3: V's activity, reaches U */
    post(&m, 8, 3, 25 * S);        /* 3's post: not U's business */
    assert_int_equal(fc_model_index(&m), 0);

    assert_int_equal(fc_expect_home(&m, user(&m, 1), &r, &l), 0);
    assert_string_equal(ids(&l), "f:101 p:6 p:7 f:100 p:5 p:4");
    assert_int_equal(l.v[0].cls, FC_CLS_SURE);
    assert_int_equal(l.v[4].cls, FC_CLS_BACKFILL);
    /* V's home: its own, and 3's backfill (p:8 made before the follow) */
    assert_int_equal(fc_expect_home(&m, user(&m, 2), &r, &l), 0);
    assert_string_equal(ids(&l), "f:101 p:8 p:6 p:5 p:4 p:3 p:2 p:1");
    /* 3 follows nobody: only its own */
    assert_int_equal(fc_expect_home(&m, user(&m, 3), &r, &l), 0);
    assert_string_equal(ids(&l), "p:8");
    /* backfill 0: nothing from before the follow */
    r.backfill = 0;
    assert_int_equal(fc_expect_home(&m, user(&m, 1), &r, &l), 0);
    assert_string_equal(ids(&l), "f:101 p:6 p:7 f:100");
    fc_items_free(&l);
    fc_model_free(&m);
}

/* Items within skew of the follow are marked WINDOW. */
static void test_home_window(void **state)
{
    fc_model m;
    fc_items l = {0};
    fc_rules r = {.backfill = 1, .skew_us = S};

    (void)state;
    fc_model_init(&m);
    add_users(&m, 2);
    post(&m, 1, 2, 5 * S);
    post(&m, 2, 2, 9 * S + S / 2);  /* 0.5 s before the follow */
    post(&m, 3, 2, 10 * S + S / 2); /* 0.5 s after */
    follow(&m, 7, 1, 2, 10 * S);
    assert_int_equal(fc_model_index(&m), 0);
    assert_int_equal(fc_expect_home(&m, user(&m, 1), &r, &l), 0);
    assert_string_equal(ids(&l), "p:3 f:7 p:2");
    assert_int_equal(l.v[0].cls, FC_CLS_WINDOW);
    assert_int_equal(l.v[2].cls, FC_CLS_WINDOW);
    fc_items_free(&l);
    fc_model_free(&m);
}

static int key_qcmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* k sorted ascending, as fc_pair_plausible wants it. */
static const uint64_t *sorted(uint64_t *k, size_t n)
{
    qsort(k, n, sizeof *k, key_qcmp);
    return k;
}

static void test_plausible(void **state)
{
    fc_model m;
    fc_rules r = {.backfill = 3, .skew_us = S};
    uint64_t k[8];
    size_t v;

    (void)state;
    fc_model_init(&m);
    add_users(&m, 2);
    for (int i = 1; i <= 5; i++)
        post(&m, i, 2, i * 10 * S); /* 10..50 s */
    post(&m, 6, 2, 100 * S);        /* after the follow at 60 s */
    post(&m, 7, 2, 60 * S + S / 2); /* within skew */
    assert_int_equal(fc_model_index(&m), 0);
    v = user(&m, 2);
    /* the created_at rule: p:6, (p:7), p:5 p:4 p:3 */
    k[0] = fc_act_key('p', 6), k[1] = fc_act_key('p', 5), k[2] = fc_act_key('p', 4), k[3] = fc_act_key('p', 3);
    assert_true(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 4), 4));
    /* shorter prefix (a deleted activity took a place): plausible */
    k[0] = fc_act_key('p', 6), k[1] = fc_act_key('p', 5);
    assert_true(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 2), 2));
    /* with the window item too */
    k[0] = fc_act_key('p', 6), k[1] = fc_act_key('p', 5), k[2] = fc_act_key('p', 7);
    assert_true(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 3), 3));
    /* a hole in the prefix: not plausible */
    k[0] = fc_act_key('p', 6), k[1] = fc_act_key('p', 5), k[2] = fc_act_key('p', 3);
    assert_false(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 3), 3));
    /* more than the backfill: not plausible */
    k[0] = fc_act_key('p', 6), k[1] = fc_act_key('p', 5), k[2] = fc_act_key('p', 4), k[3] = fc_act_key('p', 3),
    k[4] = fc_act_key('p', 2);
    assert_false(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 5), 5));
    /* an activity made well after the follow missing: not plausible */
    k[0] = fc_act_key('p', 5), k[1] = fc_act_key('p', 4);
    assert_false(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 2), 2));
    /* something that is not V's: not plausible */
    k[0] = fc_act_key('p', 6), k[1] = fc_act_key('p', 99);
    assert_false(fc_pair_plausible(&m, v, 60 * S, &r, sorted(k, 2), 2));
    fc_model_free(&m);
}

/* notifications: per (verb, object, hour), distinct actors newest first,
 * own likes and comments excluded, follows grouped per followee. */
static void test_notifications(void **state)
{
    fc_model m;
    fc_groups g = {0};
    int64_t w = 481250 * H; /* a window start */

    (void)state;
    fc_model_init(&m);
    add_users(&m, 14);
    post(&m, 42, 1, w - 10 * S);
    like(&m, 1, 2, 42, 1, w + 10 * S);
    like(&m, 2, 3, 42, 1, w + 20 * S);
    like(&m, 3, 1, 42, 1, w + 30 * S); /* own like: no notification */
    comment(&m, 1, 2, 42, 1, w + 5 * S);
    comment(&m, 2, 2, 42, 1, w + 50 * S); /* same actor twice: counted once */
    comment(&m, 3, 4, 42, 1, w + 40 * S);
    like(&m, 4, 5, 42, 1, w + H + S); /* next window */
    for (int i = 0; i < 12; i++)      /* 12 followers in one window */
        follow(&m, 10 + i, 3 + i, 1, w + i * S);
    assert_int_equal(fc_model_index(&m), 0);
    assert_int_equal(fc_expect_notifications(&m, user(&m, 1), &g), 0);
    assert_int_equal(g.n, 4);
    /* newest window first; within a window, group id descending */
    assert_string_equal(g.v[0].id, "LIKE:p:42:1732503600000");
    assert_int_equal(g.v[0].window_us, w + H);
    assert_int_equal(g.v[0].actor_count, 1);
    assert_string_equal(g.v[1].id, "LIKE:p:42:1732500000000");
    assert_int_equal(g.v[1].window_us, w);
    assert_int_equal(g.v[1].actor_count, 2);
    assert_int_equal(g.v[1].n_ids, 2);
    assert_int_equal(g.v[1].actor_ids[0], 3);
    assert_int_equal(g.v[1].actor_ids[1], 2);
    assert_int_equal(g.v[1].latest_us, w + 20 * S);
    assert_string_equal(g.v[1].verb, "LIKE");
    assert_string_equal(g.v[1].object, "p:42");
    assert_string_equal(g.v[2].id, "FOLLOW:u:1:1732500000000");
    assert_int_equal(g.v[2].actor_count, 12);
    assert_int_equal(g.v[2].n_ids, 10);
    assert_int_equal(g.v[2].actor_ids[0], 14); /* newest follower first */
    assert_int_equal(g.v[2].actor_ids[9], 5);
    assert_int_equal(g.v[2].latest_us, w + 11 * S);
    assert_string_equal(g.v[3].id, "COMMENT:p:42:1732500000000");
    assert_int_equal(g.v[3].actor_count, 2);
    assert_int_equal(g.v[3].actor_ids[0], 2); /* 2's newest comment (50 s) beats 4's (40 s) */
    assert_int_equal(g.v[3].actor_ids[1], 4);
    assert_int_equal(g.v[3].latest_us, w + 50 * S);
    /* the likers have nothing */
    assert_int_equal(fc_expect_notifications(&m, user(&m, 2), &g), 0);
    assert_int_equal(g.n, 0);
    fc_groups_free(&g);
    fc_model_free(&m);
}

/* equal newest event: the higher actor id first */
static void test_notification_ties(void **state)
{
    fc_model m;
    fc_groups g = {0};

    (void)state;
    fc_model_init(&m);
    add_users(&m, 4);
    post(&m, 1, 1, 0);
    like(&m, 1, 2, 1, 1, 10 * S);
    like(&m, 2, 4, 1, 1, 10 * S);
    like(&m, 3, 3, 1, 1, 10 * S);
    assert_int_equal(fc_model_index(&m), 0);
    assert_int_equal(fc_expect_notifications(&m, user(&m, 1), &g), 0);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.v[0].actor_ids[0], 4);
    assert_int_equal(g.v[0].actor_ids[1], 3);
    assert_int_equal(g.v[0].actor_ids[2], 2);
    assert_string_equal(g.v[0].id, "LIKE:p:1:0");
    fc_groups_free(&g);
    fc_model_free(&m);
}

static void test_find(void **state)
{
    fc_model m;
    const fc_act *a;

    (void)state;
    fc_model_init(&m);
    add_users(&m, 2);
    post(&m, 5, 2, S);
    follow(&m, 5, 1, 2, 2 * S);
    assert_int_equal(fc_model_index(&m), 0);
    a = fc_model_find(&m, "p:5", 3);
    assert_non_null(a);
    assert_int_equal(a->actor, 2);
    a = fc_model_find(&m, "f:5", 3);
    assert_non_null(a);
    assert_int_equal(a->actor, 1);
    assert_int_equal(a->target, 2);
    assert_null(fc_model_find(&m, "c:5", 3));
    assert_null(fc_model_find(&m, "junk", 4));
    assert_int_equal(fc_model_user(&m, 3), -1);
    fc_model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_profile_order),
        cmocka_unit_test(test_home_backfill),
        cmocka_unit_test(test_home_window),
        cmocka_unit_test(test_plausible),
        cmocka_unit_test(test_notifications),
        cmocka_unit_test(test_notification_ties),
        cmocka_unit_test(test_find),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
