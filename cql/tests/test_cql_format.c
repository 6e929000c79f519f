/* test_cql_format.c: unit tests of cql_format.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_format.h"

/* Render (type, bytes) and compare with want; NULL want expects failure. */
static void check(const cql_type *t, const char *bytes, size_t len, const char *want)
{
    cql_value v = {t, cql_slice_make(bytes, len)};
    cql_error err;
    cql_buf out;
    int rc;

    cql_buf_init(&out, 0);
    rc = cql_format_value(&out, &v, &err);
    if (want == NULL) {
        assert_int_equal(rc, CQL_ERR);
    } else {
        if (rc != CQL_OK)
            fail_msg("%s: %s", want, err.msg);
        assert_int_equal(cql_buf_terminate(&out), CQL_OK);
        assert_string_equal((char *)out.data, want);
    }
    cql_buf_dispose(&out);
}

#define CHECK(t, lit, want) check(t, lit, sizeof(lit) - 1, want)

static const cql_type t_int = {.id = CQL_TYPE_INT};
static const cql_type t_text = {.id = CQL_TYPE_VARCHAR};

static void test_scalars(void **state)
{
    const cql_type t_bigint = {.id = CQL_TYPE_BIGINT}, t_bool = {.id = CQL_TYPE_BOOLEAN};
    const cql_type t_blob = {.id = CQL_TYPE_BLOB}, t_uuid = {.id = CQL_TYPE_TIMEUUID};
    const cql_type t_double = {.id = CQL_TYPE_DOUBLE}, t_float = {.id = CQL_TYPE_FLOAT};
    const cql_type t_inet = {.id = CQL_TYPE_INET}, t_custom = {.id = CQL_TYPE_CUSTOM};

    (void)state;
    CHECK(&t_int, "\xff\xff\xff\xd6", "-42");
    CHECK(&t_bigint, "\x7f\xff\xff\xff\xff\xff\xff\xff", "9223372036854775807");
    CHECK(&t_text, "tab\there", "tab\there");
    CHECK(&t_bool, "\x01", "true");
    CHECK(&t_blob, "\x00\xff\x10", "0x00ff10");
    CHECK(&t_blob, "", "0x");
    CHECK(&t_uuid, "\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00",
          "123e4567-e89b-12d3-a456-426614174000");
    CHECK(&t_double, "\x3f\xb9\x99\x99\x99\x99\x99\x9a", "0.1");
    CHECK(&t_double, "\x7f\xf0\x00\x00\x00\x00\x00\x00", "Infinity");
    CHECK(&t_double, "\x7f\xf8\x00\x00\x00\x00\x00\x00", "NaN");
    CHECK(&t_float, "\x3d\xcc\xcc\xcd", "0.1");
    CHECK(&t_inet, "\x7f\x00\x00\x01", "127.0.0.1");
    CHECK(&t_inet, "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", "::1");
    CHECK(&t_custom, "\x01", "0x01");
    check(&t_int, NULL, 0, "null");
    check(NULL, "\xab", 1, "0xab");
    CHECK(&t_int, "\x00", NULL);
    CHECK(&t_inet, "\x01\x02", NULL);
}

static void test_times(void **state)
{
    const cql_type t_ts = {.id = CQL_TYPE_TIMESTAMP}, t_date = {.id = CQL_TYPE_DATE};
    const cql_type t_time = {.id = CQL_TYPE_TIME};

    (void)state;
    CHECK(&t_ts, "\x00\x00\x00\x00\x00\x00\x00\x00", "1970-01-01T00:00:00.000Z");
    CHECK(&t_ts, "\x00\x00\x01\x8d\x5f\x83\xe8\x95", "2024-01-31T12:34:56.789Z");
    CHECK(&t_ts, "\xff\xff\xff\xff\xff\xff\xff\xff", "1969-12-31T23:59:59.999Z");
    CHECK(&t_ts, "\x00\x00\x00\xdd\x9f\xcd\x3b\xff", "2000-02-29T23:59:59.999Z");
    CHECK(&t_ts, "\x80\x00\x00\x00\x00\x00\x00\x00", "-292275055-05-16T16:47:04.192Z");
    CHECK(&t_date, "\x80\x00\x00\x00", "1970-01-01");
    CHECK(&t_date, "\x80\x00\x4d\x46", "2024-02-29");
    CHECK(&t_date, "\x7f\xff\xff\xff", "1969-12-31");
    CHECK(&t_time, "\x00\x00\x0b\x3a\x52\xb2\xc7\x15", "03:25:45.123456789");
    CHECK(&t_time, "\x00\x00\x4e\x94\x91\x4f\x00\x00", NULL); /* 24:00 is out of range */
}

static void test_numbers(void **state)
{
    const cql_type t_varint = {.id = CQL_TYPE_VARINT}, t_decimal = {.id = CQL_TYPE_DECIMAL};

    (void)state;
    CHECK(&t_varint, "\x00\x80", "128");
    CHECK(&t_varint, "\xff\x7f", "-129");
    CHECK(&t_varint, "\x01\x00\x00\x00\x00\x00\x00\x00\x00", "0x010000000000000000");
    CHECK(&t_decimal, "\x00\x00\x00\x02\x30\x39", "123.45");
    CHECK(&t_decimal, "\x00\x00\x00\x03\xff\x85", "-0.123");
    CHECK(&t_decimal, "\x00\x00\x00\x05\x7b", "0.00123");
    CHECK(&t_decimal, "\x00\x00\x00\x00\x05", "5");
    CHECK(&t_decimal, "\xff\xff\xff\xfe\x05", "5E+2");
    CHECK(&t_decimal, "\x80\x00\x00\x00\x05", "5E+2147483648"); /* found by fuzz_cql_frame */
    CHECK(&t_decimal, "\x7f\xff\xff\xff\xfb", "-5E-2147483647");
    CHECK(&t_decimal, "\x00\x00\x00", NULL);
}

static void test_collections(void **state)
{
    cql_type list_sub = {.id = CQL_TYPE_VARCHAR};
    cql_type t_list = {.id = CQL_TYPE_LIST, .count = 1, .sub = &list_sub};
    cql_type map_sub[2] = {{.id = CQL_TYPE_INT}, t_list};
    cql_type t_map = {.id = CQL_TYPE_MAP, .count = 2, .sub = map_sub};
    cql_type t_set = {.id = CQL_TYPE_SET, .count = 1, .sub = &list_sub};
    cql_type tuple_sub[2] = {{.id = CQL_TYPE_INT}, {.id = CQL_TYPE_VARCHAR}};
    cql_type t_tuple = {.id = CQL_TYPE_TUPLE, .count = 2, .sub = tuple_sub};
    cql_slice names[2] = {{"a", 1}, {"b", 1}};
    cql_type t_udt = {.id = CQL_TYPE_UDT, .count = 2, .sub = tuple_sub, .field_names = names};

    (void)state;
    CHECK(&t_list,
          "\x00\x00\x00\x02"
          "\x00\x00\x00\x03"
          "it's"
          "\x00\x00\x00\x00",
          NULL); /* 4 bytes claimed 3 */
    CHECK(&t_list,
          "\x00\x00\x00\x02"
          "\x00\x00\x00\x04"
          "it's"
          "\x00\x00\x00\x00",
          "['it''s', '']");
    CHECK(&t_set, "\x00\x00\x00\x00", "{}");
    CHECK(&t_map,
          "\x00\x00\x00\x01"
          "\x00\x00\x00\x04"
          "\x00\x00\x00\x07"
          "\x00\x00\x00\x09"
          "\x00\x00\x00\x01"
          "\x00\x00\x00\x01"
          "x",
          "{7: ['x']}");
    CHECK(&t_tuple,
          "\x00\x00\x00\x04"
          "\x00\x00\x00\x01"
          "\xff\xff\xff\xff",
          "(1, null)");
    CHECK(&t_udt,
          "\x00\x00\x00\x04"
          "\x00\x00\x00\x02",
          "{a: 2}"); /* trailing fields may be absent */
    CHECK(&t_tuple, "\x00\x00\x00\x09", NULL);
}

static void test_buffer_failure_is_reported(void **state)
{
    cql_value v = {&t_text, cql_slice_make("0123456789", 10)};
    cql_error err;
    cql_buf out;

    (void)state;
    cql_buf_init(&out, 4);
    assert_int_equal(cql_format_value(&out, &v, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TOO_LARGE);
    cql_buf_dispose(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_buffer_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
