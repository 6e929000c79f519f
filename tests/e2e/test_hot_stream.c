/* test_hot_stream.c: a hot account's items in its followers' HOME
 * STREAMS, live, end to end (api/README.md "Streams", "Hot accounts in a
 * home stream"; docs/DATA-MODEL.md "Hot accounts: live").
 *
 * The stack's job runs with a small hot threshold (tests/run-all sets
 * FEED_JOB_HOT_FOLLOWERS); HOT gets that many followers and more, so it
 * is hot, and its items are copied into no home: the reader R's home
 * stream gets them only through the live-follower path.
 *  - live: with R's home stream open, HOT's post arrives (and is not in
 *    R's stored home: merged, not copied), rendered as the home page
 *    renders it; a like by HOT arrives, and its undo is an "event:
 *    remove"; HOT's deleted post is an "event: remove";
 *  - resume: while HOT and a cold followee post in turns, R's stream is
 *    closed and reopened with Last-Event-ID (one time in four with
 *    ?after=<id>) every other round, and one of HOT's posts is deleted:
 *    against the home's page walk afterwards, every item posted is
 *    received exactly once (the deleted one at most once, and then its
 *    removal), nothing is received twice, nothing that the walk lacks;
 *  - not a follower: a user who does not follow HOT gets none of HOT's
 *    items in its home stream;
 *  - a follow of HOT while the home stream is open: the stream ends at
 *    its next heartbeat (its merge sources changed), the resume with
 *    Last-Event-ID brings HOT's post made meanwhile, once, and HOT's
 *    next post arrives live.
 * Waits are on the stream's events (bounded) and on the pipeline
 * (tools/chaos/catch_up.h), never a bare sleep. */
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

#include "api/tests/support/test_env.h"
#include "api/tests/support/test_sse.h"
#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"
#include "tests/e2e/e2e_env.h"
#include "tools/chaos/api_client.h"
#include "tools/chaos/catch_up.h"

#define HS_MAX_FOLLOWERS 40
#define HS_WAIT_MS 30000 /* the pipeline's freshness is ~1 s; a checkpoint or a loaded machine adds some */
#define HS_ROUNDS 12
#define HS_MAX_IDS 256

typedef struct hs_user {
    int64_t id;
    char token[512];
} hs_user;

typedef struct hs_ctx {
    hc_conn conn;
    cql_conn cql;
    int port;
    char stamp[16];
    unsigned seq;
    int nfollowers; /* the hot threshold + 1, R among them */
    hs_user hot, cold, reader, other, late;
    hs_user f[HS_MAX_FOLLOWERS];
} hs_ctx;

static ac_result hs_call(hs_ctx *c, const hs_user *u, const char *method, const char *path, json_t *body, int want)
{
    char key[64], what[256];
    ac_result res;

    snprintf(key, sizeof key, "hs-%s-%u", c->stamp, ++c->seq);
    ac_call(&c->conn, method, path, u ? u->token : NULL, strcmp(method, "POST") == 0 ? key : NULL, body, &res);
    json_decref(body);
    if (res.status != want)
        fail_msg("%s %s: got %s (%s), wanted %d", method, path, ac_describe(&res, what, sizeof what), res.detail, want);
    return res;
}

static void hs_signup(hs_ctx *c, hs_user *u, const char *name)
{
    char handle[48];
    ac_result res;

    snprintf(handle, sizeof handle, "hs%s_%s", c->stamp, name);
    res = hs_call(c, NULL, "POST", "/v1/users", json_pack("{s:s,s:s}", "handle", handle, "display_name", name), 201);
    u->id = ac_get_id(&res, "user", "id");
    snprintf(u->token, sizeof u->token, "%s", ac_get_str(&res, NULL, "token"));
    ac_result_free(&res);
    assert_true(u->id > 0);
}

/* Post as u; the activity id ("p:<id>") into out; the post id returned. */
static int64_t hs_post(hs_ctx *c, const hs_user *u, const char *text, char *out, size_t cap)
{
    char body[96];
    ac_result res;
    int64_t id;

    snprintf(body, sizeof body, "%s %s %u", text, c->stamp, c->seq);
    res = hs_call(c, u, "POST", "/v1/posts", json_pack("{s:s}", "body", body), 201);
    id = ac_get_id(&res, "post", "id");
    ac_result_free(&res);
    snprintf(out, cap, "p:%" PRId64, id);
    return id;
}

static void hs_follow(hs_ctx *c, const hs_user *who, const hs_user *whom)
{
    char path[64];
    ac_result res;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", whom->id);
    res = hs_call(c, who, "POST", path, json_object(), 201);
    ac_result_free(&res);
}

static void hs_no_content(hs_ctx *c, const hs_user *u, const char *method, const char *path)
{
    ac_result res = hs_call(c, u, method, path, NULL, 204);
    ac_result_free(&res);
}

static void hs_caught_up(void)
{
    cu_config cfg;
    cu_report rep;

    cu_config_from_env(&cfg);
    cfg.deadline_ms = 120000;
    if (cu_wait(&cfg, &rep) != 0)
        fail_msg("%s", rep.err);
}

/* Rows of (user, activity) in Cassandra home_feed: copies the job made. */
static int hs_stored_in_home(hs_ctx *c, int64_t user, const char *activity)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    cql_row_iter it;
    cql_value v[1];
    char q[160];
    int n = 0;

    snprintf(q, sizeof q, "SELECT activity_id FROM feed.home_feed WHERE user_id = %" PRId64, user);
    if (cql_conn_query(&c->cql, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
        fail_msg("%s: %s", q, c->cql.err.msg);
    cql_row_iter_init(&it, &resp.result.rows);
    while (cql_row_iter_next(&it, v, 1) == 1) {
        cql_slice id;
        if (cql_value_as_text(&v[0], &id, NULL) == CQL_OK && id.len == strlen(activity) &&
            memcmp(id.base, activity, id.len) == 0)
            n++;
    }
    return n;
}

/* One item of u's home page read, as JSON text (NULL when absent). */
static char *hs_home_item(hs_ctx *c, const hs_user *u, const char *id)
{
    char path[96];
    ac_result res;
    json_t *item;
    size_t i;
    char *out = NULL;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=50", u->id);
    res = hs_call(c, u, "GET", path, NULL, 200);
    json_array_foreach(json_object_get(res.json, "items"), i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "id")), id) == 0)
            out = json_dumps(item, JSON_COMPACT | JSON_SORT_KEYS);
    }
    ac_result_free(&res);
    return out;
}

/* The ids of u's home as served, every page of 7 (the walk), space-separated. */
static void hs_walk(hs_ctx *c, const hs_user *u, char *out, size_t cap)
{
    char path[512], *cursor = NULL;
    size_t len = 0;
    int pages = 0;

    out[0] = '\0';
    do {
        ac_result res;
        json_t *item, *next;
        size_t i;
        snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=7%s%s", u->id, cursor ? "&cursor=" : "",
                 cursor ? cursor : "");
        res = hs_call(c, u, "GET", path, NULL, 200);
        json_array_foreach(json_object_get(res.json, "items"), i, item)
        {
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " " : "",
                                    json_string_value(json_object_get(item, "id")));
            assert_true(len < cap);
        }
        next = json_object_get(res.json, "next_cursor");
        free(cursor);
        cursor = json_is_string(next) ? strdup(json_string_value(next)) : NULL;
        ac_result_free(&res);
        assert_true(++pages < 500);
    } while (cursor != NULL);
}

static int hs_has(const char *list, const char *id)
{
    size_t n = strlen(id);
    const char *p = list;

    while ((p = strstr(p, id)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

static void hs_stream_path(char *out, size_t cap, const hs_user *u)
{
    snprintf(out, cap, "/v1/users/%" PRId64 "/home/stream", u->id);
}

/* Open u's home stream (after: Last-Event-ID; as_query: as ?after=
 * instead), retrying a 503 (a store's hiccup) for a while. */
static void hs_open(hs_ctx *c, sse_client *s, const hs_user *u, const char *after, int as_query)
{
    char path[512];
    int64_t deadline = e2e_now_ms() + HS_WAIT_MS;
    int status;

    hs_stream_path(path, sizeof path, u);
    if (after != NULL && as_query) {
        size_t n = strlen(path);
        snprintf(path + n, sizeof path - n, "?after=%s", after);
    }
    while ((status = sse_open(s, c->port, path, u->token, as_query ? NULL : after, 0)) == 503 &&
           e2e_now_ms() < deadline) {
        sse_close(s);
        usleep(200000);
    }
    assert_int_equal(status, 200);
    s->skip_unseen = 1;
}

/* Wait for an event `event` ("" an item, "remove") of id on s; the event stays in *e. */
static void hs_wait(sse_client *s, const char *event, const char *want, sse_ev *e)
{
    int64_t deadline = e2e_now_ms() + HS_WAIT_MS;
    char id[64];

    while (e2e_now_ms() < deadline) {
        int rc = sse_next_item(s, e, (int)(deadline - e2e_now_ms()));
        if (rc < 0)
            fail_msg("the stream ended while waiting for %s", want);
        if (rc == 0)
            break;
        if (strcmp(e->event, event) == 0 && strcmp(sse_item_id(e, id, sizeof id), want) == 0)
            return;
        sse_ev_free(e);
    }
    fail_msg("no %s event for %s within %d ms", event[0] ? event : "item", want, HS_WAIT_MS);
}

static int hs_setup(void **state)
{
    hs_ctx *c = calloc(1, sizeof *c);
    const char *hot = getenv("FEED_JOB_HOT_FOLLOWERS");
    char any[32];

    assert_non_null(c);
    if (hot == NULL || atoi(hot) < 1 || atoi(hot) + 1 > HS_MAX_FOLLOWERS)
        fail_msg("FEED_JOB_HOT_FOLLOWERS must say the stack job's hot threshold (1..%d); tests/run-all sets it",
                 HS_MAX_FOLLOWERS - 1);
    c->nfollowers = atoi(hot) + 1;
    snprintf(c->stamp, sizeof c->stamp, "%x", (unsigned)(time(NULL) ^ ((unsigned)getpid() << 12)));
    c->port = te_env_port("FEED_API_PORT", 18080);
    hc_init(&c->conn, "127.0.0.1", c->port, 10000);
    cql_conn_init(&c->cql, 0);
    if (cql_conn_connect(&c->cql, "127.0.0.1", (uint16_t)te_cassandra_port(), 5000, 30000) != CQL_OK ||
        cql_conn_startup(&c->cql) != CQL_OK)
        fail_msg("cassandra: %s", c->cql.err.msg);
    hs_signup(c, &c->hot, "hot");
    hs_signup(c, &c->cold, "cold");
    hs_signup(c, &c->reader, "reader");
    hs_signup(c, &c->other, "other");
    hs_signup(c, &c->late, "late");
    (void)hs_post(c, &c->hot, "before", any, sizeof any);
    hs_follow(c, &c->reader, &c->cold);
    hs_follow(c, &c->other, &c->cold);
    hs_follow(c, &c->reader, &c->hot);
    for (int i = 1; i < c->nfollowers; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        hs_signup(c, &c->f[i], name);
        hs_follow(c, &c->f[i], &c->hot);
    }
    hs_caught_up(); /* HOT is hot: its next items are copied into no home */
    *state = c;
    return 0;
}

static int hs_teardown(void **state)
{
    hs_ctx *c = *state;

    if (c != NULL) {
        hc_close(&c->conn);
        cql_conn_close(&c->cql);
        free(c);
    }
    return 0;
}

static void test_a_hot_accounts_items_and_removals_reach_a_home_stream_live(void **state)
{
    hs_ctx *c = *state;
    char post[32], cold_post[32], like[32], path[96], *page;
    int64_t post_id, cold_id;
    sse_client s;
    sse_ev e;
    json_t *got, *want;
    ac_result res;

    hs_open(c, &s, &c->reader, NULL, 0);
    post_id = hs_post(c, &c->hot, "live", post, sizeof post);
    hs_wait(&s, "", post, &e);
    got = json_loads(e.data, 0, NULL);
    sse_ev_free(&e);
    assert_non_null(got);
    assert_int_equal(hs_stored_in_home(c, c->reader.id, post), 0); /* merged, not copied */
    /* rendered exactly as the home page renders it */
    page = hs_home_item(c, &c->reader, post);
    assert_non_null(page);
    want = json_loads(page, 0, NULL);
    assert_true(json_equal(got, want));
    free(page);
    json_decref(got);
    json_decref(want);

    /* a like by HOT (of the cold account's post) enters R's home, its undo leaves it */
    cold_id = hs_post(c, &c->cold, "to like", cold_post, sizeof cold_post);
    hs_wait(&s, "", cold_post, &e);
    sse_ev_free(&e);
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", cold_id);
    res = hs_call(c, &c->hot, "POST", path, json_object(), 201);
    snprintf(like, sizeof like, "l:%" PRId64, ac_get_id(&res, "like", "id"));
    ac_result_free(&res);
    hs_wait(&s, "", like, &e);
    sse_ev_free(&e);
    hs_no_content(c, &c->hot, "DELETE", path);
    hs_wait(&s, "remove", like, &e);
    sse_ev_free(&e);

    /* HOT's deleted post */
    snprintf(path, sizeof path, "/v1/posts/%" PRId64, post_id);
    hs_no_content(c, &c->hot, "DELETE", path);
    hs_wait(&s, "remove", post, &e);
    assert_true(e.id[0] != '\0');
    sse_ev_free(&e);
    sse_close(&s);
}

typedef struct hs_seen {
    char id[HS_MAX_IDS][32];
    int items[HS_MAX_IDS];   /* item events */
    int removes[HS_MAX_IDS]; /* remove events */
    int n;
} hs_seen;

static int hs_seen_slot(hs_seen *h, const char *id)
{
    for (int i = 0; i < h->n; i++) {
        if (strcmp(h->id[i], id) == 0)
            return i;
    }
    assert_true(h->n < HS_MAX_IDS);
    snprintf(h->id[h->n], sizeof h->id[0], "%s", id);
    return h->n++;
}

/* Read what s has within ms: items and removals counted, the last id
 * kept in last (the resume position). */
static void hs_drain(sse_client *s, hs_seen *h, char *last, size_t cap, int ms)
{
    int64_t deadline = e2e_now_ms() + ms;
    char id[64];
    sse_ev e;

    while (e2e_now_ms() < deadline) {
        int rc = sse_next_item(s, &e, (int)(deadline - e2e_now_ms()));
        if (rc < 0)
            fail_msg("the home stream ended");
        if (rc == 0)
            break;
        sse_item_id(&e, id, sizeof id);
        if (strcmp(e.event, "remove") == 0)
            h->removes[hs_seen_slot(h, id)]++;
        else if (e.event[0] == '\0')
            h->items[hs_seen_slot(h, id)]++;
        if (e.id[0] != '\0')
            snprintf(last, cap, "%s", e.id);
        sse_ev_free(&e);
    }
}

static void test_a_home_stream_resumes_a_hot_account_exactly(void **state)
{
    hs_ctx *c = *state;
    char posted[2 * HS_ROUNDS][32], deleted[32] = "", last[200] = "", walk[16384], path[96];
    int64_t hot_ids[HS_ROUNDS];
    int nposted = 0, reconnects = 0;
    hs_seen *h = calloc(1, sizeof *h);
    sse_client s;

    assert_non_null(h);
    hs_open(c, &s, &c->reader, NULL, 0);
    hs_drain(&s, h, last, sizeof last, 500); /* the backlog: the newest items */
    memset(h, 0, sizeof *h);                 /* what counts is from here */
    for (int r = 0; r < HS_ROUNDS; r++) {
        hot_ids[r] = hs_post(c, &c->hot, "round", posted[nposted], sizeof posted[0]);
        nposted++;
        (void)hs_post(c, &c->cold, "round", posted[nposted], sizeof posted[0]);
        nposted++;
        if (r == 4) { /* one of HOT's posts goes */
            snprintf(deleted, sizeof deleted, "p:%" PRId64, hot_ids[2]);
            snprintf(path, sizeof path, "/v1/posts/%" PRId64, hot_ids[2]);
            hs_no_content(c, &c->hot, "DELETE", path);
        }
        hs_drain(&s, h, last, sizeof last, 300);
        if (r % 2 == 1) {
            assert_true(last[0] != '\0');
            sse_close(&s);
            hs_open(c, &s, &c->reader, last, reconnects % 4 == 3);
            reconnects++;
        }
    }
    hs_caught_up();
    /* everything posted has reached the stream, or will within the wait */
    for (int64_t deadline = e2e_now_ms() + HS_WAIT_MS; e2e_now_ms() < deadline;) {
        int missing = 0;
        for (int i = 0; i < nposted; i++) {
            int k = hs_seen_slot(h, posted[i]);
            if (strcmp(posted[i], deleted) != 0 && h->items[k] == 0)
                missing++;
        }
        if (missing == 0)
            break;
        hs_drain(&s, h, last, sizeof last, 500);
    }
    hs_drain(&s, h, last, sizeof last, 1500); /* a repeat would come now */
    sse_close(&s);
    hs_walk(c, &c->reader, walk, sizeof walk);
    for (int i = 0; i < nposted; i++) {
        int k = hs_seen_slot(h, posted[i]);
        if (strcmp(posted[i], deleted) == 0) {
            if (h->items[k] > 1 || h->removes[k] > 1 || (h->items[k] == 1 && h->removes[k] != 1))
                fail_msg("the deleted %s: %d item events, %d removals", deleted, h->items[k], h->removes[k]);
            assert_false(hs_has(walk, deleted));
            continue;
        }
        if (h->items[k] != 1)
            fail_msg("%s (%s's) received %d times, wanted once", posted[i], i % 2 == 0 ? "HOT" : "COLD", h->items[k]);
        if (!hs_has(walk, posted[i]))
            fail_msg("%s is not in the home's walk [%s]", posted[i], walk);
    }
    for (int k = 0; k < h->n; k++) {
        if (h->items[k] > 1)
            fail_msg("%s received %d times", h->id[k], h->items[k]);
        if (h->items[k] > 0 && h->removes[k] == 0 && !hs_has(walk, h->id[k]))
            fail_msg("%s received, yet it is not in the home's walk [%s]", h->id[k], walk);
    }
    print_message("home stream of a follower of a hot and a cold account: %d posts in %d rounds, %d reconnects, "
                  "0 missing, 0 repeated\n",
                  nposted, HS_ROUNDS, reconnects);
    free(h);
}

static void test_a_non_follower_gets_none_of_a_hot_accounts_items(void **state)
{
    hs_ctx *c = *state;
    char hot_post[32], cold_post[32], id[64];
    sse_client s;
    sse_ev e;
    int rc;

    hs_open(c, &s, &c->other, NULL, 0);
    (void)hs_post(c, &c->hot, "not for other", hot_post, sizeof hot_post);
    (void)hs_post(c, &c->cold, "for other", cold_post, sizeof cold_post);
    hs_caught_up();
    /* the cold post arrives; HOT's never does (before it, or for a while after) */
    for (int64_t deadline = e2e_now_ms() + HS_WAIT_MS; e2e_now_ms() < deadline;) {
        rc = sse_next_item(&s, &e, (int)(deadline - e2e_now_ms()));
        assert_true(rc > 0);
        sse_item_id(&e, id, sizeof id);
        sse_ev_free(&e);
        assert_string_not_equal(id, hot_post);
        if (strcmp(id, cold_post) == 0)
            break;
    }
    while ((rc = sse_next_item(&s, &e, 1500)) > 0) {
        sse_item_id(&e, id, sizeof id);
        sse_ev_free(&e);
        assert_string_not_equal(id, hot_post);
    }
    sse_close(&s);
}

static void test_a_follow_of_a_hot_account_while_streaming(void **state)
{
    hs_ctx *c = *state;
    char cold_post[32], hot_post[32], hot_next[32], last[200] = "", id[64];
    int64_t deadline;
    sse_client s;
    sse_ev e;
    int rc, got = 0;

    hs_follow(c, &c->late, &c->cold);
    hs_caught_up();
    hs_open(c, &s, &c->late, NULL, 0);
    (void)hs_post(c, &c->cold, "before the follow", cold_post, sizeof cold_post);
    hs_wait(&s, "", cold_post, &e);
    snprintf(last, sizeof last, "%s", e.id);
    sse_ev_free(&e);
    hs_follow(c, &c->late, &c->hot); /* HOT is hot: a merge source, no copies */
    (void)hs_post(c, &c->hot, "after the follow", hot_post, sizeof hot_post);
    hs_caught_up();
    /* the stream ends at its next heartbeat (15 s by default); what it
     * sent before, it sent under ids that still resume */
    deadline = e2e_now_ms() + HS_WAIT_MS;
    while ((rc = sse_next(&s, &e, (int)(deadline > e2e_now_ms() ? deadline - e2e_now_ms() : 0))) > 0) {
        if (e.id[0] != '\0')
            snprintf(last, sizeof last, "%s", e.id);
        if (e.data != NULL && e.data[0] != '\0' && strcmp(sse_item_id(&e, id, sizeof id), hot_post) == 0)
            got++;
        sse_ev_free(&e);
    }
    if (rc == 0)
        fail_msg("the home stream did not end within %d ms of a change of its hot accounts", HS_WAIT_MS);
    sse_close(&s);
    hs_open(c, &s, &c->late, last, 0);
    if (got == 0) {
        hs_wait(&s, "", hot_post, &e);
        sse_ev_free(&e);
    }
    (void)hs_post(c, &c->hot, "live after the follow", hot_next, sizeof hot_next);
    deadline = e2e_now_ms() + HS_WAIT_MS;
    while (e2e_now_ms() < deadline) {
        rc = sse_next_item(&s, &e, (int)(deadline - e2e_now_ms()));
        assert_true(rc > 0);
        sse_item_id(&e, id, sizeof id);
        sse_ev_free(&e);
        assert_string_not_equal(id, hot_post); /* not again */
        if (strcmp(id, hot_next) == 0)
            break;
    }
    assert_string_equal(id, hot_next);
    assert_int_equal(hs_stored_in_home(c, c->late.id, hot_next), 0);
    sse_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_hot_accounts_items_and_removals_reach_a_home_stream_live),
        cmocka_unit_test(test_a_home_stream_resumes_a_hot_account_exactly),
        cmocka_unit_test(test_a_non_follower_gets_none_of_a_hot_accounts_items),
        cmocka_unit_test(test_a_follow_of_a_hot_account_while_streaming),
    };
    return cmocka_run_group_tests_name("hot_stream", tests, hs_setup, hs_teardown);
}
