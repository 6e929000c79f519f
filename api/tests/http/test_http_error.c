/* test_http_error.c: the JSON error body and JSON string escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/http/http_error.h"

static void assert_buf(const buf *b, const char *want)
{
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fail_msg("got %.*s, want %s", (int)b->len, b->data, want);
}

static void test_error_body_shape(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(http_error_body(&b, "not_found", "no route for this path"), 0);
    assert_buf(&b, "{\"error\":{\"code\":\"not_found\",\"message\":\"no route for this path\"}}");
    buf_dispose(&b);
}

static void test_escaping(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(
        http_error_body(&b, "bad_request", "quote \" slash \\ nl \n tab \t cr \r ctl \x01 del \x7f utf8 \xc3\xa9"), 0);
    assert_buf(&b, "{\"error\":{\"code\":\"bad_request\",\"message\":\"quote \\\" slash \\\\ nl \\n tab \\t cr \\r "
                   "ctl \\u0001 del \\u007f utf8 \xc3\xa9\"}}");
    buf_dispose(&b);
}

static void test_escape_runs_at_edges(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(http_json_escape(&b, "\"a\"", 3), 0);
    assert_buf(&b, "\\\"a\\\"");
    b.len = 0;
    assert_int_equal(http_json_escape(&b, "", 0), 0);
    assert_int_equal(b.len, 0);
    buf_dispose(&b);
}

static void test_rollback_on_limit(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 30);
    assert_int_equal(buf_append_cstr(&b, "x"), 0);
    assert_int_equal(http_error_body(&b, "not_found", "a message that does not fit"), -1);
    assert_buf(&b, "x");
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_body_shape),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_escape_runs_at_edges),
        cmocka_unit_test(test_rollback_on_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
