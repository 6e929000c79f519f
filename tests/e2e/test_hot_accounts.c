/* test_hot_accounts.c: the hybrid fan-out end to end, through the API.
 *
 * The stack's job runs with a small hot threshold (tests/run-all sets
 * FEED_JOB_HOT_FOLLOWERS); this test gives one account, HOT, that many
 * followers and more, so HOT turns hot mid-way, and checks what a user
 * of the API sees (docs/DATA-MODEL.md "Hot accounts"):
 *  - a post HOT makes while hot is copied into no follower's stored home
 *    (Cassandra home_feed) and yet every follower's home page shows it;
 *    a post made before the turn is shown once (copied and merged);
 *  - a home walked page by page while HOT and a cold account post
 *    neither repeats nor skips an item;
 *  - a deleted post of HOT leaves every home; an unfollow of HOT takes
 *    all of HOT's items out of that home;
 *  - a user who follows HOT once it is hot sees its posts (the backfill
 *    rule, by merge);
 *  - caught up, feedcheck (which checks homes as served) finds nothing;
 *  - the first home page's unseen count is the number of served items
 *    newer than the read marker, both when the page reaches the marker
 *    (counted on the page) and when it does not (counted in Cassandra,
 *    the merged items included and a copied-and-merged one once).
 * Every wait is on the pipeline (tools/chaos/catch_up.h), never a sleep. */
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
#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"
#include "tools/chaos/api_client.h"
#include "tools/chaos/catch_up.h"
#include "tools/chaos/oracle.h"

#define HA_MAX_FOLLOWERS 40
#define HA_PAGE 3

typedef struct ha_user {
    int64_t id;
    char token[512];
} ha_user;

typedef struct ha_ctx {
    hc_conn conn;
    cql_conn cql;
    char stamp[16];
    unsigned seq;
    int nfollowers; /* the hot threshold + 2 */
    ha_user hot, cold, late;
    ha_user f[HA_MAX_FOLLOWERS];
} ha_ctx;

static ac_result ha_call(ha_ctx *c, const ha_user *u, const char *method, const char *path, json_t *body, int want)
{
    char key[64], what[256];
    ac_result res;

    snprintf(key, sizeof key, "ha-%s-%u", c->stamp, ++c->seq);
    ac_call(&c->conn, method, path, u ? u->token : NULL, strcmp(method, "POST") == 0 ? key : NULL, body, &res);
    json_decref(body);
    if (res.status != want)
        fail_msg("%s %s: got %s (%s), wanted %d", method, path, ac_describe(&res, what, sizeof what), res.detail, want);
    return res;
}

static void ha_signup(ha_ctx *c, ha_user *u, const char *name)
{
    char handle[48];
    ac_result res;

    snprintf(handle, sizeof handle, "ha%s_%s", c->stamp, name);
    res = ha_call(c, NULL, "POST", "/v1/users", json_pack("{s:s,s:s}", "handle", handle, "display_name", name), 201);
    u->id = ac_get_id(&res, "user", "id");
    snprintf(u->token, sizeof u->token, "%s", ac_get_str(&res, NULL, "token"));
    ac_result_free(&res);
    assert_true(u->id > 0);
}

static int64_t ha_post(ha_ctx *c, const ha_user *u, const char *text)
{
    char body[96];
    ac_result res;
    int64_t id;

    snprintf(body, sizeof body, "%s %s %u", text, c->stamp, c->seq);
    res = ha_call(c, u, "POST", "/v1/posts", json_pack("{s:s}", "body", body), 201);
    id = ac_get_id(&res, "post", "id");
    ac_result_free(&res);
    return id;
}

static void ha_follow(ha_ctx *c, const ha_user *who, const ha_user *whom)
{
    char path[64];
    ac_result res;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", whom->id);
    res = ha_call(c, who, "POST", path, json_object(), 201);
    ac_result_free(&res);
}

static void ha_no_content(ha_ctx *c, const ha_user *u, const char *method, const char *path)
{
    ac_result res = ha_call(c, u, method, path, NULL, 204);
    ac_result_free(&res);
}

static void ha_caught_up(void)
{
    cu_config cfg;
    cu_report rep;

    cu_config_from_env(&cfg);
    cfg.deadline_ms = 120000;
    if (cu_wait(&cfg, &rep) != 0)
        fail_msg("%s", rep.err);
}

/* The ids of u's home as served, all pages of `page`, space-separated. */
static void ha_home(ha_ctx *c, const ha_user *u, int page, char *out, size_t cap)
{
    char path[512], *cursor = NULL;
    size_t len = 0;
    int pages = 0;

    out[0] = '\0';
    do {
        ac_result res;
        json_t *item, *next;
        size_t i;
        snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=%d%s%s", u->id, page, cursor ? "&cursor=" : "",
                 cursor ? cursor : "");
        res = ha_call(c, u, "GET", path, NULL, 200);
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
        assert_true(++pages < 200);
    } while (cursor != NULL);
}

/* How many times id is a word of the space-separated list. */
static int ha_count(const char *list, const char *id)
{
    size_t n = strlen(id);
    const char *p = list;
    int k = 0;

    while ((p = strstr(p, id)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            k++;
        p += n;
    }
    return k;
}

static int ha_has(const char *list, const char *id)
{
    return ha_count(list, id) > 0;
}

/* Rows of (user, activity) in Cassandra home_feed: copies the job made. */
static int ha_stored_in_home(ha_ctx *c, int64_t user, const char *activity)
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

static int ha_setup(void **state)
{
    ha_ctx *c = calloc(1, sizeof *c);
    const char *hot = getenv("FEED_JOB_HOT_FOLLOWERS");

    assert_non_null(c);
    if (hot == NULL || atoi(hot) < 1 || atoi(hot) + 2 > HA_MAX_FOLLOWERS)
        fail_msg("FEED_JOB_HOT_FOLLOWERS must say the stack job's hot threshold (1..%d); tests/run-all sets it",
                 HA_MAX_FOLLOWERS - 2);
    c->nfollowers = atoi(hot) + 2;
    snprintf(c->stamp, sizeof c->stamp, "%x", (unsigned)(time(NULL) ^ ((unsigned)getpid() << 12)));
    hc_init(&c->conn, "127.0.0.1", te_env_port("FEED_API_PORT", 18080), 10000);
    cql_conn_init(&c->cql, 0);
    if (cql_conn_connect(&c->cql, "127.0.0.1", (uint16_t)te_cassandra_port(), 5000, 30000) != CQL_OK ||
        cql_conn_startup(&c->cql) != CQL_OK)
        fail_msg("cassandra: %s", c->cql.err.msg);
    ha_signup(c, &c->hot, "hot");
    ha_signup(c, &c->cold, "cold");
    ha_signup(c, &c->late, "late");
    for (int i = 0; i < c->nfollowers; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        ha_signup(c, &c->f[i], name);
    }
    *state = c;
    return 0;
}

static int ha_teardown(void **state)
{
    ha_ctx *c = *state;

    if (c != NULL) {
        hc_close(&c->conn);
        cql_conn_close(&c->cql);
        free(c);
    }
    return 0;
}

static void test_a_hot_accounts_posts_reach_every_home_without_copies(void **state)
{
    ha_ctx *c = *state;
    char before[32], during[32], home[8192];
    int64_t p_before, p_during;

    ha_follow(c, &c->f[0], &c->hot);
    p_before = ha_post(c, &c->hot, "before the turn"); /* HOT is cold: copied */
    /* Both in before the other follows: they travel other topics and
     * partitions, and the job could otherwise see HOT turn hot first. */
    ha_caught_up();
    for (int i = 1; i < c->nfollowers; i++)
        ha_follow(c, &c->f[i], &c->hot);
    ha_caught_up();
    p_during = ha_post(c, &c->hot, "while hot");
    ha_caught_up();
    snprintf(before, sizeof before, "p:%" PRId64, p_before);
    snprintf(during, sizeof during, "p:%" PRId64, p_during);
    for (int i = 0; i < c->nfollowers; i++) {
        ha_home(c, &c->f[i], 20, home, sizeof home);
        if (!ha_has(home, during) || !ha_has(home, before))
            fail_msg("follower %d's home [%s] lacks %s or %s", i, home, during, before);
        assert_int_equal(ha_stored_in_home(c, c->f[i].id, during), 0); /* merged, not copied */
    }
    /* f0 followed before the turn: the post was copied, and it is merged too; shown once */
    assert_int_equal(ha_stored_in_home(c, c->f[0].id, before), 1);
    ha_home(c, &c->f[0], 20, home, sizeof home);
    assert_int_equal(ha_count(home, before), 1);
}

static void test_walking_a_merged_home_neither_repeats_nor_skips(void **state)
{
    ha_ctx *c = *state;
    char snapshot[8192], walk[8192];

    ha_follow(c, &c->f[1], &c->cold);
    for (int k = 0; k < 8; k++)
        ha_post(c, k % 2 ? &c->hot : &c->cold, "walk");
    ha_caught_up();
    ha_home(c, &c->f[1], 100, snapshot, sizeof snapshot);
    ha_home(c, &c->f[1], HA_PAGE, walk, sizeof walk);
    assert_string_equal(walk, snapshot);
    print_message("home of a follower of a hot and a cold account, pages of %d: %s\n", HA_PAGE, walk);
}

static void test_undos_reach_merged_homes(void **state)
{
    ha_ctx *c = *state;
    char path[64], id[32], home[8192];
    int64_t p = ha_post(c, &c->hot, "to be deleted");

    ha_caught_up();
    snprintf(id, sizeof id, "p:%" PRId64, p);
    ha_home(c, &c->f[2], 100, home, sizeof home);
    assert_true(ha_has(home, id));
    snprintf(path, sizeof path, "/v1/posts/%" PRId64, p);
    ha_no_content(c, &c->hot, "DELETE", path);
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", c->hot.id);
    ha_no_content(c, &c->f[3], "DELETE", path);
    ha_caught_up();
    for (int i = 0; i < c->nfollowers; i++) {
        ha_home(c, &c->f[i], 100, home, sizeof home);
        if (ha_has(home, id))
            fail_msg("follower %d still sees the deleted %s", i, id);
    }
    ha_home(c, &c->f[3], 100, home, sizeof home);
    {
        /* f3 unfollowed HOT: none of HOT's items is left in its home */
        char profile_path[96];
        ac_result res;
        json_t *item;
        size_t i;
        snprintf(profile_path, sizeof profile_path, "/v1/users/%" PRId64 "/profile?limit=100", c->hot.id);
        res = ha_call(c, &c->f[3], "GET", profile_path, NULL, 200);
        json_array_foreach(json_object_get(res.json, "items"), i, item)
        {
            const char *hid = json_string_value(json_object_get(item, "id"));
            if (ha_has(home, hid))
                fail_msg("f3 unfollowed HOT, yet its home [%s] has HOT's %s", home, hid);
        }
        ac_result_free(&res);
    }
}

static void test_a_new_follower_of_a_hot_account_gets_its_backfill(void **state)
{
    ha_ctx *c = *state;
    char home[8192], profile_path[96];
    ac_result res;
    json_t *item;
    size_t i;

    ha_follow(c, &c->late, &c->hot);
    ha_caught_up();
    ha_home(c, &c->late, 5, home, sizeof home);
    snprintf(profile_path, sizeof profile_path, "/v1/users/%" PRId64 "/profile?limit=100", c->hot.id);
    res = ha_call(c, &c->late, "GET", profile_path, NULL, 200);
    json_array_foreach(json_object_get(res.json, "items"), i, item)
    {
        const char *hid = json_string_value(json_object_get(item, "id"));
        if (!ha_has(home, hid))
            fail_msg("a new follower's home [%s] lacks HOT's %s (backfill 100)", home, hid);
    }
    ac_result_free(&res);
}

static void test_feedcheck_finds_the_merged_homes_exact(void **state)
{
    ha_ctx *c = *state;
    char users[(HA_MAX_FOLLOWERS + 3) * 24];
    size_t n = 0;
    oc_config cfg;
    oc_result res;

    ha_caught_up();
    oc_config_from_env(&cfg);
    n += (size_t)snprintf(users + n, sizeof users - n, "%" PRId64 ",%" PRId64 ",%" PRId64, c->hot.id, c->cold.id,
                          c->late.id);
    for (int i = 0; i < c->nfollowers; i++)
        n += (size_t)snprintf(users + n, sizeof users - n, ",%" PRId64, c->f[i].id);
    cfg.users = users;
    oc_run(&cfg, &res);
    print_message("feedcheck: exit %d: %s\n", res.exit_code, res.summary);
    if (res.exit_code != 0)
        fail_msg("feedcheck (%s) exit %d:\n%s", cfg.feedcheck, res.exit_code, res.output);
    oc_result_free(&res);
}

/* The words of a space-separated list. */
static int ha_words(const char *list)
{
    int n = *list != '\0';

    for (; *list != '\0'; list++)
        n += *list == ' ';
    return n;
}

/* The first home page of `limit`: its unseen item count (activities must
 * be the same number in a home), and its next_cursor into next (may be
 * NULL) when there is one. */
static int64_t ha_unseen(ha_ctx *c, const ha_user *u, int limit, char *next, size_t cap)
{
    char path[96];
    ac_result res;
    json_t *unseen, *cursor;
    int64_t items;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=%d", u->id, limit);
    res = ha_call(c, u, "GET", path, NULL, 200);
    unseen = json_object_get(res.json, "unseen");
    if (!json_is_object(unseen))
        fail_msg("the first home page has no unseen counts: %s", res.detail);
    items = json_integer_value(json_object_get(unseen, "items"));
    assert_int_equal(json_integer_value(json_object_get(unseen, "activities")), items);
    cursor = json_object_get(res.json, "next_cursor");
    if (next != NULL) {
        assert_true(json_is_string(cursor));
        snprintf(next, cap, "%s", json_string_value(cursor));
    }
    ac_result_free(&res);
    return items;
}

static void ha_mark(ha_ctx *c, const ha_user *u, const char *cursor)
{
    char path[96];
    ac_result res;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/markers/home", u->id);
    res = ha_call(c, u, "PUT", path, json_pack("{s:s}", "cursor", cursor), 200);
    ac_result_free(&res);
}

static void test_unseen_counts_the_home_as_served(void **state)
{
    ha_ctx *c = *state;
    char home[8192], cursor[512];
    const ha_user *readers[] = {&c->f[0], &c->f[1]}; /* f0: a copied-and-merged post; f1: HOT and COLD */

    ha_caught_up();
    for (size_t r = 0; r < 2; r++) {
        const ha_user *u = readers[r];
        int n;

        ha_home(c, u, 100, home, sizeof home);
        n = ha_words(home);
        assert_true(n >= 4);
        /* no marker: the whole served home is unseen */
        assert_int_equal(ha_unseen(c, u, 2, NULL, 0), n);   /* page short of the end: Cassandra */
        assert_int_equal(ha_unseen(c, u, 100, NULL, 0), n); /* page to the end: counted on it */
        /* marked up to the (n-1)th item: n-2 newer */
        ha_unseen(c, u, n - 1, cursor, sizeof cursor);
        ha_mark(c, u, cursor);
        assert_int_equal(ha_unseen(c, u, 2, NULL, 0), n - 2);
        assert_int_equal(ha_unseen(c, u, 100, NULL, 0), n - 2);
        /* marked up to the 2nd: 1 newer, on any page that reaches it */
        ha_unseen(c, u, 2, cursor, sizeof cursor);
        ha_mark(c, u, cursor);
        assert_int_equal(ha_unseen(c, u, 1, NULL, 0), 1);
        assert_int_equal(ha_unseen(c, u, 3, NULL, 0), 1);
        print_message("reader %zu: %d items served, unseen %d / %d / 1 as marked\n", r, n, n, n - 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_hot_accounts_posts_reach_every_home_without_copies),
        cmocka_unit_test(test_walking_a_merged_home_neither_repeats_nor_skips),
        cmocka_unit_test(test_undos_reach_merged_homes),
        cmocka_unit_test(test_a_new_follower_of_a_hot_account_gets_its_backfill),
        cmocka_unit_test(test_feedcheck_finds_the_merged_homes_exact),
        cmocka_unit_test(test_unseen_counts_the_home_as_served),
    };
    return cmocka_run_group_tests_name("hot_accounts", tests, ha_setup, ha_teardown);
}
