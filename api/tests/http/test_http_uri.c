/* test_http_uri.c: percent-decoding and the query-string parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/http/http_uri.h"

static int decode(const char *in, char *out, size_t cap, int plus, size_t *n)
{
    return http_percent_decode(slice_from_cstr(in), out, cap, n, plus);
}

static void test_decode_plain_and_escapes(void **state)
{
    char out[64];
    size_t n;

    (void)state;
    assert_int_equal(decode("abc", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "abc", 3);
    assert_int_equal(decode("a%20b%2Fc%2fd", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_int_equal(n, 7);
    assert_memory_equal(out, "a b/c/d", 7);
    assert_int_equal(decode("%C3%A9", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_int_equal(n, 2);
    assert_memory_equal(out, "\xc3\xa9", 2);
    assert_int_equal(decode("", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_int_equal(n, 0);
    assert_int_equal(decode("%25", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], '%');
    assert_int_equal(decode("%FF", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_int_equal((unsigned char)out[0], 0xff);
}

static void test_plus_only_in_queries(void **state)
{
    char out[16];
    size_t n;

    (void)state;
    assert_int_equal(decode("a+b", out, sizeof(out), 0, &n), HTTP_URI_OK);
    assert_memory_equal(out, "a+b", 3);
    assert_int_equal(decode("a+b%2B", out, sizeof(out), 1, &n), HTTP_URI_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(out, "a b+", 4);
}

static void test_decode_bad_escapes(void **state)
{
    static const char *bad[] = {"%", "%4", "a%", "%G1", "%1G", "%%", "abc%2", "%-1", "% 1"};
    char out[16];
    size_t n, i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (decode(bad[i], out, sizeof(out), 0, &n) != HTTP_URI_BAD_ESCAPE)
            fail_msg("'%s' should be a bad escape", bad[i]);
    }
}

static void test_decode_nul_refused(void **state)
{
    char out[16];
    size_t n;

    (void)state;
    assert_int_equal(decode("a%00b", out, sizeof(out), 0, &n), HTTP_URI_NUL);
    assert_int_equal(decode("%00", out, sizeof(out), 1, &n), HTTP_URI_NUL);
}

static void test_decode_needs_input_sized_buffer(void **state)
{
    char out[4];
    size_t n;

    (void)state;
    assert_int_equal(decode("abcde", out, sizeof(out), 0, &n), HTTP_URI_NO_SPACE);
    assert_int_equal(decode("abcd", out, sizeof(out), 0, &n), HTTP_URI_OK);
}

static void test_decode_in_place(void **state)
{
    char buf[] = "x%41%42y";
    size_t n;

    (void)state;
    assert_int_equal(http_percent_decode(slice_from_cstr(buf), buf, sizeof(buf), &n, 0), HTTP_URI_OK);
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "xABy", 4);
}

static void test_decoded_equals(void **state)
{
    (void)state;
    assert_true(http_decoded_equals(slice_from_cstr("v%31"), slice_from_cstr("v1"), 0));
    assert_true(http_decoded_equals(slice_from_cstr("users"), slice_from_cstr("users"), 0));
    assert_false(http_decoded_equals(slice_from_cstr("user"), slice_from_cstr("users"), 0));
    assert_false(http_decoded_equals(slice_from_cstr("userss"), slice_from_cstr("users"), 0));
    assert_false(http_decoded_equals(slice_from_cstr("a%zz"), slice_from_cstr("a%zz"), 0));
    assert_true(http_decoded_equals(slice_from_cstr("a+b"), slice_from_cstr("a b"), 1));
    assert_false(http_decoded_equals(slice_from_cstr("a+b"), slice_from_cstr("a b"), 0));
    assert_true(http_decoded_equals(slice_from_cstr(""), slice_from_cstr(""), 0));
}

static void test_query_iteration(void **state)
{
    slice rest = slice_from_cstr("a=1&&b=&c&=d&e=x=y&"), k, v;

    (void)state;
    assert_true(http_query_next(&rest, &k, &v));
    assert_true(slice_eq_cstr(k, "a") && slice_eq_cstr(v, "1"));
    assert_true(http_query_next(&rest, &k, &v)); /* the empty pair was skipped */
    assert_true(slice_eq_cstr(k, "b") && v.len == 0);
    assert_true(http_query_next(&rest, &k, &v));
    assert_true(slice_eq_cstr(k, "c") && v.len == 0);
    assert_true(http_query_next(&rest, &k, &v));
    assert_true(k.len == 0 && slice_eq_cstr(v, "d"));
    assert_true(http_query_next(&rest, &k, &v));
    assert_true(slice_eq_cstr(k, "e") && slice_eq_cstr(v, "x=y"));
    assert_false(http_query_next(&rest, &k, &v));
    rest = slice_make(NULL, 0);
    assert_false(http_query_next(&rest, &k, &v));
}

static void test_query_get(void **state)
{
    slice q = slice_from_cstr("limit=20&cursor=abc%3D%3D&na%6De=J%C3%B6rg+M&limit=99&bad=%zz");
    char out[32], tiny[2];
    slice v;

    (void)state;
    assert_int_equal(http_query_get(q, "limit", out, sizeof(out), &v), 1);
    assert_true(slice_eq_cstr(v, "20")); /* the first one wins */
    assert_int_equal(http_query_get(q, "cursor", out, sizeof(out), &v), 1);
    assert_true(slice_eq_cstr(v, "abc=="));
    assert_int_equal(http_query_get(q, "name", out, sizeof(out), &v), 1); /* encoded key */
    assert_true(slice_eq_cstr(v, "J\xc3\xb6rg M"));
    assert_int_equal(http_query_get(q, "missing", out, sizeof(out), &v), 0);
    assert_int_equal(http_query_get(q, "bad", out, sizeof(out), &v), HTTP_URI_BAD_ESCAPE);
    assert_int_equal(http_query_get(q, "cursor", tiny, sizeof(tiny), &v), HTTP_URI_NO_SPACE);
    assert_true(http_query_key_is(slice_from_cstr("a%5Fb"), "a_b"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_plain_and_escapes),
        cmocka_unit_test(test_plus_only_in_queries),
        cmocka_unit_test(test_decode_bad_escapes),
        cmocka_unit_test(test_decode_nul_refused),
        cmocka_unit_test(test_decode_needs_input_sized_buffer),
        cmocka_unit_test(test_decode_in_place),
        cmocka_unit_test(test_decoded_equals),
        cmocka_unit_test(test_query_iteration),
        cmocka_unit_test(test_query_get),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
