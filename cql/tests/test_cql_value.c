/* test_cql_value.c: unit tests of cql_value.c (typed getters, collections). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_value.h"

static const cql_type t_int = {.id = CQL_TYPE_INT};
static const cql_type t_bigint = {.id = CQL_TYPE_BIGINT};
static const cql_type t_smallint = {.id = CQL_TYPE_SMALLINT};
static const cql_type t_tinyint = {.id = CQL_TYPE_TINYINT};
static const cql_type t_timestamp = {.id = CQL_TYPE_TIMESTAMP};
static const cql_type t_text = {.id = CQL_TYPE_VARCHAR};
static const cql_type t_ascii = {.id = CQL_TYPE_ASCII};
static const cql_type t_blob = {.id = CQL_TYPE_BLOB};
static const cql_type t_bool = {.id = CQL_TYPE_BOOLEAN};
static const cql_type t_double = {.id = CQL_TYPE_DOUBLE};
static const cql_type t_float = {.id = CQL_TYPE_FLOAT};
static const cql_type t_uuid = {.id = CQL_TYPE_UUID};
static const cql_type t_timeuuid = {.id = CQL_TYPE_TIMEUUID};

static cql_value val(const cql_type *t, const char *bytes, size_t len)
{
    cql_value v = {t, cql_slice_make(bytes, len)};
    return v;
}

static void test_integers(void **state)
{
    cql_value v = val(&t_bigint, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8);
    cql_error err;
    int64_t i64;
    int32_t i32;

    (void)state;
    assert_int_equal(cql_value_as_int64(&v, &i64, &err), CQL_OK);
    assert_int_equal(i64, -2);
    assert_int_equal(cql_value_as_int32(&v, &i32, &err), CQL_ERR); /* bigint does not narrow */
    assert_int_equal(err.code, CQL_ERR_TYPE);
    assert_non_null(strstr(err.msg, "bigint read as int"));
    v = val(&t_int, "\x80\x00\x00\x00", 4);
    assert_int_equal(cql_value_as_int32(&v, &i32, &err), CQL_OK);
    assert_int_equal(i32, INT32_MIN);
    assert_int_equal(cql_value_as_int64(&v, &i64, &err), CQL_OK); /* int widens */
    assert_int_equal(i64, INT32_MIN);
    v = val(&t_smallint, "\xff\x9c", 2);
    assert_int_equal(cql_value_as_int32(&v, &i32, &err), CQL_OK);
    assert_int_equal(i32, -100);
    v = val(&t_tinyint, "\x7f", 1);
    assert_int_equal(cql_value_as_int32(&v, &i32, &err), CQL_OK);
    assert_int_equal(i32, 127);
    v = val(&t_int, "\x00\x01", 2);
    assert_int_equal(cql_value_as_int32(&v, &i32, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    v = val(&t_bigint, "", 0); /* legacy empty value */
    assert_int_equal(cql_value_as_int64(&v, &i64, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    v = val(&t_int, NULL, 0);
    assert_int_equal(cql_value_as_int32(&v, &i32, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_NULL);
    assert_int_equal(cql_value_as_int32(&v, &i32, NULL), CQL_ERR); /* err is optional */
}

static void test_timestamp(void **state)
{
    cql_value v = val(&t_timestamp, "\x00\x00\x01\x8d\x00\x00\x00\x00", 8);
    cql_error err;
    int64_t ms;

    (void)state;
    assert_int_equal(cql_value_as_timestamp(&v, &ms, &err), CQL_OK);
    assert_int_equal(ms, INT64_C(0x18d00000000));
    assert_int_equal(cql_value_as_int64(&v, &ms, &err), CQL_OK);
    v.type = &t_bigint;
    assert_int_equal(cql_value_as_timestamp(&v, &ms, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TYPE);
}

static void test_text_blob_bool(void **state)
{
    cql_value v = val(&t_text, "h\xc3\xa9", 3);
    cql_error err;
    cql_slice s;
    int b;

    (void)state;
    assert_int_equal(cql_value_as_text(&v, &s, &err), CQL_OK);
    assert_int_equal(s.len, 3);
    assert_ptr_equal(s.base, v.bytes.base);
    v.type = &t_ascii;
    assert_int_equal(cql_value_as_text(&v, &s, &err), CQL_OK);
    v.type = &t_blob;
    assert_int_equal(cql_value_as_text(&v, &s, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TYPE);
    assert_int_equal(cql_value_as_blob(&v, &s, &err), CQL_OK);
    v = val(&t_text, "", 0);
    assert_int_equal(cql_value_as_text(&v, &s, &err), CQL_OK); /* empty text is a value */
    assert_int_equal(s.len, 0);
    v = val(&t_bool, "\x02", 1);
    assert_int_equal(cql_value_as_bool(&v, &b, &err), CQL_OK);
    assert_true(b);
    v = val(&t_bool, "\x00", 1);
    assert_int_equal(cql_value_as_bool(&v, &b, &err), CQL_OK);
    assert_false(b);
    v = val(&t_bool, "\x00\x00", 2);
    assert_int_equal(cql_value_as_bool(&v, &b, &err), CQL_ERR);
}

static void test_doubles(void **state)
{
    cql_value v = val(&t_double, "\x3f\xf8\x00\x00\x00\x00\x00\x00", 8);
    cql_error err;
    double d;

    (void)state;
    assert_int_equal(cql_value_as_double(&v, &d, &err), CQL_OK);
    assert_true(d == 1.5);
    v = val(&t_float, "\xc0\x20\x00\x00", 4);
    assert_int_equal(cql_value_as_double(&v, &d, &err), CQL_OK);
    assert_true(d == -2.5);
    v = val(&t_float, "\xc0\x20\x00\x00\x00\x00\x00\x00", 8);
    assert_int_equal(cql_value_as_double(&v, &d, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
}

static void test_uuid(void **state)
{
    const char bytes[16] = "\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00";
    cql_value v = val(&t_uuid, bytes, 16);
    uint8_t u[16];
    cql_error err;

    (void)state;
    assert_int_equal(cql_value_as_uuid(&v, u, &err), CQL_OK);
    assert_memory_equal(u, bytes, 16);
    v.type = &t_timeuuid;
    assert_int_equal(cql_value_as_uuid(&v, u, &err), CQL_OK);
    v.bytes.len = 15;
    assert_int_equal(cql_value_as_uuid(&v, u, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
}

static void test_map_iteration(void **state)
{
    cql_type kv[2] = {{.id = CQL_TYPE_VARCHAR}, {.id = CQL_TYPE_BIGINT}};
    cql_type t_map = {.id = CQL_TYPE_MAP, .count = 2, .sub = kv};
    const char bytes[] = "\x00\x00\x00\x01"
                         "\x00\x00\x00\x01"
                         "a"
                         "\x00\x00\x00\x08"
                         "\x00\x00\x00\x00\x00\x00\x00\x09";
    cql_value v = val(&t_map, bytes, sizeof(bytes) - 1), k, x;
    cql_collection_iter it;
    cql_error err;
    int64_t n;

    (void)state;
    assert_int_equal(cql_collection_begin(&it, &v, &err), CQL_OK);
    assert_int_equal(cql_collection_left(&it), 1);
    assert_int_equal(cql_collection_next(&it, &k, &x, &err), 1);
    assert_int_equal(k.type->id, CQL_TYPE_VARCHAR);
    assert_int_equal(cql_value_as_int64(&x, &n, &err), CQL_OK);
    assert_int_equal(n, 9);
    assert_int_equal(cql_collection_next(&it, &k, &x, &err), 0);
    v.bytes.len -= 1; /* value cut short */
    assert_int_equal(cql_collection_begin(&it, &v, &err), CQL_OK);
    assert_int_equal(cql_collection_next(&it, &k, &x, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
}

static void test_collection_errors(void **state)
{
    cql_type elem = {.id = CQL_TYPE_INT};
    cql_type t_list = {.id = CQL_TYPE_LIST, .count = 1, .sub = &elem};
    cql_value v = val(&t_list, "\x00\x00\x01\x00\x00\x00\x00\x00", 8); /* 256 elements in 4 bytes */
    cql_collection_iter it;
    cql_error err;

    (void)state;
    assert_int_equal(cql_collection_begin(&it, &v, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    v = val(&t_list, "\xff\xff\xff\xff", 4);
    assert_int_equal(cql_collection_begin(&it, &v, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    v = val(&t_int, "\x00\x00\x00\x00", 4);
    assert_int_equal(cql_collection_begin(&it, &v, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TYPE);
    v = val(&t_list, NULL, 0);
    assert_int_equal(cql_collection_begin(&it, &v, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_timestamp),
        cmocka_unit_test(test_text_blob_bool),
        cmocka_unit_test(test_doubles),
        cmocka_unit_test(test_uuid),
        cmocka_unit_test(test_map_iteration),
        cmocka_unit_test(test_collection_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
