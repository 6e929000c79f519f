/* test_bench_datagen.c: bench-datagen's graph: deterministic, power-law,
 * and never against the schema (no self-follow, no duplicate follow or
 * like, replies after their post, ids in range). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench_datagen.h"

/* A small graph of the default shape: 5000 users, 20 followers each on average. */
static void small_config(bench_dg_config *c)
{
    bench_dg_defaults(c);
    c->users = 5000;
    c->follows = 100000;
    c->activities = 50000;
    c->hot = 2;
    c->hot_followers = 2000;
    c->seed = 42;
}

static void test_same_seed_same_graph(void **state)
{
    bench_dg_config c;
    bench_dg_graph a, b;
    char err[256];

    (void)state;
    small_config(&c);
    assert_int_equal(bench_dg_generate(&c, &a, err, sizeof err), 0);
    assert_int_equal(bench_dg_generate(&c, &b, err, sizeof err), 0);
    assert_true(bench_dg_checksum(&a) == bench_dg_checksum(&b));
    assert_int_equal(a.nfollows, b.nfollows);
    for (size_t i = 0; i < a.nfollows; i++) /* field by field: padding bytes are not compared */
        assert_true(a.follows[i].follower == b.follows[i].follower && a.follows[i].followee == b.follows[i].followee &&
                    a.follows[i].t == b.follows[i].t && a.follows[i].undone == b.follows[i].undone);
    assert_int_equal(a.nlikes, b.nlikes);
    for (size_t i = 0; i < a.nlikes; i++)
        assert_true(a.likes[i].post == b.likes[i].post && a.likes[i].user == b.likes[i].user &&
                    a.likes[i].t == b.likes[i].t && a.likes[i].undone == b.likes[i].undone);
    bench_dg_free(&b);
    c.seed = 43;
    assert_int_equal(bench_dg_generate(&c, &b, err, sizeof err), 0);
    assert_true(bench_dg_checksum(&a) != bench_dg_checksum(&b));
    bench_dg_free(&a);
    bench_dg_free(&b);
}

static void test_sizes_are_exact(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    char err[256];

    (void)state;
    small_config(&c);
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    assert_int_equal(g.nusers, 5000);
    assert_int_equal(g.nfollows, 100000);
    assert_int_equal(g.nposts, 10000); /* mix 20:20:60 */
    assert_int_equal(g.ncomments, 10000);
    assert_int_equal(g.nlikes, 30000);
    bench_dg_free(&g);
}

static void test_follower_counts_follow_a_power_law(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    size_t *seen, sum = 0, median;
    char err[256];

    (void)state;
    small_config(&c);
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    seen = calloc(g.nusers, sizeof *seen);
    for (size_t i = 0; i < g.nfollows; i++)
        seen[g.follows[i].followee]++;
    for (size_t u = 0; u < g.nusers; u++) {
        assert_int_equal(seen[u], g.followers[u]); /* the counts describe the follows */
        sum += g.followers[u];
    }
    assert_int_equal(sum, g.nfollows);
    for (size_t k = 1; k < g.nusers; k++) /* by_rank is by count, largest first */
        assert_true(g.followers[g.by_rank[k]] <= g.followers[g.by_rank[k - 1]]);
    /* the hot accounts: 2000 / k; the top is 100 times the mean */
    assert_int_equal(bench_dg_followers_at(&g, 0), 2000);
    assert_int_equal(g.followers[g.by_rank[1]], 1000);
    /* most have few: the median is well under the mean of 20, yet not 0 */
    median = bench_dg_followers_at(&g, 500);
    assert_true(median >= 3 && median < 15);
    assert_true(bench_dg_followers_at(&g, 10) > 5 * median); /* a heavy head */
    free(seen);
    bench_dg_free(&g);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Every pair distinct. */
static void assert_distinct(uint64_t *keys, size_t n)
{
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 1; i < n; i++)
        assert_true(keys[i] != keys[i - 1]);
}

static void test_no_self_follow_no_duplicate_follow_or_like(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    uint64_t *keys;
    char err[256];

    (void)state;
    small_config(&c);
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    keys = malloc((g.nfollows > g.nlikes ? g.nfollows : g.nlikes) * sizeof *keys);
    for (size_t i = 0; i < g.nfollows; i++) {
        const bench_dg_follow *f = &g.follows[i];
        assert_true(f->follower != f->followee);
        assert_true(f->follower < g.nusers && f->followee < g.nusers);
        assert_true(f->t <= c.window_s);
        if (i > 0)
            assert_true(f->t >= g.follows[i - 1].t); /* ids grow with created_at */
        keys[i] = (uint64_t)f->follower << 32 | f->followee;
    }
    assert_distinct(keys, g.nfollows);
    for (size_t i = 0; i < g.nlikes; i++) {
        const bench_dg_reply *l = &g.likes[i];
        assert_true(l->post < g.nposts && l->user < g.nusers);
        assert_true(l->user != g.posts[l->post].author);
        keys[i] = (uint64_t)l->user << 32 | l->post;
    }
    assert_distinct(keys, g.nlikes);
    free(keys);
    bench_dg_free(&g);
}

static void test_replies_come_after_their_post(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    char err[256];

    (void)state;
    small_config(&c);
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    for (size_t i = 0; i < g.nposts; i++) {
        assert_true(g.posts[i].author < g.nusers && g.posts[i].t <= c.window_s);
        if (i > 0)
            assert_true(g.posts[i].t >= g.posts[i - 1].t);
    }
    for (int which = 0; which < 2; which++) {
        const bench_dg_reply *x = which ? g.likes : g.comments;
        size_t n = which ? g.nlikes : g.ncomments;
        for (size_t i = 0; i < n; i++) {
            assert_true(x[i].post < g.nposts && x[i].user < g.nusers);
            assert_true(x[i].t >= g.posts[x[i].post].t && x[i].t <= c.window_s);
            if (i > 0)
                assert_true(x[i].t >= x[i - 1].t);
        }
    }
    bench_dg_free(&g);
}

static void test_undo_rates(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    char err[256];
    size_t unfollowed, unliked;

    (void)state;
    small_config(&c);
    c.undo[BENCH_DG_FOLLOW] = 0.10;
    c.undo[BENCH_DG_POST] = 0;
    c.undo[BENCH_DG_LIKE] = 1;
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    unfollowed = bench_dg_undone(&g, BENCH_DG_FOLLOW);
    unliked = bench_dg_undone(&g, BENCH_DG_LIKE);
    assert_true(unfollowed > 9400 && unfollowed < 10600); /* 10,000 expected; sigma ~95 */
    assert_int_equal(bench_dg_undone(&g, BENCH_DG_POST), 0);
    assert_int_equal(unliked, g.nlikes);
    bench_dg_free(&g);
}

static void test_refuses_the_impossible(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    char err[256];

    (void)state;
    small_config(&c);
    c.users = 1;
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    small_config(&c);
    c.hot_followers = 5000; /* one more than there are other users */
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "hot followers"));
    small_config(&c);
    c.follows = 2000; /* the hot accounts alone take 3000 */
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    small_config(&c);
    c.users = 10;
    c.hot = 0;
    c.follows = 91; /* 10 * 9 pairs at most */
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    c.follows = 90; /* exactly every pair */
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    bench_dg_free(&g);
    small_config(&c);
    c.mix[0] = 0; /* comments with no posts */
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    small_config(&c);
    c.undo[BENCH_DG_LIKE] = 1.5;
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    /* two users: a post has one possible liker; 99 likes of one post cannot fit */
    small_config(&c);
    c.users = 2;
    c.hot = 0;
    c.follows = 2;
    c.activities = 100;
    c.mix[0] = 1;
    c.mix[1] = 0;
    c.mix[2] = 99;
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "no room"));
}

static void test_empty_parts_are_fine(void **state)
{
    bench_dg_config c;
    bench_dg_graph g;
    char err[256];

    (void)state;
    small_config(&c);
    c.hot = 0;
    c.follows = 0;
    c.activities = 0;
    assert_int_equal(bench_dg_generate(&c, &g, err, sizeof err), 0);
    assert_int_equal(g.nfollows + g.nposts + g.ncomments + g.nlikes, 0);
    bench_dg_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_graph),
        cmocka_unit_test(test_sizes_are_exact),
        cmocka_unit_test(test_follower_counts_follow_a_power_law),
        cmocka_unit_test(test_no_self_follow_no_duplicate_follow_or_like),
        cmocka_unit_test(test_replies_come_after_their_post),
        cmocka_unit_test(test_undo_rates),
        cmocka_unit_test(test_refuses_the_impossible),
        cmocka_unit_test(test_empty_parts_are_fine),
    };
    return cmocka_run_group_tests_name("bench_datagen", tests, NULL, NULL);
}
