/* test_datagen_load.c: build/bin/bench-datagen against the dev PostgreSQL,
 * on tables of its own.
 *
 * The tables are the CREATE TABLEs and indexes of schema/sql/001_core.sql
 * and 004_follow_list_order.sql in a schema dg_test_<pid>, which the
 * program reaches through FEED_PG_DSN's options=-csearch_path; it is
 * dropped at the end. The expected rows come from bench_dg_generate with
 * the same options, so the test checks what reached the database against
 * the graph itself: the final counts of each table after the undos, the
 * followers of the top account, the sequences moved past the ids, and
 * the foreign keys and indexes the default load drops and puts back.
 * Needs the program built (make c-build) and run from the top folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "api/tests/support/test_env.h"
#include "bench/bench_datagen.h"

#define PROGRAM "build/bin/bench-datagen"
#define SIZES "--users 2000 --follows 30000 --activities 12000 --hot 2 --hot-followers 800 --seed 7"

static PGconn *pg;
static char schema[64], dsn[600];
static bench_dg_graph g;

static void pg_exec(const char *sql)
{
    PGresult *res = PQexec(pg, sql);

    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("PostgreSQL: %.200s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
}

/* The single number sql returns. */
static long long pg_num(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long pg_num(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    PGresult *res;
    long long v;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        fail_msg("PostgreSQL: %s: %s", sql, PQerrorMessage(pg));
    v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = calloc(1, (size_t)n + 1);
    if (text != NULL && fread(text, 1, (size_t)n, f) != (size_t)n) {
        free(text);
        text = NULL;
    }
    fclose(f);
    return text;
}

/* Run the program with args against our schema; its exit status. */
static int run(const char *args)
{
    char cmd[1024];
    int st;

    snprintf(cmd, sizeof cmd, PROGRAM " %s >/dev/null", args);
    st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
    bench_dg_config c;
    char err[256];
    const char *files[] = {"schema/sql/001_core.sql", "schema/sql/004_follow_list_order.sql"};

    (void)state;
    if (access(PROGRAM, X_OK) != 0) {
        fprintf(stderr, "%s not built: make c-build, and run from the top folder\n", PROGRAM);
        return -1;
    }
    snprintf(schema, sizeof schema, "dg_test_%d", (int)getpid());
    snprintf(dsn, sizeof dsn, "%s options=-csearch_path=%s", te_pg_conninfo(), schema);
    pg = PQconnectdb(te_pg_conninfo());
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "PostgreSQL: %s", PQerrorMessage(pg));
        return -1;
    }
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s; SET search_path = %s", schema, schema);
    pg_exec(sql);
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char *text = slurp(files[i]);
        if (text == NULL)
            return -1;
        pg_exec(text);
        free(text);
    }
    setenv("FEED_PG_DSN", dsn, 1);
    /* the graph the program generates from SIZES */
    bench_dg_defaults(&c);
    c.users = 2000, c.follows = 30000, c.activities = 12000, c.hot = 2, c.hot_followers = 800, c.seed = 7;
    return bench_dg_generate(&c, &g, err, sizeof err) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char sql[256];

    (void)state;
    if (pg != NULL) {
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
        pg_exec(sql);
        PQfinish(pg);
    }
    bench_dg_free(&g);
    return 0;
}

/* Rows each table must hold per load: the generated ones not undone,
 * comments and likes also gone with their deleted post. */
static void expected(long long *follows, long long *posts, long long *comments, long long *likes)
{
    *follows = *posts = *comments = *likes = 0;
    for (size_t i = 0; i < g.nfollows; i++)
        *follows += !g.follows[i].undone;
    for (size_t i = 0; i < g.nposts; i++)
        *posts += !g.posts[i].undone;
    for (size_t i = 0; i < g.ncomments; i++)
        *comments += !g.comments[i].undone && !g.posts[g.comments[i].post].undone;
    for (size_t i = 0; i < g.nlikes; i++)
        *likes += !g.likes[i].undone && !g.posts[g.likes[i].post].undone;
}

/* Foreign keys and indexes of the five tables, as one number. */
static long long schema_objects(void)
{
    return pg_num(
        "SELECT (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = '%s'::regnamespace) "
        "* 1000 + (SELECT count(*) FROM pg_indexes WHERE schemaname = '%s')",
        schema, schema);
}

static void check_counts(int loads)
{
    long long f, p, c, l, top_lost = 0;
    uint32_t top = g.by_rank[0];

    expected(&f, &p, &c, &l);
    assert_int_equal(pg_num("SELECT count(*) FROM users"), 2000LL * loads);
    assert_int_equal(pg_num("SELECT count(*) FROM follows"), f * loads);
    assert_int_equal(pg_num("SELECT count(*) FROM posts"), p * loads);
    assert_int_equal(pg_num("SELECT count(*) FROM comments"), c * loads);
    assert_int_equal(pg_num("SELECT count(*) FROM likes"), l * loads);
    for (size_t i = 0; i < g.nfollows; i++)
        top_lost += g.follows[i].followee == top && g.follows[i].undone;
    assert_int_equal(pg_num("SELECT count(*) FROM follows f JOIN users u ON u.id = f.followee_id "
                            "WHERE u.handle = 'it_%u'",
                            top),
                     800 - top_lost);
    /* the sequences are past every id: the next INSERT cannot collide */
    assert_true(pg_num("SELECT nextval(pg_get_serial_sequence('follows', 'id'))") >
                pg_num("SELECT max(id) FROM follows"));
    assert_true(pg_num("SELECT nextval(pg_get_serial_sequence('likes', 'id'))") > pg_num("SELECT max(id) FROM likes"));
}

static void test_default_load_then_per_batch_final_only(void **state)
{
    long long before = schema_objects();

    (void)state;
    assert_int_equal(before / 1000, 7); /* 001's foreign keys: the default load drops them */
    assert_int_equal(run(SIZES " --prefix it"), 0);
    assert_int_equal(schema_objects(), before); /* dropped for the load, all back */
    check_counts(1);
    /* the same prefix again is refused, and changes nothing */
    assert_int_equal(run(SIZES " --prefix it"), 2);
    check_counts(1);
    /* the other two modes reach the same final state beside it */
    assert_int_equal(run(SIZES " --prefix it2 --per-batch --final-only"), 0);
    assert_int_equal(schema_objects(), before);
    assert_int_equal(pg_num("SELECT count(*) FROM users WHERE handle LIKE 'it2\\_%%'"), 2000);
    check_counts(2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_load_then_per_batch_final_only),
    };
    return cmocka_run_group_tests_name("bench_datagen_load", tests, setup, teardown);
}
