/* test_stores.c: a worker's three clients opened from configuration
 * strings (as FEED_PG_DSN, FEED_REDIS_ADDR and
 * FEED_CASSANDRA_CONTACT_POINTS give them), each answering one request on
 * the same loop, then closed; and configuration errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/loop/loop.h"
#include "api/src/store/stores.h"
#include "api/tests/support/test_env.h"
#include "api/tests/support/test_wait.h"

static int answered;

static void on_pg(pg_client *c, const pg_reply *r, void *p)
{
    (void)c;
    (void)p;
    assert_int_equal(r->status, 0);
    answered++;
}

static void on_redis(redis_client *c, int status, redisReply *r, void *p)
{
    (void)c;
    (void)r;
    (void)p;
    assert_int_equal(status, 0);
    answered++;
}

static void on_cql(cql_client *c, int status, const cql_response *r, void *p)
{
    (void)c;
    (void)r;
    (void)p;
    assert_int_equal(status, 0);
    answered++;
}

static void test_open_all_three(void **state)
{
    loop l;
    stores s;
    char err[256], dsn[256], redis[64], cass[64];
    stores_config cfg = {.pg_dsn = dsn,
                         .redis_addr = redis,
                         .cassandra = cass,
                         .cassandra_keyspace = "feed",
                         .pg_pool_size = 2,
                         .timeout_ms = 10000};

    (void)state;
    snprintf(dsn, sizeof(dsn), "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed", te_pg_port());
    snprintf(redis, sizeof(redis), "localhost:%d", te_redis_port());
    snprintf(cass, sizeof(cass), "127.0.0.1:%d,127.0.0.2", te_cassandra_port());
    assert_int_equal(loop_init(&l), LOOP_OK);
    assert_int_equal(stores_open(&s, &l, &cfg, err, sizeof(err)), 0);
    assert_non_null(s.pg);
    assert_non_null(s.redis);
    assert_non_null(s.cql);
    answered = 0;
    assert_int_equal(pg_client_query(s.pg, "SELECT 1", 0, NULL, on_pg, NULL), 0);
    assert_int_equal(redis_client_command(s.redis, on_redis, NULL, "PING"), 0);
    assert_int_equal(cql_client_query(s.cql, "SELECT key FROM system.local", NULL, on_cql, NULL), 0);
    for (uint64_t end = loop_clock_ms() + 15000; answered < 3 && loop_clock_ms() < end;)
        tw_run_for(&l, 10);
    assert_int_equal(answered, 3);
    stores_close(&s);
    assert_null(s.pg);
    stores_close(&s); /* twice is harmless */
    loop_dispose(&l);
}

static void test_config_errors(void **state)
{
    loop l;
    stores s;
    char err[256];
    stores_config none = {0};
    stores_config bad_redis = {.redis_addr = "127.0.0.1:99999"};
    stores_config bad_cass = {.redis_addr = "127.0.0.1:1", .cassandra = "no-such-host.invalid"};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    assert_int_equal(stores_open(&s, &l, &none, err, sizeof(err)), 0);
    assert_null(s.pg);
    assert_null(s.redis);
    assert_null(s.cql);
    assert_int_equal(stores_open(&s, &l, &bad_redis, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "redis: bad address"));
    assert_int_equal(stores_open(&s, &l, &bad_cass, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cassandra: cannot resolve"));
    assert_null(s.redis); /* the redis client opened first was closed again */
    loop_dispose(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_all_three),
        cmocka_unit_test(test_config_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
