/* test_cql_result.c: unit tests of cql_result.c (RESULT bodies, rows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_buf.h"
#include "cql/cql_result.h"

/* A Rows body of n rows of (id int, name text null every third row). */
static void build_rows(cql_buf *b, int32_t n)
{
    cql_buf_put_i32(b, CQL_RESULT_ROWS);
    cql_buf_put_i32(b, CQL_META_GLOBAL_TABLES_SPEC);
    cql_buf_put_i32(b, 2);
    cql_buf_put_string(b, cql_slice_from_cstr("ks"));
    cql_buf_put_string(b, cql_slice_from_cstr("t"));
    cql_buf_put_string(b, cql_slice_from_cstr("id"));
    cql_buf_put_u16(b, CQL_TYPE_INT);
    cql_buf_put_string(b, cql_slice_from_cstr("name"));
    cql_buf_put_u16(b, CQL_TYPE_VARCHAR);
    cql_buf_put_i32(b, n);
    for (int32_t i = 0; i < n; i++) {
        cql_buf_put_i32(b, 4);
        cql_buf_put_i32(b, i);
        if (i % 3 == 0)
            cql_buf_put_i32(b, -1);
        else
            cql_buf_put_bytes(b, cql_slice_from_cstr("row"));
    }
}

static void test_iterate_many_rows(void **state)
{
    cql_buf b;
    cql_pool pool;
    cql_error err;
    cql_reader r;
    cql_result res;
    cql_row_iter it;
    cql_value v[2];
    int32_t id, rows = 0;
    int rc;

    (void)state;
    cql_buf_init(&b, 0);
    cql_pool_init(&pool);
    build_rows(&b, 250);
    assert_false(cql_buf_failed(&b));
    cql_reader_init(&r, b.data, b.len, &err);
    assert_int_equal(cql_result_decode(&r, &pool, &res), CQL_OK);
    assert_int_equal(res.rows.row_count, 250);
    cql_row_iter_init(&it, &res.rows);
    while ((rc = cql_row_iter_next(&it, v, 2)) == 1) {
        assert_int_equal(cql_value_as_int32(&v[0], &id, NULL), CQL_OK);
        assert_int_equal(id, rows);
        assert_int_equal(cql_value_is_null(&v[1]), rows % 3 == 0);
        rows++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rows, 250);
    cql_pool_dispose(&pool);
    cql_buf_dispose(&b);
}

static void test_row_iter_needs_room(void **state)
{
    cql_buf b;
    cql_pool pool;
    cql_error err;
    cql_reader r;
    cql_result res;
    cql_row_iter it;
    cql_value v[1];

    (void)state;
    cql_buf_init(&b, 0);
    cql_pool_init(&pool);
    build_rows(&b, 1);
    cql_reader_init(&r, b.data, b.len, &err);
    assert_int_equal(cql_result_decode(&r, &pool, &res), CQL_OK);
    cql_row_iter_init(&it, &res.rows);
    assert_int_equal(cql_row_iter_next(&it, v, 1), CQL_ERR);
    assert_int_equal(it.err.code, CQL_ERR_ARG);
    cql_pool_dispose(&pool);
    cql_buf_dispose(&b);
}

static void test_rows_content_must_fit(void **state)
{
    cql_buf b;
    cql_pool pool;
    cql_error err;
    cql_reader r;
    cql_result res;

    (void)state;
    cql_buf_init(&b, 0);
    cql_pool_init(&pool);
    build_rows(&b, 3);
    cql_buf_patch_i32(&b, b.len - 7 - 8, 1000); /* last row's id claims 1000 bytes */
    cql_reader_init(&r, b.data, b.len, &err);
    assert_int_equal(cql_result_decode(&r, &pool, &res), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_non_null(strstr(err.msg, "row value"));
    cql_pool_dispose(&pool);
    cql_buf_dispose(&b);
}

static void test_void_and_kinds(void **state)
{
    const uint8_t void_body[] = {0x00, 0x00, 0x00, 0x01};
    const uint8_t bad_kind[] = {0xff, 0xff, 0xff, 0xff};
    cql_pool pool;
    cql_error err;
    cql_reader r;
    cql_result res;

    (void)state;
    cql_pool_init(&pool);
    cql_reader_init(&r, void_body, sizeof(void_body), &err);
    assert_int_equal(cql_result_decode(&r, &pool, &res), CQL_OK);
    assert_int_equal(res.kind, CQL_RESULT_VOID);
    cql_reader_init(&r, bad_kind, sizeof(bad_kind), &err);
    assert_int_equal(cql_result_decode(&r, &pool, &res), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    cql_pool_dispose(&pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate_many_rows),
        cmocka_unit_test(test_row_iter_needs_room),
        cmocka_unit_test(test_rows_content_must_fit),
        cmocka_unit_test(test_void_and_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
