/* test_live_scripts.c: the live-event scripts against the stack's Redis
 * (the one the API and the job use; only Redis needs to be up): a home
 * stream's open with its hot followees (feed_live_open.lua) and a hot
 * account's profile event reaching its live followers
 * (feed_event_publish.lua), docs/DATA-MODEL.md "Hot accounts: live".
 *
 *   - the first open of a home stream with sources joins each source's
 *     live-follower set, appends a start entry E and records "<gen> <E>"
 *     (answer 2); the next open at the same generation keeps it
 *     (answer 1) and finds a resume entry after E, not one before it;
 *   - a source's set that lost the user (expired, pruned): answer 2, a
 *     new E, the older resume entry no longer found;
 *   - the generation moved since the sources were read: answer 0 and
 *     nothing changed;
 *   - no source: nothing can be missing, every entry still in the log
 *     resumes (E is 0-0);
 *   - another feed's stream leaves a home stream's record alone;
 *   - a profile event of V reaches each live follower's log and channel
 *     as "home:<V> ..."; a follower without a live key leaves the set.
 * Keys are this process's own (user ids from its pid and the time). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "api/tests/support/test_env.h"
#include "schema/redis/redis_scripts.h"

static redisContext *ls_r;
static long long ls_base;

static int ls_setup(void **state)
{
    (void)state;
    ls_r = redisConnect("127.0.0.1", te_redis_port());
    assert_non_null(ls_r);
    assert_int_equal(ls_r->err, 0);
    ls_base = 900000000000LL + ((long long)time(NULL) % 100000) * 1000 + getpid() % 1000;
    return 0;
}

static int ls_teardown(void **state)
{
    (void)state;
    redisFree(ls_r);
    return 0;
}

static redisReply *ls_cmd(const char *fmt, ...)
{
    va_list ap;
    redisReply *x;

    va_start(ap, fmt);
    x = redisvCommand(ls_r, fmt, ap);
    va_end(ap);
    assert_non_null(x);
    assert_int_not_equal(x->type, REDIS_REPLY_ERROR);
    return x;
}

/* feed_live_open for a home stream of uid with sources src[0..n) at
 * generation gen, resuming after `resume` ("" none): the answer's
 * found and sources. */
static void ls_open_home(long long uid, const long long *src, int n, const char *gen, const char *resume,
                         long long *found, long long *sources)
{
    char keys[8][48], uidt[24];
    const char *argv[32];
    int argc = 0, i;
    redisReply *x;

    argv[argc++] = "EVAL";
    argv[argc++] = redis_lua_feed_live_open;
    snprintf(keys[0], sizeof keys[0], "%d", 3 + n);
    argv[argc++] = keys[0];
    snprintf(keys[1], sizeof keys[1], "feed:live:%lld", uid);
    snprintf(keys[2], sizeof keys[2], "feed:log:%lld", uid);
    snprintf(keys[3], sizeof keys[3], "feed:hotf:gen:%lld", uid);
    argv[argc++] = keys[1];
    argv[argc++] = keys[2];
    argv[argc++] = keys[3];
    for (i = 0; i < n; i++) {
        snprintf(keys[4 + i], sizeof keys[0], "feed:livef:%lld", src[i]);
        argv[argc++] = keys[4 + i];
    }
    snprintf(uidt, sizeof uidt, "%lld", uid);
    argv[argc++] = "60000";
    argv[argc++] = resume;
    argv[argc++] = "10";
    argv[argc++] = gen;
    argv[argc++] = uidt;
    x = redisCommandArgv(ls_r, argc, argv, NULL);
    assert_non_null(x);
    assert_int_equal(x->type, REDIS_REPLY_ARRAY);
    assert_int_equal(x->elements, 3);
    *found = x->element[0]->integer;
    *sources = x->element[2]->integer;
    freeReplyObject(x);
}

/* An event appended to uid's log as the job would (live key set): its entry id. */
static void ls_log(long long uid, const char *event, char *entry, size_t cap)
{
    redisReply *x = ls_cmd("XADD feed:log:%lld * e %s", uid, event);

    snprintf(entry, cap, "%s", x->str);
    freeReplyObject(x);
}

static void ls_get(const char *key, char *out, size_t cap)
{
    redisReply *x = ls_cmd("GET %s", key);

    snprintf(out, cap, "%s", x->type == REDIS_REPLY_STRING ? x->str : "(nil)");
    freeReplyObject(x);
}

static void test_home_open_records_since_when_the_log_is_complete(void **state)
{
    long long u = ls_base + 1, v1 = ls_base + 2, v2 = ls_base + 3, found, sources;
    long long src[2] = {v1, v2};
    char key[64], before[48], after[48], value[96], value2[96];
    redisReply *x;

    (void)state;
    freeReplyObject(ls_cmd("SET feed:hotf:gen:%lld 4", u));
    /* an entry from an earlier time, while nobody kept u in the sets */
    freeReplyObject(ls_cmd("SET feed:live:%lld - PX 60000", u));
    ls_log(u, "home + 1 p:1", before, sizeof before);
    ls_open_home(u, src, 2, "4", before, &found, &sources);
    assert_int_equal(sources, 2);
    assert_int_equal(found, 0); /* the log may lack v1's and v2's events before */
    x = ls_cmd("SISMEMBER feed:livef:%lld %lld", v1, u);
    assert_int_equal(x->integer, 1);
    freeReplyObject(x);
    x = ls_cmd("PTTL feed:livef:%lld", v2);
    assert_true(x->integer > 0 && x->integer <= 60000);
    freeReplyObject(x);
    snprintf(key, sizeof key, "feed:live:%lld", u);
    ls_get(key, value, sizeof value);
    assert_true(strncmp(value, "4 ", 2) == 0);

    /* the same generation, still in both sets: kept; an entry after it resumes */
    ls_log(u, "home:2 + 2 p:2", after, sizeof after);
    ls_open_home(u, src, 2, "4", after, &found, &sources);
    assert_int_equal(sources, 1);
    assert_int_equal(found, 1);
    ls_get(key, value2, sizeof value2);
    assert_string_equal(value, value2);
    ls_open_home(u, src, 2, "4", before, &found, &sources);
    assert_int_equal(found, 0);

    /* u left v2's set (pruned, or the set expired): a new start */
    freeReplyObject(ls_cmd("SREM feed:livef:%lld %lld", v2, u));
    ls_open_home(u, src, 2, "4", after, &found, &sources);
    assert_int_equal(sources, 2);
    assert_int_equal(found, 0);
    ls_get(key, value2, sizeof value2);
    assert_string_not_equal(value, value2);

    /* the generation moved since the sources were read: refused, nothing changed */
    freeReplyObject(ls_cmd("INCR feed:hotf:gen:%lld", u));
    ls_open_home(u, src, 2, "4", "", &found, &sources);
    assert_int_equal(sources, 0);
    ls_get(key, value, sizeof value);
    assert_string_equal(value, value2);

    /* another feed's stream leaves the record alone */
    x = ls_cmd("EVAL %s 2 feed:live:%lld feed:log:%lld 60000 %s 0", redis_lua_feed_live_open, u, u, "");
    assert_int_equal(x->type, REDIS_REPLY_ARRAY);
    assert_int_equal(x->element[2]->integer, 1);
    freeReplyObject(x);
    ls_get(key, value, sizeof value);
    assert_string_equal(value, value2);
}

static void test_home_open_without_sources_resumes_from_any_entry(void **state)
{
    long long u = ls_base + 11, found, sources;
    char entry[48], key[64], value[96];

    (void)state;
    freeReplyObject(ls_cmd("SET feed:live:%lld - PX 60000", u));
    ls_log(u, "home + 1 p:1", entry, sizeof entry);
    ls_open_home(u, NULL, 0, "0", entry, &found, &sources);
    assert_int_equal(sources, 1);
    assert_int_equal(found, 1);
    snprintf(key, sizeof key, "feed:live:%lld", u);
    ls_get(key, value, sizeof value);
    assert_string_equal(value, "0 0-0");
}

static void test_a_profile_event_reaches_the_live_followers(void **state)
{
    long long v = ls_base + 21, f1 = ls_base + 22, f2 = ls_base + 23;
    char chan[48], ev[48];
    redisReply *x;

    (void)state;
    freeReplyObject(ls_cmd("SET feed:live:%lld 1 PX 60000", f1));
    freeReplyObject(ls_cmd("SADD feed:livef:%lld %lld %lld", v, f1, f2)); /* f2: no live key */
    snprintf(chan, sizeof chan, "feed:events:%lld", v);
    snprintf(ev, sizeof ev, "home:%lld + 5 p:9", v);
    x = ls_cmd("EVAL %s 3 feed:live:%lld feed:log:%lld feed:livef:%lld %s %s 2000 %s feed:live: feed:log: feed:events:",
               redis_lua_feed_event_publish, v, v, v, chan, "profile + 5 p:9", ev);
    assert_int_equal(x->type, REDIS_REPLY_STRING);
    assert_string_equal(x->str, "-"); /* v itself has no live key */
    freeReplyObject(x);
    x = ls_cmd("XRANGE feed:log:%lld - +", f1);
    assert_int_equal(x->elements, 1);
    assert_string_equal(x->element[0]->element[1]->element[1]->str, ev);
    freeReplyObject(x);
    x = ls_cmd("PTTL feed:log:%lld", f1);
    assert_true(x->integer > 0 && x->integer <= 60000);
    freeReplyObject(x);
    x = ls_cmd("EXISTS feed:log:%lld", f2);
    assert_int_equal(x->integer, 0);
    freeReplyObject(x);
    x = ls_cmd("SMEMBERS feed:livef:%lld", v);
    assert_int_equal(x->elements, 1);
    assert_int_equal(atoll(x->element[0]->str), f1);
    freeReplyObject(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_home_open_records_since_when_the_log_is_complete),
        cmocka_unit_test(test_home_open_without_sources_resumes_from_any_entry),
        cmocka_unit_test(test_a_profile_event_reaches_the_live_followers),
    };

    return cmocka_run_group_tests(tests, ls_setup, ls_teardown);
}
