/* test_cql_request.c: unit tests of cql_request.c, byte-exact against the
 * layouts of protocol v4 section 4.1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_request.h"

#define S(lit) cql_slice_make(lit, sizeof(lit) - 1)

static void assert_frame(const cql_buf *buf, const uint8_t *want, size_t len)
{
    assert_int_equal(buf->err.code, CQL_ERR_NONE);
    assert_int_equal(buf->len, len);
    assert_memory_equal(buf->data, want, len);
}

static void test_startup(void **state)
{
    const uint8_t want[] = {
        0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x16, /* v4 request, stream 0, STARTUP, 22 bytes */
        0x00, 0x01,                                           /* [string map] of 1 */
        0x00, 0x0b, 'C',  'Q',  'L',  '_',  'V',  'E',  'R',  'S', 'I', 'O', 'N', 0x00, 0x05, '3', '.', '0', '.', '0',
    };
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_startup(&buf, 0), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_dispose(&buf);
}

static void test_options(void **state)
{
    const uint8_t want[] = {0x04, 0x00, 0x00, 0x03, 0x05, 0x00, 0x00, 0x00, 0x00};
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_options(&buf, 3), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_dispose(&buf);
}

static void test_query_plain(void **state)
{
    const uint8_t want[] = {
        0x04, 0x00, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x00,
        0x00, 0x08, 'S',  'E',  'L',  'E',  'C',  'T',  ' ',  '1', /* [long string] */
        0x00, 0x01,                                                /* consistency ONE */
        0x00,                                                      /* no flags */
    };
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_query(&buf, 1, S("SELECT 1"), &p), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_dispose(&buf);
}

static void test_query_every_parameter(void **state)
{
    const uint8_t want[] = {
        0x04, 0x00, 0x00, 0x02, 0x07, 0x00, 0x00, 0x00, 0x34, /* 52-byte body */
        0x00, 0x00, 0x00, 0x01, 'q',  0x00, 0x04,             /* QUORUM */
        0x3f,       /* values|skip_metadata|page_size|paging_state|serial|timestamp */
        0x00, 0x03, /* 3 values */
        0x00, 0x00, 0x00, 0x08, 0,    0,    0,    0,    0,    0,    0,
        42,   0x00, 0x00, 0x00, 0x02, 'h',  'i',  0xff, 0xff, 0xff, 0xff, /* null */
        0x00, 0x00, 0x00, 0x64,                                           /* page size 100 */
        0x00, 0x00, 0x00, 0x02, 'P',  'S',  0x00, 0x09,                   /* LOCAL_SERIAL */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8,
    };
    cql_values v;
    cql_query_params p = {
        .consistency = CQL_CONSISTENCY_QUORUM,
        .values = &v,
        .skip_metadata = 1,
        .page_size = 100,
        .paging_state = S("PS"),
        .has_serial_consistency = 1,
        .serial_consistency = CQL_CONSISTENCY_LOCAL_SERIAL,
        .has_timestamp = 1,
        .timestamp_us = 1000,
    };
    cql_buf buf;

    (void)state;
    cql_values_init(&v);
    cql_values_add_int64(&v, 42);
    cql_values_add_text(&v, S("hi"));
    cql_values_add_null(&v);
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_query(&buf, 2, S("q"), &p), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_dispose(&buf);
    cql_values_dispose(&v);
}

static void test_prepare(void **state)
{
    const uint8_t want[] = {
        0x04, 0x00, 0x00, 0x02, 0x09, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x06, 'S', 'E', 'L', 'E', 'C', 'T',
    };
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_prepare(&buf, 2, S("SELECT")), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_dispose(&buf);
}

static void test_execute(void **state)
{
    const uint8_t want[] = {
        0x04, 0x00, 0x00, 0x04, 0x0a, 0x00, 0x00, 0x00, 0x15, 0x00, 0x02, 0xab, 0xcd,       /* [short bytes] id */
        0x00, 0x01, 0x05,                                                                   /* ONE, values|page_size */
        0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x13, 0x88, /* page size 5000 */
    };
    cql_values v;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .values = &v, .page_size = 5000};
    cql_buf buf;

    (void)state;
    cql_values_init(&v);
    cql_values_add_int32(&v, 7);
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_execute(&buf, 4, S("\xab\xcd"), &p), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_reset(&buf);
    assert_int_equal(cql_request_execute(&buf, 4, (cql_slice){0}, &p), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_ARG);
    cql_buf_dispose(&buf);
    cql_values_dispose(&v);
}

static void test_batch(void **state)
{
    const uint8_t want[] = {
        0x04, 0x00, 0x00, 0x05, 0x0d, 0x00, 0x00, 0x00, 0x2b, /* 43-byte body */
        0x01,                                                 /* unlogged */
        0x00, 0x02,                                           /* 2 statements */
        0x00, 0x00, 0x00, 0x00, 0x08, 'I',  'N',  'S',  'E',  'R',  'T',  ' ',  'a',  0x00, 0x00, 0x01,
        0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, /* ONE */
        0x20, /* default timestamp */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
    };
    cql_values v;
    cql_batch_stmt stmts[2] = {{.query = S("INSERT a")}, {.prepared_id = S("\x01"), .values = &v}};
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .has_timestamp = 1, .timestamp_us = 5};
    cql_buf buf;

    (void)state;
    cql_values_init(&v);
    cql_values_add_int32(&v, 1);
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_batch(&buf, 5, CQL_BATCH_UNLOGGED, stmts, 2, &p), CQL_OK);
    assert_frame(&buf, want, sizeof(want));
    cql_buf_reset(&buf);
    assert_int_equal(cql_request_batch(&buf, 5, 3, stmts, 2, &p), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_ARG);
    cql_buf_dispose(&buf);
    cql_values_dispose(&v);
}

static void test_pipelined_requests_append(void **state)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_options(&buf, 1), CQL_OK);
    assert_int_equal(cql_request_query(&buf, 2, S("x"), &p), CQL_OK);
    assert_int_equal(buf.len, 9 + 9 + 4 + 1 + 3);
    assert_int_equal(buf.data[9 + 3], 2); /* second frame's stream */
    cql_buf_dispose(&buf);
}

static void test_errors(void **state)
{
    char big[200];
    cql_values v;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE, .values = &v};
    cql_buf buf;

    (void)state;
    memset(big, 'x', sizeof(big));
    cql_buf_init(&buf, 64); /* a frame may not exceed the buffer's limit */
    assert_int_equal(cql_request_query(&buf, 1, cql_slice_make(big, sizeof(big)), &p), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_TOO_LARGE);
    cql_buf_dispose(&buf);

    cql_values_init(&v);
    cql_values_open(&v, CQL_COLL_LIST); /* never closed */
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_query(&buf, 1, S("q"), &p), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_ARG);
    assert_non_null(strstr(buf.err.msg, "left open"));
    cql_buf_dispose(&buf);

    cql_values_reset(&v);
    cql_values_close(&v); /* error in the values: carried over to the request */
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_query(&buf, 1, S("q"), &p), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_ARG);
    assert_non_null(strstr(buf.err.msg, "bound values"));
    cql_buf_dispose(&buf);
    cql_values_dispose(&v);

    p.values = NULL;
    p.has_timestamp = 1;
    p.timestamp_us = -1;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_request_query(&buf, 1, S("q"), &p), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_ARG);
    cql_buf_dispose(&buf);
}

static void test_consistency_names(void **state)
{
    uint16_t c = 99;

    (void)state;
    assert_int_equal(cql_consistency_parse("ONE", &c), CQL_OK);
    assert_int_equal(c, CQL_CONSISTENCY_ONE);
    assert_int_equal(cql_consistency_parse("local_quorum", &c), CQL_OK);
    assert_int_equal(c, CQL_CONSISTENCY_LOCAL_QUORUM);
    assert_int_equal(cql_consistency_parse("LOCAL_ONE", &c), CQL_OK);
    assert_int_equal(c, 0x0a);
    assert_int_equal(cql_consistency_parse("ANY", &c), CQL_OK);
    assert_int_equal(c, 0);
    assert_int_equal(cql_consistency_parse("MOST", &c), CQL_ERR);
    assert_string_equal(cql_consistency_name(CQL_CONSISTENCY_EACH_QUORUM), "EACH_QUORUM");
    assert_string_equal(cql_consistency_name(11), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup),     cmocka_unit_test(test_options),
        cmocka_unit_test(test_query_plain), cmocka_unit_test(test_query_every_parameter),
        cmocka_unit_test(test_prepare),     cmocka_unit_test(test_execute),
        cmocka_unit_test(test_batch),       cmocka_unit_test(test_pipelined_requests_append),
        cmocka_unit_test(test_errors),      cmocka_unit_test(test_consistency_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
