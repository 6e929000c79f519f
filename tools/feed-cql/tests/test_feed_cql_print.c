/* test_feed_cql_print.c: unit tests of feed_cql_print.c (TSV output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tools/feed-cql/feed_cql.h"

/* Rows of (id bigint, note text), built by hand. */
static void build(cql_buf *b, const char *const *notes, int n)
{
    cql_buf_put_i32(b, CQL_META_GLOBAL_TABLES_SPEC);
    cql_buf_put_i32(b, 2);
    cql_buf_put_string(b, cql_slice_from_cstr("ks"));
    cql_buf_put_string(b, cql_slice_from_cstr("t"));
    cql_buf_put_string(b, cql_slice_from_cstr("id"));
    cql_buf_put_u16(b, CQL_TYPE_BIGINT);
    cql_buf_put_string(b, cql_slice_from_cstr("no\tte"));
    cql_buf_put_u16(b, CQL_TYPE_VARCHAR);
    cql_buf_put_i32(b, n);
    for (int i = 0; i < n; i++) {
        cql_buf_put_i32(b, 8);
        cql_buf_put_i64(b, i + 1);
        cql_buf_put_bytes(b, cql_slice_from_cstr(notes[i]));
    }
}

static void test_tsv(void **state)
{
    const char *notes[] = {"plain", "tab\there\nnew\\line", NULL};
    cql_buf b, scratch;
    cql_pool pool;
    cql_error err;
    cql_reader r;
    cql_rows rows = {0};
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    cql_buf_init(&b, 0);
    cql_buf_init(&scratch, 0);
    cql_pool_init(&pool);
    build(&b, notes, 3);
    cql_reader_init(&r, b.data, b.len, &err);
    assert_int_equal(cql_metadata_decode_rows(&r, &pool, &rows.meta), CQL_OK);
    assert_int_equal(cql_read_count32(&r, &rows.row_count, 0, "rows"), CQL_OK);
    rows.content = cql_slice_make(r.pos, cql_reader_left(&r));
    feed_cql_print_header(out, &rows.meta);
    assert_int_equal(feed_cql_print_rows(out, &rows, &scratch, &err), CQL_OK);
    fclose(out);
    assert_string_equal(text, "id\tno\\tte\n1\tplain\n2\ttab\\there\\nnew\\\\line\n3\tnull\n");
    free(text);
    cql_pool_dispose(&pool);
    cql_buf_dispose(&scratch);
    cql_buf_dispose(&b);
}

static void test_header_without_metadata(void **state)
{
    cql_metadata meta = {.column_count = 2};
    char *text;
    size_t len;
    FILE *out = open_memstream(&text, &len);

    (void)state;
    feed_cql_print_header(out, &meta);
    fclose(out);
    assert_string_equal(text, "column1\tcolumn2\n");
    free(text);
}

static void test_malformed_value(void **state)
{
    cql_column col = {.type = {.id = CQL_TYPE_BIGINT}};
    const uint8_t content[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x01}; /* a 2-byte bigint */
    cql_rows rows = {.meta = {.column_count = 1, .columns = &col},
                     .row_count = 1,
                     .content = {(const char *)content, sizeof(content)}};
    cql_buf scratch;
    cql_error err;
    FILE *out = fopen("/dev/null", "w");

    (void)state;
    cql_buf_init(&scratch, 0);
    assert_int_equal(feed_cql_print_rows(out, &rows, &scratch, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    fclose(out);
    cql_buf_dispose(&scratch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tsv),
        cmocka_unit_test(test_header_without_metadata),
        cmocka_unit_test(test_malformed_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
