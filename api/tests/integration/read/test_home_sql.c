/* test_home_sql.c: --home-source=sql (handlers/home_sql.h) serves the
 * same home feeds as the normal read, on a small graph, against the
 * whole running stack (the job builds the normal feeds).
 *
 * One feed-api runs in this process (app_run, test_app_thread.h) with
 * the default source: the test writes a small graph through it (users,
 * follows, posts, comments on others' and own posts, likes, an unfollow,
 * a deleted post, a deleted like), then waits until every user's home
 * feed holds the number of items PostgreSQL says it must (own activities
 * and the followees' after the undos; no followee has 100 activities, so
 * the job's backfill limit does not apply) and walks each feed in pages
 * of 3. Then the server is restarted with FEED_API_HOME_SOURCE=sql and
 * the same secret, and the same walks must give the same items in the
 * same order, page by page, with the same next_cursor (both sides sign
 * the same positions with the same key).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "api/src/app/app.h"
#include "api/src/auth/token.h"
#include "api/tests/support/test_app_thread.h"
#include "api/tests/support/test_client.h"
#include "api/tests/support/test_env.h"

#define HS_SECRET "home sql test secret, 32 bytes.."
#define HS_USERS 6
#define HS_PAGE 3
#define HS_WAIT_S 120

static char hs_dsn[512], hs_redis[64], hs_cassandra[64];
static const char *hs_source;

static const char *hs_env(const char *name)
{
    if (strcmp(name, "FEED_PG_DSN") == 0)
        return hs_dsn;
    if (strcmp(name, "FEED_REDIS_ADDR") == 0)
        return hs_redis;
    if (strcmp(name, "FEED_CASSANDRA_CONTACT_POINTS") == 0)
        return hs_cassandra;
    if (strcmp(name, "FEED_API_SECRET") == 0)
        return HS_SECRET;
    if (strcmp(name, "FEED_API_HOME_SOURCE") == 0)
        return hs_source;
    return NULL;
}

static tat_app hs_app;
static int hs_running, hs_port;

static void hs_start(const char *source)
{
    char *argv[] = {"feed-api", "--threads", "2", "--log-level", "error", "--listen", "127.0.0.1:0", NULL};
    char err[256];

    memset(&hs_app, 0, sizeof(hs_app));
    hs_source = source;
    assert_int_equal(app_config_parse(&hs_app.cfg, 7, argv, hs_env, err, sizeof(err)), APP_CONFIG_OK);
    hs_port = tat_start(&hs_app, 10000);
    hs_running = 1;
    assert_true(hs_port > 0);
}

static void hs_stop(void)
{
    if (!hs_running)
        return;
    hs_running = 0;
    assert_int_equal(kill(getpid(), SIGTERM), 0);
    assert_int_equal(tat_join(&hs_app), 0);
}

/* One request; the parsed body (NULL if none) and *status. */
static json_t *hs_req(const char *method, const char *path, const char *token, const char *body, int *status)
{
    char head[1024];
    size_t len = body != NULL ? strlen(body) : 0;
    tc_response resp;
    json_t *j;
    tc_conn c;
    int n;

    n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n%s%s%s\r\n", method, path,
                 len, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
    assert_true(n > 0 && (size_t)n < sizeof(head));
    tc_connect(&c, hs_port, 10000);
    tc_send(&c, head, (size_t)n);
    if (len > 0)
        tc_send(&c, body, len);
    assert_int_equal(tc_read(&c, &resp), 0);
    *status = resp.status;
    j = resp.body_len > 0 ? json_loads(resp.body, 0, NULL) : NULL;
    tc_response_free(&resp);
    tc_close(&c);
    return j;
}

/* A write that must answer want; returns member.id of the answer. */
static long long hs_write(const char *method, const char *path, const char *token, const char *body, int want,
                          const char *member)
{
    int status;
    json_t *j = hs_req(method, path, token, body, &status);
    long long id = 0;

    if (status != want)
        fail_msg("%s %s %s: %d", method, path, body ? body : "", status);
    if (member != NULL)
        id = json_integer_value(json_object_get(json_object_get(j, member), "id"));
    json_decref(j);
    return id;
}

typedef struct hs_user {
    long long id;
    char token[TOKEN_MAX_LEN + 1];
} hs_user;

static hs_user hs_users[HS_USERS];

static void hs_new_user(hs_user *u, int i)
{
    char body[160];
    int status;
    json_t *j;

    snprintf(body, sizeof(body), "{\"handle\":\"hs_%x_%x_%d\",\"display_name\":\"Home SQL %d\"}",
             (unsigned)time(NULL) & 0xfffff, (unsigned)rand() & 0xffff, i, i);
    j = hs_req("POST", "/v1/users", NULL, body, &status);
    if (status != 201)
        fail_msg("create user: %d", status);
    u->id = json_integer_value(json_object_get(json_object_get(j, "user"), "id"));
    snprintf(u->token, sizeof(u->token), "%s", json_string_value(json_object_get(j, "token")));
    json_decref(j);
}

static void hs_follow(int a, int b)
{
    char path[96];

    snprintf(path, sizeof(path), "/v1/users/%lld/follow", hs_users[b].id);
    hs_write("POST", path, hs_users[a].token, NULL, 201, NULL);
}

static long long hs_post(int a, const char *text)
{
    char body[256];

    snprintf(body, sizeof(body), "{\"body\":\"%s\"}", text);
    return hs_write("POST", "/v1/posts", hs_users[a].token, body, 201, "post");
}

static long long hs_comment(int a, long long post, const char *text)
{
    char path[96], body[256];

    snprintf(path, sizeof(path), "/v1/posts/%lld/comments", post);
    snprintf(body, sizeof(body), "{\"body\":\"%s\"}", text);
    return hs_write("POST", path, hs_users[a].token, body, 201, "comment");
}

static void hs_like(int a, long long post)
{
    char path[96];

    snprintf(path, sizeof(path), "/v1/posts/%lld/like", post);
    hs_write("POST", path, hs_users[a].token, NULL, 201, NULL);
}

/* The number of items user u's home must hold, from PostgreSQL. */
static long long hs_expected(PGconn *db, long long u)
{
    static const char sql[] =
        "WITH f AS (SELECT $1::bigint AS uid UNION ALL SELECT followee_id FROM follows WHERE follower_id = $1) "
        "SELECT (SELECT count(*) FROM posts WHERE author_id IN (SELECT uid FROM f)) "
        "+ (SELECT count(*) FROM comments WHERE author_id IN (SELECT uid FROM f)) "
        "+ (SELECT count(*) FROM likes WHERE user_id IN (SELECT uid FROM f)) "
        "+ (SELECT count(*) FROM follows WHERE follower_id IN (SELECT uid FROM f))";
    char t[24];
    const char *p[1] = {t};
    PGresult *res;
    long long n;

    snprintf(t, sizeof(t), "%lld", u);
    res = PQexecParams(db, sql, 1, NULL, p, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("count: %s", PQerrorMessage(db));
    n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return n;
}

/* Walk u's home in pages of HS_PAGE: an array of pages, each
 * {"items":[...],"next_cursor":...} as answered. */
static json_t *hs_walk(int u)
{
    json_t *pages = json_array();
    char path[512], after[256] = "";
    int status, guard;

    for (guard = 0; guard < 200; guard++) {
        json_t *page, *next;

        snprintf(path, sizeof(path), "/v1/users/%lld/home?limit=%d%s%s", hs_users[u].id, HS_PAGE,
                 after[0] ? "&cursor=" : "", after);
        page = hs_req("GET", path, hs_users[u].token, NULL, &status);
        if (status != 200 || page == NULL)
            fail_msg("%s: %d", path, status);
        /* the first page's unseen counts come with the served read, not the naive baseline's */
        json_object_del(page, "unseen");
        json_array_append_new(pages, page);
        next = json_object_get(page, "next_cursor");
        if (!json_is_string(next))
            return pages;
        snprintf(after, sizeof(after), "%s", json_string_value(next));
    }
    fail_msg("user %d: more than 200 pages", u);
    return NULL;
}

static size_t hs_items(const json_t *pages)
{
    size_t n = 0, i;
    json_t *p;

    json_array_foreach(pages, i, p) n += json_array_size(json_object_get(p, "items"));
    return n;
}

static void test_same_home_feeds(void **state)
{
    json_t *walks[HS_USERS];
    long long p0, p1, p2, p3, c;
    char path[96];
    PGconn *db;
    time_t deadline;
    int u, ready;

    (void)state;
    db = PQconnectdb(te_pg_conninfo());
    if (PQstatus(db) != CONNECTION_OK)
        fail_msg("PostgreSQL: %s", PQerrorMessage(db));

    /* the graph, through the normal API */
    hs_start("cassandra");
    for (u = 0; u < HS_USERS; u++)
        hs_new_user(&hs_users[u], u);
    hs_follow(0, 1);
    hs_follow(0, 2);
    hs_follow(1, 2);
    hs_follow(2, 0);
    hs_follow(3, 0);
    hs_follow(3, 1);
    hs_follow(4, 5);
    p0 = hs_post(1, "first post of one, before some follows");
    p1 = hs_post(2, "two says \\\"hello\\\" \\u00e9");
    p2 = hs_post(0, "zero's own post");
    p3 = hs_post(5, "a post to delete");
    hs_follow(5, 1);
    hs_follow(2, 1);
    c = hs_comment(0, p0, "zero comments on one's post");
    (void)c;
    hs_comment(1, p0, "one comments on its own post");
    hs_comment(3, p1, "three comments on two's post");
    hs_like(0, p1);
    hs_like(2, p2);
    hs_like(4, p3);
    hs_like(1, p2);
    hs_post(3, "three posts after commenting");
    hs_follow(4, 0);
    /* undos: an unfollow, an unlike, a deleted post (takes the like of four) */
    snprintf(path, sizeof(path), "/v1/users/%lld/follow", hs_users[1].id);
    hs_write("DELETE", path, hs_users[3].token, NULL, 204, NULL);
    snprintf(path, sizeof(path), "/v1/posts/%lld/like", p2);
    hs_write("DELETE", path, hs_users[1].token, NULL, 204, NULL);
    snprintf(path, sizeof(path), "/v1/posts/%lld", p3);
    hs_write("DELETE", path, hs_users[5].token, NULL, 204, NULL);

    /* the job's feeds complete */
    deadline = time(NULL) + HS_WAIT_S;
    do {
        ready = 1;
        for (u = 0; u < HS_USERS; u++) {
            json_t *w = hs_walk(u);
            long long want = hs_expected(db, hs_users[u].id);
            if ((long long)hs_items(w) != want)
                ready = 0;
            walks[u] = w;
        }
        if (!ready) {
            for (u = 0; u < HS_USERS; u++)
                json_decref(walks[u]);
            if (time(NULL) > deadline)
                fail_msg("the job did not build the home feeds within %d s", HS_WAIT_S);
            usleep(500 * 1000);
        }
    } while (!ready);
    hs_stop();

    /* the same walks from one SQL query per page */
    hs_start("sql");
    for (u = 0; u < HS_USERS; u++) {
        json_t *w = hs_walk(u);
        if (!json_equal(w, walks[u])) {
            char *a = json_dumps(walks[u], JSON_COMPACT), *b = json_dumps(w, JSON_COMPACT);
            fail_msg("user %d: home feeds differ\ncassandra: %s\nsql:       %s", u, a, b);
        }
        assert_true(hs_items(w) > 0);
        json_decref(w);
        json_decref(walks[u]);
    }
    hs_stop();
    (void)p1;
    PQfinish(db);
}

static int hs_teardown(void **state)
{
    (void)state;
    hs_stop();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_same_home_feeds, hs_teardown),
    };
    sigset_t set;

    snprintf(hs_dsn, sizeof(hs_dsn), "%s", te_pg_conninfo());
    snprintf(hs_redis, sizeof(hs_redis), "127.0.0.1:%d", te_redis_port());
    snprintf(hs_cassandra, sizeof(hs_cassandra), "127.0.0.1:%d", te_cassandra_port());
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    return cmocka_run_group_tests(tests, NULL, NULL);
}
