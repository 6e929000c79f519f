/* test_tool_num.c: tool_parse_long. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tools/common/tool_num.h"

static void test_accepts_in_range(void **state)
{
    long v = 0;

    (void)state;
    assert_int_equal(tool_parse_long("42", 1, 65535, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(tool_parse_long("1", 1, 65535, &v), 0); /* bounds are inclusive */
    assert_int_equal(v, 1);
    assert_int_equal(tool_parse_long("65535", 1, 65535, &v), 0);
    assert_int_equal(v, 65535);
    assert_int_equal(tool_parse_long("-7", -10, 10, &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(tool_parse_long("+7", 0, 10, &v), 0);
    assert_int_equal(v, 7);
    assert_int_equal(tool_parse_long("0", 0, 0, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(tool_parse_long(" 12", 0, 100, &v), 0); /* strtol skips leading space */
    assert_int_equal(v, 12);
}

static void test_refuses_out_of_range(void **state)
{
    long v = 99;

    (void)state;
    assert_int_equal(tool_parse_long("0", 1, 65535, &v), -1);
    assert_int_equal(tool_parse_long("65536", 1, 65535, &v), -1);
    assert_int_equal(tool_parse_long("-1", 0, 10, &v), -1);
    assert_int_equal(tool_parse_long("99999999999999999999999", 0, LONG_MAX, &v), -1); /* ERANGE */
    assert_int_equal(tool_parse_long("-99999999999999999999999", LONG_MIN, 0, &v), -1);
    assert_int_equal(v, 99); /* untouched on failure */
}

static void test_refuses_non_numbers(void **state)
{
    long v = 99;

    (void)state;
    assert_int_equal(tool_parse_long("", 0, 10, &v), -1);
    assert_int_equal(tool_parse_long("x", 0, 10, &v), -1);
    assert_int_equal(tool_parse_long("5x", 0, 10, &v), -1);
    assert_int_equal(tool_parse_long("5 ", 0, 10, &v), -1);
    assert_int_equal(tool_parse_long("0x5", 0, 10, &v), -1); /* decimal only */
    assert_int_equal(tool_parse_long("-", -10, 10, &v), -1);
    assert_int_equal(v, 99);
}

static void test_extremes_of_long(void **state)
{
    char max[32], over[33];
    long v = 0;

    (void)state;
    snprintf(max, sizeof max, "%ld", LONG_MAX);
    snprintf(over, sizeof over, "%ld0", LONG_MAX); /* ten times LONG_MAX */
    assert_int_equal(tool_parse_long(max, 1, LONG_MAX, &v), 0);
    assert_true(v == LONG_MAX);
    assert_int_equal(tool_parse_long(over, 1, LONG_MAX, &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepts_in_range),
        cmocka_unit_test(test_refuses_out_of_range),
        cmocka_unit_test(test_refuses_non_numbers),
        cmocka_unit_test(test_extremes_of_long),
    };
    return cmocka_run_group_tests_name("tool_num", tests, NULL, NULL);
}
