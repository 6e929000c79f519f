/* feed_cql_print.c: rows as tab-separated text.
 *
 * Values are rendered by cql_format_value; the escaping of tab, newline,
 * carriage return and backslash (PostgreSQL's COPY text convention)
 * keeps one row on one line and columns aligned with the header for
 * cut, awk and sort. null prints as null, as in cqlsh.
 */
#include "tools/feed-cql/feed_cql.h"

#include <stdlib.h>

/* Write s escaped for a TSV cell. */
static void feed_cql_print_cell(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '\t': fputs("\\t", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\\': fputs("\\\\", out); break;
        default: putc(s[i], out);
        }
    }
}

void feed_cql_print_header(FILE *out, const cql_metadata *meta)
{
    for (int32_t i = 0; i < meta->column_count; i++) {
        if (i > 0)
            putc('\t', out);
        if (meta->columns != NULL)
            feed_cql_print_cell(out, meta->columns[i].name.base, meta->columns[i].name.len);
        else
            fprintf(out, "column%d", (int)i + 1);
    }
    putc('\n', out);
}

int feed_cql_print_rows(FILE *out, const cql_rows *rows, cql_buf *scratch, cql_error *err)
{
    size_t n = (size_t)rows->meta.column_count;
    cql_value *values;
    cql_row_iter it;
    int rc;

    if (rows->row_count == 0)
        return CQL_OK;
    values = calloc(n, sizeof(*values)); /* n fits the frame: the decoder checked */
    if (values == NULL)
        return cql_error_set(err, CQL_ERR_NOMEM, "out of memory for a row of %zu columns", n);
    cql_row_iter_init(&it, rows);
    while ((rc = cql_row_iter_next(&it, values, n)) == 1) {
        for (size_t i = 0; i < n; i++) {
            cql_buf_reset(scratch);
            if (cql_format_value(scratch, &values[i], err) != CQL_OK)
                goto err;
            if (i > 0)
                putc('\t', out);
            feed_cql_print_cell(out, (const char *)scratch->data, scratch->len);
        }
        putc('\n', out);
    }
    if (rc != 0) {
        cql_error_set(err, it.err.code, "%s", it.err.msg);
        goto err;
    }
    free(values);
    return CQL_OK;
err:
    free(values);
    return CQL_ERR;
}
