/* fuzz_cql_frame.c: libFuzzer target for the response decoder.
 *
 * Arbitrary bytes go through the whole read path a client runs on what a
 * server sends: frame split, header and body decode, and for rows every
 * value through the typed getters and the text formatter (collections
 * recursively). The decoder must return CQL_OK or CQL_ERR without reading
 * outside the input or leaking; ASan and UBSan watch for the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cql/cql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every getter and the formatter on one value; results are irrelevant,
 * only that each returns cleanly. */
static void fuzz_value(const cql_value *v, cql_buf *out)
{
    int32_t i32;
    int64_t i64;
    double d;
    int b;
    cql_slice s;
    uint8_t uuid[16];
    cql_error err;

    (void)cql_value_as_int32(v, &i32, &err);
    (void)cql_value_as_int64(v, &i64, &err);
    (void)cql_value_as_timestamp(v, &i64, &err);
    (void)cql_value_as_double(v, &d, &err);
    (void)cql_value_as_bool(v, &b, &err);
    (void)cql_value_as_text(v, &s, &err);
    (void)cql_value_as_blob(v, &s, &err);
    (void)cql_value_as_uuid(v, uuid, &err);
    cql_buf_reset(out);
    (void)cql_format_value(out, v, &err);
}

static void fuzz_rows(const cql_rows *rows, cql_buf *out)
{
    const cql_metadata *meta = &rows->meta;
    cql_value *values;
    cql_row_iter it;

    for (int32_t i = 0; meta->columns != NULL && i < meta->column_count; i++) {
        cql_buf_reset(out);
        cql_type_format(out, &meta->columns[i].type);
    }
    if (rows->row_count == 0)
        return;
    values = malloc(sizeof(*values) * (size_t)meta->column_count); /* bounded: the decoder checked it fits */
    if (values == NULL)
        return;
    cql_row_iter_init(&it, rows);
    while (cql_row_iter_next(&it, values, (size_t)meta->column_count) == 1) {
        for (int32_t i = 0; i < meta->column_count; i++)
            fuzz_value(&values[i], out);
    }
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cql_response resp;
    cql_pool pool;
    cql_buf out;

    cql_pool_init(&pool);
    cql_buf_init(&out, 1 << 20);
    if (cql_response_decode(&resp, data, size, 1 << 20, &pool) == CQL_OK && resp.header.opcode == CQL_OP_RESULT) {
        if (resp.result.kind == CQL_RESULT_ROWS)
            fuzz_rows(&resp.result.rows, &out);
        if (resp.result.kind == CQL_RESULT_PREPARED) {
            cql_rows as_rows = {resp.result.prepared.result, 0, {0}};
            fuzz_rows(&as_rows, &out);
        }
    }
    cql_buf_dispose(&out);
    cql_pool_dispose(&pool);
    return 0;
}
