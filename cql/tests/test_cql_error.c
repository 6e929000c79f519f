/* test_cql_error.c: unit tests of cql_error.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_error.h"

static void test_set_and_clear(void **state)
{
    cql_error err;

    (void)state;
    cql_error_clear(&err);
    assert_int_equal(err.code, CQL_ERR_NONE);
    assert_string_equal(err.msg, "");
    assert_int_equal(cql_error_set(&err, CQL_ERR_TRUNCATED, "need %d bytes", 4), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_string_equal(err.msg, "need 4 bytes");
    err.server_code = 7;
    cql_error_set(&err, CQL_ERR_IO, "x");
    assert_int_equal(err.server_code, 0);
    cql_error_clear(&err);
    assert_int_equal(err.code, CQL_ERR_NONE);
}

static void test_long_message_is_truncated(void **state)
{
    char big[CQL_ERRSTR_SIZE * 2];
    cql_error err;

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    cql_error_set(&err, CQL_ERR_MALFORMED, "%s", big);
    assert_int_equal(strlen(err.msg), CQL_ERRSTR_SIZE - 1);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cql_errcode_name(CQL_ERR_TRUNCATED), "TRUNCATED");
    assert_string_equal(cql_errcode_name(CQL_ERR_SERVER), "SERVER");
    assert_string_equal(cql_errcode_name((cql_errcode)999), "UNKNOWN");
    assert_string_equal(cql_server_error_name(0x2000), "SYNTAX_ERROR");
    assert_string_equal(cql_server_error_name(0x2200), "INVALID");
    assert_string_equal(cql_server_error_name(0x2400), "ALREADY_EXISTS");
    assert_string_equal(cql_server_error_name(0x2500), "UNPREPARED");
    assert_string_equal(cql_server_error_name(0x1100), "WRITE_TIMEOUT");
    assert_string_equal(cql_server_error_name(0x0000), "SERVER_ERROR");
    assert_string_equal(cql_server_error_name(0x1234), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_and_clear),
        cmocka_unit_test(test_long_message_is_truncated),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
