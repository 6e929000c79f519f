/* test_api_scenario.c: the whole service driven only through its public
 * API, then checked end to end by the oracle.
 *
 * Users register, follow, post, comment and like; every activity is
 * undone once (unfollow, unlike, comment and post deletes); a home feed
 * is walked page by page while new posts arrive; POSTs are retried with
 * the same Idempotency-Key. Then the test waits until the pipeline has
 * caught up (tools/chaos/catch_up.h: a marker row, the job's progress,
 * the job's Kafka consumer-group lag; never a fixed sleep) and requires
 * build/bin/feedcheck, which recomputes every feed from PostgreSQL and
 * compares Cassandra and Redis with it, to report zero differences.
 *
 * The API is the stack's, at 127.0.0.1:$FEED_API_PORT (18080 by default). */
#include <inttypes.h>
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
#include <jansson.h>
#include <libpq-fe.h>

#include "api/tests/support/test_env.h"
#include "tools/chaos/api_client.h"
#include "tools/chaos/catch_up.h"
#include "tools/chaos/oracle.h"

#define SC_USERS 4
#define SC_WALK_POSTS 30
#define SC_PAGE 7

typedef struct sc_user {
    int64_t id;
    char token[512];
} sc_user;

typedef struct sc_ctx {
    hc_conn conn;
    char stamp[16];
    unsigned seq;
    sc_user u[SC_USERS]; /* ana, bob, cy, dee */
} sc_ctx;

enum { ANA, BOB, CY, DEE };

/* ---- helpers ------------------------------------------------------------- */

/* sc_call: one API call that must get want_status; returns the result
 * (caller frees). body is stolen. A fresh Idempotency-Key goes on POSTs. */
static ac_result sc_call(sc_ctx *c, int user, const char *method, const char *path, json_t *body, int want_status)
{
    char key[64], what[256];
    ac_result res;

    snprintf(key, sizeof key, "sc-%s-%u", c->stamp, ++c->seq);
    ac_call(&c->conn, method, path, user >= 0 ? c->u[user].token : NULL, strcmp(method, "POST") == 0 ? key : NULL, body,
            &res);
    json_decref(body);
    if (res.status != want_status)
        fail_msg("%s %s: got %s (%s), wanted %d", method, path, ac_describe(&res, what, sizeof what), res.detail,
                 want_status);
    return res;
}

static int64_t sc_create(sc_ctx *c, int user, const char *path, const char *object, json_t *body)
{
    ac_result res = sc_call(c, user, "POST", path, body, 201);
    int64_t id = ac_get_id(&res, object, "id");
    ac_result_free(&res);
    assert_true(id > 0);
    return id;
}

static void sc_no_content(sc_ctx *c, int user, const char *method, const char *path)
{
    ac_result res = sc_call(c, user, method, path, NULL, 204);
    ac_result_free(&res);
}

static int64_t sc_post(sc_ctx *c, int user, const char *text)
{
    char body[128];
    snprintf(body, sizeof body, "%s %s %u", text, c->stamp, c->seq);
    return sc_create(c, user, "/v1/posts", "post", json_pack("{s:s}", "body", body));
}

static void sc_follow(sc_ctx *c, int who, int whom)
{
    char path[64];
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", c->u[whom].id);
    sc_create(c, who, path, "follow", json_object());
}

/* sc_page: one page of a feed; returns the JSON document (caller decrefs). */
static json_t *sc_page(sc_ctx *c, int user, const char *feed, const char *cursor, int limit)
{
    char path[512];
    ac_result res;
    json_t *doc;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/%s?limit=%d%s%s", c->u[user].id, feed, limit,
             cursor ? "&cursor=" : "", cursor ? cursor : "");
    res = sc_call(c, user, "GET", path, NULL, 200);
    doc = json_incref(res.json);
    ac_result_free(&res);
    assert_non_null(json_object_get(doc, "items"));
    return doc;
}

static int64_t sc_pg_count(const char *sql, const char *param)
{
    PGconn *pg = PQconnectdb(te_pg_conninfo());
    const char *params[1] = {param};
    PGresult *res;
    int64_t n;

    if (PQstatus(pg) != CONNECTION_OK)
        fail_msg("postgres: %s", PQerrorMessage(pg));
    res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(pg);
    return n;
}

static void sc_caught_up(void)
{
    cu_config cfg;
    cu_report rep;
    cu_config_from_env(&cfg);
    cfg.deadline_ms = 120000;
    if (cu_wait(&cfg, &rep) != 0)
        fail_msg("%s", rep.err);
    print_message("caught up in %.1f s (marker seen after %.1f s)\n", rep.total_ms / 1000.0, rep.marker_ms / 1000.0);
}

/* ---- set-up ----------------------------------------------------------------- */

static int sc_setup(void **state)
{
    static const char *const names[SC_USERS] = {"ana", "bob", "cy", "dee"};
    sc_ctx *c = calloc(1, sizeof *c);
    int port = te_env_port("FEED_API_PORT", 18080);

    assert_non_null(c);
    snprintf(c->stamp, sizeof c->stamp, "%x", (unsigned)(time(NULL) ^ ((unsigned)getpid() << 12)));
    hc_init(&c->conn, "127.0.0.1", port, 10000);
    for (int i = 0; i < SC_USERS; i++) {
        char handle[40];
        ac_result res;
        snprintf(handle, sizeof handle, "sc%s_%s", c->stamp, names[i]);
        res = sc_call(c, -1, "POST", "/v1/users", json_pack("{s:s,s:s}", "handle", handle, "display_name", names[i]),
                      201);
        c->u[i].id = ac_get_id(&res, "user", "id");
        assert_non_null(ac_get_str(&res, NULL, "token"));
        snprintf(c->u[i].token, sizeof c->u[i].token, "%s", ac_get_str(&res, NULL, "token"));
        ac_result_free(&res);
        assert_true(c->u[i].id > 0);
    }
    *state = c;
    return 0;
}

static int sc_teardown(void **state)
{
    sc_ctx *c = *state;
    if (c == NULL)
        return 0;
    hc_close(&c->conn);
    free(c);
    return 0;
}

/* ---- the scenario --------------------------------------------------------------- */

/* The same Idempotency-Key twice: one row, the first answer replayed; the
 * same key on another request is refused. */
static void test_idempotent_retries(void **state)
{
    sc_ctx *c = *state;
    char key[64], body[96], what[128];
    ac_result first, again, other;
    json_t *doc;

    snprintf(key, sizeof key, "sc-%s-retry", c->stamp);
    snprintf(body, sizeof body, "retried post %s", c->stamp);
    doc = json_pack("{s:s}", "body", body);
    ac_call(&c->conn, "POST", "/v1/posts", c->u[ANA].token, key, doc, &first);
    ac_call(&c->conn, "POST", "/v1/posts", c->u[ANA].token, key, doc, &again);
    json_decref(doc);
    assert_int_equal(first.status, 201);
    if (again.status != 201)
        fail_msg("retry: %s", ac_describe(&again, what, sizeof what));
    assert_true(again.replayed);
    assert_false(first.replayed);
    assert_true(ac_get_id(&first, "post", "id") == ac_get_id(&again, "post", "id"));
    assert_int_equal(sc_pg_count("SELECT count(*) FROM posts WHERE body = $1", body), 1);
    doc = json_pack("{s:s}", "body", "another body");
    ac_call(&c->conn, "POST", "/v1/posts", c->u[ANA].token, key, doc, &other);
    json_decref(doc);
    assert_int_equal(other.status, 422);
    assert_string_equal(other.code, "idempotency_key_reused");
    assert_int_equal(sc_pg_count("SELECT count(*) FROM posts WHERE body = $1", "another body"), 0);
    ac_result_free(&first);
    ac_result_free(&again);
    ac_result_free(&other);
}

/* Every verb, then every undo; the oracle judges the feeds at the end. */
static void test_activities_and_undos(void **state)
{
    sc_ctx *c = *state;
    char path[96];
    int64_t p_bob, p_cy, p_gone, cm_keep, cm_gone;

    sc_follow(c, ANA, BOB);
    sc_follow(c, ANA, CY);
    sc_follow(c, CY, BOB);
    sc_follow(c, DEE, ANA);
    sc_follow(c, DEE, BOB); /* undone below */
    p_bob = sc_post(c, BOB, "bob says");
    p_cy = sc_post(c, CY, "cy says");
    p_gone = sc_post(c, BOB, "bob regrets");
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/comments", p_bob);
    cm_keep = sc_create(c, ANA, path, "comment", json_pack("{s:s}", "body", "nice"));
    cm_gone = sc_create(c, CY, path, "comment", json_pack("{s:s}", "body", "meh"));
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/comments", p_gone);
    sc_create(c, ANA, path, "comment", json_pack("{s:s}", "body", "on a post that goes"));
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", p_bob);
    sc_create(c, ANA, path, "like", json_object());
    sc_create(c, CY, path, "like", json_object()); /* undone below */
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", p_cy);
    sc_create(c, DEE, path, "like", json_object());
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", p_gone);
    sc_create(c, DEE, path, "like", json_object());
    sc_create(c, ANA, path, "like", json_object());
    {
        ac_result again;
        snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", p_bob);
        again = sc_call(c, ANA, "POST", path, json_object(), 409); /* a second like (new key): refused */
        assert_string_equal(again.code, "already_liked");
        ac_result_free(&again);
    }

    /* Every undo. */
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", c->u[BOB].id);
    sc_no_content(c, DEE, "DELETE", path);
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", p_bob);
    sc_no_content(c, CY, "DELETE", path);
    snprintf(path, sizeof path, "/v1/comments/%" PRId64, cm_gone);
    {
        ac_result r = sc_call(c, ANA, "DELETE", path, NULL, 403); /* not ana's comment */
        ac_result_free(&r);
    }
    sc_no_content(c, CY, "DELETE", path);
    snprintf(path, sizeof path, "/v1/posts/%" PRId64, p_gone); /* cascades to its comment and likes */
    sc_no_content(c, BOB, "DELETE", path);
    {
        ac_result r = sc_call(c, BOB, "DELETE", path, NULL, 404);
        ac_result_free(&r);
    }
    snprintf(path, sizeof path, "%" PRId64, p_gone);
    assert_int_equal(sc_pg_count("SELECT count(*) FROM comments WHERE post_id = $1::bigint", path), 0);
    assert_int_equal(sc_pg_count("SELECT count(*) FROM likes WHERE post_id = $1::bigint", path), 0);
    snprintf(path, sizeof path, "%" PRId64, cm_keep);
    assert_int_equal(sc_pg_count("SELECT count(*) FROM comments WHERE id = $1::bigint", path), 1);
}

/* Walk ana's home page by page while bob keeps posting: every item that
 * was in the feed when the walk began comes exactly once, in order. */
static void test_pagination_while_writing(void **state)
{
    sc_ctx *c = *state;
    json_t *before, *page, *seen = json_object();
    const char *cursor = NULL;
    char *cursor_copy = NULL;
    size_t next_expected = 0, i;
    json_t *item;
    int pages = 0;

    for (int k = 0; k < SC_WALK_POSTS; k++)
        sc_post(c, k % 2 ? BOB : CY, "walk item");
    sc_caught_up();
    before = sc_page(c, ANA, "home", NULL, 100);
    assert_true(json_array_size(json_object_get(before, "items")) >= SC_WALK_POSTS);
    do {
        page = sc_page(c, ANA, "home", cursor, SC_PAGE);
        json_array_foreach(json_object_get(page, "items"), i, item)
        {
            const char *id = json_string_value(json_object_get(item, "id"));
            assert_non_null(id);
            if (json_object_get(seen, id) != NULL)
                fail_msg("item %s came twice in the walk", id);
            json_object_set_new(seen, id, json_true());
            /* Items of the snapshot come in its order, none skipped. */
            for (size_t k = next_expected; k < json_array_size(json_object_get(before, "items")); k++) {
                const char *want =
                    json_string_value(json_object_get(json_array_get(json_object_get(before, "items"), k), "id"));
                if (strcmp(want, id) == 0) {
                    if (k != next_expected)
                        fail_msg("the walk skipped %s (got %s)",
                                 json_string_value(json_object_get(
                                     json_array_get(json_object_get(before, "items"), next_expected), "id")),
                                 id);
                    next_expected = k + 1;
                    break;
                }
            }
        }
        free(cursor_copy);
        cursor_copy = json_is_string(json_object_get(page, "next_cursor"))
                          ? strdup(json_string_value(json_object_get(page, "next_cursor")))
                          : NULL;
        cursor = cursor_copy;
        json_decref(page);
        sc_post(c, BOB, "written during the walk"); /* lands at the head, behind the walk */
        pages++;
    } while (cursor != NULL && pages < 100);
    assert_int_equal(next_expected, json_array_size(json_object_get(before, "items")));
    print_message("walked %d pages of %d, %zu items at the start\n", pages, SC_PAGE, next_expected);
    json_decref(before);
    json_decref(seen);
}

/* Last: caught up, the oracle finds every feed as PostgreSQL says. */
static void test_feedcheck_after_catch_up(void **state)
{
    sc_ctx *c = *state;
    char users[SC_USERS * 24];
    size_t n = 0;
    oc_config cfg;
    oc_result res;

    sc_caught_up();
    oc_config_from_env(&cfg);
    /* Only the scenario's users: other integration programs of the same
     * run write rows of made-up users straight into Cassandra (the read
     * path's tests), which no feed computed from PostgreSQL contains. */
    for (int i = 0; i < SC_USERS; i++)
        n += (size_t)snprintf(users + n, sizeof users - n, "%s%" PRId64, i ? "," : "", c->u[i].id);
    cfg.users = users;
    oc_run(&cfg, &res);
    print_message("feedcheck: exit %d: %s\n", res.exit_code, res.summary);
    if (res.exit_code != 0)
        fail_msg("feedcheck (%s) exit %d:\n%s", cfg.feedcheck, res.exit_code, res.output);
    oc_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idempotent_retries),
        cmocka_unit_test(test_activities_and_undos),
        cmocka_unit_test(test_pagination_while_writing),
        cmocka_unit_test(test_feedcheck_after_catch_up),
    };
    return cmocka_run_group_tests_name("api_scenario", tests, sc_setup, sc_teardown);
}
