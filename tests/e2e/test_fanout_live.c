/* test_fanout_live.c: activities written to PostgreSQL reach the right
 * feeds in Cassandra, through the whole pipeline (Debezium, Kafka, the
 * Flink job's fan-out and its Cassandra sink).
 *
 * Three fresh users: ana follows bob; bob posts; cy (whom nobody follows)
 * posts and likes bob's post. Expected (docs/DATA-MODEL.md, feed rules):
 *   home(ana)    = bob's post p:B and ana's own follow f:F
 *   home(bob)    = his post p:B (cy's like is cy's activity; cy is not followed)
 *   profile(cy)  = his post and his like
 * Then bob deletes his post: it must leave home(ana) and home(bob), and
 * the cascaded like leaves profile(cy). Waits poll Cassandra up to a
 * deadline; no fixed sleeps. */
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
#include <libpq-fe.h>

#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"
#include "api/tests/support/test_env.h"
#include "tests/e2e/e2e_env.h"

#define DEADLINE_MS 90000
#define MAX_ITEMS 64

typedef struct fanout_ctx {
    PGconn *pg;
    cql_conn cql;
} fanout_ctx;

static int fanout_setup(void **state)
{
    fanout_ctx *ctx = calloc(1, sizeof *ctx);

    assert_non_null(ctx);
    *state = ctx;
    ctx->pg = PQconnectdb(te_pg_conninfo());
    if (PQstatus(ctx->pg) != CONNECTION_OK)
        fail_msg("postgres: %s", PQerrorMessage(ctx->pg));
    cql_conn_init(&ctx->cql, 0);
    if (cql_conn_connect(&ctx->cql, "127.0.0.1", (uint16_t)te_cassandra_port(), 5000, 30000) != CQL_OK ||
        cql_conn_startup(&ctx->cql) != CQL_OK)
        fail_msg("cassandra: %s", ctx->cql.err.msg);
    return 0;
}

static int fanout_teardown(void **state)
{
    fanout_ctx *ctx = *state;
    if (ctx == NULL)
        return 0;
    PQfinish(ctx->pg);
    cql_conn_close(&ctx->cql);
    free(ctx);
    return 0;
}

/* pg_id: run SQL returning one bigint; fails the test on any error. */
static long long pg_id(PGconn *pg, const char *sql)
{
    PGresult *res = PQexec(pg, sql);
    long long id;

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    id = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return id;
}

/* feed_items: the activity ids of FEED (home_feed or profile_feed) of USER,
 * newest first, joined with ',' into out. */
static void feed_items(fanout_ctx *ctx, const char *feed, long long user, char *out, size_t cap)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    cql_row_iter it;
    cql_value values[1];
    cql_slice id;
    char query[160];
    size_t used = 0;

    snprintf(query, sizeof query, "SELECT activity_id FROM feed.%s WHERE user_id = %lld", feed, user);
    if (cql_conn_query(&ctx->cql, cql_slice_from_cstr(query), &p, &resp) != CQL_OK)
        fail_msg("%s: %s", query, ctx->cql.err.msg);
    assert_int_equal(resp.result.kind, CQL_RESULT_ROWS);
    out[0] = '\0';
    cql_row_iter_init(&it, &resp.result.rows);
    while (cql_row_iter_next(&it, values, 1) == 1) {
        cql_error err;
        assert_int_equal(cql_value_as_text(&values[0], &id, &err), CQL_OK);
        used += (size_t)snprintf(out + used, cap - used, "%s%.*s", used ? "," : "", (int)id.len, id.base);
        assert_true(used < cap);
    }
}

/* wait_feed: poll until FEED of USER is exactly EXPECTED; fail at the deadline. */
static void wait_feed(fanout_ctx *ctx, const char *feed, long long user, const char *expected)
{
    char got[MAX_ITEMS * 24];
    int64_t start = e2e_now_ms();

    for (;;) {
        feed_items(ctx, feed, user, got, sizeof got);
        if (strcmp(got, expected) == 0) {
            print_message("%s(%lld) = [%s] after %lld ms\n", feed, user, got, (long long)(e2e_now_ms() - start));
            return;
        }
        if (e2e_now_ms() - start > DEADLINE_MS)
            fail_msg("%s(%lld): expected [%s], still [%s] after %d ms", feed, user, expected, got, DEADLINE_MS);
        usleep(100 * 1000);
    }
}

static void test_posts_follows_likes_and_undo_reach_the_right_feeds(void **state)
{
    fanout_ctx *ctx = *state;
    long long ana, bob, cy, follow, post_b, post_c, like;
    char sql[512], expect[128];
    long tag = (long)time(NULL) % 100000 * 100 + getpid() % 100;

#define USER(name)                                                                                               \
    (snprintf(sql, sizeof sql,                                                                                   \
              "INSERT INTO users (handle, display_name) VALUES ('" name "_%ld', '" name "') RETURNING id", tag), \
     pg_id(ctx->pg, sql))
    ana = USER("ana");
    bob = USER("bob");
    cy = USER("cy");
#undef USER
    snprintf(sql, sizeof sql, "INSERT INTO follows (follower_id, followee_id) VALUES (%lld, %lld) RETURNING id", ana,
             bob);
    follow = pg_id(ctx->pg, sql);
    snprintf(sql, sizeof sql, "INSERT INTO posts (author_id, body) VALUES (%lld, 'hello') RETURNING id", bob);
    post_b = pg_id(ctx->pg, sql);
    snprintf(sql, sizeof sql, "INSERT INTO posts (author_id, body) VALUES (%lld, 'cy here') RETURNING id", cy);
    post_c = pg_id(ctx->pg, sql);
    snprintf(sql, sizeof sql,
             "INSERT INTO likes (user_id, post_id, post_author_id) VALUES (%lld, %lld, %lld) RETURNING id", cy, post_b,
             bob);
    like = pg_id(ctx->pg, sql);

    snprintf(expect, sizeof expect, "p:%lld,f:%lld", post_b, follow);
    wait_feed(ctx, "home_feed", ana, expect);
    snprintf(expect, sizeof expect, "p:%lld", post_b);
    wait_feed(ctx, "home_feed", bob, expect);
    snprintf(expect, sizeof expect, "l:%lld,p:%lld", like, post_c);
    wait_feed(ctx, "profile_feed", cy, expect);

    /* Undo: deleting the post removes it everywhere, and its like (a
     * cascaded delete) leaves cy's profile. */
    snprintf(sql, sizeof sql, "DELETE FROM posts WHERE id = %lld RETURNING id", post_b);
    pg_id(ctx->pg, sql);
    snprintf(expect, sizeof expect, "f:%lld", follow);
    wait_feed(ctx, "home_feed", ana, expect);
    wait_feed(ctx, "home_feed", bob, "");
    snprintf(expect, sizeof expect, "p:%lld", post_c);
    wait_feed(ctx, "profile_feed", cy, expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_posts_follows_likes_and_undo_reach_the_right_feeds),
    };
    return cmocka_run_group_tests_name("fanout_live", tests, fanout_setup, fanout_teardown);
}
