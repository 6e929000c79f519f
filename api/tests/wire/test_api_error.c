/* test_api_error.c: validation errors and their JSON bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/wire/api_error.h"

static void assert_buf(const buf *b, const char *want)
{
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fail_msg("got %.*s, want %s", (int)b->len, b->data, want);
}

static void test_body_with_field(void **state)
{
    api_error e;
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(api_error_set(&e, 400, "unknown_field", SLICE_LIT("nick"), "unknown member %s", "x"), -1);
    assert_int_equal(e.status, 400);
    assert_int_equal(api_error_body(&b, &e), 0);
    assert_buf(&b, "{\"error\":{\"code\":\"unknown_field\",\"message\":\"unknown member x\",\"field\":\"nick\"}}");
    buf_dispose(&b);
}

static void test_body_without_field(void **state)
{
    api_error e;
    buf b;

    (void)state;
    buf_init(&b, 0);
    api_error_set(&e, 413, "payload_too_large", slice_make(NULL, 0), "over %d bytes", 10);
    assert_int_equal(api_error_body(&b, &e), 0);
    assert_buf(&b, "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"over 10 bytes\"}}");
    buf_dispose(&b);
}

static void test_field_escaped_and_cut_at_character(void **state)
{
    api_error e;
    buf b;
    char name[100];

    (void)state;
    buf_init(&b, 0);
    api_error_set(&e, 400, "unknown_field", slice_make("a\"\0\n", 4), "m");
    assert_int_equal(e.field_len, 4);
    assert_int_equal(api_error_body(&b, &e), 0);
    assert_buf(&b, "{\"error\":{\"code\":\"unknown_field\",\"message\":\"m\",\"field\":\"a\\\"\\u0000\\n\"}}");
    /* 63 ASCII bytes then "é" (2 bytes) straddling the limit: cut before it */
    memset(name, 'x', 63);
    memcpy(name + 63, "\xc3\xa9yyyy", 6);
    api_error_set(&e, 400, "unknown_field", slice_make(name, 69), "m");
    assert_int_equal(e.field_len, 63);
    memset(name, 'x', sizeof(name));
    api_error_set(&e, 400, "unknown_field", slice_make(name, 100), "m");
    assert_int_equal(e.field_len, 64);
    buf_dispose(&b);
}

static void test_message_cut_and_rollback(void **state)
{
    api_error e;
    buf b;
    char longmsg[400];

    (void)state;
    memset(longmsg, 'm', sizeof(longmsg) - 1);
    longmsg[sizeof(longmsg) - 1] = '\0';
    api_error_set(&e, 400, "invalid_value", SLICE_LIT("body"), "%s", longmsg);
    assert_int_equal(strlen(e.message), API_ERROR_MESSAGE_MAX - 1);
    buf_init(&b, 40);
    assert_int_equal(buf_append_cstr(&b, "x"), 0);
    assert_int_equal(api_error_body(&b, &e), -1);
    assert_buf(&b, "x");
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_with_field),
        cmocka_unit_test(test_body_without_field),
        cmocka_unit_test(test_field_escaped_and_cut_at_character),
        cmocka_unit_test(test_message_cut_and_rollback),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
