/* test_cql_metadata.c: unit tests of cql_metadata.c (sections 4.2.5.2
 * and 4.2.5.4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_metadata.h"
#include "cql/tests/cql_test_support.h"

typedef int (*decode_fn)(cql_reader *r, cql_pool *pool, cql_metadata *out);

/* Decode bytes[0..len) with fn; on success the whole input must be used. */
static int decode(decode_fn fn, const uint8_t *bytes, size_t len, cql_pool *pool, cql_metadata *m, cql_error *err)
{
    cql_reader r;
    int rc;

    cql_reader_init(&r, bytes, len, err);
    rc = fn(&r, pool, m);
    if (rc == CQL_OK)
        assert_int_equal(cql_reader_left(&r), 0);
    return rc;
}

/* Every strict prefix of bytes fails as TRUNCATED. */
static void assert_truncations(decode_fn fn, const uint8_t *bytes, size_t len)
{
    cql_metadata m;
    cql_error err;
    cql_pool pool;

    cql_pool_init(&pool);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *p = cql_test_dup(bytes, cut);
        assert_int_equal(decode(fn, p, cut, &pool, &m, &err), CQL_ERR);
        assert_int_equal(err.code, CQL_ERR_TRUNCATED);
        free(p);
    }
    cql_pool_dispose(&pool);
}

static void test_rows_per_column(void **state)
{
    const uint8_t bytes[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 'a', 0x00, 0x01, 'b',  0x00, 0x01, 'x',
        0x00, 0x02, 0x00, 0x01, 'c',  0x00, 0x01, 'd',  0x00, 0x01, 'y', 0x00, 0x21, 0x00, 0x0d, 0x00, 0x03,
    };
    cql_metadata m;
    cql_error err;
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    assert_int_equal(decode(cql_metadata_decode_rows, bytes, sizeof(bytes), &pool, &m, &err), CQL_OK);
    assert_int_equal(m.column_count, 2);
    assert_memory_equal(m.columns[0].keyspace.base, "a", 1);
    assert_memory_equal(m.columns[1].table.base, "d", 1);
    assert_memory_equal(m.columns[1].name.base, "y", 1);
    assert_int_equal(m.columns[1].type.id, CQL_TYPE_MAP);
    assert_int_equal(m.columns[1].type.sub[1].id, CQL_TYPE_BLOB);
    assert_null(m.paging_state.base);
    cql_pool_dispose(&pool);
    assert_truncations(cql_metadata_decode_rows, bytes, sizeof(bytes));
}

static void test_rows_no_metadata_with_paging(void **state)
{
    const uint8_t bytes[] = {
        0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02, 0x01, 0x02,
    };
    cql_metadata m;
    cql_error err;
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    assert_int_equal(decode(cql_metadata_decode_rows, bytes, sizeof(bytes), &pool, &m, &err), CQL_OK);
    assert_int_equal(m.column_count, 5);
    assert_null(m.columns);
    assert_true(cql_metadata_has_more_pages(&m));
    assert_int_equal(m.paging_state.len, 2);
    cql_pool_dispose(&pool);
    assert_truncations(cql_metadata_decode_rows, bytes, sizeof(bytes));
}

static void test_prepared_bind_metadata(void **state)
{
    const uint8_t bytes[] = {
        0x00, 0x00, 0x00, 0x07,                         /* global spec (+ bits that mean nothing here) */
        0x00, 0x00, 0x00, 0x02,                         /* 2 markers */
        0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x00, /* pk indexes 1, 0 */
        0x00, 0x01, 'k',  0x00, 0x01, 't',  0x00, 0x01, 'a', 0x00, 0x02, 0x00, 0x01, 'b', 0x00, 0x09,
    };
    cql_metadata m;
    cql_error err;
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    assert_int_equal(decode(cql_metadata_decode_prepared, bytes, sizeof(bytes), &pool, &m, &err), CQL_OK);
    assert_int_equal(m.flags, CQL_META_GLOBAL_TABLES_SPEC);
    assert_int_equal(m.pk_count, 2);
    assert_int_equal(m.pk_indexes[0], 1);
    assert_int_equal(m.pk_indexes[1], 0);
    assert_int_equal(m.columns[1].type.id, CQL_TYPE_INT);
    assert_memory_equal(m.columns[1].keyspace.base, "k", 1);
    cql_pool_dispose(&pool);
    assert_truncations(cql_metadata_decode_prepared, bytes, sizeof(bytes));
}

static void test_forged_counts(void **state)
{
    const uint8_t columns[] = {0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 'a'};
    const uint8_t pks[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00};
    const uint8_t negative_pks[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00};
    cql_metadata m;
    cql_error err;
    cql_pool pool;

    (void)state;
    cql_pool_init(&pool);
    assert_int_equal(decode(cql_metadata_decode_rows, columns, sizeof(columns), &pool, &m, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_int_equal(decode(cql_metadata_decode_prepared, pks, sizeof(pks), &pool, &m, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TRUNCATED);
    assert_int_equal(decode(cql_metadata_decode_prepared, negative_pks, sizeof(negative_pks), &pool, &m, &err),
                     CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    assert_int_equal(pool.allocated, 0);
    cql_pool_dispose(&pool);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_per_column),
        cmocka_unit_test(test_rows_no_metadata_with_paging),
        cmocka_unit_test(test_prepared_bind_metadata),
        cmocka_unit_test(test_forged_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
