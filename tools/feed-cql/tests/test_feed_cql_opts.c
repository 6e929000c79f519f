/* test_feed_cql_opts.c: unit tests of feed_cql_opts.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/feed-cql/feed_cql.h"

/* Parse a NULL-terminated argument list (argv[0] added) with the given
 * environment; diagnostics go to *err_text (caller frees). */
static int parse(feed_cql_opts *o, const char *cp, const char *port, char **err_text, ...)
{
    char *argv[32] = {"feed-cql"};
    int argc = 1;
    size_t err_len;
    FILE *out = fopen("/dev/null", "w"), *err = open_memstream(err_text, &err_len);
    va_list ap;
    int rc;

    va_start(ap, err_text);
    while ((argv[argc] = va_arg(ap, char *)) != NULL)
        argc++;
    va_end(ap);
    rc = feed_cql_opts_parse(o, argc, argv, cp, port, out, err);
    fclose(out);
    fclose(err);
    return rc;
}

static void test_defaults(void **state)
{
    feed_cql_opts o;
    char *err;

    (void)state;
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "SELECT 1", NULL), FEED_CQL_EXIT_OK);
    assert_string_equal(o.host, "127.0.0.1");
    assert_int_equal(o.port, 19042);
    assert_int_equal(o.consistency, CQL_CONSISTENCY_ONE);
    assert_string_equal(o.statement, "SELECT 1");
    assert_null(o.file);
    assert_null(o.keyspace);
    assert_int_equal(o.wait_seconds, 0);
    assert_int_equal(o.page_size, 1000);
    free(err);
}

static void test_options(void **state)
{
    feed_cql_opts o;
    char *err;

    (void)state;
    assert_int_equal(parse(&o, "db1:9042", "7000", &err, "--host", "h", "--port", "1234", "-k", "feed", "--consistency",
                           "quorum", "--wait", "120", "-f", "x.cql", "-t", "5", "--connect-timeout", "2", "--page-size",
                           "100", "-v", NULL),
                     FEED_CQL_EXIT_OK);
    assert_string_equal(o.host, "h");
    assert_int_equal(o.port, 1234);
    assert_string_equal(o.keyspace, "feed");
    assert_int_equal(o.consistency, CQL_CONSISTENCY_QUORUM);
    assert_int_equal(o.wait_seconds, 120);
    assert_string_equal(o.file, "x.cql");
    assert_int_equal(o.io_timeout_ms, 5000);
    assert_int_equal(o.connect_timeout_ms, 2000);
    assert_int_equal(o.page_size, 100);
    assert_true(o.verbose);
    free(err);
}

static void test_environment(void **state)
{
    feed_cql_opts o;
    char *err;

    (void)state;
    assert_int_equal(parse(&o, NULL, "29042", &err, "-e", "x", NULL), FEED_CQL_EXIT_OK);
    assert_int_equal(o.port, 29042);
    free(err);
    assert_int_equal(parse(&o, "cass1,cass2:1", "29042", &err, "-e", "x", NULL), FEED_CQL_EXIT_OK);
    assert_string_equal(o.host, "cass1");
    assert_int_equal(o.port, 29042);
    free(err);
    assert_int_equal(parse(&o, "10.0.0.5:9142, other", "29042", &err, "-e", "x", NULL), FEED_CQL_EXIT_OK);
    assert_string_equal(o.host, "10.0.0.5");
    assert_int_equal(o.port, 9142);
    free(err);
    assert_int_equal(parse(&o, "[::1]:9043", NULL, &err, "-e", "x", NULL), FEED_CQL_EXIT_OK);
    assert_string_equal(o.host, "::1");
    assert_int_equal(o.port, 9043);
    free(err);
    assert_int_equal(parse(&o, "fe80::1", NULL, &err, "-e", "x", NULL), FEED_CQL_EXIT_OK);
    assert_string_equal(o.host, "fe80::1");
    assert_int_equal(o.port, 19042);
    free(err);
    assert_int_equal(parse(&o, "db:99999", NULL, &err, "-e", "x", NULL), FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(err, "FEED_CASSANDRA_CONTACT_POINTS"));
    free(err);
    assert_int_equal(parse(&o, NULL, "abc", &err, "-e", "x", NULL), FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(err, "FEED_CASSANDRA_PORT"));
    free(err);
}

static void test_usage_errors(void **state)
{
    feed_cql_opts o;
    char *err;

    (void)state;
    assert_int_equal(parse(&o, NULL, NULL, &err, NULL), FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(err, "exactly one of"));
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "x", "-f", "y", NULL), FEED_CQL_EXIT_USAGE);
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "x", "--bogus", NULL), FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(err, "unknown option '--bogus'"));
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", NULL), FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(err, "missing value"));
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "x", "-p", "0", NULL), FEED_CQL_EXIT_USAGE);
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "x", "--wait", "-1", NULL), FEED_CQL_EXIT_USAGE);
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "x", "-c", "MOST", NULL), FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(err, "consistency"));
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "-e", "x", "extra", NULL), FEED_CQL_EXIT_USAGE);
    free(err);
    assert_int_equal(parse(&o, NULL, NULL, &err, "--help", NULL), -1);
    free(err);
}

static void test_usage_text(void **state)
{
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    feed_cql_usage(out);
    fclose(out);
    assert_non_null(strstr(text, "--wait SECONDS"));
    assert_non_null(strstr(text, "FEED_CASSANDRA_CONTACT_POINTS"));
    assert_non_null(strstr(text, "19042"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),     cmocka_unit_test(test_options),    cmocka_unit_test(test_environment),
        cmocka_unit_test(test_usage_errors), cmocka_unit_test(test_usage_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
