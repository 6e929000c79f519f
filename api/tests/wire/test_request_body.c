/* test_request_body.c: the write endpoints' JSON bodies: accepted forms,
 * each error code with its field, UTF-8 and NUL handling, lengths in
 * code points, size and depth limits, and that the output lives in the
 * caller's pool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/wire/request_body.h"

static pool p;

static int setup(void **state)
{
    (void)state;
    pool_init(&p, 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    pool_dispose(&p);
    return 0;
}

#define S(lit) slice_make((lit), sizeof(lit) - 1)

/* Expect the user body to fail with status, code and field ("" none). */
static void user_fails(slice body, int status, const char *code, const char *field)
{
    req_user u;
    api_error e;

    memset(&e, 0, sizeof(e));
    if (req_parse_user(&p, body, &u, &e) != -1)
        fail_msg("accepted %.*s", (int)body.len, body.base);
    if (e.status != status || strcmp(e.code, code) != 0 || strcmp(e.field, field) != 0)
        fail_msg("%.*s: got %d %s field '%s' (%s), want %d %s field '%s'", (int)body.len, body.base, e.status, e.code,
                 e.field, e.message, status, code, field);
}

static void post_fails(slice body, int status, const char *code, const char *field)
{
    req_text t;
    api_error e;

    memset(&e, 0, sizeof(e));
    if (req_parse_post(&p, body, &t, &e) != -1)
        fail_msg("accepted %.*s", (int)body.len, body.base);
    if (e.status != status || strcmp(e.code, code) != 0 || strcmp(e.field, field) != 0)
        fail_msg("%.*s: got %d %s field '%s' (%s), want %d %s field '%s'", (int)body.len, body.base, e.status, e.code,
                 e.field, e.message, status, code, field);
}

static void marker_fails(slice body, int status, const char *code, const char *field)
{
    req_text t;
    api_error e;

    memset(&e, 0, sizeof(e));
    if (req_parse_marker(&p, body, &t, &e) != -1)
        fail_msg("accepted %.*s", (int)body.len, body.base);
    if (e.status != status || strcmp(e.code, code) != 0 || strcmp(e.field, field) != 0)
        fail_msg("%.*s: got %d %s field '%s' (%s), want %d %s field '%s'", (int)body.len, body.base, e.status, e.code,
                 e.field, e.message, status, code, field);
}

/* PUT .../markers/{timeline}: {"cursor"}, its text only (decoded by the
 * handler for the feed). */
static void test_marker(void **state)
{
    char big[REQ_MARKER_MAX_BYTES + 2];
    req_text t;
    api_error e;

    (void)state;
    assert_int_equal(req_parse_marker(&p, S("{\"cursor\":\"AQEAAAAAAAAAAQAG\"}"), &t, &e), 0);
    assert_int_equal(t.body.len, 16);
    assert_memory_equal(t.body.base, "AQEAAAAAAAAAAQAG", 16);
    marker_fails(S("{}"), 400, "missing_field", "cursor");
    marker_fails(S("{\"cursor\":\"\"}"), 400, "invalid_value", "cursor");
    marker_fails(S("{\"cursor\":7}"), 400, "invalid_type", "cursor");
    marker_fails(S("{\"cursor\":\"a\",\"x\":1}"), 400, "unknown_field", "x");
    marker_fails(S("{\"cursor\":\"a\\u0001\"}"), 400, "invalid_value", "cursor");
    memset(big, 'a', sizeof(big));
    big[0] = '{';
    marker_fails(slice_make(big, sizeof(big)), 413, "payload_too_large", "");
}

static void test_user_ok(void **state)
{
    req_user u;
    api_error e;

    (void)state;
    assert_int_equal(req_parse_user(&p, S("{\"handle\":\"ana_99\",\"display_name\":\"Ana Lima\"}"), &u, &e), 0);
    assert_true(slice_eq_cstr(u.handle, "ana_99"));
    assert_true(slice_eq_cstr(u.display_name, "Ana Lima"));
    assert_int_equal(u.handle.base[u.handle.len], '\0');
    /* order, whitespace and escapes do not matter */
    assert_int_equal(req_parse_user(&p,
                                    S(" {\n\"display_name\" : \"Jos\\u00e9 \\ud83d\\ude00\" ,"
                                      "\"handle\":\"jose\"}\r\n"),
                                    &u, &e),
                     0);
    assert_true(slice_eq_cstr(u.display_name, "Jos\xc3\xa9 \xf0\x9f\x98\x80"));
}

static void test_user_errors(void **state)
{
    (void)state;
    user_fails(S("{\"handle\":\"ana\"}"), 400, "missing_field", "display_name");
    user_fails(S("{\"display_name\":\"Ana\"}"), 400, "missing_field", "handle");
    user_fails(S("{}"), 400, "missing_field", "handle");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":\"Ana\",\"nick\":\"x\"}"), 400, "unknown_field", "nick");
    user_fails(S("{\"Handle\":\"ana\",\"display_name\":\"Ana\"}"), 400, "unknown_field", "Handle");
    user_fails(S("{\"handle\":7,\"display_name\":\"Ana\"}"), 400, "invalid_type", "handle");
    user_fails(S("{\"handle\":null,\"display_name\":\"Ana\"}"), 400, "invalid_type", "handle");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":[\"Ana\"]}"), 400, "invalid_type", "display_name");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":{}}"), 400, "invalid_type", "display_name");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":true}"), 400, "invalid_type", "display_name");
    user_fails(S("{\"handle\":\"Ana\",\"display_name\":\"Ana\"}"), 400, "invalid_value", "handle");
    user_fails(S("{\"handle\":\"a-b\",\"display_name\":\"Ana\"}"), 400, "invalid_value", "handle");
    user_fails(S("{\"handle\":\"\",\"display_name\":\"Ana\"}"), 400, "invalid_value", "handle");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":\"\"}"), 400, "invalid_value", "display_name");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":\"A\\nB\"}"), 400, "invalid_value", "display_name");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":\"A\\u007fB\"}"), 400, "invalid_value", "display_name");
    user_fails(S("{\"handle\":\"ana\",\"display_name\":\"A\\u0085B\"}"), 400, "invalid_value", "display_name");
    user_fails(S("{\"handle\":\"an\\u00e9\",\"display_name\":\"Ana\"}"), 400, "invalid_value", "handle");
    /* the first problem in the order sent wins */
    user_fails(S("{\"x\":1,\"handle\":7}"), 400, "unknown_field", "x");
    user_fails(S("{\"handle\":7,\"x\":1}"), 400, "invalid_type", "handle");
    /* duplicates are not silently resolved */
    user_fails(S("{\"handle\":\"a\",\"handle\":\"b\",\"display_name\":\"Ana\"}"), 400, "invalid_json", "");
}

static void test_lengths_in_code_points(void **state)
{
    char body[1024], *q;
    req_user u;
    api_error e;
    int i;

    (void)state;
    /* handle: 32 ok, 33 not */
    snprintf(body, sizeof(body), "{\"handle\":\"%s\",\"display_name\":\"A\"}", "abcdefghijklmnopqrstuvwxyz012345");
    assert_int_equal(req_parse_user(&p, slice_from_cstr(body), &u, &e), 0);
    snprintf(body, sizeof(body), "{\"handle\":\"%s\",\"display_name\":\"A\"}", "abcdefghijklmnopqrstuvwxyz0123456");
    user_fails(slice_from_cstr(body), 400, "invalid_value", "handle");
    /* display_name: 64 four-byte characters (256 bytes) ok, 65 not */
    for (int n = 64; n <= 65; n++) {
        q = body + sprintf(body, "{\"handle\":\"h\",\"display_name\":\"");
        for (i = 0; i < n; i++)
            q += sprintf(q, "\xf0\x9f\x98\x80");
        sprintf(q, "\"}");
        if (n == 64) {
            assert_int_equal(req_parse_user(&p, slice_from_cstr(body), &u, &e), 0);
            assert_int_equal(u.display_name.len, 256);
            assert_int_equal(req_utf8_count(u.display_name), 64);
        } else {
            user_fails(slice_from_cstr(body), 400, "invalid_value", "display_name");
        }
    }
}

static void test_post_and_comment_limits(void **state)
{
    size_t cap = REQ_POST_MAX_BYTES + 64, n;
    char *body = malloc(cap);
    req_text t;
    api_error e;
    int i;

    (void)state;
    assert_non_null(body);
    /* 5000 "é" (2 bytes each): ok; 5001: invalid_value */
    for (int chars = 5000; chars <= 5001; chars++) {
        n = (size_t)sprintf(body, "{\"body\":\"");
        for (i = 0; i < chars; i++)
            n += (size_t)sprintf(body + n, "\xc3\xa9");
        n += (size_t)sprintf(body + n, "\"}");
        if (chars == 5000)
            assert_int_equal(req_parse_post(&p, slice_make(body, n), &t, &e), 0);
        else
            post_fails(slice_make(body, n), 400, "invalid_value", "body");
    }
    /* 5000 characters written as surrogate-pair escapes (60000+ bytes) fit */
    n = (size_t)sprintf(body, "{\"body\":\"");
    for (i = 0; i < 5000; i++)
        n += (size_t)sprintf(body + n, "\\ud83d\\ude00");
    n += (size_t)sprintf(body + n, "\"}");
    assert_true(n <= REQ_POST_MAX_BYTES);
    assert_int_equal(req_parse_post(&p, slice_make(body, n), &t, &e), 0);
    assert_int_equal(req_utf8_count(t.body), 5000);
    /* comment: 2000 ok, 2001 not */
    n = (size_t)sprintf(body, "{\"body\":\"");
    memset(body + n, 'c', 2000);
    n += 2000;
    n += (size_t)sprintf(body + n, "\"}");
    assert_int_equal(req_parse_comment(&p, slice_make(body, n), &t, &e), 0);
    assert_int_equal(t.body.len, 2000);
    n = (size_t)sprintf(body, "{\"body\":\"");
    memset(body + n, 'c', 2001);
    n += 2001;
    n += (size_t)sprintf(body + n, "\"}");
    assert_int_equal(req_parse_comment(&p, slice_make(body, n), &t, &e), -1);
    assert_string_equal(e.code, "invalid_value");
    assert_string_equal(e.field, "body");
    free(body);
}

static void test_post_text_rules(void **state)
{
    req_text t;
    api_error e;

    (void)state;
    assert_int_equal(req_parse_post(&p, S("{\"body\":\"line 1\\nline\\t2\\r\\n\"}"), &t, &e), 0);
    assert_true(slice_eq_cstr(t.body, "line 1\nline\t2\r\n"));
    post_fails(S("{\"body\":\"\"}"), 400, "invalid_value", "body");
    post_fails(S("{\"body\":\"bell \\u0007\"}"), 400, "invalid_value", "body");
    /* DEL and C1 controls, escaped and raw: refused as in display names */
    post_fails(S("{\"body\":\"del \\u007f\"}"), 400, "invalid_value", "body");
    post_fails(S("{\"body\":\"c1 \\u0085\"}"), 400, "invalid_value", "body");
    post_fails(S("{\"body\":\"c1 \xc2\x80\"}"), 400, "invalid_value", "body");
    post_fails(S("{\"body\":\"c1 \xc2\x9f\"}"), 400, "invalid_value", "body");
    assert_int_equal(req_parse_comment(&p, S("{\"body\":\"c1 \\u0090\"}"), &t, &e), -1);
    assert_string_equal(e.code, "invalid_value");
    /* the first code point past C1 (NBSP) and the rest of Latin-1 are text */
    assert_int_equal(req_parse_post(&p, S("{\"body\":\"nb\xc2\xa0sp \xc3\xbf\"}"), &t, &e), 0);
    assert_int_equal(req_parse_comment(&p, S("{\"body\":\"\\u00a0\"}"), &t, &e), 0);
    post_fails(S("{\"text\":\"hi\"}"), 400, "unknown_field", "text");
    post_fails(S("{\"body\":5}"), 400, "invalid_type", "body");
    post_fails(S("{}"), 400, "missing_field", "body");
}

static void test_nul_bytes(void **state)
{
    api_error e;
    req_text t;

    (void)state;
    /* escaped NUL: refused, naming the member */
    post_fails(S("{\"body\":\"a\\u0000b\"}"), 400, "invalid_value", "body");
    assert_int_equal(req_parse_post(&p, S("{\"body\":\"a\\u0000b\"}"), &t, &e), -1);
    assert_non_null(strstr(e.message, "NUL"));
    /* raw NUL inside a string or between tokens: not JSON */
    post_fails(S("{\"body\":\"a\0b\"}"), 400, "invalid_json", "");
    post_fails(S("{\"body\":\"ab\"}\0"), 400, "invalid_json", "");
    post_fails(S("\0"), 400, "invalid_json", "");
    /* a NUL in a member name: jansson refuses it even with JSON_ALLOW_NUL */
    post_fails(S("{\"bo\\u0000dy\":\"x\"}"), 400, "invalid_json", "");
    /* other control characters in a name: an unknown member, named as sent */
    assert_int_equal(req_parse_post(&p, S("{\"bo\\ndy\":\"x\"}"), &t, &e), -1);
    assert_string_equal(e.code, "unknown_field");
    assert_int_equal(e.field_len, 5);
    assert_memory_equal(e.field, "bo\ndy", 5);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    post_fails(S("{\"body\":\"\xff\"}"), 400, "invalid_json", "");
    post_fails(S("{\"body\":\"\xc3\"}"), 400, "invalid_json", "");             /* truncated */
    post_fails(S("{\"body\":\"\xc0\xaf\"}"), 400, "invalid_json", "");         /* overlong '/' */
    post_fails(S("{\"body\":\"\xed\xa0\x80\"}"), 400, "invalid_json", "");     /* surrogate */
    post_fails(S("{\"body\":\"\xf4\x90\x80\x80\"}"), 400, "invalid_json", ""); /* > U+10FFFF */
    post_fails(S("{\"body\":\"\\ud800\"}"), 400, "invalid_json", "");          /* lone surrogate escape */
    post_fails(S("{\"b\xff\":\"x\"}"), 400, "invalid_json", "");
    {
        req_text t;
        api_error e;
        assert_int_equal(req_parse_post(&p, S("{\"body\":\"\xff\"}"), &t, &e), -1);
        assert_non_null(strstr(e.message, "UTF-8"));
        /* the message does not echo the bad byte */
        assert_null(strchr(e.message, '\xff'));
    }
}

static void test_not_json_or_not_object(void **state)
{
    (void)state;
    post_fails(S(""), 400, "invalid_json", "");
    post_fails(S("   "), 400, "invalid_json", "");
    post_fails(S("{"), 400, "invalid_json", "");
    post_fails(S("{\"body\":\"x\"} {}"), 400, "invalid_json", "");
    post_fails(S("{\"body\":\"x\",}"), 400, "invalid_json", "");
    post_fails(S("{'body':'x'}"), 400, "invalid_json", "");
    post_fails(S("[]"), 400, "invalid_body", "");
    post_fails(S("\"body\""), 400, "invalid_body", "");
    post_fails(S("null"), 400, "invalid_body", "");
    post_fails(S("42"), 400, "invalid_body", "");
}

static void test_size_limit_before_parsing(void **state)
{
    char *body = malloc(REQ_USER_MAX_BYTES + 1);
    req_user u;
    api_error e;

    (void)state;
    assert_non_null(body);
    /* not even JSON: the size is what is reported */
    memset(body, '{', REQ_USER_MAX_BYTES + 1);
    assert_int_equal(req_parse_user(&p, slice_make(body, REQ_USER_MAX_BYTES + 1), &u, &e), -1);
    assert_int_equal(e.status, 413);
    assert_string_equal(e.code, "payload_too_large");
    assert_int_equal(e.field_len, 0);
    free(body);
}

static void test_depth(void **state)
{
    char body[4096];
    size_t n = 0;
    int i;

    (void)state;
    assert_true(req_depth_ok(S("{\"a\":[[[]]]}"), 4));
    assert_false(req_depth_ok(S("{\"a\":[[[[]]]]}"), 4));
    /* brackets inside strings, escaped quotes included, do not count */
    assert_true(req_depth_ok(S("{\"a\":\"[[[[[[\\\"[[[[[\"}"), 1));
    assert_true(req_depth_ok(S("]]]]{}"), 1));
    /* deep input: refused before jansson sees it */
    n += (size_t)sprintf(body, "{\"body\":");
    for (i = 0; i < 1000; i++)
        body[n++] = '[';
    post_fails(slice_make(body, n), 400, "invalid_json", "");
    /* depth up to the limit goes through to the type check */
    post_fails(S("{\"body\":[[[[[[[]]]]]]]}"), 400, "invalid_type", "body");
    post_fails(S("{\"body\":[[[[[[[[]]]]]]]]}"), 400, "invalid_json", "");
}

static void test_empty_bodies(void **state)
{
    api_error e;

    (void)state;
    assert_int_equal(req_parse_empty(S(""), &e), 0);
    assert_int_equal(req_parse_empty(S("{}"), &e), 0);
    assert_int_equal(req_parse_empty(S(" \r\n{ \t}\n"), &e), 0);
    assert_int_equal(req_parse_empty(S("  "), &e), 0);
    assert_int_equal(req_parse_empty(S("{\"x\":1}"), &e), -1);
    assert_string_equal(e.code, "unknown_field");
    assert_string_equal(e.field, "x");
    assert_int_equal(req_parse_empty(S("[]"), &e), -1);
    assert_string_equal(e.code, "invalid_body");
    assert_int_equal(req_parse_empty(S("{"), &e), -1);
    assert_string_equal(e.code, "invalid_json");
    assert_int_equal(req_parse_empty(S("{}}"), &e), -1);
    assert_string_equal(e.code, "invalid_json");
    assert_int_equal(req_parse_empty(S("{}\v"), &e), -1);
    assert_string_equal(e.code, "invalid_json");
    {
        char big[REQ_EMPTY_MAX_BYTES + 1];
        memset(big, ' ', sizeof(big));
        assert_int_equal(req_parse_empty(slice_make(big, sizeof(big)), &e), -1);
        assert_int_equal(e.status, 413);
    }
}

static void test_output_owned_by_pool(void **state)
{
    char body[] = "{\"body\":\"hello\"}";
    req_text t;
    api_error e;
    pool mine;

    (void)state;
    pool_init(&mine, 0);
    assert_int_equal(req_parse_post(&mine, slice_make(body, strlen(body)), &t, &e), 0);
    /* the output does not point into the body */
    memset(body, 'x', strlen(body));
    assert_true(slice_eq_cstr(t.body, "hello"));
    pool_dispose(&mine);
}

static void test_utf8_count(void **state)
{
    (void)state;
    assert_int_equal(req_utf8_count(S("")), 0);
    assert_int_equal(req_utf8_count(S("abc")), 3);
    assert_int_equal(req_utf8_count(S("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_ok),
        cmocka_unit_test(test_user_errors),
        cmocka_unit_test(test_lengths_in_code_points),
        cmocka_unit_test(test_post_and_comment_limits),
        cmocka_unit_test(test_post_text_rules),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_not_json_or_not_object),
        cmocka_unit_test(test_size_limit_before_parsing),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_empty_bodies),
        cmocka_unit_test(test_output_owned_by_pool),
        cmocka_unit_test(test_marker),
        cmocka_unit_test(test_utf8_count),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
