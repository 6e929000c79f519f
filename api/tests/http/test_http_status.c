/* test_http_status.c: reason phrases and the stable error codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/src/http/http_status.h"

static void test_reasons(void **state)
{
    (void)state;
    assert_string_equal(http_status_reason(200), "OK");
    assert_string_equal(http_status_reason(404), "Not Found");
    assert_string_equal(http_status_reason(413), "Content Too Large");
    assert_string_equal(http_status_reason(431), "Request Header Fields Too Large");
    assert_string_equal(http_status_reason(505), "HTTP Version Not Supported");
    assert_string_equal(http_status_reason(299), "Unknown");
}

static void test_error_codes_are_stable(void **state)
{
    (void)state;
    /* Public API: clients branch on these. */
    assert_string_equal(http_status_error_code(400), "bad_request");
    assert_string_equal(http_status_error_code(404), "not_found");
    assert_string_equal(http_status_error_code(405), "method_not_allowed");
    assert_string_equal(http_status_error_code(408), "request_timeout");
    assert_string_equal(http_status_error_code(411), "length_required");
    assert_string_equal(http_status_error_code(413), "payload_too_large");
    assert_string_equal(http_status_error_code(414), "uri_too_long");
    assert_string_equal(http_status_error_code(417), "expectation_failed");
    assert_string_equal(http_status_error_code(431), "headers_too_large");
    assert_string_equal(http_status_error_code(500), "internal");
    assert_string_equal(http_status_error_code(501), "not_implemented");
    assert_string_equal(http_status_error_code(503), "unavailable");
    assert_string_equal(http_status_error_code(505), "http_version_not_supported");
    assert_string_equal(http_status_error_code(418), "bad_request");
    assert_string_equal(http_status_error_code(599), "internal");
    assert_null(http_status_error_code(200));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_error_codes_are_stable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
