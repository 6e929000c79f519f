/* test_feedcheck_live.c: feedcheck against the dev stack, on data of its own.
 *
 * Never touches the stack's real data: the history lives in a PostgreSQL
 * schema fc_test_<pid> (the CREATE TABLEs of schema/sql/001_core.sql,
 * reached through options=-csearch_path), the feeds in a Cassandra
 * keyspace fc_test_<pid> (every schema/cql file with the keyspace
 * renamed), the cache in Redis database 15
 * under user ids no real user has. All three are dropped at the end.
 *
 * The feeds written to Cassandra and Redis are this file's own hand-written
 * expectations of the rules in docs/DATA-MODEL.md (backfill 2), not
 * feedcheck's computation. The test checks that feedcheck finds them equal,
 * then seeds one difference at a time and checks it lands in the right
 * counter with exit code 1.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>
#include <libpq-fe.h>

#include "api/tests/support/test_env.h"
#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"
#include "schema/redis/redis_keys.h"
#include "tools/feedcheck/feedcheck.h"

#define REDIS_DB 15
#define T0 1732500000LL /* an hour boundary, in seconds */
#define US(s) ((T0 + (s)) * 1000000LL)
#define WINDOW_MS (T0 * 1000LL)
#define WINDOW_US (T0 * 1000000LL)

static PGconn *pg;
static cql_conn cq = {.fd = -1};
static redisContext *rd;
static char schema[64], dsn[512], cass_addr[300], redis_addr[64];
static int64_t A, B, C, D; /* users */

static void pg_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void pg_exec(const char *fmt, ...)
{
    char sql[4096];
    va_list ap;
    PGresult *res;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("PostgreSQL: %s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
}

static void cql_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cql_exec(const char *fmt, ...)
{
    char q[4096];
    va_list ap;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;

    va_start(ap, fmt);
    vsnprintf(q, sizeof q, fmt, ap);
    va_end(ap);
    if (cql_conn_query(&cq, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
        fail_msg("Cassandra: %s: %s", q, cq.err.msg);
}

static void redis_cmd(const char *fmt, ...)
{
    va_list ap;
    redisReply *r;

    va_start(ap, fmt);
    r = redisvCommand(rd, fmt, ap);
    va_end(ap);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", r ? r->str : rd->errstr);
        if (r != NULL)
            freeReplyObject(r);
        fail_msg("Redis: %s: %s", fmt, msg);
    }
    freeReplyObject(r);
}

/* SET key json, the JSON formatted here (its spaces would split a redisCommand format). */
static void redis_set_json(const char *key, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void redis_set_json(const char *key, const char *fmt, ...)
{
    char json[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(json, sizeof json, fmt, ap);
    va_end(ap);
    redis_cmd("SET %s %s", key, json);
}

/* --- the history and its feeds, by hand ------------------------------------ */

/* One row of a feed as this test expects it. */
typedef struct row {
    int64_t *user;
    int s; /* created_at = T0 + s seconds */
    const char *id;
    int64_t *actor;
} row;

/*
 * t+10 p:1 B posts      t+20 p:2 B posts     t+30 p:3 B posts
 * t+40 f:1 A follows B (backfill 2: p:3 and p:2 copied, p:1 not)
 * t+50 p:4 B posts      t+60 l:1 C likes p:4  t+70 c:1 A comments p:4
 * t+80 l:2 A likes p:4  t+90 f:2 C follows A (backfill 2: l:2, c:1)
 * t+100 p:5 A posts     t+110 l:3 B likes its own p:4 (no notification)
 * D does nothing.
 */
static row home_rows[] = {
    {&A, 110, "l:3", &B}, {&A, 100, "p:5", &A}, {&A, 80, "l:2", &A}, {&A, 70, "c:1", &A},  {&A, 50, "p:4", &B},
    {&A, 40, "f:1", &A},  {&A, 30, "p:3", &B},  {&A, 20, "p:2", &B}, {&B, 110, "l:3", &B}, {&B, 50, "p:4", &B},
    {&B, 30, "p:3", &B},  {&B, 20, "p:2", &B},  {&B, 10, "p:1", &B}, {&C, 100, "p:5", &A}, {&C, 90, "f:2", &C},
    {&C, 80, "l:2", &A},  {&C, 70, "c:1", &A},  {&C, 60, "l:1", &C},
};
static row profile_rows[] = {
    {&A, 100, "p:5", &A}, {&A, 80, "l:2", &A}, {&A, 70, "c:1", &A}, {&A, 40, "f:1", &A},
    {&B, 110, "l:3", &B}, {&B, 50, "p:4", &B}, {&B, 30, "p:3", &B}, {&B, 20, "p:2", &B},
    {&B, 10, "p:1", &B},  {&C, 90, "f:2", &C}, {&C, 60, "l:1", &C},
};

static void write_history(void)
{
    pg_exec("INSERT INTO users (id, handle, display_name) OVERRIDING SYSTEM VALUE VALUES "
            "(%lld, 'fc_a', 'A'), (%lld, 'fc_b', 'B'), (%lld, 'fc_c', 'C'), (%lld, 'fc_d', 'D')",
            (long long)A, (long long)B, (long long)C, (long long)D);
    for (int i = 1; i <= 3; i++)
        pg_exec("INSERT INTO posts (id, author_id, body, created_at) OVERRIDING SYSTEM VALUE VALUES "
                "(%d, %lld, 'post %d', to_timestamp(%lld))",
                i, (long long)B, i, T0 + 10 * i);
    pg_exec("INSERT INTO follows (id, follower_id, followee_id, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(1, %lld, %lld, to_timestamp(%lld))",
            (long long)A, (long long)B, T0 + 40);
    pg_exec("INSERT INTO posts (id, author_id, body, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(4, %lld, 'post 4', to_timestamp(%lld))",
            (long long)B, T0 + 50);
    pg_exec("INSERT INTO likes (id, user_id, post_id, post_author_id, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(1, %lld, 4, %lld, to_timestamp(%lld))",
            (long long)C, (long long)B, T0 + 60);
    pg_exec("INSERT INTO comments (id, post_id, post_author_id, author_id, body, created_at) OVERRIDING SYSTEM VALUE "
            "VALUES (1, 4, %lld, %lld, 'nice', to_timestamp(%lld))",
            (long long)B, (long long)A, T0 + 70);
    pg_exec("INSERT INTO likes (id, user_id, post_id, post_author_id, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(2, %lld, 4, %lld, to_timestamp(%lld))",
            (long long)A, (long long)B, T0 + 80);
    pg_exec("INSERT INTO follows (id, follower_id, followee_id, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(2, %lld, %lld, to_timestamp(%lld))",
            (long long)C, (long long)A, T0 + 90);
    pg_exec("INSERT INTO posts (id, author_id, body, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(5, %lld, 'post 5', to_timestamp(%lld))",
            (long long)A, T0 + 100);
    pg_exec("INSERT INTO likes (id, user_id, post_id, post_author_id, created_at) OVERRIDING SYSTEM VALUE VALUES "
            "(3, %lld, 4, %lld, to_timestamp(%lld))",
            (long long)B, (long long)B, T0 + 110);
}

static void body(const char *id, const char *verb, int64_t actor, const char *object, const char *target,
                 const char *text, int s)
{
    char tgt[64], txt[64];

    if (target != NULL)
        snprintf(tgt, sizeof tgt, "'%s'", target);
    else
        snprintf(tgt, sizeof tgt, "null");
    if (text != NULL)
        snprintf(txt, sizeof txt, "'%s'", text);
    else
        snprintf(txt, sizeof txt, "null");
    cql_exec("INSERT INTO %s.activities (activity_id, verb, actor_id, object_id, target_id, body, ts_us) "
             "VALUES ('%s', '%s', %lld, '%s', %s, %s, %lld)",
             schema, id, verb, (long long)actor, object, tgt, txt, (long long)US(s));
}

static void write_feeds(void)
{
    char ub[32], ua[32];

    for (size_t i = 0; i < sizeof home_rows / sizeof home_rows[0]; i++)
        cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, '%s', %lld)",
                 schema, (long long)*home_rows[i].user, (long long)US(home_rows[i].s), home_rows[i].id,
                 (long long)*home_rows[i].actor);
    for (size_t i = 0; i < sizeof profile_rows / sizeof profile_rows[0]; i++)
        cql_exec("INSERT INTO %s.profile_feed (user_id, ts_us, activity_id) VALUES (%lld, %lld, '%s')", schema,
                 (long long)*profile_rows[i].user, (long long)US(profile_rows[i].s), profile_rows[i].id);
    /* B: C and A liked p:4 (A newest), A commented, A followed; A: C followed. One window. */
    cql_exec("INSERT INTO %s.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count, "
             "latest_us) VALUES (%lld, %lld, 'LIKE:p:4:%lld', 'LIKE', 'p:4', [%lld, %lld], 2, %lld)",
             schema, (long long)B, (long long)WINDOW_US, (long long)WINDOW_MS, (long long)A, (long long)C,
             (long long)US(80));
    cql_exec("INSERT INTO %s.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count, "
             "latest_us) VALUES (%lld, %lld, 'COMMENT:p:4:%lld', 'COMMENT', 'p:4', [%lld], 1, %lld)",
             schema, (long long)B, (long long)WINDOW_US, (long long)WINDOW_MS, (long long)A, (long long)US(70));
    cql_exec("INSERT INTO %s.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count, "
             "latest_us) VALUES (%lld, %lld, 'FOLLOW:u:%lld:%lld', 'FOLLOW', 'u:%lld', [%lld], 1, %lld)",
             schema, (long long)B, (long long)WINDOW_US, (long long)B, (long long)WINDOW_MS, (long long)B, (long long)A,
             (long long)US(40));
    cql_exec("INSERT INTO %s.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count, "
             "latest_us) VALUES (%lld, %lld, 'FOLLOW:u:%lld:%lld', 'FOLLOW', 'u:%lld', [%lld], 1, %lld)",
             schema, (long long)A, (long long)WINDOW_US, (long long)A, (long long)WINDOW_MS, (long long)A, (long long)C,
             (long long)US(90));
    snprintf(ub, sizeof ub, "u:%lld", (long long)B);
    snprintf(ua, sizeof ua, "u:%lld", (long long)A);
    body("p:1", "SHARD", B, "p:1", NULL, "post 1", 10);
    body("p:2", "SHARD", B, "p:2", NULL, "post 2", 20);
    body("p:3", "SHARD", B, "p:3", NULL, "post 3", 30);
    body("f:1", "FOLLOW", A, ub, ub, NULL, 40);
    body("p:4", "SHARD", B, "p:4", NULL, "post 4", 50);
    body("l:1", "LIKE", C, "p:4", ub, NULL, 60);
    body("c:1", "COMMENT", A, "p:4", ub, "nice", 70);
    body("l:2", "LIKE", A, "p:4", ub, NULL, 80);
    body("f:2", "FOLLOW", C, ua, ua, NULL, 90);
    body("p:5", "SHARD", A, "p:5", NULL, "post 5", 100);
    body("l:3", "LIKE", B, "p:4", NULL, NULL, 110);
}

/* Cached heads: A's home (3 newest), B's whole profile, B's notifications. */
static void write_cache(void)
{
    redis_cmd("ZADD " REDIS_KEY_HOME_FEED "%lld %lld l:3 %lld p:5 %lld l:2", (long long)A, (long long)US(110),
              (long long)US(100), (long long)US(80));
    redis_cmd("ZADD " REDIS_KEY_PROFILE_FEED "%lld %lld l:3 %lld p:4 %lld p:3 %lld p:2 %lld p:1", (long long)B,
              (long long)US(110), (long long)US(50), (long long)US(30), (long long)US(20), (long long)US(10));
    redis_cmd("ZADD " REDIS_KEY_NOTIF_FEED "%lld %lld LIKE:p:4:%lld %lld FOLLOW:u:%lld:%lld %lld COMMENT:p:4:%lld",
              (long long)B, (long long)WINDOW_US, (long long)WINDOW_MS, (long long)WINDOW_US, (long long)B,
              (long long)WINDOW_MS, (long long)WINDOW_US, (long long)WINDOW_MS);
    redis_cmd("SET " REDIS_KEY_NOTIF_BODY
              "%lld:LIKE:p:4:%lld {\"group_id\":\"LIKE:p:4:%lld\",\"verb\":\"LIKE\",\"object_id\":\"p:4\","
              "\"actor_count\":2,\"actor_ids\":[%lld,%lld],\"latest_us\":%lld,\"ts_us\":%lld}",
              (long long)B, (long long)WINDOW_MS, (long long)WINDOW_MS, (long long)A, (long long)C, (long long)US(80),
              (long long)WINDOW_US);
    redis_set_json(REDIS_KEY_ACTIVITY_BODY "p:5",
                   "{\"id\":\"p:5\",\"verb\":\"SHARD\",\"actor_id\":%lld,\"object_id\":\"p:5\","
                   "\"target_id\":null,\"body\":\"post 5\",\"ts_us\":%lld}",
                   (long long)A, (long long)US(100));
}

static void drop_cache(void)
{
    redis_cmd("DEL " REDIS_KEY_HOME_FEED "%lld " REDIS_KEY_PROFILE_FEED "%lld " REDIS_KEY_NOTIF_FEED "%lld",
              (long long)A, (long long)B, (long long)B);
    redis_cmd("DEL " REDIS_KEY_PROFILE_FEED "%lld " REDIS_KEY_HOME_FEED "%lld", (long long)C, (long long)D);
    redis_cmd("DEL " REDIS_KEY_NOTIF_BODY "%lld:LIKE:p:4:%lld " REDIS_KEY_ACTIVITY_BODY "p:5", (long long)B,
              (long long)WINDOW_MS);
}

/* --- running feedcheck ------------------------------------------------------ */

typedef struct result {
    int rc;
    char *out;
} result;

/* Run feedcheck on the test's stores with extra options (NULL-terminated). */
static result run(const char *first, ...)
{
    char *argv[40];
    int argc = 0;
    va_list ap;
    const char *a;
    fc_opts o;
    result r = {0};
    size_t len = 0;
    FILE *out = open_memstream(&r.out, &len);

    argv[argc++] = "feedcheck";
    argv[argc++] = "--pg";
    argv[argc++] = dsn;
    argv[argc++] = "--cassandra";
    argv[argc++] = cass_addr;
    argv[argc++] = "--keyspace";
    argv[argc++] = schema;
    argv[argc++] = "--redis";
    argv[argc++] = redis_addr;
    argv[argc++] = "--redis-db";
    argv[argc++] = "15";
    argv[argc++] = "--backfill";
    argv[argc++] = "2";
    argv[argc++] = "--details";
    argv[argc++] = "20";
    va_start(ap, first);
    for (a = first; a != NULL && argc < 39; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    assert_int_equal(fc_opts_parse(&o, argc, argv, NULL, NULL, NULL, stdout, stderr), 0);
    r.rc = fc_run(&o, out, stderr);
    fc_opts_free(&o);
    fclose(out);
    printf("%s", r.out); /* into the test's log */
    return r;
}

/* One counter of the report: column col (0 feeds, 1 items, 2 missing,
 * 3 duplicated, 4 extra, 5 out of order, 6 counts off, 7 ambiguous) of
 * the row store/feed. */
enum { FEEDS, ITEMS, MISSING, DUPLICATED, EXTRA, ORDER, COUNTS, AMBIGUOUS };

static long counter(const result *r, const char *store, const char *feed, int col)
{
    char *line = r->out;

    while (line != NULL && *line != '\0') {
        char s[32], f[32], fe[32];
        long v[7];
        if (sscanf(line, "%31s %31s %31s %ld %ld %ld %ld %ld %ld %ld", s, f, fe, &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6]) == 10 &&
            strcmp(s, store) == 0 && strcmp(f, feed) == 0)
            return col == FEEDS ? atol(fe) : v[col - 1];
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    fail_msg("no row %s %s in the report", store, feed);
    return -1;
}

static void done(result *r)
{
    free(r->out);
}

/* --- set-up -------------------------------------------------------------------- */

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

/* Every schema/cql/NNN_*.cql in order (as feedctl applies them), with
 * keyspace feed renamed to ours. */
static void create_keyspace(void)
{
    glob_t files;
    int has_latest = 0;

    cql_exec("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", schema);
    assert_int_equal(glob("schema/cql/[0-9][0-9][0-9]_*.cql", 0, NULL, &files), 0);
    for (size_t i = 0; i < files.gl_pathc; i++) {
        char *text = slurp(files.gl_pathv[i]);
        cql_script sc;
        cql_slice st;

        assert_non_null(text);
        has_latest |= strstr(text, "latest_us") != NULL;
        cql_script_init(&sc, text, strlen(text));
        while (cql_script_next(&sc, &st, NULL) == 1) {
            char stmt[4096], *p;
            size_t n = st.len < sizeof stmt - 1 ? st.len : sizeof stmt - 1;
            memcpy(stmt, st.base, n);
            stmt[n] = '\0';
            if (strstr(stmt, "CREATE KEYSPACE") != NULL)
                continue;
            p = strstr(stmt, "feed.");
            assert_non_null(p);
            cql_exec("%.*s%s.%s", (int)(p - stmt), stmt, schema, p + 5);
        }
        free(text);
    }
    globfree(&files);
    /* notifications.latest_us: add it if no schema file has it */
    if (!has_latest)
        cql_exec("ALTER TABLE %s.notifications ADD latest_us bigint", schema);
}

static int setup(void **state)
{
    const char *cp = getenv("FEED_CASSANDRA_CONTACT_POINTS");
    char host[256] = "127.0.0.1";
    uint16_t port = (uint16_t)te_cassandra_port();
    char *core;
    int pid = (int)getpid();

    (void)state;
    snprintf(schema, sizeof schema, "fc_test_%d", pid);
    A = 1000000000LL + (pid % 100000) * 10;
    B = A + 1, C = A + 2, D = A + 3;
    if (cp != NULL && cp[0] != '\0' && fc_parse_hostport(cp, host, sizeof host, &port) != 0)
        return -1;
    snprintf(cass_addr, sizeof cass_addr, "%s:%u", host, (unsigned)port);
    snprintf(redis_addr, sizeof redis_addr, "127.0.0.1:%d", te_redis_port());
    snprintf(dsn, sizeof dsn, "%s options=-csearch_path=%s", te_pg_conninfo(), schema);

    pg = PQconnectdb(te_pg_conninfo());
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "PostgreSQL: %s", PQerrorMessage(pg));
        return -1;
    }
    pg_exec("CREATE SCHEMA %s", schema);
    pg_exec("SET search_path = %s", schema);
    core = slurp("schema/sql/001_core.sql");
    if (core == NULL)
        return -1;
    pg_exec("%s", core);
    free(core);
    write_history();

    cql_conn_init(&cq, 0);
    if (cql_conn_connect(&cq, host, port, 5000, 60000) != CQL_OK || cql_conn_startup(&cq) != CQL_OK) {
        fprintf(stderr, "Cassandra: %s\n", cq.err.msg);
        return -1;
    }
    create_keyspace();
    write_feeds();

    rd = redisConnect("127.0.0.1", te_redis_port());
    if (rd == NULL || rd->err)
        return -1;
    redis_cmd("SELECT %d", REDIS_DB);
    write_cache();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (rd != NULL) {
        drop_cache();
        redisFree(rd);
    }
    if (cq.fd >= 0) {
        cql_exec("DROP KEYSPACE IF EXISTS %s", schema);
        cql_conn_close(&cq);
    }
    if (pg != NULL) {
        pg_exec("DROP SCHEMA IF EXISTS %s CASCADE", schema);
        PQfinish(pg);
    }
    return 0;
}

/* --- the tests ---------------------------------------------------------------- */

static void test_equal(void **state)
{
    result r;

    (void)state;
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    assert_int_equal(counter(&r, "cassandra", "home", FEEDS), 4);
    assert_int_equal(counter(&r, "cassandra", "home", ITEMS), 18);
    assert_int_equal(counter(&r, "cassandra", "profile", ITEMS), 11);
    assert_int_equal(counter(&r, "cassandra", "notifications", ITEMS), 4);
    assert_int_equal(counter(&r, "cassandra", "bodies", ITEMS), 11);
    assert_int_equal(counter(&r, "cassandra", "total", AMBIGUOUS), 0);
    assert_int_equal(counter(&r, "redis", "home", FEEDS), 1);
    assert_int_equal(counter(&r, "redis", "home", ITEMS), 3);
    assert_int_equal(counter(&r, "redis", "notifications", FEEDS), 1);
    assert_int_equal(counter(&r, "redis", "bodies", ITEMS), 1);
    assert_int_equal(counter(&r, "redis", "total", MISSING) + counter(&r, "redis", "total", COUNTS), 0);
    done(&r);
    /* the same with one connection, and by partition for a subset */
    r = run("--jobs", "1", NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    done(&r);
    r = run("--users", "1000000000", NULL); /* not a user of this history: skipped */
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    done(&r);
}

static void test_deleted_row(void **state)
{
    result r;

    (void)state;
    cql_exec("DELETE FROM %s.home_feed WHERE user_id = %lld AND ts_us = %lld AND activity_id = 'p:4'", schema,
             (long long)A, (long long)US(50));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", MISSING), 1);
    assert_int_equal(counter(&r, "cassandra", "total", MISSING), 1);
    assert_int_equal(counter(&r, "cassandra", "total", EXTRA), 0);
    assert_non_null(strstr(r.out, "missing p:4"));
    done(&r);
    cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, 'p:4', %lld)",
             schema, (long long)A, (long long)US(50), (long long)B);
}

static void test_doubled_item(void **state)
{
    result r;

    (void)state;
    cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, 'p:5', %lld)",
             schema, (long long)C, (long long)US(1000), (long long)A);
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", DUPLICATED), 1);
    assert_int_equal(counter(&r, "cassandra", "total", MISSING) + counter(&r, "cassandra", "total", EXTRA) +
                         counter(&r, "cassandra", "total", ORDER),
                     0);
    done(&r);
    cql_exec("DELETE FROM %s.home_feed WHERE user_id = %lld AND ts_us = %lld AND activity_id = 'p:5'", schema,
             (long long)C, (long long)US(1000));
}

/* p:1 is the third-newest of B's before A's follow: beyond the backfill of 2. */
static void test_extra_item(void **state)
{
    result r;

    (void)state;
    cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, 'p:1', %lld)",
             schema, (long long)A, (long long)US(10), (long long)B);
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", EXTRA), 1);
    assert_int_equal(counter(&r, "cassandra", "home", AMBIGUOUS), 0);
    done(&r);
    cql_exec("DELETE FROM %s.home_feed WHERE user_id = %lld AND ts_us = %lld AND activity_id = 'p:1'", schema,
             (long long)A, (long long)US(10));
}

/* Without p:2 (the oldest backfilled) home(A) is what the job leaves if an
 * activity of B newer than p:2 existed at the follow and was deleted since:
 * ambiguous, not a difference, unless --strict. */
static void test_ambiguous(void **state)
{
    result r;

    (void)state;
    cql_exec("DELETE FROM %s.home_feed WHERE user_id = %lld AND ts_us = %lld AND activity_id = 'p:2'", schema,
             (long long)A, (long long)US(20));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    assert_int_equal(counter(&r, "cassandra", "home", AMBIGUOUS), 1);
    assert_int_equal(counter(&r, "cassandra", "home", MISSING), 0);
    done(&r);
    r = run("--strict", NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", MISSING), 1);
    done(&r);
    /* dropping p:3 but keeping p:2 is a hole, never plausible */
    cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, 'p:2', %lld)",
             schema, (long long)A, (long long)US(20), (long long)B);
    cql_exec("DELETE FROM %s.home_feed WHERE user_id = %lld AND ts_us = %lld AND activity_id = 'p:3'", schema,
             (long long)A, (long long)US(30));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", MISSING), 1);
    assert_int_equal(counter(&r, "cassandra", "home", AMBIGUOUS), 0);
    done(&r);
    cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, 'p:3', %lld)",
             schema, (long long)A, (long long)US(30), (long long)B);
}

static void test_wrong_count(void **state)
{
    result r;

    (void)state;
    cql_exec("UPDATE %s.notifications SET actor_count = 3 WHERE user_id = %lld AND ts_us = %lld AND group_id = "
             "'LIKE:p:4:%lld'",
             schema, (long long)B, (long long)WINDOW_US, (long long)WINDOW_MS);
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "notifications", COUNTS), 1);
    assert_int_equal(counter(&r, "cassandra", "total", COUNTS), 1);
    assert_int_equal(counter(&r, "redis", "total", COUNTS), 0);
    done(&r);
    r = run("--no-notifications", NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    done(&r);
    cql_exec("UPDATE %s.notifications SET actor_count = 2 WHERE user_id = %lld AND ts_us = %lld AND group_id = "
             "'LIKE:p:4:%lld'",
             schema, (long long)B, (long long)WINDOW_US, (long long)WINDOW_MS);
    /* the cached group's count */
    redis_cmd("SET " REDIS_KEY_NOTIF_BODY
              "%lld:LIKE:p:4:%lld {\"group_id\":\"LIKE:p:4:%lld\",\"verb\":\"LIKE\",\"object_id\":\"p:4\","
              "\"actor_count\":1,\"actor_ids\":[%lld],\"latest_us\":%lld,\"ts_us\":%lld}",
              (long long)B, (long long)WINDOW_MS, (long long)WINDOW_MS, (long long)A, (long long)US(80),
              (long long)WINDOW_US);
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "redis", "notifications", COUNTS), 1);
    assert_int_equal(counter(&r, "cassandra", "total", COUNTS), 0);
    done(&r);
    write_cache();
}

/* p:5 cached under a score that puts it below l:2: the head is out of order. */
static void test_redis_order(void **state)
{
    result r;

    (void)state;
    redis_cmd("ZADD " REDIS_KEY_HOME_FEED "%lld %lld p:5", (long long)A, (long long)US(75));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "redis", "home", ORDER), 1);
    assert_int_equal(counter(&r, "cassandra", "total", ORDER), 0);
    done(&r);
    /* a hole in the head: missing */
    redis_cmd("ZADD " REDIS_KEY_HOME_FEED "%lld %lld p:5", (long long)A, (long long)US(100));
    redis_cmd("ZREM " REDIS_KEY_HOME_FEED "%lld p:5", (long long)A);
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "redis", "home", MISSING), 1);
    done(&r);
    r = run("--no-redis", NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    done(&r);
    write_cache();
    /* "~end" (api/src/read/feed_head.h): the head is the whole feed, so a short one misses items */
    redis_cmd("ZADD " REDIS_KEY_PROFILE_FEED "%lld -1 " REDIS_MEMBER_END " %lld f:2", (long long)C, (long long)US(90));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "redis", "profile", MISSING), 1);
    done(&r);
    redis_cmd("ZADD " REDIS_KEY_PROFILE_FEED "%lld %lld l:1", (long long)C, (long long)US(60));
    /* "~fill:<token>": a fill in progress is not a head yet, whatever it holds */
    redis_cmd("ZADD " REDIS_KEY_HOME_FEED "%lld -1 " REDIS_MEMBER_FILL "test %lld p:5", (long long)D,
              (long long)US(100));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    assert_int_equal(counter(&r, "redis", "profile", FEEDS), 2);
    assert_int_equal(counter(&r, "redis", "home", FEEDS), 1);
    done(&r);
    redis_cmd("DEL " REDIS_KEY_PROFILE_FEED "%lld " REDIS_KEY_HOME_FEED "%lld", (long long)C, (long long)D);
}

static void test_bodies(void **state)
{
    result r;

    (void)state;
    cql_exec("DELETE FROM %s.activities WHERE activity_id = 'c:1'", schema);
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "bodies", MISSING), 1);
    done(&r);
    /* a body that disagrees (wrong time) */
    cql_exec("INSERT INTO %s.activities (activity_id, verb, actor_id, object_id, target_id, body, ts_us) VALUES "
             "('c:1', 'COMMENT', %lld, 'p:4', 'u:%lld', 'nice', %lld)",
             schema, (long long)A, (long long)B, (long long)US(71));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "bodies", COUNTS), 1);
    done(&r);
    cql_exec("INSERT INTO %s.activities (activity_id, verb, actor_id, object_id, target_id, body, ts_us) VALUES "
             "('c:1', 'COMMENT', %lld, 'p:4', 'u:%lld', 'nice', %lld)",
             schema, (long long)A, (long long)B, (long long)US(70));
    /* a cached body that disagrees */
    redis_set_json(REDIS_KEY_ACTIVITY_BODY "p:5",
                   "{\"id\":\"p:5\",\"verb\":\"SHARD\",\"actor_id\":%lld,\"object_id\":\"p:5\","
                   "\"target_id\":null,\"body\":\"post 5 edited\",\"ts_us\":%lld}",
                   (long long)A, (long long)US(100));
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "redis", "bodies", COUNTS), 1);
    done(&r);
    write_cache();
    r = run(NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    done(&r);
}

/* A subset reads partition by partition; a seeded difference outside it is not seen. */
static void test_subset(void **state)
{
    char users[64];
    result r;

    (void)state;
    cql_exec("INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (%lld, %lld, 'p:1', %lld)",
             schema, (long long)C, (long long)US(10), (long long)B);
    snprintf(users, sizeof users, "%lld,%lld", (long long)A, (long long)B);
    r = run("--users", users, NULL);
    assert_int_equal(r.rc, FC_EXIT_EQUAL);
    assert_int_equal(counter(&r, "cassandra", "home", FEEDS), 2);
    done(&r);
    snprintf(users, sizeof users, "%lld", (long long)C);
    r = run("--users", users, NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", EXTRA), 1);
    done(&r);
    r = run("--sample", "4", "--jobs", "2", NULL);
    assert_int_equal(r.rc, FC_EXIT_DIFF);
    assert_int_equal(counter(&r, "cassandra", "home", FEEDS), 4);
    done(&r);
    cql_exec("DELETE FROM %s.home_feed WHERE user_id = %lld AND ts_us = %lld AND activity_id = 'p:1'", schema,
             (long long)C, (long long)US(10));
}

static void test_connection_error(void **state)
{
    fc_opts o;
    char *argv[] = {"feedcheck", "--pg", "hostaddr=127.0.0.1 port=1 connect_timeout=2", NULL};
    FILE *devnull = fopen("/dev/null", "w");

    (void)state;
    assert_int_equal(fc_opts_parse(&o, 3, argv, NULL, NULL, NULL, devnull, devnull), 0);
    assert_int_equal(fc_run(&o, devnull, devnull), FC_EXIT_ERROR);
    fc_opts_free(&o);
    fclose(devnull);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),        cmocka_unit_test(test_deleted_row),
        cmocka_unit_test(test_doubled_item), cmocka_unit_test(test_extra_item),
        cmocka_unit_test(test_ambiguous),    cmocka_unit_test(test_wrong_count),
        cmocka_unit_test(test_redis_order),  cmocka_unit_test(test_bodies),
        cmocka_unit_test(test_subset),       cmocka_unit_test(test_connection_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
