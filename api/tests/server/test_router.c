/* test_router.c: method + pattern routing, parameters, 404/405. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/server/router.h"

static void h_a(struct http_request *req, void *data)
{
    (void)req;
    (void)data;
}
static void h_b(struct http_request *req, void *data)
{
    (void)req;
    (void)data;
}
static void h_c(struct http_request *req, void *data)
{
    (void)req;
    (void)data;
}

static router r;
static pool p;

static int setup(void **state)
{
    (void)state;
    router_init(&r);
    pool_init(&p, 0);
    if (router_add(&r, "GET", "/healthz", h_a, NULL) != 0 ||
        router_add(&r, "GET", "/v1/users/{id}/feed/home", h_b, (void *)1) != 0 ||
        router_add(&r, "POST", "/v1/users/{id}/follows/{target}", h_c, NULL) != 0 ||
        router_add(&r, "DELETE", "/v1/users/{id}/follows/{target}", h_a, NULL) != 0 ||
        router_add(&r, "GET", "/", h_c, NULL) != 0 || router_add(&r, "PUT", "/v1/posts/{post_id}", h_a, NULL) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    router_dispose(&r);
    pool_dispose(&p);
    return 0;
}

static int find(const char *method, const char *path, router_match *m)
{
    return router_find(&r, slice_from_cstr(method), slice_from_cstr(path), &p, m);
}

static void test_literal_route(void **state)
{
    router_match m;

    (void)state;
    assert_int_equal(find("GET", "/healthz", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->handler, h_a);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(m.head_as_get, 0);
    assert_int_equal(find("GET", "/", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->handler, h_c);
}

static void test_params(void **state)
{
    router_match m;

    (void)state;
    assert_int_equal(find("GET", "/v1/users/42/feed/home", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->handler, h_b);
    assert_ptr_equal(m.route->data, (void *)1);
    assert_int_equal(m.nparams, 1);
    assert_true(slice_eq_cstr(router_match_param(&m, "id"), "42"));
    assert_null(router_match_param(&m, "nope").base);
    assert_int_equal(find("POST", "/v1/users/ana/follows/bo", &m), ROUTER_FOUND);
    assert_int_equal(m.nparams, 2);
    assert_true(slice_eq_cstr(router_match_param(&m, "id"), "ana"));
    assert_true(slice_eq_cstr(router_match_param(&m, "target"), "bo"));
}

static void test_params_are_decoded_after_splitting(void **state)
{
    router_match m;

    (void)state;
    assert_int_equal(find("PUT", "/v1/posts/a%2Fb%20c", &m), ROUTER_FOUND);
    assert_true(slice_eq_cstr(router_match_param(&m, "post_id"), "a/b c"));
    /* literal segments match their decoded form */
    assert_int_equal(find("GET", "/v%31/users/7/feed/%68ome", &m), ROUTER_FOUND);
    assert_true(slice_eq_cstr(router_match_param(&m, "id"), "7"));
    /* bad escapes and NUL in a parameter: 400 */
    assert_int_equal(find("PUT", "/v1/posts/%zz", &m), ROUTER_BAD_PATH);
    assert_int_equal(find("PUT", "/v1/posts/a%00", &m), ROUTER_BAD_PATH);
}

static void test_not_found(void **state)
{
    static const char *paths[] = {
        "/healthz/",
        "/health",
        "/healthzz",
        "//healthz",
        "/v1/users//feed/home",
        "/v1/users/42/feed",
        "/v1/users/42/feed/home/x",
        "",
        "*",
        "healthz",
        "/nope",
        "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r/s/t/u/v/w/x/y/z/1/2/3/4/5/6/7/8/9",
    };
    router_match m;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        if (find("GET", paths[i], &m) != ROUTER_NOT_FOUND)
            fail_msg("'%s' should be 404", paths[i]);
    }
}

static void test_method_not_allowed_lists_allow(void **state)
{
    router_match m;

    (void)state;
    assert_int_equal(find("POST", "/healthz", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "GET, HEAD");
    assert_int_equal(find("GET", "/v1/users/1/follows/2", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "POST, DELETE");
    assert_int_equal(find("get", "/healthz", &m), ROUTER_METHOD_NOT_ALLOWED); /* methods are case-sensitive */
}

static void test_head_uses_get(void **state)
{
    router_match m;

    (void)state;
    assert_int_equal(find("HEAD", "/v1/users/9/feed/home", &m), ROUTER_FOUND);
    assert_int_equal(m.head_as_get, 1);
    assert_ptr_equal(m.route->handler, h_b);
    assert_true(slice_eq_cstr(router_match_param(&m, "id"), "9"));
    assert_int_equal(find("HEAD", "/v1/posts/1", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "PUT");
}

static void test_explicit_head_route_wins(void **state)
{
    router_match m;

    (void)state;
    assert_int_equal(router_add(&r, "HEAD", "/healthz", h_b, NULL), 0);
    assert_int_equal(find("HEAD", "/healthz", &m), ROUTER_FOUND);
    assert_int_equal(m.head_as_get, 0);
    assert_ptr_equal(m.route->handler, h_b);
}

static void test_bad_patterns_refused(void **state)
{
    static const char *bad[] = {
        "healthz",  "/a/{",   "/a/{}",
        "/a/{x",    "/a/x}",  "/a/pre{x}",
        "/a/{x-y}", "/a/%41", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}",
    };
    router rr;
    size_t i;

    (void)state;
    router_init(&rr);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errno = 0;
        if (router_add(&rr, "GET", bad[i], h_a, NULL) != -1 || errno != EINVAL)
            fail_msg("pattern '%s' should be refused", bad[i]);
    }
    assert_int_equal(router_add(&rr, "GET", "/dup", h_a, NULL), 0);
    assert_int_equal(router_add(&rr, "GET", "/dup", h_b, NULL), -1);
    assert_int_equal(router_add(&rr, "POST", "/dup", h_b, NULL), 0);
    assert_int_equal(router_add(&rr, "", "/x", h_b, NULL), -1);
    assert_int_equal(router_add(&rr, "GET", "/x", NULL, NULL), -1);
    assert_int_equal(rr.nroutes, 2);
    router_dispose(&rr);
}

static void test_many_routes_grow(void **state)
{
    router rr;
    router_match m;
    char pat[32];
    int i;

    (void)state;
    router_init(&rr);
    for (i = 0; i < 100; i++) {
        snprintf(pat, sizeof(pat), "/r%d/{x}", i);
        assert_int_equal(router_add(&rr, "GET", pat, h_a, (void *)(intptr_t)i), 0);
    }
    assert_int_equal(router_find(&rr, SLICE_LIT("GET"), SLICE_LIT("/r77/q"), &p, &m), ROUTER_FOUND);
    assert_int_equal((intptr_t)m.route->data, 77);
    router_dispose(&rr);
}

static void test_enumeration(void **state)
{
    router rr;

    (void)state;
    router_init(&rr);
    assert_int_equal(router_count(&rr), 0);
    assert_null(router_route_at(&rr, 0));
    assert_int_equal(router_add(&rr, "GET", "/a/{id}", h_a, NULL), 0);
    assert_int_equal(router_add(&rr, "POST", "/b", h_a, NULL), 0);
    assert_int_equal(router_count(&rr), 2);
    assert_string_equal(router_route_at(&rr, 0)->method, "GET");
    assert_string_equal(router_route_at(&rr, 0)->pattern, "/a/{id}");
    assert_string_equal(router_route_at(&rr, 1)->method, "POST");
    assert_string_equal(router_route_at(&rr, 1)->pattern, "/b");
    assert_null(router_route_at(&rr, 2));
    router_dispose(&rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_route),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_params_are_decoded_after_splitting),
        cmocka_unit_test(test_not_found),
        cmocka_unit_test(test_method_not_allowed_lists_allow),
        cmocka_unit_test(test_head_uses_get),
        cmocka_unit_test(test_explicit_head_route_wins),
        cmocka_unit_test(test_bad_patterns_refused),
        cmocka_unit_test(test_many_routes_grow),
        cmocka_unit_test(test_enumeration),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
