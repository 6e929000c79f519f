/* test_feed_cql_live.c: feed-cql's run against a real Cassandra.
 *
 * Needs Cassandra on FEED_CASSANDRA_CONTACT_POINTS / FEED_CASSANDRA_PORT
 * (default 127.0.0.1:19042); run by `make c-integration`. A script file
 * creates its own keyspace, fills a table and selects it back at two rows
 * per page; a second run shows a failing statement named by file and
 * number. The keyspace (feed_cql_live_<pid>) is dropped at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "tools/feed-cql/feed_cql.h"

typedef struct run_result {
    int rc;
    char *out, *err;
} run_result;

/* Copy script to f with every {ks} replaced by keyspace. */
static void write_script(FILE *f, const char *script, const char *keyspace)
{
    const char *hole;

    while ((hole = strstr(script, "{ks}")) != NULL) {
        fprintf(f, "%.*s%s", (int)(hole - script), script, keyspace);
        script = hole + 4;
    }
    fputs(script, f);
}

/* Write script to a temp file and run feed-cql on it with the
 * environment's address. */
static run_result run_script(const char *script, const char *keyspace, char *path, size_t path_size)
{
    char *argv[] = {"feed-cql", "--wait", "30", "--page-size", "2", "-f", path, NULL};
    FILE *out, *err, *f;
    size_t len;
    run_result r;
    feed_cql_opts o;
    int fd;

    snprintf(path, path_size, "/tmp/feed-cql-live-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    write_script(f, script, keyspace);
    fclose(f);
    out = open_memstream(&r.out, &len);
    err = open_memstream(&r.err, &len);
    assert_int_equal(feed_cql_opts_parse(&o, 7, argv, getenv("FEED_CASSANDRA_CONTACT_POINTS"),
                                         getenv("FEED_CASSANDRA_PORT"), out, err),
                     FEED_CQL_EXIT_OK);
    r.rc = feed_cql_run(&o, out, err);
    fclose(out);
    fclose(err);
    unlink(path);
    return r;
}

static void test_script_select_and_error(void **state)
{
    char keyspace[64], path[64], want[256];
    run_result r;

    (void)state;
    snprintf(keyspace, sizeof(keyspace), "feed_cql_live_%ld", (long)getpid());
    r = run_script("-- a schema and some rows\n"
                   "CREATE KEYSPACE IF NOT EXISTS {ks} WITH replication = "
                   "{'class': 'SimpleStrategy', 'replication_factor': 1};\n"
                   "CREATE TABLE IF NOT EXISTS {ks}.notes (pk int, ck int, body text, tags set<text>, "
                   "PRIMARY KEY (pk, ck));\n"
                   "INSERT INTO {ks}.notes (pk, ck, body, tags) VALUES (1, 1, 'semi;colon', {'x'});\n"
                   "INSERT INTO {ks}.notes (pk, ck, body) VALUES (1, 2, 'tab\there');\n"
                   "INSERT INTO {ks}.notes (pk, ck, body, tags) VALUES (1, 3, 'it''s', {'b', 'a'}); /* paged */\n",
                   keyspace, path, sizeof(path));
    if (r.rc != FEED_CQL_EXIT_OK)
        fail_msg("schema script: %s", r.err);
    assert_string_equal(r.out, "");
    free(r.out);
    free(r.err);

    r = run_script("SELECT ck, body, tags FROM {ks}.notes WHERE pk = 1;\n"
                   "SELECT count(*) FROM {ks}.notes;\n"
                   "SELECT nope FROM {ks}.notes;\n"
                   "DROP KEYSPACE {ks};\n",
                   keyspace, path, sizeof(path));
    assert_int_equal(r.rc, FEED_CQL_EXIT_STATEMENT);
    assert_string_equal(r.out, "ck\tbody\ttags\n1\tsemi;colon\t{'x'}\n2\ttab\\there\tnull\n3\tit's\t{'a', 'b'}\n"
                               "count\n3\n");
    snprintf(want, sizeof(want), "feed-cql: %s:3: INVALID: ", path);
    if (strncmp(r.err, want, strlen(want)) != 0 || strstr(r.err, "nope") == NULL)
        fail_msg("stderr: %s", r.err);
    free(r.out);
    free(r.err);

    r = run_script("DROP KEYSPACE {ks}", keyspace, path, sizeof(path));
    assert_int_equal(r.rc, FEED_CQL_EXIT_OK);
    free(r.out);
    free(r.err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_select_and_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
