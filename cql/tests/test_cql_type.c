/* test_cql_type.c: unit tests of cql_type.c ([option] types). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_type.h"
#include "cql/tests/cql_test_support.h"

/* Decode bytes as one type and render it; returns the rc. */
static int decode_format(const uint8_t *bytes, size_t len, char *text, size_t text_size, cql_error *err)
{
    uint8_t *p = cql_test_dup(bytes, len);
    cql_pool pool;
    cql_reader r;
    cql_type t;
    cql_buf out;
    int rc;

    cql_pool_init(&pool);
    cql_buf_init(&out, 0);
    cql_reader_init(&r, p, len, err);
    rc = cql_type_decode(&r, &pool, &t);
    if (rc == CQL_OK) {
        assert_int_equal(cql_reader_left(&r), 0);
        cql_type_format(&out, &t);
        assert_int_equal(cql_buf_terminate(&out), CQL_OK);
        snprintf(text, text_size, "%s", (char *)out.data);
    }
    cql_buf_dispose(&out);
    cql_pool_dispose(&pool);
    free(p);
    return rc;
}

static void assert_type(const uint8_t *bytes, size_t len, const char *want)
{
    char text[200];
    cql_error err;

    assert_int_equal(decode_format(bytes, len, text, sizeof(text), &err), CQL_OK);
    assert_string_equal(text, want);
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_equal(decode_format(bytes, cut, text, sizeof(text), &err), CQL_ERR);
        assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    }
}

#define ASSERT_TYPE(want, ...)              \
    do {                                    \
        const uint8_t b_[] = {__VA_ARGS__}; \
        assert_type(b_, sizeof(b_), want);  \
    } while (0)

static void test_native_types(void **state)
{
    (void)state;
    ASSERT_TYPE("ascii", 0x00, 0x01);
    ASSERT_TYPE("bigint", 0x00, 0x02);
    ASSERT_TYPE("blob", 0x00, 0x03);
    ASSERT_TYPE("boolean", 0x00, 0x04);
    ASSERT_TYPE("double", 0x00, 0x07);
    ASSERT_TYPE("int", 0x00, 0x09);
    ASSERT_TYPE("timestamp", 0x00, 0x0b);
    ASSERT_TYPE("uuid", 0x00, 0x0c);
    ASSERT_TYPE("text", 0x00, 0x0d);
    ASSERT_TYPE("timeuuid", 0x00, 0x0f);
    ASSERT_TYPE("tinyint", 0x00, 0x14);
    ASSERT_TYPE("'a.B'", 0x00, 0x00, 0x00, 0x03, 'a', '.', 'B');
}

static void test_collection_types(void **state)
{
    (void)state;
    ASSERT_TYPE("list<bigint>", 0x00, 0x20, 0x00, 0x02);
    ASSERT_TYPE("set<uuid>", 0x00, 0x22, 0x00, 0x0c);
    ASSERT_TYPE("map<text, list<int>>", 0x00, 0x21, 0x00, 0x0d, 0x00, 0x20, 0x00, 0x09);
    ASSERT_TYPE("tuple<int, text>", 0x00, 0x31, 0x00, 0x02, 0x00, 0x09, 0x00, 0x0d);
    ASSERT_TYPE("ks.addr", 0x00, 0x30, 0x00, 0x02, 'k', 's', 0x00, 0x04, 'a', 'd', 'd', 'r', 0x00, 0x01, 0x00, 0x03,
                'z', 'i', 'p', 0x00, 0x09);
}

static void test_udt_fields(void **state)
{
    const uint8_t bytes[] = {0x00, 0x30, 0x00, 0x01, 'k',  0x00, 0x01, 'u', 0x00, 0x02,
                             0x00, 0x01, 'a',  0x00, 0x09, 0x00, 0x01, 'b', 0x00, 0x0d};
    cql_error err;
    cql_pool pool;
    cql_reader r;
    cql_type t;

    (void)state;
    cql_pool_init(&pool);
    cql_reader_init(&r, bytes, sizeof(bytes), &err);
    assert_int_equal(cql_type_decode(&r, &pool, &t), CQL_OK);
    assert_int_equal(t.count, 2);
    assert_memory_equal(t.field_names[1].base, "b", 1);
    assert_int_equal(t.sub[1].id, CQL_TYPE_VARCHAR);
    cql_pool_dispose(&pool);
}

static void test_bad_types(void **state)
{
    const uint8_t unknown[] = {0x00, 0x0a};
    const uint8_t unknown_inner[] = {0x00, 0x20, 0x01, 0x00};
    const uint8_t huge_tuple[] = {0x00, 0x31, 0xff, 0xff, 0x00, 0x09};
    uint8_t deep[2 * (CQL_TYPE_MAX_DEPTH + 1)];
    char text[200];
    cql_error err;

    (void)state;
    assert_int_equal(decode_format(unknown, sizeof(unknown), text, sizeof(text), &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    assert_int_equal(decode_format(unknown_inner, sizeof(unknown_inner), text, sizeof(text), &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "0x0100"));
    assert_int_equal(decode_format(huge_tuple, sizeof(huge_tuple), text, sizeof(text), &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    for (size_t i = 0; i + 2 <= sizeof(deep); i += 2) { /* list<list<...<int>>> one level too deep */
        deep[i] = 0x00;
        deep[i + 1] = i + 2 < sizeof(deep) ? 0x20 : 0x09;
    }
    assert_int_equal(decode_format(deep, sizeof(deep), text, sizeof(text), &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "deeper"));
    assert_int_equal(decode_format(deep + 2, sizeof(deep) - 2, text, sizeof(text), &err), CQL_OK);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(cql_type_name(CQL_TYPE_VARCHAR), "text");
    assert_string_equal(cql_type_name(CQL_TYPE_MAP), "map");
    assert_string_equal(cql_type_name(0x0a), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native_types), cmocka_unit_test(test_collection_types),
        cmocka_unit_test(test_udt_fields),   cmocka_unit_test(test_bad_types),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
