/* test_feed_head.c: decoding the head read script's answers: the states,
 * the placeholder ("fill in progress"), the tie-break on the cursor's
 * score, and when a head is exhausted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/feed_head.h"

#define MAXR 64

/* A tiny arena of replies built on the stack of the test. */
typedef struct arena {
    redisReply r[MAXR];
    redisReply *ptrs[MAXR];
    size_t n, np;
} arena;

static redisReply *rnum(arena *a, long long v)
{
    redisReply *r = &a->r[a->n++];

    memset(r, 0, sizeof(*r));
    r->type = REDIS_REPLY_INTEGER;
    r->integer = v;
    return r;
}

static redisReply *rstr(arena *a, const char *s)
{
    redisReply *r = &a->r[a->n++];

    memset(r, 0, sizeof(*r));
    r->type = REDIS_REPLY_STRING;
    r->str = (char *)s;
    r->len = strlen(s);
    return r;
}

/* An array of the next n replies given. */
static redisReply *rarr(arena *a, size_t n, ...)
{
    redisReply *r = &a->r[a->n++];
    va_list ap;
    size_t i;

    memset(r, 0, sizeof(*r));
    r->type = REDIS_REPLY_ARRAY;
    r->elements = n;
    r->element = &a->ptrs[a->np];
    va_start(ap, n);
    for (i = 0; i < n; i++)
        a->ptrs[a->np++] = va_arg(ap, redisReply *);
    va_end(ap);
    return r;
}

static void test_states(void **state)
{
    arena a = {0};
    feed_ref out[8];
    feed_head_result res;

    (void)state;
    assert_int_equal(feed_head_parse(rarr(&a, 1, rnum(&a, 0)), NULL, 5, out, NULL, 8, &res), 0);
    assert_int_equal(res.state, FEED_HEAD_MISS);
    /* the placeholder: a fill is in progress, not a head */
    assert_int_equal(feed_head_parse(rarr(&a, 1, rnum(&a, 1)), NULL, 5, out, NULL, 8, &res), 0);
    assert_int_equal(res.state, FEED_HEAD_BUSY);
    assert_int_equal(res.n, 0);
    /* shapes that are not ours */
    assert_int_equal(feed_head_parse(rnum(&a, 2), NULL, 5, out, NULL, 8, &res), -1);
    assert_int_equal(feed_head_parse(rarr(&a, 1, rnum(&a, 7)), NULL, 5, out, NULL, 8, &res), -1);
    assert_int_equal(feed_head_parse(rarr(&a, 1, rnum(&a, 2)), NULL, 5, out, NULL, 8, &res), -1);
    assert_int_equal(feed_head_parse(NULL, NULL, 5, out, NULL, 8, &res), -1);
}

static void test_top_of_a_complete_head(void **state)
{
    arena a = {0};
    feed_ref out[8];
    feed_head_result res;
    redisReply *lower =
        rarr(&a, 4, rstr(&a, "p:9"), rstr(&a, "1795629372881423"), rstr(&a, "f:2"), rstr(&a, "1.7956293e+15"));

    (void)state;
    assert_int_equal(feed_head_parse(rarr(&a, 3, rnum(&a, 3), lower, rarr(&a, 0)), NULL, 5, out, NULL, 8, &res), 0);
    assert_int_equal(res.state, FEED_HEAD_COMPLETE);
    assert_int_equal(res.n, 2);
    assert_true(res.exhausted); /* asked 5, got 2 */
    assert_string_equal(out[0].id, "p:9");
    assert_int_equal(out[0].ts_us, 1795629372881423LL);
    assert_int_equal(out[1].ts_us, 1795629300000000LL);
    /* exactly what was asked: maybe more */
    assert_int_equal(feed_head_parse(rarr(&a, 3, rnum(&a, 2), lower, rarr(&a, 0)), NULL, 2, out, NULL, 8, &res), 0);
    assert_int_equal(res.state, FEED_HEAD_PARTIAL);
    assert_false(res.exhausted);
    /* a bad score is refused */
    assert_int_equal(
        feed_head_parse(rarr(&a, 3, rnum(&a, 2), rarr(&a, 2, rstr(&a, "p:1"), rstr(&a, "-1")), rarr(&a, 0)), NULL, 2,
                        out, NULL, 8, &res),
        -1);
}

/* After a cursor (100, "p:5"): ties at 100 are kept below "p:5" only,
 * ahead of the lower scores. */
static void test_cursor_ties(void **state)
{
    arena a = {0};
    feed_ref out[8], pos;
    feed_head_result res;
    redisReply *ties = rarr(&a, 4, rstr(&a, "p:7"), rstr(&a, "p:5"), rstr(&a, "p:40"), rstr(&a, "c:1"));
    redisReply *lower = rarr(&a, 2, rstr(&a, "p:3"), rstr(&a, "99"));

    (void)state;
    assert_int_equal(feed_ref_set(&pos, 100, SLICE_LIT("p:5")), 0);
    assert_int_equal(feed_head_parse(rarr(&a, 3, rnum(&a, 2), lower, ties), &pos, 3, out, NULL, 8, &res), 0);
    assert_int_equal(res.n, 3);
    assert_string_equal(out[0].id, "p:40"); /* "p:40" < "p:5" as bytes */
    assert_int_equal(out[0].ts_us, 100);
    assert_string_equal(out[1].id, "c:1");
    assert_string_equal(out[2].id, "p:3");
    assert_int_equal(out[2].ts_us, 99);
    /* the lower range ran short (1 < 3) but ties + lower filled the page:
     * 2 ties + 1 lower = 3 = count, so everything after pos was returned */
    assert_true(res.exhausted);
    /* ask for 2: the lower item is cut, not exhausted */
    assert_int_equal(feed_head_parse(rarr(&a, 3, rnum(&a, 2), lower, ties), &pos, 2, out, NULL, 8, &res), 0);
    assert_int_equal(res.n, 2);
    assert_false(res.exhausted);
}

/* The bodies the script MGETs come back after the lists (lower members'
 * first, then the ties'), and are matched to the items returned. */
static void test_bodies_follow_their_items(void **state)
{
    arena a = {0};
    feed_ref out[8], pos;
    const redisReply *bodies[8];
    feed_head_result res;
    redisReply *nil = &a.r[a.n++];
    redisReply *ties, *lower, *b;

    (void)state;
    memset(nil, 0, sizeof(*nil));
    nil->type = REDIS_REPLY_NIL;
    ties = rarr(&a, 2, rstr(&a, "p:7"), rstr(&a, "p:3"));
    lower = rarr(&a, 4, rstr(&a, "p:9"), rstr(&a, "99"), rstr(&a, "p:8"), rstr(&a, "98"));
    b = rarr(&a, 4, rstr(&a, "{p9}"), nil, rstr(&a, "{p7}"), rstr(&a, "{p3}"));
    assert_int_equal(feed_ref_set(&pos, 100, SLICE_LIT("p:5")), 0);
    assert_int_equal(feed_head_parse(rarr(&a, 4, rnum(&a, 2), lower, ties, b), &pos, 3, out, bodies, 8, &res), 0);
    assert_int_equal(res.n, 3);
    assert_string_equal(out[0].id, "p:3"); /* the tie after p:5 */
    assert_string_equal(bodies[0]->str, "{p3}");
    assert_string_equal(out[1].id, "p:9");
    assert_string_equal(bodies[1]->str, "{p9}");
    assert_string_equal(out[2].id, "p:8");
    assert_null(bodies[2]); /* not cached */
    /* a body list of the wrong length is refused */
    b = rarr(&a, 1, rstr(&a, "{p9}"));
    assert_int_equal(feed_head_parse(rarr(&a, 4, rnum(&a, 2), lower, ties, b), &pos, 3, out, bodies, 8, &res), -1);
}

static void test_keys_and_tokens(void **state)
{
    char k[FEED_HEAD_KEY_MAX], t1[FEED_HEAD_TOKEN_MAX], t2[FEED_HEAD_TOKEN_MAX];

    (void)state;
    feed_head_key(FEED_HOME, 42, k, sizeof(k));
    assert_string_equal(k, "feed:home:42");
    feed_head_key(FEED_PROFILE, 9000000000000001LL, k, sizeof(k));
    assert_string_equal(k, "feed:profile:9000000000000001");
    feed_head_key(FEED_NOTIFICATIONS, 3, k, sizeof(k));
    assert_string_equal(k, "feed:notif:3");
    feed_head_token(t1, sizeof(t1));
    feed_head_token(t2, sizeof(t2));
    assert_memory_equal(t1, "~fill:", 6);
    assert_string_not_equal(t1, t2);
    assert_int_equal(feed_head_init(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),          cmocka_unit_test(test_top_of_a_complete_head),
        cmocka_unit_test(test_cursor_ties),     cmocka_unit_test(test_bodies_follow_their_items),
        cmocka_unit_test(test_keys_and_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
