/* test_cql_values.c: unit tests of cql_values.c (section 6 encodings). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_values.h"

static void assert_values(const cql_values *v, uint16_t count, const uint8_t *want, size_t len)
{
    assert_int_equal(v->buf.err.code, CQL_ERR_NONE);
    assert_int_equal(v->count, count);
    assert_int_equal(v->buf.len, len);
    assert_memory_equal(v->buf.data, want, len);
}

static void test_scalars(void **state)
{
    const uint8_t uuid[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                              0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
    const uint8_t want[] = {
        0x00, 0x00, 0x00, 0x04, 0xff, 0xff, 0xff, 0xff,                         /* int -1 */
        0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x01, 0x8d, 0x00, 0x00, 0x00, 0x00, /* bigint */
        0x00, 0x00, 0x00, 0x03, 'a',  'b',  'c',  0x00, 0x00, 0x00, 0x01, 0x01, /* true */
        0x00, 0x00, 0x00, 0x08, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* 1.5 */
        0x00, 0x00, 0x00, 0x10, 0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
        0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00, 0xff, 0xff, 0xff, 0xff, /* null */
        0xff, 0xff, 0xff, 0xfe,                                                 /* unset */
        0x00, 0x00, 0x00, 0x00,                                                 /* empty blob */
    };
    cql_values v;

    (void)state;
    cql_values_init(&v);
    cql_values_add_int32(&v, -1);
    cql_values_add_int64(&v, INT64_C(0x18d00000000));
    cql_values_add_text(&v, cql_slice_from_cstr("abc"));
    cql_values_add_bool(&v, 7);
    cql_values_add_double(&v, 1.5);
    cql_values_add_uuid(&v, uuid);
    cql_values_add_null(&v);
    cql_values_add_unset(&v);
    cql_values_add_raw(&v, cql_slice_make("", 0));
    assert_int_equal(cql_values_finish(&v), CQL_OK);
    assert_values(&v, 9, want, sizeof(want));
    cql_values_reset(&v);
    assert_int_equal(v.count, 0);
    assert_int_equal(v.buf.len, 0);
    cql_values_dispose(&v);
}

static void test_collections(void **state)
{
    const uint8_t want[] = {
        /* map<text, list<int>> {'a': [1]} */
        0x00,
        0x00,
        0x00,
        0x19,
        0x00,
        0x00,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x01,
        'a',
        0x00,
        0x00,
        0x00,
        0x0c,
        0x00,
        0x00,
        0x00,
        0x01,
        0x00,
        0x00,
        0x00,
        0x04,
        0x00,
        0x00,
        0x00,
        0x01,
        /* set<int> {} */
        0x00,
        0x00,
        0x00,
        0x04,
        0x00,
        0x00,
        0x00,
        0x00,
    };
    cql_values v;

    (void)state;
    cql_values_init(&v);
    cql_values_open(&v, CQL_COLL_MAP);
    cql_values_add_text(&v, cql_slice_from_cstr("a"));
    cql_values_open(&v, CQL_COLL_LIST);
    cql_values_add_int32(&v, 1);
    cql_values_close(&v);
    cql_values_close(&v);
    cql_values_open(&v, CQL_COLL_SET);
    cql_values_close(&v);
    assert_int_equal(cql_values_finish(&v), CQL_OK);
    assert_values(&v, 2, want, sizeof(want));
    cql_values_dispose(&v);
}

static void test_misuse(void **state)
{
    cql_values v;

    (void)state;
    cql_values_init(&v);
    cql_values_open(&v, CQL_COLL_MAP);
    cql_values_add_int32(&v, 1);
    cql_values_close(&v); /* key without value */
    assert_int_equal(cql_values_finish(&v), CQL_ERR);
    assert_int_equal(v.buf.err.code, CQL_ERR_ARG);

    cql_values_reset(&v);
    cql_values_open(&v, CQL_COLL_LIST);
    cql_values_add_unset(&v);
    assert_int_equal(cql_values_finish(&v), CQL_ERR);
    assert_non_null(strstr(v.buf.err.msg, "unset"));

    cql_values_reset(&v);
    cql_values_close(&v);
    assert_int_equal(cql_values_finish(&v), CQL_ERR);

    cql_values_reset(&v);
    cql_values_open(&v, CQL_COLL_LIST);
    assert_int_equal(cql_values_finish(&v), CQL_ERR);
    assert_non_null(strstr(v.buf.err.msg, "left open"));

    cql_values_reset(&v);
    for (int i = 0; i <= CQL_VALUES_MAX_DEPTH; i++)
        cql_values_open(&v, CQL_COLL_LIST);
    assert_int_equal(cql_values_finish(&v), CQL_ERR);
    assert_non_null(strstr(v.buf.err.msg, "nested"));

    cql_values_reset(&v);
    for (int i = 0; i < 65536; i++)
        cql_values_add_null(&v);
    assert_int_equal(cql_values_finish(&v), CQL_ERR);
    assert_int_equal(v.buf.err.code, CQL_ERR_TOO_LARGE);
    cql_values_dispose(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_collections),
        cmocka_unit_test(test_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
