/* test_unseen.c: the exact unseen counts (read/unseen.h) against the real
 * stack: in the first page of the home and notification reads, and in
 * the streams' "unseen" events as the feeds and the markers change.
 *
 * feed-api runs in-process against the stack's PostgreSQL, Redis and
 * Cassandra, the stack's Flink job carrying the writes: the whole
 * pipeline must be up (`bin/feedctl start`), as `make test` has it.
 *
 *   - notifications: 3 posts liked by 2, 3 and 2 users (3 groups, 7
 *     activities): the stream's counts reach 3/7, as do the page's; the
 *     marker PUT at the second group of the feed (by "another device": a
 *     plain request) reaches the open stream as 1/<the newest group's
 *     actors>; a like in the group below the marker changes nothing, one
 *     in the newest group adds one; only the first page has the counts;
 *   - home: the follow, then two posts of the followee (1, 2, 3), marked
 *     seen at the first post: the stream and the page say 1; a third
 *     post: 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <hiredis/hiredis.h>
#include <jansson.h>

#include "api/src/app/app.h"
#include "api/tests/support/test_app_thread.h"
#include "api/tests/support/test_client.h"
#include "api/tests/support/test_env.h"
#include "api/tests/support/test_sse.h"

#define FS_SECRET "feed stream test secret, 32 bytes"
/* the pipeline's freshness is ~1 s; a checkpoint can add some, and a
 * machine loaded by other work much more */
#define FS_EVENT_WAIT_MS 30000

/* ---- the server ------------------------------------------------------ */

static char fs_dsn[512], fs_redis[64], fs_cass[64];
static tat_app fs_srv;
static int fs_port;

static const char *fs_env(const char *name)
{
    if (strcmp(name, "FEED_PG_DSN") == 0)
        return fs_dsn;
    if (strcmp(name, "FEED_REDIS_ADDR") == 0)
        return fs_redis;
    if (strcmp(name, "FEED_CASSANDRA_CONTACT_POINTS") == 0)
        return fs_cass;
    if (strcmp(name, "FEED_API_SECRET") == 0)
        return FS_SECRET;
    if (strcmp(name, "FEED_API_STREAM_BUFFER") == 0)
        return "8192";
    if (strcmp(name, "FEED_API_STREAM_HEARTBEAT_MS") == 0)
        return "200";
    if (strcmp(name, "FEED_API_WWW_DIR") == 0)
        return "api/www"; /* tests run from the repository's top folder */
    return NULL;
}

static uint64_t fs_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int fs_setup(void **state)
{
    char *argv[] = {"feed-api", "--threads", "2", "--log-level", "warn", "--listen", "127.0.0.1:0", NULL};
    char err[256];

    (void)state;
    snprintf(fs_dsn, sizeof(fs_dsn), "%s", te_pg_conninfo());
    snprintf(fs_redis, sizeof(fs_redis), "127.0.0.1:%d", te_redis_port());
    snprintf(fs_cass, sizeof(fs_cass), "127.0.0.1:%d", te_cassandra_port());
    memset(&fs_srv, 0, sizeof(fs_srv));
    assert_int_equal(app_config_parse(&fs_srv.cfg, 7, argv, fs_env, err, sizeof(err)), APP_CONFIG_OK);
    fs_port = tat_start(&fs_srv, 10000);
    assert_true(fs_port > 0);
    return 0;
}

/* ---- plain requests --------------------------------------------------- */

typedef struct fs_res {
    int status;
    json_t *json; /* or NULL */
} fs_res;

static void fs_req(const char *method, const char *path, const char *token, const char *body, fs_res *r)
{
    char head[2048];
    size_t len = body != NULL ? strlen(body) : 0;
    tc_response resp;
    tc_conn c;
    int n;

    n = snprintf(head, sizeof(head), "%s %s HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n%s%s%s\r\n", method, path,
                 len, token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
    assert_true(n > 0 && (size_t)n < sizeof(head));
    tc_connect(&c, fs_port, 10000);
    tc_send(&c, head, (size_t)n);
    if (len > 0)
        tc_send(&c, body, len);
    assert_int_equal(tc_read(&c, &resp), 0);
    r->status = resp.status;
    r->json = resp.body_len > 0 ? json_loads(resp.body, 0, NULL) : NULL;
    tc_response_free(&resp);
    tc_close(&c);
}

typedef struct fs_user {
    long long id;
    char token[256];
} fs_user;

static void fs_signup(fs_user *u, const char *name)
{
    char body[256];
    fs_res r;

    snprintf(body, sizeof(body), "{\"handle\":\"%s%ld%d\",\"display_name\":\"%s\"}", name, (long)time(NULL) % 100000,
             rand() % 100000, name);
    fs_req("POST", "/v1/users", NULL, body, &r);
    assert_int_equal(r.status, 201);
    u->id = json_integer_value(json_object_get(json_object_get(r.json, "user"), "id"));
    snprintf(u->token, sizeof(u->token), "%s", json_string_value(json_object_get(r.json, "token")));
    json_decref(r.json);
}

static void fs_follow(const fs_user *a, const fs_user *b)
{
    char path[128];
    fs_res r;

    snprintf(path, sizeof(path), "/v1/users/%lld/follow", b->id);
    fs_req("POST", path, a->token, NULL, &r);
    assert_int_equal(r.status, 201);
    json_decref(r.json);
}

/* Post as u; returns the activity id ("p:<id>") in out. */
static void fs_post(const fs_user *u, const char *text, char *out, size_t cap)
{
    json_t *body = json_pack("{s:s}", "body", text);
    char *s = json_dumps(body, JSON_COMPACT);
    fs_res r;

    fs_req("POST", "/v1/posts", u->token, s, &r);
    free(s);
    json_decref(body);
    assert_int_equal(r.status, 201);
    snprintf(out, cap, "%s", json_string_value(json_object_get(json_object_get(r.json, "post"), "activity_id")));
    json_decref(r.json);
}

/* ---- unseen counts ------------------------------------------------------------ */

/* Wait on c for an "unseen" event of exactly items/activities, skipping
 * others (items, earlier counts); fails the test after FS_EVENT_WAIT_MS,
 * naming the last counts seen. */
static void un_wait(sse_client *c, long long items, long long activities)
{
    uint64_t deadline = fs_now_ms() + FS_EVENT_WAIT_MS;
    long long last_i = -1, last_a = -1;
    sse_ev e;
    json_t *j;
    int rc;

    while (fs_now_ms() < deadline) {
        rc = sse_next_item(c, &e, (int)(deadline - fs_now_ms()));
        if (rc < 0)
            fail_msg("the stream ended while waiting for unseen %lld/%lld", items, activities);
        if (rc == 0)
            break;
        if (strcmp(e.event, "unseen") == 0) {
            j = json_loads(e.data, 0, NULL);
            assert_non_null(j);
            assert_int_equal(json_object_size(j), 2);
            last_i = json_integer_value(json_object_get(j, "items"));
            last_a = json_integer_value(json_object_get(j, "activities"));
            assert_string_equal(e.id, ""); /* a count is no position: the resume point stays */
            json_decref(j);
            if (last_i == items && last_a == activities) {
                sse_ev_free(&e);
                return;
            }
        }
        sse_ev_free(&e);
    }
    fail_msg("no unseen %lld/%lld within %d ms (last: %lld/%lld)", items, activities, FS_EVENT_WAIT_MS, last_i, last_a);
}

/* The first page of limit items: its JSON (the caller decrefs). */
static json_t *un_first(const fs_user *u, const char *feed, int limit)
{
    char path[160];
    fs_res r;

    snprintf(path, sizeof(path), "/v1/users/%lld/%s?limit=%d", u->id, feed, limit);
    fs_req("GET", path, u->token, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    return r.json;
}

/* The page's "unseen" (first page) or its absence (-1, -1). */
static void un_page(const fs_user *u, const char *feed, const char *at, long long *items, long long *activities)
{
    char path[512];
    json_t *un;
    fs_res r;

    snprintf(path, sizeof(path), "/v1/users/%lld/%s?limit=2%s%s", u->id, feed, at ? "&cursor=" : "", at ? at : "");
    fs_req("GET", path, u->token, NULL, &r);
    assert_int_equal(r.status, 200);
    un = json_object_get(r.json, "unseen");
    *items = *activities = -1;
    if (un != NULL) {
        assert_true(json_is_object(un));
        *items = json_integer_value(json_object_get(un, "items"));
        *activities = json_integer_value(json_object_get(un, "activities"));
    }
    if (at == NULL && json_is_string(json_object_get(r.json, "next_cursor"))) {
        /* the next page has none */
        long long i2, a2;
        char next[256];
        snprintf(next, sizeof(next), "%s", json_string_value(json_object_get(r.json, "next_cursor")));
        un_page(u, feed, next, &i2, &a2);
        assert_int_equal(i2, -1);
        assert_int_equal(a2, -1);
    }
    json_decref(r.json);
}

/* PUT the marker; the answer's counts. */
static void un_mark(const fs_user *u, const char *timeline, const char *at, long long *items, long long *activities)
{
    char path[128], body[256];
    json_t *un;
    fs_res r;

    snprintf(path, sizeof(path), "/v1/users/%lld/markers/%s", u->id, timeline);
    snprintf(body, sizeof(body), "{\"cursor\":\"%s\"}", at);
    fs_req("PUT", path, u->token, body, &r);
    assert_int_equal(r.status, 200);
    un = json_object_get(r.json, "unseen");
    *items = json_integer_value(json_object_get(un, "items"));
    *activities = json_integer_value(json_object_get(un, "activities"));
    json_decref(r.json);
}

static void un_like(const fs_user *u, const char *activity_id)
{
    char path[128];
    fs_res r;

    snprintf(path, sizeof(path), "/v1/posts/%s/like", activity_id + 2);
    fs_req("POST", path, u->token, NULL, &r);
    assert_int_equal(r.status, 201);
    json_decref(r.json);
}

static void test_notifications_unseen(void **state)
{
    fs_user a, b, c, d, e;
    sse_client s;
    char path[128], p1[64], p2[64], p3[64], marker[256], top_post[64], low_post[64];
    const char *posts[3] = {p1, p2, p3};
    long long items, acts, top_acts;
    json_t *page, *g;
    int k;

    (void)state;
    fs_signup(&a, "ua");
    fs_signup(&b, "ub");
    fs_signup(&c, "uc");
    fs_signup(&d, "ud");
    fs_signup(&e, "ue");
    snprintf(path, sizeof(path), "/v1/users/%lld/notifications/stream", a.id);
    assert_int_equal(sse_open(&s, fs_port, path, a.token, NULL, 0), 200);
    un_wait(&s, 0, 0); /* the counts once live */
    fs_post(&a, "one", p1, sizeof(p1));
    fs_post(&a, "two", p2, sizeof(p2));
    fs_post(&a, "three", p3, sizeof(p3));
    /* 3 groups (one per post's likes), 7 activities */
    un_like(&b, p1);
    un_like(&c, p1);
    un_wait(&s, 1, 2);
    un_like(&b, p2);
    un_wait(&s, 2, 3);
    un_like(&c, p2);
    un_like(&d, p2);
    un_like(&b, p3);
    un_like(&d, p3);
    un_wait(&s, 3, 7);
    un_page(&a, "notifications", NULL, &items, &acts);
    assert_int_equal(items, 3);
    assert_int_equal(acts, 7);

    /* seen up to the second group of the feed (its order is by window
     * start and group id, not by creation): the page of 2 ends there */
    page = un_first(&a, "notifications", 2);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 2);
    snprintf(marker, sizeof(marker), "%s", json_string_value(json_object_get(page, "next_cursor")));
    g = json_array_get(json_object_get(page, "items"), 0);
    top_acts = json_integer_value(json_object_get(g, "actor_count"));
    snprintf(top_post, sizeof(top_post), "%s", json_string_value(json_object_get(g, "object_id")));
    low_post[0] = '\0';
    for (k = 0; k < 3; k++) {
        size_t i, below = 1;
        for (i = 0; i < 2; i++)
            if (strcmp(
                    json_string_value(json_object_get(json_array_get(json_object_get(page, "items"), i), "object_id")),
                    posts[k]) == 0)
                below = 0;
        if (below)
            snprintf(low_post, sizeof(low_post), "%s", posts[k]);
    }
    json_decref(page);
    assert_true(top_acts == 2 || top_acts == 3);
    assert_true(low_post[0] != '\0');
    /* from "another device" (a plain request): the open stream hears it */
    un_mark(&a, "notifications", marker, &items, &acts);
    assert_int_equal(items, 1);
    assert_int_equal(acts, top_acts);
    un_wait(&s, 1, top_acts);
    un_page(&a, "notifications", NULL, &items, &acts);
    assert_int_equal(items, 1);
    assert_int_equal(acts, top_acts);

    /* a like in a group below the marker is not unseen; one in the newest group is */
    un_like(&e, low_post);
    un_like(&e, top_post);
    un_wait(&s, 1, top_acts + 1);
    un_page(&a, "notifications", NULL, &items, &acts);
    assert_int_equal(items, 1);
    assert_int_equal(acts, top_acts + 1);
    sse_close(&s);
}

static void test_home_unseen(void **state)
{
    fs_user a, b;
    sse_client s;
    char path[128], q1[64], q2[64], q3[64], marker[256];
    long long items, acts;
    json_t *page;

    (void)state;
    fs_signup(&a, "ha");
    fs_signup(&b, "hb");
    fs_follow(&a, &b);
    snprintf(path, sizeof(path), "/v1/users/%lld/home/stream", a.id);
    assert_int_equal(sse_open(&s, fs_port, path, a.token, NULL, 0), 200);
    /* the follow itself is in a's home (an activity of a's), alone */
    un_wait(&s, 1, 1);
    un_page(&a, "home", NULL, &items, &acts);
    assert_int_equal(items, 1);
    assert_int_equal(acts, 1);
    fs_post(&b, "first", q1, sizeof(q1));
    un_wait(&s, 2, 2);
    fs_post(&b, "second", q2, sizeof(q2));
    un_wait(&s, 3, 3);
    /* seen up to the first post: the page of 2 (second, first) ends there */
    page = un_first(&a, "home", 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(page, "items"), 1), "id")),
                        q1);
    snprintf(marker, sizeof(marker), "%s", json_string_value(json_object_get(page, "next_cursor")));
    json_decref(page);
    un_mark(&a, "home", marker, &items, &acts);
    assert_int_equal(items, 1);
    assert_int_equal(acts, 1);
    un_wait(&s, 1, 1);
    un_page(&a, "home", NULL, &items, &acts);
    assert_int_equal(items, 1);
    fs_post(&b, "third", q3, sizeof(q3));
    un_wait(&s, 2, 2);
    un_page(&a, "home", NULL, &items, &acts);
    assert_int_equal(items, 2);
    assert_int_equal(acts, 2);
    sse_close(&s);
}

/* A profile has no marker: no counts in its page or stream. */
static void test_profile_has_none(void **state)
{
    fs_user a;
    long long items, acts;

    (void)state;
    fs_signup(&a, "pa");
    un_page(&a, "profile", NULL, &items, &acts);
    assert_int_equal(items, -1);
    assert_int_equal(acts, -1);
}

/* The server, then its stores connected (/readyz 200): a loaded machine
 * can take a while to connect the PostgreSQL pool, and a request before
 * that is a 503. */
static int un_setup(void **state)
{
    uint64_t deadline;
    fs_res r;

    fs_setup(state);
    deadline = fs_now_ms() + 30000;
    for (;;) {
        fs_req("GET", "/readyz", NULL, NULL, &r);
        json_decref(r.json);
        if (r.status == 200)
            return 0;
        if (fs_now_ms() > deadline)
            fail_msg("the server's stores did not connect within 30 s (/readyz %d)", r.status);
        ts_sleep_ms(200);
    }
}

static int un_teardown(void **state)
{
    (void)state;
    assert_int_equal(kill(getpid(), SIGTERM), 0); /* app_run's signalfd */
    assert_int_equal(tat_join(&fs_srv), 0);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_notifications_unseen),
        cmocka_unit_test(test_home_unseen),
        cmocka_unit_test(test_profile_has_none),
    };

    sigset_t set;

    /* SIGTERM is for app_run's signalfd, not the default action */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    return cmocka_run_group_tests(tests, un_setup, un_teardown);
}
