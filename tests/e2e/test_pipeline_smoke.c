/* test_pipeline_smoke.c: the minimal end-to-end path of the pipeline.
 *
 * A row written to PostgreSQL must come out of the far end: Debezium
 * captures it from the WAL, the Avro converter registers its schema and
 * writes it to Kafka, and the Flink job decodes it (through the registry)
 * and records in Redis the newest LSN it has consumed per table
 * (HSET feed:pipeline:progress <table> {"events":N,"lsn":L,"ts_ms":T}).
 *
 * The test notes the WAL position before each write and waits until the
 * job reports an LSN at or past it for that table: only the write made
 * after that position can satisfy it. Waits are bounded by a deadline,
 * polling, never a fixed sleep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "api/tests/support/test_env.h"
#include "schema/redis/redis_keys.h"
#include "tests/e2e/e2e_env.h"

#define CATCH_UP_DEADLINE_MS 90000

typedef struct smoke_ctx {
    PGconn *pg;
    redisContext *redis;
} smoke_ctx;

static int smoke_setup(void **state)
{
    smoke_ctx *ctx = calloc(1, sizeof *ctx);
    struct timeval timeout = {5, 0};

    assert_non_null(ctx);
    ctx->pg = PQconnectdb(te_pg_conninfo());
    if (PQstatus(ctx->pg) != CONNECTION_OK)
        fail_msg("postgres: %s", PQerrorMessage(ctx->pg));
    ctx->redis = redisConnectWithTimeout("127.0.0.1", te_redis_port(), timeout);
    if (ctx->redis == NULL || ctx->redis->err)
        fail_msg("redis: %s", ctx->redis ? ctx->redis->errstr : "oom");
    *state = ctx;
    return 0;
}

static int smoke_teardown(void **state)
{
    smoke_ctx *ctx = *state;
    /* cmocka runs the teardown with a NULL state when the setup failed. */
    if (ctx == NULL)
        return 0;
    PQfinish(ctx->pg);
    redisFree(ctx->redis);
    free(ctx);
    return 0;
}

/* pg_value: run SQL returning one row and one column; the caller frees
 * the returned string. Fails the test on any error. */
static char *pg_value(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    char *value;

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    value = strdup(PQgetvalue(res, 0, 0));
    PQclear(res);
    assert_non_null(value);
    return value;
}

static uint64_t pg_current_lsn(PGconn *pg)
{
    char *text = pg_value(pg, "SELECT pg_current_wal_lsn()::text");
    uint64_t lsn = e2e_parse_lsn(text);
    free(text);
    assert_true(lsn > 0);
    return lsn;
}

/* progress_of: the job's progress record for TABLE; 0 when it has none. */
static int progress_of(redisContext *redis, const char *table, uint64_t *lsn, int64_t *events)
{
    redisReply *reply = redisCommand(redis, "HGET %s %s", REDIS_KEY_PROGRESS, table);
    json_error_t error;
    json_t *doc;
    int found = 0;

    if (reply == NULL)
        fail_msg("redis: %s", redis->errstr);
    if (reply->type == REDIS_REPLY_STRING) {
        doc = json_loadb(reply->str, reply->len, 0, &error);
        if (doc == NULL)
            fail_msg("progress of %s is not JSON: %s", table, reply->str);
        *lsn = (uint64_t)json_integer_value(json_object_get(doc, "lsn"));
        *events = json_integer_value(json_object_get(doc, "events"));
        found = 1;
        json_decref(doc);
    }
    freeReplyObject(reply);
    return found;
}

/* wait_for_lsn: poll until the job reports TABLE at or past LSN; returns
 * the milliseconds it took. Fails the test at the deadline. */
static int64_t wait_for_lsn(redisContext *redis, const char *table, uint64_t lsn)
{
    int64_t start = e2e_now_ms();
    uint64_t seen = 0;
    int64_t events = 0;

    for (;;) {
        if (progress_of(redis, table, &seen, &events) && seen >= lsn)
            return e2e_now_ms() - start;
        if (e2e_now_ms() - start > CATCH_UP_DEADLINE_MS)
            fail_msg("the job did not report %s at LSN %llu within %d ms (last seen %llu)", table,
                     (unsigned long long)lsn, CATCH_UP_DEADLINE_MS, (unsigned long long)seen);
        usleep(50 * 1000);
    }
}

static void exec_ok(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
}

/* An insert, an update and a delete of a user each travel the pipeline. */
static void test_user_changes_reach_the_job(void **state)
{
    smoke_ctx *ctx = *state;
    char handle[40], sql[256];
    uint64_t before_lsn, seen_lsn = 0;
    int64_t events_before = 0, events_after = 0, took;
    char *id;

    snprintf(handle, sizeof handle, "smoke_%ld_%d", (long)time(NULL), (int)getpid());
    progress_of(ctx->redis, "users", &seen_lsn, &events_before);

    before_lsn = pg_current_lsn(ctx->pg);
    snprintf(sql, sizeof sql, "INSERT INTO users (handle, display_name) VALUES ('%s', 'Smoke') RETURNING id::text",
             handle);
    id = pg_value(ctx->pg, sql);
    took = wait_for_lsn(ctx->redis, "users", before_lsn);
    print_message("insert of user %s reached the job in %lld ms\n", id, (long long)took);

    before_lsn = pg_current_lsn(ctx->pg);
    snprintf(sql, sizeof sql, "UPDATE users SET display_name = 'Smoke 2' WHERE id = %s", id);
    exec_ok(ctx->pg, sql);
    took = wait_for_lsn(ctx->redis, "users", before_lsn);
    print_message("update reached the job in %lld ms\n", (long long)took);

    before_lsn = pg_current_lsn(ctx->pg);
    snprintf(sql, sizeof sql, "DELETE FROM users WHERE id = %s", id);
    exec_ok(ctx->pg, sql);
    took = wait_for_lsn(ctx->redis, "users", before_lsn);
    print_message("delete reached the job in %lld ms\n", (long long)took);

    assert_true(progress_of(ctx->redis, "users", &seen_lsn, &events_after));
    /* At least our three changes were counted (the tombstone after the
     * delete is not a change and is not counted). */
    assert_true(events_after >= events_before + 3);
    free(id);
}

/* Every captured table has its own topic and reaches the job: a post, a
 * comment, a like and a follow, written in one transaction. */
static void test_every_table_reaches_the_job(void **state)
{
    smoke_ctx *ctx = *state;
    static const char *const tables[] = {"users", "follows", "posts", "comments", "likes"};
    char sql[1024];
    uint64_t before_lsn;
    long stamp = (long)time(NULL) * 1000 + getpid() % 1000;

    before_lsn = pg_current_lsn(ctx->pg);
    snprintf(sql, sizeof sql,
             "BEGIN;"
             "INSERT INTO users (handle, display_name) VALUES ('sa_%ld', 'A'), ('sb_%ld', 'B');"
             "INSERT INTO follows (follower_id, followee_id) SELECT a.id, b.id FROM users a, users b"
             "  WHERE a.handle = 'sa_%ld' AND b.handle = 'sb_%ld';"
             "INSERT INTO posts (author_id, body) SELECT id, 'hello' FROM users WHERE handle = 'sb_%ld';"
             "INSERT INTO comments (post_id, post_author_id, author_id, body)"
             "  SELECT p.id, p.author_id, a.id, 'hi' FROM posts p, users a, users b"
             "  WHERE p.author_id = b.id AND b.handle = 'sb_%ld' AND a.handle = 'sa_%ld';"
             "INSERT INTO likes (user_id, post_id, post_author_id)"
             "  SELECT a.id, p.id, p.author_id FROM posts p, users a, users b"
             "  WHERE p.author_id = b.id AND b.handle = 'sb_%ld' AND a.handle = 'sa_%ld';"
             "COMMIT;",
             stamp, stamp, stamp, stamp, stamp, stamp, stamp, stamp, stamp);
    exec_ok(ctx->pg, sql);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int64_t took = wait_for_lsn(ctx->redis, tables[i], before_lsn);
        print_message("%s change reached the job in %lld ms\n", tables[i], (long long)took);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_changes_reach_the_job),
        cmocka_unit_test(test_every_table_reaches_the_job),
    };
    return cmocka_run_group_tests_name("pipeline_smoke", tests, smoke_setup, smoke_teardown);
}
