/* test_flat_json.c: the flat JSON reader: what it takes, what it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/read/flat_json.h"

static int parse(const char *text, flat_member *m, size_t *n)
{
    return flat_json_parse(slice_make(text, strlen(text)), m, FLAT_JSON_MAX_MEMBERS, n);
}

static void test_members_and_types(void **state)
{
    flat_member m[FLAT_JSON_MAX_MEMBERS];
    const flat_member *v;
    size_t n;

    (void)state;
    assert_int_equal(
        parse(" {\"id\" : \"p:1\", \"n\":-42,\"z\":0, \"t\":null ,\"s\":\"a\\\"b\\u00e9\\ud83d\\ude00\"} ", m, &n), 0);
    assert_int_equal(n, 5);
    v = flat_json_get(m, n, "id");
    assert_non_null(v);
    assert_int_equal(v->type, FLAT_STRING);
    assert_true(slice_eq_cstr(v->raw, "p:1"));
    assert_int_equal(flat_json_get(m, n, "n")->num, -42);
    assert_int_equal(flat_json_get(m, n, "z")->num, 0);
    assert_int_equal(flat_json_get(m, n, "t")->type, FLAT_NULL);
    /* strings stay escaped: they can be copied into an answer as they are */
    assert_true(slice_eq_cstr(flat_json_get(m, n, "s")->raw, "a\\\"b\\u00e9\\ud83d\\ude00"));
    assert_null(flat_json_get(m, n, "missing"));
    assert_int_equal(parse("{}", m, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(parse("{\"big\":9223372036854775807,\"small\":-9223372036854775808}", m, &n), 0);
    assert_int_equal(m[0].num, INT64_MAX);
    assert_int_equal(m[1].num, INT64_MIN);
    assert_int_equal(parse("{\"u\":\"h\xc3\xa9\xf0\x9f\x98\x80\"}", m, &n), 0); /* raw UTF-8 */
}

static void test_refusals(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{",
        "{\"a\":1",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{a:1}",
        "{\"a\":1} x",
        "{\"a\":1}{}",
        "{\"a\":1,\"a\":2}", /* duplicate */
        "{\"a\":[1]}",
        "{\"a\":{}}", /* nesting */
        "{\"a\":1.5}",
        "{\"a\":1e3}",
        "{\"a\":true}", /* other types */
        "{\"a\":01}",
        "{\"a\":-0}",
        "{\"a\":-}",
        "{\"a\":+1}",
        "{\"a\":9223372036854775808}",
        "{\"a\":-9223372036854775809}",
        "{\"a\":nul}",
        "{\"a\":\"x}",
        "{\"a\\u0062\":1}",
        "{\"\":1}",
        "{\"a-b\":1}", /* names: plain only */
        "{\"a\":\"\\x\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"\\u0000\"}",
        "{\"a\":\"\\ud800\"}",
        "{\"a\":\"\\udc00\"}",
        "{\"a\":\"\\ud800\\u0041\"}", /* surrogates */
        "{\"a\":\"tab\there\"}",      /* raw control */
        "{\"a\":\"\xc0\xaf\"}",
        "{\"a\":\"\xed\xa0\x80\"}",
        "{\"a\":\"\xf4\x90\x80\x80\"}",
        "{\"a\":\"\xc3\"}",
        "{\"a\":\"\x80\"}",
    };
    flat_member m[FLAT_JSON_MAX_MEMBERS];
    size_t n, i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i], m, &n) != -1)
            fail_msg("accepted: %s", bad[i]);
    }
    assert_int_equal(flat_json_parse(slice_make(NULL, 0), m, FLAT_JSON_MAX_MEMBERS, &n), -1);
    /* more members than room */
    assert_int_equal(flat_json_parse(SLICE_LIT("{\"a\":1,\"b\":2}"), m, 1, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_members_and_types),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
