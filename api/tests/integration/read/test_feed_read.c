/* test_feed_read.c: the feed reads against the real Redis and Cassandra,
 * through the whole server in this process (read_harness.h).
 *
 *   - a miss reads Cassandra, answers, and fills the head (the key is
 *     checked: members, "~end" marker, idle expiry); the next read is
 *     served from Redis (proved by deleting the Cassandra rows);
 *   - a page crossing the end of a partial head continues in Cassandra;
 *   - walking pages while the job inserts newer items never repeats or
 *     skips one, ties on one ts_us included;
 *   - forged / foreign cursors are 400, private feeds 401/403;
 *   - Redis down: 200 from Cassandra; Cassandra down: 200 from a head
 *     that covers the page, 503 otherwise;
 *   - concurrent misses of one feed on one worker: one fill, one
 *     Cassandra read;
 *   - notifications from Cassandra rows; undone items are skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/tests/integration/read/read_harness.h"

#define T0 1795600000000000LL /* 2026-11-25, µs */

static rh_server srv;
static cql_conn cql;
static redisContext *rc;

static int setup(void **state)
{
    (void)state;
    rh_start(&srv, rh_redis_addr(), rh_cassandra_addr());
    rh_cql_open(&cql);
    rc = rh_redis();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rh_stop(&srv);
    cql_conn_close(&cql);
    redisFree(rc);
    return 0;
}

/* A feed of n items: ts T0 + 1000*i, id "p:<base + i>"; ids[i] newest first. */
static void seed_feed(const char *table, int64_t uid, int n, char ids[][80])
{
    int64_t base = rh_new_id() * 1000;
    int i;

    for (i = 0; i < n; i++) {
        char id[80];
        snprintf(id, sizeof(id), "p:%lld", (long long)(base + i));
        rh_seed_item(&cql, table, uid, T0 + 1000 * i, id, uid);
        snprintf(ids[n - 1 - i], 80, "%s", id);
    }
}

static void test_miss_fills_then_serves_from_redis(void **state)
{
    char ids[5][80], got[10][80], next[200], path[512], key[64];
    int64_t uid = rh_new_id();
    uint64_t fills = metrics_get_fills(&srv.m, METRIC_FEED_HOME);
    redisReply *rep;
    size_t n, i;

    (void)state;
    seed_feed("home_feed", uid, 5, ids);
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)uid);
    snprintf(key, sizeof(key), REDIS_KEY_HOME_FEED "%lld", (long long)uid);
    assert_int_equal(rh_redis_int(rc, "EXISTS %s", key), 0);
    n = rh_page(&srv, path, uid, got, 10, next, sizeof(next));
    assert_int_equal(n, 5);
    for (i = 0; i < 5; i++)
        assert_string_equal(got[i], ids[i]);
    assert_string_equal(next, "");
    /* the fill: five members and the end marker, no placeholder, 24 h expiry */
    assert_int_equal(rh_wait_fills(&srv, METRIC_FEED_HOME, fills + 1), fills + 1);
    rep = redisCommand(rc, "ZRANGE %s 0 -1", key);
    assert_int_equal(rep->elements, 6);
    assert_string_equal(rep->element[0]->str, "~end");
    assert_string_equal(rep->element[5]->str, ids[0]);
    freeReplyObject(rep);
    assert_true(rh_redis_int(rc, "PTTL %s", key) > 86000000);
    /* the Cassandra feed rows go: the head alone answers (bodies cached too) */
    {
        char q[160];
        snprintf(q, sizeof(q), "DELETE FROM feed.home_feed WHERE user_id = %lld", (long long)uid);
        rh_cql(&cql, q);
    }
    assert_int_equal(rh_redis_int(rc, "PEXPIRE %s 5000", key), 1);
    n = rh_page(&srv, path, uid, got, 10, next, sizeof(next));
    assert_int_equal(n, 5);
    assert_string_equal(got[4], ids[4]);
    /* the read renewed the idle expiry */
    assert_true(rh_redis_int(rc, "PTTL %s", key) > 86000000);
    /* limit 2: a cursor, then the rest */
    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=2", (long long)uid);
    n = rh_page(&srv, path, uid, got, 10, next, sizeof(next));
    assert_int_equal(n, 2);
    assert_string_not_equal(next, "");
    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=3&cursor=%s", (long long)uid, next);
    n = rh_page(&srv, path, uid, got, 10, next, sizeof(next));
    assert_int_equal(n, 3);
    assert_string_equal(got[0], ids[2]);
    assert_string_equal(next, ""); /* a complete head: the feed ends here */
}

/* A partial head (as trimmed by the job: the newest 10 of 30, no end
 * marker) and a page of 25: 10 from Redis, 15 from Cassandra. */
static void test_page_crosses_the_head_end(void **state)
{
    char ids[30][80], got[30][80], next[200], path[512], key[64], score[32];
    int64_t uid = rh_new_id();
    uint64_t reads;
    size_t n, i;

    (void)state;
    seed_feed("profile_feed", uid, 30, ids);
    snprintf(key, sizeof(key), REDIS_KEY_PROFILE_FEED "%lld", (long long)uid);
    for (i = 0; i < 10; i++) {
        snprintf(score, sizeof(score), "%lld", (long long)(T0 + 1000 * (29 - (int64_t)i)));
        freeReplyObject(redisCommand(rc, "ZADD %s %s %s", key, score, ids[i]));
    }
    reads = metrics_get_cassandra_reads(&srv.m, METRIC_FEED_PROFILE);
    snprintf(path, sizeof(path), "/v1/users/%lld/profile?limit=25", (long long)uid);
    n = rh_page(&srv, path, 0, got, 30, next, sizeof(next)); /* public: no token */
    assert_int_equal(n, 25);
    for (i = 0; i < 25; i++)
        assert_string_equal(got[i], ids[i]);
    assert_int_equal(metrics_get_cassandra_reads(&srv.m, METRIC_FEED_PROFILE), reads + 1);
    snprintf(path, sizeof(path), "/v1/users/%lld/profile?limit=25&cursor=%s", (long long)uid, next);
    n = rh_page(&srv, path, 0, got, 30, next, sizeof(next));
    assert_int_equal(n, 5);
    assert_string_equal(got[4], ids[29]);
    assert_string_equal(next, "");
    freeReplyObject(redisCommand(rc, "DEL %s", key));
}

/* Walk a feed 7 at a time while the job adds newer items (to Cassandra
 * and the head, with its own script) between pages. Items 10..15 share
 * one ts_us, so pages also end inside a run of ties. */
static void test_walk_while_inserting_never_repeats_or_skips(void **state)
{
    char want[40][80], got[60][80], page[10][80], next[200], path[512], key[64];
    int64_t uid = rh_new_id(), base = rh_new_id() * 1000;
    size_t total = 0, n, i, j;
    int k = 0;

    (void)state;
    snprintf(key, sizeof(key), REDIS_KEY_HOME_FEED "%lld", (long long)uid);
    for (i = 0; i < 40; i++) {
        char id[80];
        int64_t ts = T0 + 1000 * (int64_t)i;
        if (i >= 10 && i <= 15)
            ts = T0 + 10000; /* ties: ordered by id bytes, descending */
        snprintf(id, sizeof(id), "p:%lld", (long long)(base + (int64_t)i));
        rh_seed_item(&cql, "home_feed", uid, ts, id, uid);
    }
    /* the expected order: (ts, id) descending */
    for (i = 0; i < 40; i++) {
        size_t src = 39 - i;
        snprintf(want[i], 80, "p:%lld", (long long)(base + (int64_t)src));
    }
    /* within the ties (indexes 10..15, same length ids) higher ids first:
     * already so, since ids grow with i */
    next[0] = '\0';
    do {
        if (next[0] == '\0')
            snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=7", (long long)uid);
        else
            snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=7&cursor=%s", (long long)uid, next);
        n = rh_page(&srv, path, uid, page, 10, next, sizeof(next));
        for (i = 0; i < n; i++)
            snprintf(got[total++], 80, "%s", page[i]);
        /* the job writes two newer items between pages */
        for (j = 0; j < 2; j++) {
            char id[80];
            snprintf(id, sizeof(id), "p:%lld", (long long)(base + 100 + k));
            rh_job_write(&cql, rc, "home_feed", key, uid, T0 + 1000000 + k, id);
            k++;
        }
    } while (next[0] != '\0' && total < 60);
    assert_int_equal(total, 40);
    for (i = 0; i < 40; i++)
        assert_string_equal(got[i], want[i]);
    /* and the head has the new items (the job's script wrote into it) */
    assert_int_equal(rh_redis_int(rc, "ZCARD %s", key), 40 + k + 1); /* + "~end" */
}

static void test_cursor_and_owner_checks(void **state)
{
    char ids[3][80], got[3][80], next[200], path[512];
    int64_t uid = rh_new_id(), other = rh_new_id();
    tc_response r;

    (void)state;
    seed_feed("home_feed", uid, 3, ids);
    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=1", (long long)uid);
    assert_int_equal(rh_page(&srv, path, uid, got, 3, next, sizeof(next)), 1);
    /* a forged cursor: one character of the tag changed */
    next[40] = next[40] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof(path), "/v1/users/%lld/home?cursor=%s", (long long)uid, next);
    rh_get(&srv, path, uid, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"code\":\"invalid_cursor\""));
    assert_non_null(strstr(r.body, "\"field\":\"cursor\""));
    tc_response_free(&r);
    /* a genuine cursor of one feed used on another */
    next[40] = next[40] == 'A' ? 'B' : 'A';
    snprintf(path, sizeof(path), "/v1/users/%lld/profile?cursor=%s", (long long)uid, next);
    rh_get(&srv, path, 0, &r);
    assert_int_equal(r.status, 400);
    tc_response_free(&r);
    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=0", (long long)uid);
    rh_get(&srv, path, uid, &r);
    assert_int_equal(r.status, 400);
    tc_response_free(&r);
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)uid);
    rh_get(&srv, path, 0, &r);
    assert_int_equal(r.status, 401);
    tc_response_free(&r);
    rh_get(&srv, path, other, &r);
    assert_int_equal(r.status, 403);
    tc_response_free(&r);
    snprintf(path, sizeof(path), "/v1/users/%lld/notifications", (long long)uid);
    rh_get(&srv, path, other, &r);
    assert_int_equal(r.status, 403);
    tc_response_free(&r);
    rh_get(&srv, "/v1/users/007/home", uid, &r);
    assert_int_equal(r.status, 400);
    tc_response_free(&r);
}

/* An activity whose body is gone everywhere (undone) is skipped, and the
 * page still has limit items when the feed has them. */
static void test_undone_items_are_skipped(void **state)
{
    char ids[8][80], got[8][80], next[200], path[512], q[200];
    int64_t uid = rh_new_id();

    (void)state;
    seed_feed("profile_feed", uid, 8, ids);
    snprintf(q, sizeof(q), "DELETE FROM feed.activities WHERE activity_id = '%s'", ids[1]);
    rh_cql(&cql, q);
    snprintf(q, sizeof(q), "DELETE FROM feed.activities WHERE activity_id = '%s'", ids[2]);
    rh_cql(&cql, q);
    snprintf(path, sizeof(path), "/v1/users/%lld/profile?limit=4", (long long)uid);
    assert_int_equal(rh_page(&srv, path, 0, got, 8, next, sizeof(next)), 4);
    assert_string_equal(got[0], ids[0]);
    assert_string_equal(got[1], ids[3]);
    assert_string_equal(got[3], ids[5]);
    assert_string_not_equal(next, "");
}

/* Eight clients miss one cold feed at once on one worker: one fill, one
 * Cassandra read for all of them (plus the fill's own re-check). */
static void test_concurrent_misses_one_fill(void **state)
{
    char ids[4][80], path[512], req[1024], tok[TOKEN_MAX_LEN + 1];
    int64_t uid = rh_new_id();
    uint64_t fills = metrics_get_fills(&srv.m, METRIC_FEED_HOME);
    uint64_t reads = metrics_get_cassandra_reads(&srv.m, METRIC_FEED_HOME);
    tc_conn c[8];
    tc_response r;
    char *first = NULL;
    int i;

    (void)state;
    seed_feed("home_feed", uid, 4, ids);
    rh_token(&srv, uid, tok, sizeof(tok));
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)uid);
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n\r\n", path, tok);
    for (i = 0; i < 8; i++)
        tc_connect(&c[i], srv.port, 10000);
    for (i = 0; i < 8; i++)
        tc_send_str(&c[i], req);
    for (i = 0; i < 8; i++) {
        assert_int_equal(tc_read(&c[i], &r), 0);
        assert_int_equal(r.status, 200);
        if (first == NULL)
            first = strdup(r.body);
        else
            assert_string_equal(r.body, first);
        tc_response_free(&r);
        tc_close(&c[i]);
    }
    free(first);
    /* one fill: one read, and its re-check after the store */
    assert_int_equal(rh_wait_fills(&srv, METRIC_FEED_HOME, fills + 1), fills + 1);
    assert_int_equal(metrics_get_cassandra_reads(&srv.m, METRIC_FEED_HOME), reads + 2);
}

static void test_notifications_from_cassandra(void **state)
{
    char got[4][80], next[200], path[512], q[512];
    int64_t uid = rh_new_id();
    tc_response r;

    (void)state;
    snprintf(
        q, sizeof(q),
        "INSERT INTO feed.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count, latest_us) "
        "VALUES (%lld, 1795600800000000, 'LIKE:p:42:1795600800000', 'LIKE', 'p:42', [9, 8], 2, 1795600812345678)",
        (long long)uid);
    rh_cql(&cql, q);
    snprintf(q, sizeof(q),
             "INSERT INTO feed.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count) "
             "VALUES (%lld, 1795597200000000, 'FOLLOW:u:%lld:1795597200000', 'FOLLOW', 'u:%lld', [7], 1)",
             (long long)uid, (long long)uid, (long long)uid);
    rh_cql(&cql, q);
    snprintf(path, sizeof(path), "/v1/users/%lld/notifications?limit=1", (long long)uid);
    assert_int_equal(rh_page(&srv, path, uid, got, 4, next, sizeof(next)), 1);
    assert_string_equal(got[0], "LIKE:p:42:1795600800000");
    snprintf(path, sizeof(path), "/v1/users/%lld/notifications?cursor=%s", (long long)uid, next);
    assert_int_equal(rh_page(&srv, path, uid, got, 4, next, sizeof(next)), 1);
    assert_string_equal(next, "");
    snprintf(path, sizeof(path), "/v1/users/%lld/notifications", (long long)uid);
    rh_get(&srv, path, uid, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"actor_count\":2,\"actor_ids\":[9,8],\"latest_us\":1795600812345678,"
                                   "\"time\":\"2026-11-25T10:00:12.345678Z\",\"ts_us\":1795600800000000}"));
    assert_non_null(strstr(r.body, "\"actor_ids\":[7],\"latest_us\":null,"));
    tc_response_free(&r);
}

/* Redis down: the server's Redis is a closed port. */
static void test_redis_down_serves_from_cassandra(void **state)
{
    char ids[3][80], got[3][80], next[200], path[512], addr[64];
    int64_t uid = rh_new_id();
    rh_server down;

    (void)state;
    seed_feed("home_feed", uid, 3, ids);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", rh_closed_port());
    rh_start(&down, addr, rh_cassandra_addr());
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)uid);
    assert_int_equal(rh_page(&down, path, uid, got, 3, next, sizeof(next)), 3);
    assert_string_equal(got[0], ids[0]);
    assert_string_equal(got[2], ids[2]);
    assert_true(atomic_load(&down.m.fallbacks[METRIC_FALLBACK_REDIS_DOWN]) >= 1);
    rh_stop(&down);
}

/* Cassandra down behind a proxy: a cached head answers, the rest is 503. */
static void test_cassandra_down_redis_or_503(void **state)
{
    char ids[4][80], big[30][80], got[30][80], next[200], path[512], addr[64], key[64], score[32];
    int64_t uid = rh_new_id(), cold = rh_new_id(), partial = rh_new_id();
    rh_proxy p;
    rh_server s;
    tc_response r;
    int i;

    (void)state;
    seed_feed("home_feed", uid, 4, ids);
    seed_feed("home_feed", cold, 2, got);
    seed_feed("home_feed", partial, 30, big);
    rh_proxy_start(&p);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", p.port);
    rh_start(&s, rh_redis_addr(), addr);
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)uid);
    assert_int_equal(rh_wait_status(&s, path, uid, 200), 200); /* fills the head */
    /* a partial head of 10 of the 30 */
    snprintf(key, sizeof(key), REDIS_KEY_HOME_FEED "%lld", (long long)partial);
    for (i = 0; i < 10; i++) {
        snprintf(score, sizeof(score), "%lld", (long long)(T0 + 1000 * (29 - i)));
        freeReplyObject(redisCommand(rc, "ZADD %s %s %s", key, score, big[i]));
    }
    /* ... and its merge sources cached (none), as a read with Cassandra up
     * would have left them: a home read needs them (read/merge_sources.h) */
    freeReplyObject(redisCommand(rc, "SET " REDIS_KEY_MERGE_SOURCES "%lld v1\n EX 600", (long long)partial));
    rh_proxy_down(&p);
    /* the cached feed still answers (head complete, bodies and merge sources
     * in Redis) */
    assert_int_equal(rh_wait_status(&s, "/readyz", 0, 503), 503);
    assert_int_equal(rh_page(&s, path, uid, got, 30, next, sizeof(next)), 4);
    assert_string_equal(got[3], ids[3]);
    assert_true(atomic_load(&s.m.fallbacks[METRIC_FALLBACK_CASSANDRA_DOWN]) >= 1);
    /* a feed nobody cached: 503 with the JSON error */
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)cold);
    rh_get(&s, path, cold, &r);
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "{\"error\":{\"code\":\"store_unavailable\""));
    tc_response_free(&r);
    /* a page the partial head covers (bodies cached as the job writes
     * them) answers; one past the head's end needs Cassandra: 503 */
    for (i = 0; i < 10; i++) {
        char body[256];
        snprintf(body, sizeof(body),
                 "{\"id\":\"%s\",\"verb\":\"SHARD\",\"actor_id\":1,\"object_id\":\"%s\",\"target_id\":null,"
                 "\"body\":\"cached\",\"ts_us\":%lld}",
                 big[i], big[i], (long long)(T0 + 1000 * (29 - i)));
        freeReplyObject(redisCommand(rc, "SET " REDIS_KEY_ACTIVITY_BODY "%s %s EX 600", big[i], body));
    }
    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=5", (long long)partial);
    assert_int_equal(rh_page(&s, path, partial, got, 30, next, sizeof(next)), 5);
    assert_string_equal(got[4], big[4]);
    assert_string_not_equal(next, "");
    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=15", (long long)partial);
    rh_get(&s, path, partial, &r);
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "\"code\":\"store_unavailable\""));
    tc_response_free(&r);
    rh_stop(&s);
    rh_proxy_stop(&p);
    freeReplyObject(redisCommand(rc, "DEL %s", key));
    freeReplyObject(redisCommand(rc, "DEL " REDIS_KEY_MERGE_SOURCES "%lld", (long long)partial));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_miss_fills_then_serves_from_redis),
        cmocka_unit_test(test_page_crosses_the_head_end),
        cmocka_unit_test(test_walk_while_inserting_never_repeats_or_skips),
        cmocka_unit_test(test_cursor_and_owner_checks),
        cmocka_unit_test(test_undone_items_are_skipped),
        cmocka_unit_test(test_concurrent_misses_one_fill),
        cmocka_unit_test(test_notifications_from_cassandra),
        cmocka_unit_test(test_redis_down_serves_from_cassandra),
        cmocka_unit_test(test_cassandra_down_redis_or_503),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
