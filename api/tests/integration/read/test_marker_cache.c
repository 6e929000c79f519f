/* test_marker_cache.c: the home read marker's Redis copy
 * (read/marker_cache.h) against the real PostgreSQL, Redis and Cassandra.
 *
 *   - the first page reads the copy, not the row: a row changed behind
 *     the API's back does not change the counts until the copy is gone;
 *     a page that misses fills the copy from the row ("-" for none);
 *   - a PUT sets the copy before it answers, and the next first page
 *     counts from it;
 *   - marker_set.lua only moves the copy forward (ts_us, then the id's
 *     bytes: "p:10" sorts below "p:9"), and "-" never replaces a position;
 *   - Redis down: a PUT answers 503 (the row moved, the copy did not),
 *     and the first page still counts, from the row.
 *
 * One reader, a users row (a marker needs one) with an id above 9e15,
 * removed at the end; its home is seeded straight into Cassandra.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "api/tests/integration/read/read_harness.h"

#define MC_ITEMS 5
#define MC_T0 1790000000000000LL

static int64_t mc_uid;
static char mc_ids[MC_ITEMS][32]; /* item k at MC_T0 + 1000 k: the newest is the last */
static PGconn *mc_pg;
static redisContext *mc_redis;
static char mc_key[64];

static void mc_sql(const char *q)
{
    PGresult *res = PQexec(mc_pg, q);

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fprintf(stderr, "SQL %s: %s\n", q, PQerrorMessage(mc_pg));
    assert_true(PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK);
    PQclear(res);
}

static int setup(void **state)
{
    char q[256];
    cql_conn c;
    int k;

    (void)state;
    mc_pg = PQconnectdb(te_pg_conninfo());
    assert_int_equal(PQstatus(mc_pg), CONNECTION_OK);
    mc_uid = rh_new_id();
    snprintf(q, sizeof(q),
             "INSERT INTO users (id, handle, display_name) OVERRIDING SYSTEM VALUE VALUES (%lld, 'mc_%lld', 'mc')",
             (long long)mc_uid, (long long)mc_uid);
    mc_sql(q);
    rh_cql_open(&c);
    for (k = 0; k < MC_ITEMS; k++) {
        snprintf(mc_ids[k], sizeof(mc_ids[k]), "p:%lld", (long long)(mc_uid + k));
        rh_seed_item(&c, "home_feed", mc_uid, MC_T0 + 1000 * k, mc_ids[k], mc_uid);
    }
    cql_conn_close(&c);
    mc_redis = rh_redis();
    snprintf(mc_key, sizeof(mc_key), REDIS_KEY_HOME_MARKER "%lld", (long long)mc_uid);
    freeReplyObject(redisCommand(mc_redis, "DEL %s", mc_key));
    return 0;
}

static int teardown(void **state)
{
    char q[128];
    cql_conn c;

    (void)state;
    snprintf(q, sizeof(q), "DELETE FROM users WHERE id = %lld", (long long)mc_uid);
    mc_sql(q);
    PQfinish(mc_pg);
    rh_cql_open(&c);
    snprintf(q, sizeof(q), "DELETE FROM feed.home_feed WHERE user_id = %lld", (long long)mc_uid);
    rh_cql(&c, q);
    cql_conn_close(&c);
    freeReplyObject(redisCommand(mc_redis, "DEL %s " REDIS_KEY_HOME_FEED "%lld", mc_key, (long long)mc_uid));
    redisFree(mc_redis);
    return 0;
}

/* The copy's text, "" when there is none. */
static void mc_cached(char *out, size_t cap)
{
    redisReply *r = redisCommand(mc_redis, "GET %s", mc_key);

    assert_non_null(r);
    assert_true(r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_NIL);
    snprintf(out, cap, "%s", r->type == REDIS_REPLY_STRING ? r->str : "");
    freeReplyObject(r);
}

/* The first page's "unseen" items (-1: null). */
static long long mc_unseen(const rh_server *s)
{
    char path[128];
    tc_response r;
    json_t *o, *u;
    long long n;

    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=2", (long long)mc_uid);
    rh_get(s, path, mc_uid, &r);
    assert_int_equal(r.status, 200);
    o = json_loads(r.body, 0, NULL);
    assert_non_null(o);
    u = json_object_get(o, "unseen");
    n = json_is_object(u) ? json_integer_value(json_object_get(u, "items")) : -1;
    json_decref(o);
    tc_response_free(&r);
    return n;
}

/* The stored row, written behind the API's back, at item k. */
static void mc_row_at(int k)
{
    char q[512];

    snprintf(q, sizeof(q),
             "INSERT INTO markers (user_id, timeline, ts_us, item_id) VALUES (%lld, 'home', %lld, '%s') "
             "ON CONFLICT (user_id, timeline) DO UPDATE SET ts_us = EXCLUDED.ts_us, item_id = EXCLUDED.item_id",
             (long long)mc_uid, MC_T0 + 1000 * k, mc_ids[k]);
    mc_sql(q);
}

/* PUT the marker at the cursor; the status. */
static int mc_put(const rh_server *s, const char *pos)
{
    char req[1024], body[256], tok[TOKEN_MAX_LEN + 1];
    tc_response r;
    tc_conn c;
    int status;

    rh_token(s, mc_uid, tok, sizeof(tok));
    snprintf(body, sizeof(body), "{\"cursor\":\"%s\"}", pos);
    snprintf(req, sizeof(req),
             "PUT /v1/users/%lld/markers/home HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
             (long long)mc_uid, tok, strlen(body), body);
    tc_connect(&c, s->port, 10000);
    tc_send_str(&c, req);
    assert_int_equal(tc_read(&c, &r), 0);
    tc_close(&c);
    status = r.status;
    if (status != 200)
        fprintf(stderr, "PUT marker -> %d %s\n", r.status, r.body);
    tc_response_free(&r);
    return status;
}

/* The cursor of the page's item k from the top (a limit=k+1 page's next_cursor). */
static void mc_cursor_of(const rh_server *s, int from_top, char *out, size_t cap)
{
    char path[128], ids[8][80];

    snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=%d", (long long)mc_uid, from_top + 1);
    assert_int_equal(rh_page(s, path, mc_uid, ids, 8, out, cap), (size_t)from_top + 1);
    assert_string_not_equal(out, "");
}

static void test_the_page_counts_from_the_copy_and_fills_it(void **state)
{
    rh_server s;
    char text[128], want[128];

    (void)state;
    rh_start(&s, rh_redis_addr(), rh_cassandra_addr());
    freeReplyObject(redisCommand(mc_redis, "DEL %s", mc_key));
    /* no row, no copy: the whole feed is unseen, and "-" is cached */
    assert_int_equal(mc_unseen(&s), MC_ITEMS);
    mc_cached(text, sizeof(text));
    assert_string_equal(text, "-");
    /* a row written behind the API's back: the page still reads the copy */
    mc_row_at(2);
    assert_int_equal(mc_unseen(&s), MC_ITEMS);
    /* the copy gone: the row is read (items 3 and 4 are newer) and cached */
    freeReplyObject(redisCommand(mc_redis, "DEL %s", mc_key));
    assert_int_equal(mc_unseen(&s), 2);
    mc_cached(text, sizeof(text));
    snprintf(want, sizeof(want), "%lld %s", MC_T0 + 2000, mc_ids[2]);
    assert_string_equal(text, want);
    rh_stop(&s);
}

static void test_a_put_sets_the_copy_before_answering(void **state)
{
    rh_server s;
    char pos[256], text[128], want[128];

    (void)state;
    rh_start(&s, rh_redis_addr(), rh_cassandra_addr());
    mc_cursor_of(&s, 0, pos, sizeof(pos)); /* the newest item */
    assert_int_equal(mc_put(&s, pos), 200);
    mc_cached(text, sizeof(text));
    snprintf(want, sizeof(want), "%lld %s", MC_T0 + 1000 * (MC_ITEMS - 1), mc_ids[MC_ITEMS - 1]);
    assert_string_equal(text, want);
    assert_int_equal(mc_unseen(&s), 0);
    rh_stop(&s);
}

/* EVAL marker_set.lua; its answer (1 set, 0 kept). */
static long long mc_set(const char *value)
{
    redisReply *r = redisCommand(mc_redis, "EVAL %s 1 %s %s 60000", redis_lua_marker_set, mc_key, value);
    long long v;

    assert_non_null(r);
    if (r->type != REDIS_REPLY_INTEGER)
        fprintf(stderr, "marker_set.lua: %s\n", r->type == REDIS_REPLY_ERROR ? r->str : "not an integer");
    assert_int_equal(r->type, REDIS_REPLY_INTEGER);
    v = r->integer;
    freeReplyObject(r);
    return v;
}

static void test_the_copy_only_moves_forward(void **state)
{
    char text[128];

    (void)state;
    freeReplyObject(redisCommand(mc_redis, "DEL %s", mc_key));
    assert_int_equal(mc_set("-"), 1); /* absent: anything is taken */
    assert_int_equal(mc_set("1790000000005000 p:9"), 1);
    assert_int_equal(mc_set("-"), 0);                     /* none never replaces a position */
    assert_int_equal(mc_set("1790000000004999 p:99"), 0); /* an older ts */
    assert_int_equal(mc_set("999000000000000 p:9"), 0);   /* fewer digits: older */
    assert_int_equal(mc_set("1790000000005000 p:10"), 0); /* same ts, "p:10" < "p:9" in bytes */
    assert_int_equal(mc_set("1790000000005000 p:9"), 1);  /* the same again is taken */
    assert_int_equal(mc_set("1790000000005000 p:90"), 1); /* a longer id with the same start: newer */
    mc_cached(text, sizeof(text));
    assert_string_equal(text, "1790000000005000 p:90");
    assert_int_equal(mc_set("1790000000005001 p:1"), 1); /* a newer ts */
    mc_cached(text, sizeof(text));
    assert_string_equal(text, "1790000000005001 p:1");
    freeReplyObject(redisCommand(mc_redis, "SET %s garbage", mc_key));
    assert_int_equal(mc_set("1790000000000000 p:1"), 1); /* an unreadable copy yields */
    freeReplyObject(redisCommand(mc_redis, "DEL %s", mc_key));
}

static void test_redis_down_put_is_503_and_the_page_reads_the_row(void **state)
{
    rh_server up, down;
    char pos[256], addr[64];

    (void)state;
    rh_start(&up, rh_redis_addr(), rh_cassandra_addr());
    mc_cursor_of(&up, 1, pos, sizeof(pos)); /* the second newest */
    rh_stop(&up);
    mc_row_at(0);
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", rh_closed_port());
    rh_start(&down, addr, rh_cassandra_addr());
    assert_int_equal(mc_put(&down, pos), 503);
    assert_int_equal(mc_unseen(&down), 1); /* the row moved: only the newest is unseen */
    rh_stop(&down);
    freeReplyObject(redisCommand(mc_redis, "DEL %s", mc_key));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_page_counts_from_the_copy_and_fills_it),
        cmocka_unit_test(test_a_put_sets_the_copy_before_answering),
        cmocka_unit_test(test_the_copy_only_moves_forward),
        cmocka_unit_test(test_redis_down_put_is_503_and_the_page_reads_the_row),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
