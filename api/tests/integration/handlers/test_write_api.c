/* test_write_api.c: the write side of the API (and its PostgreSQL reads)
 * end to end: feed-api runs in this process (app_run, two workers) on an
 * ephemeral port against the dev stack's PostgreSQL (test_env.h), and
 * the test talks HTTP to it and checks the database's rows with libpq.
 *
 * Each test starts and stops its own server (SIGTERM, read by app_run's
 * signalfd: main blocks the signals before any thread starts). Data
 * created here stays in the shared database, so every handle carries a
 * random suffix.
 *
 * What it proves: every endpoint's happy path, with its rows; every
 * client error the contract lists (bad JSON, wrong types, unknown
 * fields, invalid UTF-8, too-long text, bad ids, forged tokens, a missing
 * user or post, self-follow, duplicates, someone else's delete);
 * Idempotency-Key replays (sequential and concurrent: one row, one
 * answer) and reuse (422); followers pages walked while follows are
 * added (no repeats, no skips); and 503 store_unavailable when
 * PostgreSQL cannot be reached, with nothing else disturbed.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "api/src/app/app.h"
#include "api/src/auth/token.h"
#include "api/src/wire/time_format.h"
#include "api/tests/support/test_app_thread.h"
#include "api/tests/support/test_client.h"
#include "api/tests/support/test_env.h"

#define WA_SECRET "write api test secret, 32 bytes"

/* ---- the server ---------------------------------------------------- */

static char wa_dsn[512];

static const char *wa_env(const char *name)
{
    if (strcmp(name, "FEED_PG_DSN") == 0)
        return wa_dsn;
    if (strcmp(name, "FEED_API_SECRET") == 0)
        return WA_SECRET;
    /* These tests check answers and rows, not latency. A COMMIT's WAL
     * flush has taken over 3 s on the 2-core CI machine with Cassandra,
     * Kafka and Flink writing beside it (a sign-up answered 503
     * outcome_unknown, which is the right answer to a timed-out COMMIT:
     * test_postgres_down and the store tests cover that path). */
    if (strcmp(name, "FEED_API_STORE_TIMEOUT_MS") == 0)
        return "10000";
    return NULL;
}

/* Start feed-api with PostgreSQL at dsn; returns its port. */
static int wa_start(tat_app *a, const char *dsn)
{
    char *argv[] = {"feed-api", "--threads", "2", "--log-level", "error", "--listen", "127.0.0.1:0", NULL};
    char err[256];
    int port;

    memset(a, 0, sizeof(*a));
    snprintf(wa_dsn, sizeof(wa_dsn), "%s", dsn);
    assert_int_equal(app_config_parse(&a->cfg, 7, argv, wa_env, err, sizeof(err)), APP_CONFIG_OK);
    port = tat_start(a, 10000);
    assert_true(port > 0);
    return port;
}

static void wa_stop(tat_app *a)
{
    assert_int_equal(kill(getpid(), SIGTERM), 0);
    assert_int_equal(tat_join(a), 0);
}

/* The running server of the current test: stopped by wa_test_end, so
 * that a failed assertion does not leave it running into the next test
 * (whose SIGTERM it would take). */
static tat_app wa_current;
static int wa_running;

static int wa_up(const char *dsn)
{
    int port = wa_start(&wa_current, dsn);

    wa_running = 1;
    return port;
}

static int wa_test_end(void **state)
{
    (void)state;
    if (wa_running) {
        wa_running = 0;
        wa_stop(&wa_current);
    }
    return 0;
}

/* ---- HTTP ------------------------------------------------------------ */

typedef struct wa_res {
    int status;
    char body[16384];
    char replayed[16];
    char retry_after[16];
    json_t *json; /* parsed body, or NULL */
} wa_res;

static int wa_port;

/* Send one request on c (or a new connection when c is NULL). token,
 * key and body may be NULL. Fills *r (free r->json with wa_done). */
static void wa_send(tc_conn *c, const char *method, const char *path, const char *token, const char *key,
                    const char *body, size_t body_len)
{
    char head[2048];
    int n;

    n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n%s%s%s%s%s%s\r\n", method,
                 path, body_len, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "",
                 key ? "Idempotency-Key: " : "", key ? key : "", key ? "\r\n" : "");
    assert_true(n > 0 && (size_t)n < sizeof(head));
    tc_send(c, head, (size_t)n);
    if (body_len > 0)
        tc_send(c, body, body_len);
}

static void wa_recv(tc_conn *c, wa_res *r)
{
    tc_response resp;

    memset(r, 0, sizeof(*r));
    assert_int_equal(tc_read(c, &resp), 0);
    r->status = resp.status;
    snprintf(r->body, sizeof(r->body), "%s", resp.body);
    tc_header(&resp, "Idempotent-Replayed", r->replayed, sizeof(r->replayed));
    tc_header(&resp, "Retry-After", r->retry_after, sizeof(r->retry_after));
    r->json = resp.body_len > 0 ? json_loads(resp.body, 0, NULL) : NULL;
    tc_response_free(&resp);
}

static void wa_raw(const char *method, const char *path, const char *token, const char *key, const char *body,
                   size_t body_len, wa_res *r)
{
    tc_conn c;

    tc_connect(&c, wa_port, 10000);
    wa_send(&c, method, path, token, key, body, body_len);
    wa_recv(&c, r);
    tc_close(&c);
}

static void wa(const char *method, const char *path, const char *token, const char *key, const char *body, wa_res *r)
{
    wa_raw(method, path, token, key, body, body != NULL ? strlen(body) : 0, r);
}

static void wa_done(wa_res *r)
{
    json_decref(r->json);
    r->json = NULL;
}

/* The error code of an error answer ("" if none). */
static const char *wa_code(const wa_res *r)
{
    const char *s = json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));

    return s != NULL ? s : "";
}

static const char *wa_field(const wa_res *r)
{
    const char *s = json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));

    return s != NULL ? s : "";
}

/* Expect an error answer (status, code) and free it. */
static void wa_expect_error(wa_res *r, int status, const char *code)
{
    if (r->status != status || strcmp(wa_code(r), code) != 0)
        fail_msg("expected %d %s, got %d %s", status, code, r->status, r->body);
    wa_done(r);
}

/* member.name of the answer as an integer. */
static long long wa_int(const wa_res *r, const char *member, const char *name)
{
    json_t *v = json_object_get(json_object_get(r->json, member), name);

    if (!json_is_integer(v))
        fail_msg("%s.%s is not an integer in %s", member, name, r->body);
    return json_integer_value(v);
}

static const char *wa_str(const wa_res *r, const char *member, const char *name)
{
    const char *s = json_string_value(json_object_get(json_object_get(r->json, member), name));

    if (s == NULL)
        fail_msg("%s.%s is not a string in %s", member, name, r->body);
    return s;
}

/* The time pair of an object: the text must be format_time_us(ts_us). */
static void wa_check_time(const wa_res *r, const char *member, const char *name)
{
    char want[TIME_FORMAT_SIZE];

    assert_int_equal(format_time_us(wa_int(r, member, "ts_us"), want, sizeof(want)), TIME_FORMAT_LEN);
    assert_string_equal(wa_str(r, member, name), want);
}

/* ---- the database ---------------------------------------------------- */

static PGconn *wa_db;

/* The first column of the first row of sql with text params, as a
 * number; -1 when there is no row. */
static long long wa_scalar(const char *sql, int n, const char *const *params)
{
    PGresult *res = PQexecParams(wa_db, sql, n, NULL, params, NULL, NULL, 0);
    long long v = -1;

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(wa_db));
    if (PQntuples(res) > 0)
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return v;
}

static long long wa_scalar1(const char *sql, long long a)
{
    char t[24];
    const char *p[1] = {t};

    snprintf(t, sizeof(t), "%lld", a);
    return wa_scalar(sql, 1, p);
}

/* ---- users ----------------------------------------------------------- */

typedef struct wa_user {
    long long id;
    char handle[40];
    char token[TOKEN_MAX_LEN + 1];
} wa_user;

static void wa_handle(char *out, size_t cap, const char *prefix)
{
    static unsigned n;

    snprintf(out, cap, "%s_%x%x_%u", prefix, (unsigned)time(NULL) & 0xfffff, (unsigned)rand() & 0xffff, n++);
}

static void wa_new_user(wa_user *u, const char *prefix)
{
    char body[128];
    wa_res r;

    wa_handle(u->handle, sizeof(u->handle), prefix);
    snprintf(body, sizeof(body), "{\"handle\":\"%s\",\"display_name\":\"User %s\"}", u->handle, prefix);
    wa("POST", "/v1/users", NULL, NULL, body, &r);
    if (r.status != 201)
        fail_msg("create user: %d %s", r.status, r.body);
    u->id = wa_int(&r, "user", "id");
    snprintf(u->token, sizeof(u->token), "%s", json_string_value(json_object_get(r.json, "token")));
    wa_done(&r);
}

static int wa_setup(void **state)
{
    (void)state;
    wa_db = PQconnectdb(te_pg_conninfo());
    if (PQstatus(wa_db) != CONNECTION_OK)
        fail_msg("PostgreSQL at %s: %s", te_pg_conninfo(), PQerrorMessage(wa_db));
    return 0;
}

static int wa_teardown(void **state)
{
    (void)state;
    PQfinish(wa_db);
    return 0;
}

static void test_users(void **state)
{
    char handle[40], body[512], path[64], want_token[TOKEN_MAX_LEN + 1];
    token_key key;
    wa_res r;
    long long id, ts;
    size_t n;

    (void)state;
    wa_port = wa_up(te_pg_conninfo());
    wa_handle(handle, sizeof(handle), "u");
    snprintf(body, sizeof(body), "{\"handle\":\"%s\",\"display_name\":\"Ana \\u00e9 \\\"q\\\" \\ud83d\\ude00\"}",
             handle);
    wa("POST", "/v1/users", NULL, NULL, body, &r);
    assert_int_equal(r.status, 201);
    id = wa_int(&r, "user", "id");
    ts = wa_int(&r, "user", "ts_us");
    assert_string_equal(wa_str(&r, "user", "handle"), handle);
    assert_string_equal(wa_str(&r, "user", "display_name"), "Ana \xc3\xa9 \"q\" \xf0\x9f\x98\x80");
    wa_check_time(&r, "user", "created_at");
    /* the token: this user's, expiring created_at + the default 30 days */
    assert_int_equal(token_key_init(&key, WA_SECRET, strlen(WA_SECRET)), 0);
    assert_int_equal(token_sign(&key, id, ts / 1000000 + 2592000, want_token, sizeof(want_token), &n), TOKEN_OK);
    assert_string_equal(json_string_value(json_object_get(r.json, "token")), want_token);
    wa_done(&r);
    {
        const char *p[2] = {handle, NULL};
        char ids[24];
        snprintf(ids, sizeof(ids), "%lld", id);
        p[1] = ids;
        assert_int_equal(wa_scalar("SELECT count(*) FROM users WHERE handle = $1 AND id = $2::bigint "
                                   "AND display_name = 'Ana é \"q\" 😀'",
                                   2, p),
                         1);
    }
    /* GET it back, with counts */
    snprintf(path, sizeof(path), "/v1/users/%lld", id);
    wa("GET", path, want_token, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(wa_int(&r, "user", "id"), id);
    assert_int_equal(wa_int(&r, "user", "ts_us"), ts);
    assert_int_equal(wa_int(&r, "user", "followers_count"), 0);
    assert_int_equal(wa_int(&r, "user", "followees_count"), 0);
    wa_check_time(&r, "user", "created_at");
    wa_done(&r);
    /* conflicts and bad bodies */
    wa("POST", "/v1/users", NULL, NULL, body, &r);
    assert_string_equal(wa_field(&r), "handle");
    wa_expect_error(&r, 409, "handle_taken");
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":", &r);
    wa_expect_error(&r, 400, "invalid_json");
    wa("POST", "/v1/users", NULL, NULL, "[1]", &r);
    wa_expect_error(&r, 400, "invalid_body");
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":7,\"display_name\":\"x\"}", &r);
    assert_string_equal(wa_field(&r), "handle");
    wa_expect_error(&r, 400, "invalid_type");
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":\"abc\",\"display_name\":\"x\",\"admin\":true}", &r);
    assert_string_equal(wa_field(&r), "admin");
    wa_expect_error(&r, 400, "unknown_field");
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":\"abc\"}", &r);
    assert_string_equal(wa_field(&r), "display_name");
    wa_expect_error(&r, 400, "missing_field");
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":\"Bad Handle\",\"display_name\":\"x\"}", &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":\"abc\",\"display_name\":\"\xff\xfe\"}", &r);
    wa_expect_error(&r, 400, "invalid_json");
    memset(body, 'n', sizeof(body));
    memcpy(body, "{\"handle\":\"abc\",\"display_name\":\"", 32);
    memcpy(body + 32 + 65, "\"}", 3); /* 65 characters */
    wa("POST", "/v1/users", NULL, NULL, body, &r);
    assert_string_equal(wa_field(&r), "display_name");
    wa_expect_error(&r, 400, "invalid_value");
    /* ids and tokens */
    wa("GET", "/v1/users/999999999999", want_token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "user_not_found");
    wa("GET", "/v1/users/-1", want_token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("GET", "/v1/users/007", want_token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("GET", "/v1/users/99999999999999999999", want_token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("GET", path, NULL, NULL, NULL, &r);
    wa_expect_error(&r, 401, "unauthorized");
    want_token[strlen(want_token) - 1] = want_token[strlen(want_token) - 1] == 'A' ? 'B' : 'A';
    wa("GET", path, want_token, NULL, NULL, &r);
    wa_expect_error(&r, 401, "unauthorized");
    wa_test_end(NULL);
}

static void test_follows(void **state)
{
    wa_user a, b;
    char path[96];
    wa_res r;
    long long fid;

    (void)state;
    wa_port = wa_up(te_pg_conninfo());
    wa_new_user(&a, "fa");
    wa_new_user(&b, "fb");
    snprintf(path, sizeof(path), "/v1/users/%lld/follow", b.id);
    wa("POST", path, a.token, NULL, NULL, &r);
    assert_int_equal(r.status, 201);
    fid = wa_int(&r, "follow", "id");
    assert_int_equal(wa_int(&r, "follow", "follower_id"), a.id);
    assert_int_equal(wa_int(&r, "follow", "followee_id"), b.id);
    {
        char want[32];
        snprintf(want, sizeof(want), "f:%lld", fid);
        assert_string_equal(wa_str(&r, "follow", "activity_id"), want);
    }
    wa_check_time(&r, "follow", "created_at");
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT follower_id FROM follows WHERE id = $1::bigint", fid), a.id);
    wa("POST", path, a.token, NULL, "{}", &r);
    wa_expect_error(&r, 409, "already_following");
    wa("POST", path, a.token, NULL, "{\"x\":1}", &r);
    wa_expect_error(&r, 400, "unknown_field");
    wa("POST", path, NULL, NULL, NULL, &r);
    wa_expect_error(&r, 401, "unauthorized");
    snprintf(path, sizeof(path), "/v1/users/%lld/follow", a.id);
    wa("POST", path, a.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "self_follow");
    wa("POST", "/v1/users/999999999999/follow", a.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "user_not_found");
    wa("POST", "/v1/users/0/follow", a.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_value");
    /* counts */
    snprintf(path, sizeof(path), "/v1/users/%lld", b.id);
    wa("GET", path, a.token, NULL, NULL, &r);
    assert_int_equal(wa_int(&r, "user", "followers_count"), 1);
    assert_int_equal(wa_int(&r, "user", "followees_count"), 0);
    wa_done(&r);
    /* unfollow */
    snprintf(path, sizeof(path), "/v1/users/%lld/follow", b.id);
    wa("DELETE", path, a.token, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM follows WHERE id = $1::bigint", fid), 0);
    wa("DELETE", path, a.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "not_following");
    wa_test_end(NULL);
}

static void test_posts_comments_likes(void **state)
{
    char path[96], big[5200];
    wa_user a, b;
    wa_res r;
    long long pid, cid, lid;

    (void)state;
    wa_port = wa_up(te_pg_conninfo());
    wa_new_user(&a, "pa");
    wa_new_user(&b, "pb");
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":\"hello\\n\\tworld \\\"x\\\"\"}", &r);
    assert_int_equal(r.status, 201);
    pid = wa_int(&r, "post", "id");
    assert_int_equal(wa_int(&r, "post", "author_id"), a.id);
    assert_string_equal(wa_str(&r, "post", "body"), "hello\n\tworld \"x\"");
    wa_check_time(&r, "post", "created_at");
    wa_done(&r);
    assert_int_equal(
        wa_scalar1("SELECT author_id FROM posts WHERE id = $1::bigint AND body = E'hello\\n\\tworld \"x\"'", pid),
        a.id);
    /* bodies refused */
    memset(big, 'x', sizeof(big));
    memcpy(big, "{\"body\":\"", 9);
    memcpy(big + 9 + 5001, "\"}", 3);
    wa("POST", "/v1/posts", a.token, NULL, big, &r);
    assert_string_equal(wa_field(&r), "body");
    wa_expect_error(&r, 400, "invalid_value");
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":\"bell\\u0007\"}", &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":\"\"}", &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":[\"x\"]}", &r);
    wa_expect_error(&r, 400, "invalid_type");
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":\"a\xc3\"}", &r);
    wa_expect_error(&r, 400, "invalid_json");
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":\"x\",\"body\":\"y\"}", &r);
    wa_expect_error(&r, 400, "invalid_json");
    {
        /* a token for a user that does not exist (signed with the secret) */
        char ghost[TOKEN_MAX_LEN + 1];
        token_key key;
        size_t n;
        assert_int_equal(token_key_init(&key, WA_SECRET, strlen(WA_SECRET)), 0);
        assert_int_equal(token_sign(&key, INT64_MAX, (int64_t)time(NULL) + 600, ghost, sizeof(ghost), &n), TOKEN_OK);
        wa("POST", "/v1/posts", ghost, NULL, "{\"body\":\"ghost\"}", &r);
        wa_expect_error(&r, 404, "user_not_found");
    }
    /* comment and like by b */
    snprintf(path, sizeof(path), "/v1/posts/%lld/comments", pid);
    wa("POST", path, b.token, NULL, "{\"body\":\"nice\"}", &r);
    assert_int_equal(r.status, 201);
    cid = wa_int(&r, "comment", "id");
    assert_int_equal(wa_int(&r, "comment", "post_id"), pid);
    assert_int_equal(wa_int(&r, "comment", "post_author_id"), a.id);
    assert_int_equal(wa_int(&r, "comment", "author_id"), b.id);
    wa_check_time(&r, "comment", "created_at");
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT post_author_id FROM comments WHERE id = $1::bigint", cid), a.id);
    memset(big, 'y', sizeof(big));
    memcpy(big, "{\"body\":\"", 9);
    memcpy(big + 9 + 2001, "\"}", 3);
    wa("POST", path, b.token, NULL, big, &r);
    wa_expect_error(&r, 400, "invalid_value");
    wa("POST", "/v1/posts/999999999999/comments", b.token, NULL, "{\"body\":\"nice\"}", &r);
    wa_expect_error(&r, 404, "post_not_found");
    snprintf(path, sizeof(path), "/v1/posts/%lld/like", pid);
    wa("POST", path, b.token, NULL, NULL, &r);
    assert_int_equal(r.status, 201);
    lid = wa_int(&r, "like", "id");
    assert_int_equal(wa_int(&r, "like", "post_author_id"), a.id);
    assert_int_equal(wa_int(&r, "like", "user_id"), b.id);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT user_id FROM likes WHERE id = $1::bigint", lid), b.id);
    wa("POST", path, b.token, NULL, NULL, &r);
    wa_expect_error(&r, 409, "already_liked");
    wa("POST", "/v1/posts/999999999999/like", b.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "post_not_found");
    /* counts */
    snprintf(path, sizeof(path), "/v1/posts/%lld", pid);
    wa("GET", path, b.token, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(wa_int(&r, "post", "like_count"), 1);
    assert_int_equal(wa_int(&r, "post", "comment_count"), 1);
    wa_check_time(&r, "post", "created_at");
    wa_done(&r);
    /* only authors delete */
    wa("DELETE", path, b.token, NULL, NULL, &r);
    wa_expect_error(&r, 403, "forbidden");
    assert_int_equal(wa_scalar1("SELECT count(*) FROM posts WHERE id = $1::bigint", pid), 1);
    snprintf(path, sizeof(path), "/v1/comments/%lld", cid);
    wa("DELETE", path, a.token, NULL, NULL, &r);
    wa_expect_error(&r, 403, "forbidden");
    wa("DELETE", path, b.token, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM comments WHERE id = $1::bigint", cid), 0);
    wa("DELETE", path, b.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "comment_not_found");
    snprintf(path, sizeof(path), "/v1/posts/%lld/like", pid);
    wa("DELETE", path, b.token, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    wa_done(&r);
    wa("DELETE", path, b.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "not_liked");
    /* a new like and comment, then the post goes and takes them along */
    wa("POST", path, b.token, NULL, NULL, &r);
    assert_int_equal(r.status, 201);
    wa_done(&r);
    snprintf(path, sizeof(path), "/v1/posts/%lld", pid);
    wa("DELETE", path, a.token, NULL, NULL, &r);
    assert_int_equal(r.status, 204);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM posts WHERE id = $1::bigint", pid), 0);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM likes WHERE post_id = $1::bigint", pid), 0);
    wa("DELETE", path, a.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "post_not_found");
    wa("GET", path, a.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "post_not_found");
    wa_test_end(NULL);
}

/* Concurrent retries of one key: every connection sends at once. */
#define WA_RACERS 8

static void test_idempotency(void **state)
{
    char key[64], body[128], first[sizeof(((wa_res *)0)->body)], big_key[300];
    tc_conn c[WA_RACERS];
    wa_res r, rr;
    wa_user a;
    int i;

    (void)state;
    wa_port = wa_up(te_pg_conninfo());
    wa_new_user(&a, "ia");
    snprintf(key, sizeof(key), "post-%s", a.handle);
    snprintf(body, sizeof(body), "{\"body\":\"once %s\"}", a.handle);
    wa("POST", "/v1/posts", a.token, key, body, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.replayed, "");
    snprintf(first, sizeof(first), "%s", r.body);
    wa_done(&r);
    for (i = 0; i < 2; i++) {
        wa("POST", "/v1/posts", a.token, key, body, &r);
        assert_int_equal(r.status, 201);
        assert_string_equal(r.replayed, "true");
        assert_string_equal(r.body, first);
        wa_done(&r);
    }
    assert_int_equal(wa_scalar1("SELECT count(*) FROM posts WHERE author_id = $1::bigint", a.id), 1);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM idempotency_keys WHERE user_id = $1::bigint", a.id), 1);
    /* the same key for another request */
    wa("POST", "/v1/posts", a.token, key, "{\"body\":\"something else\"}", &r);
    wa_expect_error(&r, 422, "idempotency_key_reused");
    snprintf(body, sizeof(body), "/v1/users/%lld/follow", a.id + 1000000000LL);
    wa("POST", body, a.token, key, NULL, &r);
    wa_expect_error(&r, 422, "idempotency_key_reused");
    /* keys are per user: another user may use the same key */
    {
        wa_user b;
        wa_new_user(&b, "ib");
        wa("POST", "/v1/posts", b.token, key, "{\"body\":\"b's\"}", &r);
        assert_int_equal(r.status, 201);
        assert_string_equal(r.replayed, "");
        wa_done(&r);
    }
    /* bad keys */
    wa("POST", "/v1/posts", a.token, "", "{\"body\":\"x\"}", &r);
    wa_expect_error(&r, 400, "invalid_value");
    memset(big_key, 'k', 256);
    big_key[256] = '\0';
    wa("POST", "/v1/posts", a.token, big_key, "{\"body\":\"x\"}", &r);
    wa_expect_error(&r, 400, "invalid_value");
    big_key[255] = '\0';
    wa("POST", "/v1/posts", a.token, big_key, "{\"body\":\"255\"}", &r);
    assert_int_equal(r.status, 201);
    wa_done(&r);
    /* a refused write stores no key: the retry is evaluated again */
    wa("POST", "/v1/posts/999999999999/like", a.token, "like-missing", NULL, &r);
    wa_expect_error(&r, 404, "post_not_found");
    wa("POST", "/v1/posts/999999999999/like", a.token, "like-missing", NULL, &r);
    wa_expect_error(&r, 404, "post_not_found");
    {
        const char *p[1] = {"like-missing"};
        assert_int_equal(wa_scalar("SELECT count(*) FROM idempotency_keys WHERE key = $1", 1, p), 0);
    }
    /* sign-up replays carry the same token */
    {
        char handle[40];
        wa_handle(handle, sizeof(handle), "iu");
        snprintf(body, sizeof(body), "{\"handle\":\"%s\",\"display_name\":\"x\"}", handle);
        wa("POST", "/v1/users", NULL, handle, body, &r);
        assert_int_equal(r.status, 201);
        wa("POST", "/v1/users", NULL, handle, body, &rr);
        assert_int_equal(rr.status, 201);
        assert_string_equal(rr.replayed, "true");
        assert_string_equal(rr.body, r.body);
        assert_non_null(strstr(r.body, "\"token\":\"v1."));
        wa_done(&r);
        wa_done(&rr);
    }
    /* concurrent retries: all at once, one row, one answer */
    snprintf(key, sizeof(key), "race-%s", a.handle);
    snprintf(body, sizeof(body), "{\"body\":\"race %s\"}", a.handle);
    for (i = 0; i < WA_RACERS; i++)
        tc_connect(&c[i], wa_port, 10000);
    for (i = 0; i < WA_RACERS; i++)
        wa_send(&c[i], "POST", "/v1/posts", a.token, key, body, strlen(body));
    first[0] = '\0';
    for (i = 0; i < WA_RACERS; i++) {
        wa_recv(&c[i], &r);
        assert_int_equal(r.status, 201);
        if (first[0] == '\0')
            snprintf(first, sizeof(first), "%s", r.body);
        assert_string_equal(r.body, first);
        wa_done(&r);
        tc_close(&c[i]);
    }
    {
        const char *p[1] = {body};
        char text[128];
        snprintf(text, sizeof(text), "race %s", a.handle);
        p[0] = text;
        assert_int_equal(wa_scalar("SELECT count(*) FROM posts WHERE body = $1", 1, p), 1);
    }
    wa_test_end(NULL);
}

/* Make the key (user id, key) look `age` old (an SQL interval), as if
 * that much time had passed since its write. */
static void wa_backdate_key(const char *user_id, const char *key, const char *age)
{
    const char *p[3] = {user_id, key, age};

    assert_int_equal(wa_scalar("WITH u AS (UPDATE idempotency_keys SET created_at = now() - $3::interval "
                               "WHERE user_id = $1::bigint AND key = $2 RETURNING 1) SELECT count(*) FROM u",
                               3, p),
                     1);
}

/* Keys expire after the TTL (24 h by default): a retry after that is a
 * new request; each keyed write also sweeps two expired keys of anyone.
 * Time is moved by backdating created_at, not by waiting. */
static void test_idempotency_expiry(void **state)
{
    char key[64], body[128], first[sizeof(((wa_res *)0)->body)], id[24];
    const char *kp[2] = {id, key};
    wa_res r;
    wa_user a;
    int i;

    (void)state;
    wa_port = wa_up(te_pg_conninfo());
    wa_new_user(&a, "ie");
    snprintf(id, sizeof(id), "%lld", a.id);
    snprintf(key, sizeof(key), "exp-%s", a.handle);
    snprintf(body, sizeof(body), "{\"body\":\"expiring %s\"}", a.handle);
    wa("POST", "/v1/posts", a.token, key, body, &r);
    assert_int_equal(r.status, 201);
    snprintf(first, sizeof(first), "%s", r.body);
    wa_done(&r);
    /* just inside the TTL: still the first answer */
    wa_backdate_key(id, key, "23 hours 59 minutes");
    wa("POST", "/v1/posts", a.token, key, body, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.replayed, "true");
    assert_string_equal(r.body, first);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM posts WHERE author_id = $1::bigint", a.id), 1);
    /* past it: a new request, a second post, the key taken afresh */
    wa_backdate_key(id, key, "24 hours 1 second");
    wa("POST", "/v1/posts", a.token, key, body, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.replayed, "");
    assert_string_not_equal(r.body, first);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM posts WHERE author_id = $1::bigint", a.id), 2);
    assert_int_equal(wa_scalar("SELECT count(*) FROM idempotency_keys WHERE user_id = $1::bigint "
                               "AND key = $2 AND created_at > now() - interval '1 minute'",
                               2, kp),
                     1);
    /* and the fresh key replays again */
    wa("POST", "/v1/posts", a.token, key, body, &r);
    assert_string_equal(r.replayed, "true");
    wa_done(&r);
    /* the sweep: six keys expired years ago are gone after three keyed
     * writes (two each), while a write without a key sweeps nothing */
    assert_int_equal(wa_scalar("WITH i AS (INSERT INTO idempotency_keys (user_id, key, request_hash, "
                               "status, response, created_at) SELECT $1::bigint, 'old-' || g, '\\x00', "
                               "201, '{}', now() - interval '10 years' - g * interval '1 second' "
                               "FROM generate_series(1, 6) g RETURNING 1) SELECT count(*) FROM i",
                               1, kp),
                     6);
    wa("POST", "/v1/posts", a.token, NULL, "{\"body\":\"no key\"}", &r);
    assert_int_equal(r.status, 201);
    wa_done(&r);
    assert_int_equal(wa_scalar1("SELECT count(*) FROM idempotency_keys WHERE user_id = $1::bigint "
                                "AND key LIKE 'old-%'",
                                a.id),
                     6);
    for (i = 0; i < 3; i++) {
        char k[32];
        snprintf(k, sizeof(k), "sweep-%d", i);
        wa("POST", "/v1/posts", a.token, k, "{\"body\":\"sweeping\"}", &r);
        assert_int_equal(r.status, 201);
        wa_done(&r);
        assert_int_equal(wa_scalar1("SELECT count(*) FROM idempotency_keys WHERE user_id = $1::bigint "
                                    "AND key LIKE 'old-%'",
                                    a.id),
                         4 - 2 * i);
    }
    wa_test_end(NULL);
}

/* Collect one page's user ids into ids[*n]; returns the next cursor
 * (static storage) or NULL. */
static const char *wa_page(const char *path, const char *token, long long *ids, int *n)
{
    static char next[256];
    json_t *users, *u, *nc;
    wa_res r;
    size_t i;

    wa("GET", path, token, NULL, NULL, &r);
    if (r.status != 200)
        fail_msg("%s: %d %s", path, r.status, r.body);
    users = json_object_get(r.json, "users");
    assert_true(json_is_array(users));
    json_array_foreach(users, i, u)
    {
        char want[TIME_FORMAT_SIZE];
        ids[(*n)++] = json_integer_value(json_object_get(u, "id"));
        assert_int_equal(format_time_us(json_integer_value(json_object_get(u, "ts_us")), want, sizeof(want)),
                         TIME_FORMAT_LEN);
        assert_string_equal(json_string_value(json_object_get(u, "followed_at")), want);
    }
    nc = json_object_get(r.json, "next_cursor");
    if (json_is_null(nc)) {
        wa_done(&r);
        return NULL;
    }
    assert_true(json_is_string(nc));
    snprintf(next, sizeof(next), "%s", json_string_value(nc));
    wa_done(&r);
    return next;
}

static void test_follow_pagination(void **state)
{
    wa_user t, f[9];
    long long ids[32];
    char path[512], fpath[96];
    const char *next;
    wa_res r;
    int i, n = 0, pages = 0;

    (void)state;
    wa_port = wa_up(te_pg_conninfo());
    wa_new_user(&t, "pt");
    snprintf(fpath, sizeof(fpath), "/v1/users/%lld/follow", t.id);
    for (i = 0; i < 9; i++) {
        wa_new_user(&f[i], "pf");
        if (i < 5) {
            wa("POST", fpath, f[i].token, NULL, NULL, &r);
            assert_int_equal(r.status, 201);
            wa_done(&r);
        }
    }
    /* walk 2 by 2, following t with one more user between pages */
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=2", t.id);
    next = wa_page(path, t.token, ids, &n);
    while (next != NULL) {
        for (i = 5 + 2 * pages; i < 7 + 2 * pages && i < 9; i++) {
            wa("POST", fpath, f[i].token, NULL, NULL, &r);
            assert_int_equal(r.status, 201);
            wa_done(&r);
        }
        pages++;
        snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=2&cursor=%s", t.id, next);
        next = wa_page(path, t.token, ids, &n);
    }
    /* exactly the five that existed, newest first: no repeat, no skip */
    assert_int_equal(pages, 2);
    assert_int_equal(n, 5);
    for (i = 0; i < 5; i++)
        assert_int_equal(ids[i], f[4 - i].id);
    /* a fresh walk sees all nine */
    n = 0;
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=100", t.id);
    assert_null(wa_page(path, t.token, ids, &n));
    assert_int_equal(n, 9);
    for (i = 0; i < 9; i++)
        assert_int_equal(ids[i], f[8 - i].id);
    /* followees of one follower */
    n = 0;
    snprintf(path, sizeof(path), "/v1/users/%lld/followees", f[0].id);
    assert_null(wa_page(path, t.token, ids, &n));
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], t.id);
    /* limits and cursors */
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=1000", t.id);
    n = 0;
    assert_null(wa_page(path, t.token, ids, &n)); /* capped at 100, all 9 fit */
    assert_int_equal(n, 9);
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=0", t.id);
    wa("GET", path, t.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_value");
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=9999999999", t.id);
    wa("GET", path, t.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_value");
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?limit=1", t.id);
    n = 0;
    next = wa_page(path, t.token, ids, &n);
    assert_non_null(next);
    snprintf(path, sizeof(path), "/v1/users/%lld/followees?cursor=%s", t.id, next); /* another list */
    wa("GET", path, t.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_cursor");
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?cursor=%s", f[0].id, next); /* another user */
    wa("GET", path, t.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_cursor");
    snprintf(path, sizeof(path), "/v1/users/%lld/followers?cursor=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
             t.id);
    wa("GET", path, t.token, NULL, NULL, &r);
    wa_expect_error(&r, 400, "invalid_cursor");
    wa("GET", "/v1/users/999999999999/followers", t.token, NULL, NULL, &r);
    wa_expect_error(&r, 404, "user_not_found");
    /* an empty list */
    n = 0;
    snprintf(path, sizeof(path), "/v1/users/%lld/followees", t.id);
    assert_null(wa_page(path, t.token, ids, &n));
    assert_int_equal(n, 0);
    wa_test_end(NULL);
}

/* PostgreSQL unreachable (a port bound by us and never listening):
 * writes and PostgreSQL reads are 503 with Retry-After; what needs no
 * database (401, 400) is answered as usual; the server keeps serving. */
static void test_postgres_down(void **state)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    char dsn[256], token[TOKEN_MAX_LEN + 1];
    token_key key;
    wa_res r;
    size_t n;
    int fd, i;

    (void)state;
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
    snprintf(dsn, sizeof(dsn), "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=2",
             ntohs(sa.sin_port));
    wa_port = wa_up(dsn);
    assert_int_equal(token_key_init(&key, WA_SECRET, strlen(WA_SECRET)), 0);
    assert_int_equal(token_sign(&key, 1, (int64_t)time(NULL) + 600, token, sizeof(token), &n), TOKEN_OK);
    for (i = 0; i < 3; i++) {
        wa("POST", "/v1/posts", token, "k", "{\"body\":\"x\"}", &r);
        assert_string_equal(r.retry_after, "1");
        wa_expect_error(&r, 503, "store_unavailable");
    }
    wa("POST", "/v1/users", NULL, NULL, "{\"handle\":\"nobody\",\"display_name\":\"x\"}", &r);
    wa_expect_error(&r, 503, "store_unavailable");
    wa("POST", "/v1/users/2/follow", token, NULL, NULL, &r);
    wa_expect_error(&r, 503, "store_unavailable");
    wa("DELETE", "/v1/posts/2", token, NULL, NULL, &r);
    wa_expect_error(&r, 503, "store_unavailable");
    wa("GET", "/v1/users/1", token, NULL, NULL, &r);
    wa_expect_error(&r, 503, "store_unavailable");
    wa("GET", "/v1/users/1/followers", token, NULL, NULL, &r);
    wa_expect_error(&r, 503, "store_unavailable");
    wa("POST", "/v1/posts", NULL, NULL, "{\"body\":\"x\"}", &r);
    wa_expect_error(&r, 401, "unauthorized");
    wa("POST", "/v1/posts", token, NULL, "{\"body\":1}", &r);
    wa_expect_error(&r, 400, "invalid_type");
    wa("GET", "/healthz", NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    wa_done(&r);
    wa_test_end(NULL);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_users, wa_test_end),
        cmocka_unit_test_teardown(test_follows, wa_test_end),
        cmocka_unit_test_teardown(test_posts_comments_likes, wa_test_end),
        cmocka_unit_test_teardown(test_idempotency, wa_test_end),
        cmocka_unit_test_teardown(test_idempotency_expiry, wa_test_end),
        cmocka_unit_test_teardown(test_follow_pagination, wa_test_end),
        cmocka_unit_test_teardown(test_postgres_down, wa_test_end),
    };
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    return cmocka_run_group_tests(tests, wa_setup, wa_teardown);
}
