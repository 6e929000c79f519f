/* test_feed_cql_run.c: unit tests of feed_cql_run.c against the scripted
 * fake server of the cql tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "cql/tests/cql_fake_server.h"
#include "tools/feed-cql/feed_cql.h"

static const uint8_t ready[] = {0x84, 0, 0, 0, CQL_OP_READY, 0, 0, 0, 0};
static const uint8_t void_result[] = {0x84, 0, 0, 0, CQL_OP_RESULT, 0, 0, 0, 4, 0, 0, 0, 1};
static const uint8_t set_keyspace[] = {0x84, 0, 0, 0, CQL_OP_RESULT, 0, 0, 0, 10, 0, 0, 0, 3, 0, 4, 'f', 'e', 'e', 'd'};
static const uint8_t syntax_error[] = {0x84, 0, 0, 0, CQL_OP_ERROR, 0,   0,   0,  10, 0, 0,
                                       0x20, 0, 0, 4, 'o',          'o', 'p', 's'};
/* Rows of one int column "n", first page: has_more_pages, state "P", n = 1 */
static const uint8_t page1[] = {
    0x84, 0,   0, 0, CQL_OP_RESULT, 0, 0, 0,   40, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 'P', 0,
    1,    'k', 0, 1, 't',           0, 1, 'n', 0,  9, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1,
};
/* second page: last, n = 2 */
static const uint8_t page2[] = {
    0x84, 0,   0, 0, CQL_OP_RESULT, 0, 0, 0,   35, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0,
    1,    'k', 0, 1, 't',           0, 1, 'n', 0,  9, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 2,
};

typedef struct run_result {
    int rc;
    char *out, *err;
} run_result;

/* feed_cql_run with o pointed at port, capturing both streams. */
static run_result run(feed_cql_opts *o, uint16_t port)
{
    run_result r;
    size_t len;
    FILE *out = open_memstream(&r.out, &len), *err;

    err = open_memstream(&r.err, &len);
    o->host = "127.0.0.1";
    o->port = port;
    o->consistency = CQL_CONSISTENCY_ONE;
    o->connect_timeout_ms = 1000;
    o->io_timeout_ms = 2000;
    o->page_size = 1;
    r.rc = feed_cql_run(o, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

static void test_rows_follow_pages(void **state)
{
    const cql_fake_step steps[] = {{CQL_FAKE_REPLY, ready, sizeof(ready)},
                                   {CQL_FAKE_REPLY, page1, sizeof(page1)},
                                   {CQL_FAKE_REPLY, page2, sizeof(page2)},
                                   {CQL_FAKE_REPLY, void_result, sizeof(void_result)}};
    cql_fake_server s = cql_fake_start(steps, 4);
    feed_cql_opts o = {.statement = "SELECT n FROM k.t; -- all of it\nINSERT INTO k.t (n) VALUES (3)"};
    run_result r = run(&o, s.port);

    (void)state;
    assert_int_equal(r.rc, FEED_CQL_EXIT_OK);
    assert_string_equal(r.out, "n\n1\n2\n");
    assert_string_equal(r.err, "");
    run_free(&r);
    cql_fake_stop(&s);
}

static void test_server_error_names_the_statement(void **state)
{
    const cql_fake_step steps[] = {{CQL_FAKE_REPLY, ready, sizeof(ready)},
                                   {CQL_FAKE_REPLY, set_keyspace, sizeof(set_keyspace)},
                                   {CQL_FAKE_REPLY, void_result, sizeof(void_result)},
                                   {CQL_FAKE_REPLY, syntax_error, sizeof(syntax_error)}};
    cql_fake_server s = cql_fake_start(steps, 4);
    char path[] = "/tmp/feed-cql-test-XXXXXX";
    int fd = mkstemp(path);
    const char *script = "CREATE TABLE x (a int PRIMARY KEY);\n\nSELEC oops;\nSELECT never_sent;\n";
    feed_cql_opts o = {.file = path, .keyspace = "feed"};
    char want[200];
    run_result r;

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, script, strlen(script)), (ssize_t)strlen(script));
    close(fd);
    r = run(&o, s.port);
    assert_int_equal(r.rc, FEED_CQL_EXIT_STATEMENT);
    snprintf(want, sizeof(want), "feed-cql: %s:2: SYNTAX_ERROR: oops\n", path);
    assert_string_equal(r.err, want);
    run_free(&r);
    unlink(path);
    cql_fake_stop(&s);
}

static void test_timeout_is_reported_like_a_server_error(void **state)
{
    const cql_fake_step steps[] = {{CQL_FAKE_REPLY, ready, sizeof(ready)}, {CQL_FAKE_STALL, ready, sizeof(ready)}};
    cql_fake_server s = cql_fake_start(steps, 2);
    feed_cql_opts o = {.statement = "SELECT 1"};
    run_result r = run(&o, s.port);

    (void)state;
    assert_int_equal(r.rc, FEED_CQL_EXIT_STATEMENT);
    assert_non_null(strstr(r.err, "feed-cql: -e:1: TIMEOUT: "));
    run_free(&r);
    cql_fake_stop(&s);
}

static void test_wait_gives_up(void **state)
{
    int fd;
    uint16_t port = cql_fake_dead_port(&fd);
    feed_cql_opts o = {.statement = "SELECT 1", .wait_seconds = 1};
    run_result r = run(&o, port);

    (void)state;
    assert_int_equal(r.rc, FEED_CQL_EXIT_CONNECT);
    assert_non_null(strstr(r.err, "waiting for Cassandra"));
    assert_non_null(strstr(r.err, "gave up waiting"));
    run_free(&r);
    close(fd);
}

static void test_input_errors(void **state)
{
    const cql_fake_step steps[] = {{CQL_FAKE_REPLY, ready, sizeof(ready)}, {CQL_FAKE_REPLY, ready, sizeof(ready)}};
    feed_cql_opts missing = {.file = "/nonexistent/schema.cql"};
    feed_cql_opts bad_keyspace = {.statement = "SELECT 1", .keyspace = "feed; DROP KEYSPACE x"};
    feed_cql_opts unterminated = {.statement = "SELECT 'oops"};
    cql_fake_server s;
    run_result r;

    (void)state;
    r = run(&missing, 1);
    assert_int_equal(r.rc, FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(r.err, "cannot open /nonexistent/schema.cql"));
    run_free(&r);
    s = cql_fake_start(steps, 1);
    r = run(&bad_keyspace, s.port);
    assert_int_equal(r.rc, FEED_CQL_EXIT_STATEMENT);
    assert_non_null(strstr(r.err, "not a plain identifier"));
    run_free(&r);
    cql_fake_stop(&s);
    s = cql_fake_start(steps, 1);
    r = run(&unterminated, s.port);
    assert_int_equal(r.rc, FEED_CQL_EXIT_USAGE);
    assert_non_null(strstr(r.err, "feed-cql: -e:1: MALFORMED: unterminated string"));
    run_free(&r);
    cql_fake_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_follow_pages),
        cmocka_unit_test(test_server_error_names_the_statement),
        cmocka_unit_test(test_timeout_is_reported_like_a_server_error),
        cmocka_unit_test(test_wait_gives_up),
        cmocka_unit_test(test_input_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
