/* test_unseen_new_group.c: a notification group created after the
 * read marker counts as unseen wherever it sorts (api/README.md "Unseen
 * counts", read/notif_seen.h).
 *
 * A group's position is (window start, group id): the groups of one
 * hour are ordered by id bytes, not by when they appeared. So:
 *   A posts p; C follows A (group FOLLOW:u:A:W); B likes p (group
 *   LIKE:p:P:W, the newest position); A marks notifications seen at the
 *   LIKE group: unseen 0/0. Then B comments on p: a NEW group
 *   COMMENT:p:P:W, created after the marker, in the same window, whose id
 *   sorts below "LIKE:..." ('C' < 'L'): the first page and the markers
 *   endpoint say 1 group, 1 activity unseen (the marker recorded the
 *   groups below it when set; this one was not among them). Marking the
 *   same position again clears it; a like joining the marked group does
 *   not count (the group was there).
 * (Run near the end of an hour, the comment may land in the next window,
 * above the marker: the counts are the same, and the test says so.) */
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
#include "tools/chaos/api_client.h"
#include "tools/chaos/catch_up.h"

typedef struct ug_user {
    int64_t id;
    char token[512];
} ug_user;

static hc_conn ug_conn;
static char ug_stamp[16];
static unsigned ug_seq;

static ac_result ug_call(const ug_user *u, const char *method, const char *path, json_t *body, int want)
{
    char key[64], what[256];
    ac_result res;

    snprintf(key, sizeof key, "ug-%s-%u", ug_stamp, ++ug_seq);
    ac_call(&ug_conn, method, path, u ? u->token : NULL, strcmp(method, "POST") == 0 ? key : NULL, body, &res);
    json_decref(body);
    if (res.status != want)
        fail_msg("%s %s: got %s (%s), wanted %d", method, path, ac_describe(&res, what, sizeof what), res.detail, want);
    return res;
}

/* A call whose answer is not needed. */
static void ug_do(const ug_user *u, const char *method, const char *path, json_t *body, int want)
{
    ac_result res = ug_call(u, method, path, body, want);

    ac_result_free(&res);
}

static void ug_signup(ug_user *u, const char *name)
{
    char handle[48];
    ac_result res;

    snprintf(handle, sizeof handle, "ug%s_%s", ug_stamp, name);
    res = ug_call(NULL, "POST", "/v1/users", json_pack("{s:s,s:s}", "handle", handle, "display_name", name), 201);
    u->id = ac_get_id(&res, "user", "id");
    snprintf(u->token, sizeof u->token, "%s", ac_get_str(&res, NULL, "token"));
    ac_result_free(&res);
}

static void ug_caught_up(void)
{
    cu_config cfg;
    cu_report rep;

    cu_config_from_env(&cfg);
    cfg.deadline_ms = 120000;
    if (cu_wait(&cfg, &rep) != 0)
        fail_msg("%s", rep.err);
}

static void test_a_group_created_after_the_marker_is_unseen(void **state)
{
    ug_user a, b, c;
    char path[160], cursor[512], top[128], last[128];
    int64_t post;
    json_t *items, *unseen;
    ac_result res;

    (void)state;
    ug_signup(&a, "a");
    ug_signup(&b, "b");
    ug_signup(&c, "c");
    res = ug_call(&a, "POST", "/v1/posts", json_pack("{s:s}", "body", "hello"), 201);
    post = ac_get_id(&res, "post", "id");
    ac_result_free(&res);
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", a.id);
    ug_do(&c, "POST", path, json_object(), 201);
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", post);
    ug_do(&b, "POST", path, json_object(), 201);
    ug_caught_up();

    /* the newest group's position: the first page of one */
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/notifications?limit=1", a.id);
    res = ug_call(&a, "GET", path, NULL, 200);
    items = json_object_get(res.json, "items");
    assert_int_equal(json_array_size(items), 1);
    snprintf(top, sizeof top, "%s", json_string_value(json_object_get(json_array_get(items, 0), "id")));
    assert_true(json_is_string(json_object_get(res.json, "next_cursor")));
    snprintf(cursor, sizeof cursor, "%s", json_string_value(json_object_get(res.json, "next_cursor")));
    ac_result_free(&res);
    assert_true(strncmp(top, "LIKE:", 5) == 0);
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/markers/notifications", a.id);
    res = ug_call(&a, "PUT", path, json_pack("{s:s}", "cursor", cursor), 200);
    unseen = json_object_get(res.json, "unseen");
    assert_int_equal(json_integer_value(json_object_get(unseen, "items")), 0);
    ac_result_free(&res);

    /* a new group after the marker */
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/comments", post);
    ug_do(&b, "POST", path, json_pack("{s:s}", "body", "a new group"), 201);
    ug_caught_up();
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/notifications?limit=10", a.id);
    res = ug_call(&a, "GET", path, NULL, 200);
    items = json_object_get(res.json, "items");
    assert_int_equal(json_array_size(items), 3);
    snprintf(last, sizeof last, "%s", json_string_value(json_object_get(json_array_get(items, 0), "id")));
    if (strncmp(last, "COMMENT:", 8) == 0)
        print_message("the comment's group is in a newer window than the marker's (an hour turned): %s\n", last);
    unseen = json_object_get(res.json, "unseen");
    print_message("after a new group (%s newest of %s ...): unseen %lld groups, %lld activities\n", last, top,
                  (long long)json_integer_value(json_object_get(unseen, "items")),
                  (long long)json_integer_value(json_object_get(unseen, "activities")));
    assert_int_equal(json_integer_value(json_object_get(unseen, "items")), 1);
    assert_int_equal(json_integer_value(json_object_get(unseen, "activities")), 1);
    ac_result_free(&res);

    /* the markers endpoint counts the same way */
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/markers/notifications", a.id);
    res = ug_call(&a, "GET", path, NULL, 200);
    unseen = json_object_get(res.json, "unseen");
    assert_int_equal(json_integer_value(json_object_get(unseen, "items")), 1);
    assert_int_equal(json_integer_value(json_object_get(unseen, "activities")), 1);
    ac_result_free(&res);

    /* the client, having shown the new group, marks its top item again:
     * the same position records the groups below it anew */
    res = ug_call(&a, "PUT", path, json_pack("{s:s}", "cursor", cursor), 200);
    unseen = json_object_get(res.json, "unseen");
    assert_int_equal(json_integer_value(json_object_get(unseen, "items")), 0);
    assert_int_equal(json_integer_value(json_object_get(unseen, "activities")), 0);
    ac_result_free(&res);

    /* a group that was there and grows stays seen (its position is its
     * window start): c likes the post too */
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", post);
    ug_do(&c, "POST", path, json_object(), 201);
    ug_caught_up();
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/markers/notifications", a.id);
    res = ug_call(&a, "GET", path, NULL, 200);
    unseen = json_object_get(res.json, "unseen");
    assert_int_equal(json_integer_value(json_object_get(unseen, "items")), 0);
    ac_result_free(&res);
}

static int ug_setup(void **state)
{
    (void)state;
    snprintf(ug_stamp, sizeof ug_stamp, "%x", (unsigned)(time(NULL) ^ ((unsigned)getpid() << 12)));
    hc_init(&ug_conn, "127.0.0.1", te_env_port("FEED_API_PORT", 18080), 10000);
    return 0;
}

static int ug_teardown(void **state)
{
    (void)state;
    hc_close(&ug_conn);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_group_created_after_the_marker_is_unseen),
    };
    return cmocka_run_group_tests_name("unseen_new_group", tests, ug_setup, ug_teardown);
}
