/* test_cql_buf.c: unit tests of cql_buf.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_buf.h"

static void test_writers_are_big_endian(void **state)
{
    const uint8_t want[] = {
        0xab, 0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x02, 'h',
        'i',  0x00, 0x00, 0x00, 0x01, 'x',  0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x07,
    };
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    cql_buf_put_u8(&buf, 0xab);
    cql_buf_put_u16(&buf, 0x1234);
    cql_buf_put_i32(&buf, -2);
    cql_buf_put_i64(&buf, 0x0102030405060708);
    cql_buf_put_string(&buf, cql_slice_from_cstr("hi"));
    cql_buf_put_long_string(&buf, cql_slice_from_cstr("x"));
    cql_buf_put_bytes(&buf, (cql_slice){0});        /* null */
    cql_buf_put_bytes(&buf, cql_slice_make("", 0)); /* empty, not null */
    cql_buf_put_short_bytes(&buf, cql_slice_make("\x07", 1));
    assert_false(cql_buf_failed(&buf));
    assert_int_equal(buf.len, sizeof(want));
    assert_memory_equal(buf.data, want, sizeof(want));
    cql_buf_dispose(&buf);
    assert_null(buf.data);
}

static void test_growth(void **state)
{
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    for (int i = 0; i < 10000; i++)
        cql_buf_put_i32(&buf, i);
    assert_int_equal(buf.len, 40000);
    assert_int_equal(buf.data[39999], 9999 & 0xff);
    cql_buf_reset(&buf);
    assert_int_equal(buf.len, 0);
    assert_true(buf.cap >= 40000);
    cql_buf_dispose(&buf);
}

static void test_sticky_error(void **state)
{
    static char big[70000];
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    cql_buf_put_u8(&buf, 1);
    cql_buf_put_string(&buf, cql_slice_make(big, sizeof(big))); /* > 65535 */
    assert_true(cql_buf_failed(&buf));
    assert_int_equal(buf.err.code, CQL_ERR_TOO_LARGE);
    cql_buf_put_u8(&buf, 2); /* ignored */
    assert_int_equal(buf.len, 1);
    assert_int_equal(cql_buf_reserve(&buf, 1), CQL_ERR);
    cql_buf_reset(&buf);
    assert_false(cql_buf_failed(&buf));
    cql_buf_put_u8(&buf, 3);
    assert_int_equal(buf.len, 1);
    cql_buf_dispose(&buf);
}

static void test_limit(void **state)
{
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 10);
    cql_buf_put_raw(&buf, "0123456789", 10);
    assert_false(cql_buf_failed(&buf));
    cql_buf_put_u8(&buf, 'x');
    assert_int_equal(buf.err.code, CQL_ERR_TOO_LARGE);
    assert_int_equal(buf.len, 10);
    cql_buf_dispose(&buf);
}

static void test_patch_printf_terminate(void **state)
{
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    cql_buf_put_i32(&buf, 0);
    cql_buf_printf(&buf, "%s-%d", "ab", 12);
    cql_buf_patch_i32(&buf, 0, 0x01020304);
    assert_int_equal(buf.len, 9);
    assert_memory_equal(buf.data,
                        "\x01\x02\x03\x04"
                        "ab-12",
                        9);
    assert_int_equal(cql_buf_terminate(&buf), CQL_OK);
    assert_int_equal(buf.len, 9);
    assert_string_equal((char *)buf.data + 4, "ab-12");
    cql_buf_dispose(&buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writers_are_big_endian), cmocka_unit_test(test_growth),
        cmocka_unit_test(test_sticky_error),           cmocka_unit_test(test_limit),
        cmocka_unit_test(test_patch_printf_terminate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
