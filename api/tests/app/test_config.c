/* test_config.c: flags, environment variables, defaults, bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/app/config.h"
#include "cql/cql_request.h"

/* A fake environment: NULL-terminated name=value pairs. */
static const char **fake_env;

static const char *env_lookup(const char *name)
{
    size_t n = strlen(name), i;

    for (i = 0; fake_env != NULL && fake_env[i] != NULL; i++) {
        if (strncmp(fake_env[i], name, n) == 0 && fake_env[i][n] == '=')
            return fake_env[i] + n + 1;
    }
    return NULL;
}

static int parse(app_config *cfg, char **argv, const char **env, char *err)
{
    int argc = 0;

    while (argv[argc] != NULL)
        argc++;
    fake_env = env;
    return app_config_parse(cfg, argc, argv, env_lookup, err, 256);
}

static void test_defaults(void **state)
{
    char *argv[] = {"feed-api", NULL};
    app_config cfg;
    char err[256];

    (void)state;
    assert_int_equal(parse(&cfg, argv, NULL, err), APP_CONFIG_OK);
    assert_string_equal(cfg.listen, "127.0.0.1:18080");
    assert_true(cfg.threads >= 1);
    assert_null(cfg.pg_dsn);
    assert_null(cfg.redis_addr);
    assert_null(cfg.cassandra);
    assert_int_equal(cfg.cassandra_consistency, CQL_CONSISTENCY_LOCAL_QUORUM);
    assert_int_equal(cfg.access_log, 0);
    assert_int_equal(cfg.log_level, LOG_INFO);
    assert_int_equal(cfg.max_body, 65536);
    assert_int_equal(cfg.shutdown_timeout_ms, 10000);
    assert_int_equal(cfg.idempotency_ttl_s, 86400);
    assert_int_equal(cfg.home_source, APP_HOME_CASSANDRA);
}

static void test_environment(void **state)
{
    char *argv[] = {"feed-api", NULL};
    const char *env[] = {"FEED_API_PORT=19999",
                         "FEED_API_THREADS=3",
                         "FEED_PG_DSN=host=x dbname=feed",
                         "FEED_REDIS_ADDR=127.0.0.1:16379",
                         "FEED_CASSANDRA_CONTACT_POINTS=a,b",
                         "FEED_API_ACCESS_LOG=1",
                         "FEED_API_LOG_LEVEL=debug",
                         "FEED_API_MAX_BODY=1024",
                         "FEED_API_REQUEST_TIMEOUT_MS=2500",
                         "FEED_API_IDEMPOTENCY_TTL_S=60",
                         "FEED_CASSANDRA_CONSISTENCY=quorum",
                         "FEED_API_HOME_SOURCE=sql",
                         NULL};
    app_config cfg;
    char err[256];

    (void)state;
    assert_int_equal(parse(&cfg, argv, env, err), APP_CONFIG_OK);
    assert_string_equal(cfg.listen, "127.0.0.1:19999");
    assert_int_equal(cfg.threads, 3);
    assert_string_equal(cfg.pg_dsn, "host=x dbname=feed");
    assert_string_equal(cfg.redis_addr, "127.0.0.1:16379");
    assert_string_equal(cfg.cassandra, "a,b");
    assert_int_equal(cfg.cassandra_consistency, CQL_CONSISTENCY_QUORUM);
    assert_int_equal(cfg.access_log, 1);
    assert_int_equal(cfg.log_level, LOG_DEBUG);
    assert_int_equal(cfg.max_body, 1024);
    assert_int_equal(cfg.request_timeout_ms, 2500);
    assert_int_equal(cfg.idempotency_ttl_s, 60);
    assert_int_equal(cfg.home_source, APP_HOME_SQL);
}

static void test_listen_precedence(void **state)
{
    char *argv[] = {"feed-api", NULL};
    char *argv_flag[] = {"feed-api", "--listen", "0.0.0.0:1", NULL};
    const char *env_host[] = {"FEED_HOST=::1", "FEED_API_PORT=81", NULL};
    const char *env_listen[] = {"FEED_API_LISTEN=10.0.0.1:80", "FEED_API_PORT=81", NULL};
    app_config cfg;
    char err[256];

    (void)state;
    assert_int_equal(parse(&cfg, argv, env_host, err), APP_CONFIG_OK);
    assert_string_equal(cfg.listen, "[::1]:81");
    assert_int_equal(parse(&cfg, argv, env_listen, err), APP_CONFIG_OK);
    assert_string_equal(cfg.listen, "10.0.0.1:80");
    assert_int_equal(parse(&cfg, argv_flag, env_listen, err), APP_CONFIG_OK);
    assert_string_equal(cfg.listen, "0.0.0.0:1");
}

static void test_flags_beat_environment(void **state)
{
    char *argv[] = {"feed-api",
                    "-t",
                    "2",
                    "--threads=5",
                    "--pg",
                    "dsn",
                    "--redis=r:1",
                    "--cassandra",
                    "c",
                    "--access-log",
                    "--log-level",
                    "warn",
                    "--max-body",
                    "10",
                    "--max-connections",
                    "7",
                    "--idle-timeout-ms",
                    "1",
                    "--read-timeout-ms",
                    "2",
                    "--request-timeout-ms",
                    "3",
                    "--shutdown-timeout-ms",
                    "0",
                    "--idempotency-ttl-s",
                    "5",
                    "--home-source",
                    "cassandra",
                    NULL};
    const char *env[] = {"FEED_API_THREADS=3",       "FEED_PG_DSN=envdsn",
                         "FEED_API_ACCESS_LOG=0",    "FEED_API_IDEMPOTENCY_TTL_S=60",
                         "FEED_API_HOME_SOURCE=sql", NULL};
    app_config cfg;
    char err[256];

    (void)state;
    assert_int_equal(parse(&cfg, argv, env, err), APP_CONFIG_OK);
    assert_int_equal(cfg.threads, 5);
    assert_string_equal(cfg.pg_dsn, "dsn");
    assert_string_equal(cfg.redis_addr, "r:1");
    assert_string_equal(cfg.cassandra, "c");
    assert_int_equal(cfg.access_log, 1);
    assert_int_equal(cfg.log_level, LOG_WARN);
    assert_int_equal(cfg.max_body, 10);
    assert_int_equal(cfg.max_connections, 7);
    assert_int_equal(cfg.idle_timeout_ms, 1);
    assert_int_equal(cfg.read_timeout_ms, 2);
    assert_int_equal(cfg.request_timeout_ms, 3);
    assert_int_equal(cfg.home_source, APP_HOME_CASSANDRA);
    assert_int_equal(cfg.shutdown_timeout_ms, 0);
    assert_int_equal(cfg.idempotency_ttl_s, 5);
}

static void test_help_and_version(void **state)
{
    char *help[] = {"feed-api", "--help", NULL};
    char *h[] = {"feed-api", "-h", NULL};
    char *version[] = {"feed-api", "--version", NULL};
    app_config cfg;
    char err[256], *text = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    assert_int_equal(parse(&cfg, help, NULL, err), APP_CONFIG_HELP);
    assert_int_equal(parse(&cfg, h, NULL, err), APP_CONFIG_HELP);
    assert_int_equal(parse(&cfg, version, NULL, err), APP_CONFIG_VERSION);
    /* the usage names every flag and every variable */
    f = open_memstream(&text, &len);
    assert_non_null(f);
    app_config_usage(f, "feed-api");
    fclose(f);
    {
        static const char *words[] = {"--listen",
                                      "--threads",
                                      "--pg",
                                      "--redis",
                                      "--cassandra",
                                      "--access-log",
                                      "--log-level",
                                      "--max-body",
                                      "--max-connections",
                                      "--idle-timeout-ms",
                                      "--read-timeout-ms",
                                      "--request-timeout-ms",
                                      "--shutdown-timeout-ms",
                                      "--help",
                                      "--version",
                                      "FEED_API_LISTEN",
                                      "FEED_API_PORT",
                                      "FEED_HOST",
                                      "FEED_API_THREADS",
                                      "FEED_PG_DSN",
                                      "FEED_REDIS_ADDR",
                                      "FEED_CASSANDRA_CONTACT_POINTS",
                                      "FEED_API_ACCESS_LOG",
                                      "FEED_API_LOG_LEVEL",
                                      "FEED_API_MAX_BODY",
                                      "FEED_API_MAX_CONNECTIONS",
                                      "FEED_API_IDLE_TIMEOUT_MS",
                                      "FEED_API_READ_TIMEOUT_MS",
                                      "FEED_API_REQUEST_TIMEOUT_MS",
                                      "FEED_API_SHUTDOWN_TIMEOUT_MS",
                                      "SIGTERM",
                                      "--cassandra-consistency",
                                      "FEED_CASSANDRA_CONSISTENCY"};
        size_t i;
        for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
            if (strstr(text, words[i]) == NULL)
                fail_msg("--help does not mention %s", words[i]);
        }
    }
    free(text);
}

static void test_bad_values(void **state)
{
    static const char *bad_flags[][3] = {
        {"--threads", "0", NULL},
        {"--threads", "257", NULL},
        {"--threads", "two", NULL},
        {"--threads", "-1", NULL},
        {"--threads", "1x", NULL},
        {"--max-body", "1e3", NULL},
        {"--log-level", "loud", NULL},
        {"--idle-timeout-ms", "0", NULL},
        {"--listen", "", NULL},
        {"--max-connections", "0", NULL},
        {"--bogus", NULL, NULL},
        {"--threads", NULL, NULL},
        {"--idempotency-ttl-s", "0", NULL},
        {"--idempotency-ttl-s", "1d", NULL},
        {"--idempotency-ttl-s", "31622401", NULL},
        {"--cassandra-consistency", "ANY", NULL},
        {"--cassandra-consistency", "SERIAL", NULL},
        {"--cassandra-consistency", "most", NULL},
        {"--home-source", "redis", NULL},
        {"--home-source", "SQL", NULL},
    };
    app_config cfg;
    char err[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad_flags) / sizeof(bad_flags[0]); i++) {
        char *argv[4] = {"feed-api", (char *)bad_flags[i][0], (char *)bad_flags[i][1], NULL};
        err[0] = '\0';
        if (parse(&cfg, argv, NULL, err) != APP_CONFIG_ERR)
            fail_msg("%s %s should be refused", bad_flags[i][0], bad_flags[i][1] ? bad_flags[i][1] : "");
        assert_true(err[0] != '\0');
    }
    {
        char *argv[] = {"feed-api", "extra", NULL};
        const char *env[] = {"FEED_API_THREADS=lots", NULL};
        const char *env_port[] = {"FEED_API_PORT=99999", NULL};
        char *ok[] = {"feed-api", NULL};
        assert_int_equal(parse(&cfg, argv, NULL, err), APP_CONFIG_ERR);
        assert_int_equal(parse(&cfg, ok, env, err), APP_CONFIG_ERR);
        assert_non_null(strstr(err, "FEED_API_THREADS"));
        assert_int_equal(parse(&cfg, ok, env_port, err), APP_CONFIG_ERR);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),          cmocka_unit_test(test_environment),
        cmocka_unit_test(test_listen_precedence), cmocka_unit_test(test_flags_beat_environment),
        cmocka_unit_test(test_help_and_version),  cmocka_unit_test(test_bad_values),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
