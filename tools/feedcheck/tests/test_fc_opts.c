/* test_fc_opts.c: command line, environment and defaults. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_request.h"
#include "tools/feedcheck/feedcheck.h"

static FILE *sink;

static int setup(void **state)
{
    (void)state;
    sink = fopen("/dev/null", "w");
    return sink == NULL;
}

static int teardown(void **state)
{
    (void)state;
    fclose(sink);
    return 0;
}

#define PARSE(o, env_pg, env_cass, env_redis, ...)                                                                   \
    ({                                                                                                               \
        char *argv_[] = {"feedcheck", __VA_ARGS__, NULL};                                                            \
        fc_opts_parse(o, (int)(sizeof argv_ / sizeof argv_[0]) - 1, argv_, env_pg, env_cass, env_redis, sink, sink); \
    })

static void test_defaults(void **state)
{
    fc_opts o;
    char *argv[] = {"feedcheck", NULL};

    (void)state;
    assert_int_equal(fc_opts_parse(&o, 1, argv, NULL, NULL, NULL, sink, sink), 0);
    assert_string_equal(o.pg_dsn, FC_DEFAULT_PG_DSN);
    assert_string_equal(o.cass_host, "127.0.0.1");
    assert_int_equal(o.cass_port, 19042);
    assert_string_equal(o.redis_host, "127.0.0.1");
    assert_int_equal(o.redis_port, 16379);
    assert_string_equal(o.keyspace, "feed");
    assert_int_equal(o.consistency, CQL_CONSISTENCY_LOCAL_QUORUM);
    assert_int_equal(o.backfill, 100);
    assert_int_equal(o.skew_ms, 1000);
    assert_int_equal(o.details, 0);
    assert_null(o.users);
    fc_opts_free(&o);
}

static void test_consistency(void **state)
{
    fc_opts o;

    (void)state;
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--consistency", "ONE"), 0);
    assert_int_equal(o.consistency, CQL_CONSISTENCY_ONE);
    fc_opts_free(&o);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--consistency", "QUORUM"), 0);
    assert_int_equal(o.consistency, CQL_CONSISTENCY_QUORUM);
    fc_opts_free(&o);
}

static void test_env_and_options(void **state)
{
    fc_opts o;

    (void)state;
    assert_int_equal(PARSE(&o, "dbname=x", "10.0.0.1:9999,10.0.0.2", "redis.local:7000", "--details", "5"), 0);
    assert_string_equal(o.pg_dsn, "dbname=x");
    assert_string_equal(o.cass_host, "10.0.0.1");
    assert_int_equal(o.cass_port, 9999);
    assert_string_equal(o.redis_host, "redis.local");
    assert_int_equal(o.redis_port, 7000);
    assert_int_equal(o.details, 5);
    fc_opts_free(&o);
    /* options win over the environment; a contact point without port keeps the default */
    assert_int_equal(PARSE(&o, "dbname=x", "cass", NULL, "--pg", "dbname=y", "--redis", "[::1]:6380", "--keyspace",
                           "fc_test_1", "--users", "3,1,2", "--backfill", "7", "--no-redis", "--strict", "--jobs", "2",
                           "--skew-ms", "0"),
                     0);
    assert_string_equal(o.pg_dsn, "dbname=y");
    assert_string_equal(o.cass_host, "cass");
    assert_int_equal(o.cass_port, 19042);
    assert_string_equal(o.redis_host, "::1");
    assert_int_equal(o.redis_port, 6380);
    assert_string_equal(o.keyspace, "fc_test_1");
    assert_int_equal(o.consistency, CQL_CONSISTENCY_LOCAL_QUORUM);
    assert_int_equal(o.n_users, 3);
    assert_int_equal(o.users[0], 3);
    assert_int_equal(o.backfill, 7);
    assert_true(o.no_redis);
    assert_true(o.strict);
    assert_int_equal(o.jobs, 2);
    assert_int_equal(o.skew_ms, 0);
    fc_opts_free(&o);
}

static void test_errors(void **state)
{
    fc_opts o;

    (void)state;
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--bogus"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--details"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--details", "-1"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--users", "1,,2"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--users", "x"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--users", "1", "--sample", "3"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--keyspace", "feed; DROP"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--cassandra", "host:0"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--redis", "host:70000"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--consistency", "MOST"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--no-redis", "--no-cassandra"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "extra"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, "a:b:c", NULL, "--quiet"), FC_EXIT_ERROR);
    assert_int_equal(PARSE(&o, NULL, NULL, NULL, "--help"), -1);
}

static void test_hostport(void **state)
{
    char host[64];
    uint16_t port = 1;

    (void)state;
    assert_int_equal(fc_parse_hostport("h", host, sizeof host, &port), 0);
    assert_string_equal(host, "h");
    assert_int_equal(port, 1);
    assert_int_equal(fc_parse_hostport("h:2,x:3", host, sizeof host, &port), 0);
    assert_int_equal(port, 2);
    assert_int_equal(fc_parse_hostport("", host, sizeof host, &port), -1);
    assert_int_equal(fc_parse_hostport(":5", host, sizeof host, &port), -1);
    assert_int_equal(fc_parse_hostport("h:", host, sizeof host, &port), -1);
    assert_int_equal(fc_parse_hostport("[::1", host, sizeof host, &port), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults), cmocka_unit_test(test_env_and_options), cmocka_unit_test(test_consistency),
        cmocka_unit_test(test_errors),   cmocka_unit_test(test_hostport),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
