/* test_cql_reader.c: unit tests of cql_reader.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_reader.h"
#include "cql/tests/cql_test_support.h"

static void test_integers(void **state)
{
    const uint8_t bytes[] = {0xfe, 0x12, 0x34, 0xff, 0xff, 0xff, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 1};
    cql_error err;
    cql_reader r;
    uint8_t u8;
    uint16_t u16;
    int32_t i32;
    int64_t i64;

    (void)state;
    cql_reader_init(&r, bytes, sizeof(bytes), &err);
    assert_int_equal(cql_read_u8(&r, &u8, "a"), CQL_OK);
    assert_int_equal(u8, 0xfe);
    assert_int_equal(cql_read_u16(&r, &u16, "b"), CQL_OK);
    assert_int_equal(u16, 0x1234);
    assert_int_equal(cql_read_i32(&r, &i32, "c"), CQL_OK);
    assert_int_equal(i32, -2);
    assert_int_equal(cql_read_i64(&r, &i64, "d"), CQL_OK);
    assert_true(i64 == INT64_MIN + 1);
    assert_int_equal(cql_reader_left(&r), 0);
    assert_int_equal(cql_read_u8(&r, &u8, "past the end"), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_non_null(strstr(err.msg, "past the end"));
    assert_non_null(strstr(err.msg, "offset 15"));
}

static void test_truncated_reads_do_not_move(void **state)
{
    const uint8_t bytes[] = {0x00, 0x05, 'a', 'b'};
    uint8_t *p = cql_test_dup(bytes, sizeof(bytes));
    cql_error err;
    cql_reader r;
    cql_slice s;
    int64_t i64;

    (void)state;
    cql_reader_init(&r, p, sizeof(bytes), &err);
    assert_int_equal(cql_read_string(&r, &s, "name"), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_int_equal(cql_reader_offset(&r), 0);
    assert_int_equal(cql_read_i64(&r, &i64, "long"), CQL_ERR);
    assert_int_equal(cql_reader_offset(&r), 0);
    free(p);
}

static void test_strings_and_bytes(void **state)
{
    const uint8_t bytes[] = {
        0x00, 0x02, 'h',  'i',                 /* [string] */
        0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c', /* [long string] */
        0xff, 0xff, 0xff, 0xff,                /* null [bytes] */
        0xff, 0xff, 0xff, 0xfe,                /* any negative [bytes] is null */
        0x00, 0x00, 0x00, 0x00,                /* empty [bytes] */
        0x00, 0x01, 0x09,                      /* [short bytes] */
        0xff, 0xff, 0xff, 0xff,                /* negative [long string] */
    };
    cql_error err;
    cql_reader r;
    cql_slice s;

    (void)state;
    cql_reader_init(&r, bytes, sizeof(bytes), &err);
    assert_int_equal(cql_read_string(&r, &s, "s"), CQL_OK);
    assert_int_equal(s.len, 2);
    assert_memory_equal(s.base, "hi", 2);
    assert_ptr_equal(s.base, (const char *)bytes + 2);
    assert_int_equal(cql_read_long_string(&r, &s, "ls"), CQL_OK);
    assert_int_equal(s.len, 3);
    assert_int_equal(cql_read_bytes(&r, &s, "b"), CQL_OK);
    assert_true(cql_slice_is_null(s));
    assert_int_equal(cql_read_bytes(&r, &s, "b"), CQL_OK);
    assert_true(cql_slice_is_null(s));
    assert_int_equal(cql_read_bytes(&r, &s, "b"), CQL_OK);
    assert_false(cql_slice_is_null(s));
    assert_int_equal(s.len, 0);
    assert_int_equal(cql_read_short_bytes(&r, &s, "sb"), CQL_OK);
    assert_int_equal(s.base[0], 9);
    assert_int_equal(cql_read_long_string(&r, &s, "neg"), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    assert_int_equal(cql_reader_left(&r), 4);
}

static void test_counts(void **state)
{
    const uint8_t fits[] = {0x00, 0x00, 0x00, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t too_many[] = {0x00, 0x00, 0x00, 0x03, 1, 2, 3, 4, 5, 6, 7, 8};
    const uint8_t negative[] = {0x80, 0x00, 0x00, 0x00};
    const uint8_t short_count[] = {0x00, 0x03, 1, 2, 3, 4, 5};
    cql_error err;
    cql_reader r;
    int32_t n;
    uint16_t n16;

    (void)state;
    cql_reader_init(&r, fits, sizeof(fits), &err);
    assert_int_equal(cql_read_count32(&r, &n, 4, "n"), CQL_OK);
    assert_int_equal(n, 2);
    cql_reader_init(&r, too_many, sizeof(too_many), &err);
    assert_int_equal(cql_read_count32(&r, &n, 4, "n"), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_int_equal(cql_reader_offset(&r), 0);
    cql_reader_init(&r, negative, sizeof(negative), &err);
    assert_int_equal(cql_read_count32(&r, &n, 0, "n"), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    cql_reader_init(&r, short_count, sizeof(short_count), &err);
    assert_int_equal(cql_read_count16(&r, &n16, 2, "n"), CQL_ERR);
    cql_reader_init(&r, short_count, sizeof(short_count), &err);
    assert_int_equal(cql_read_count16(&r, &n16, 1, "n"), CQL_OK);
    assert_int_equal(n16, 3);
}

static void test_skip_string_list(void **state)
{
    const uint8_t ok[] = {0x00, 0x02, 0x00, 0x01, 'a', 0x00, 0x00, 0x07};
    const uint8_t bad[] = {0x00, 0x02, 0x00, 0x01, 'a', 0x00, 0x05, 'b'};
    cql_error err;
    cql_reader r;

    (void)state;
    cql_reader_init(&r, ok, sizeof(ok), &err);
    assert_int_equal(cql_skip_string_list(&r, "list"), CQL_OK);
    assert_int_equal(cql_reader_left(&r), 1);
    cql_reader_init(&r, bad, sizeof(bad), &err);
    assert_int_equal(cql_skip_string_list(&r, "list"), CQL_ERR);
    assert_int_equal(cql_reader_offset(&r), 0);
}

static void test_empty_input(void **state)
{
    cql_error err;
    cql_reader r;
    cql_slice s;

    (void)state;
    cql_reader_init(&r, NULL, 0, &err);
    assert_int_equal(cql_reader_left(&r), 0);
    assert_int_equal(cql_read_raw(&r, 0, &s, "nothing"), CQL_OK);
    assert_int_equal(cql_read_raw(&r, 1, &s, "one"), CQL_ERR);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),          cmocka_unit_test(test_truncated_reads_do_not_move),
        cmocka_unit_test(test_strings_and_bytes), cmocka_unit_test(test_counts),
        cmocka_unit_test(test_skip_string_list),  cmocka_unit_test(test_empty_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
