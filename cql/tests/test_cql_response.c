/* test_cql_response.c: unit tests of cql_response.c, on frames written
 * byte by byte from protocol v4 sections 2, 4.2 and 9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_response.h"
#include "cql/tests/cql_test_support.h"

/* Per-test state: the frame buffer and pool the response points into. */
typedef struct fixture {
    uint8_t *frame;
    cql_pool pool;
    cql_response resp;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));

    if (f == NULL)
        return -1;
    cql_pool_init(&f->pool);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;

    free(f->frame);
    cql_pool_dispose(&f->pool);
    free(f);
    return 0;
}

/* Decode body as a response frame with opcode and flags (stream 0). */
static int decode(fixture *f, uint8_t opcode, uint8_t flags, const void *body, size_t len)
{
    size_t frame_len;

    free(f->frame);
    cql_pool_clear(&f->pool);
    f->frame = cql_test_frame(opcode, flags, 0, body, len, &frame_len);
    return cql_response_decode(&f->resp, f->frame, frame_len, 0, &f->pool);
}

static void assert_slice(cql_slice s, const char *want)
{
    assert_non_null(s.base);
    assert_int_equal(s.len, strlen(want));
    assert_memory_equal(s.base, want, s.len);
}

static void test_ready(void **state)
{
    const uint8_t frame[] = {0x84, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
    fixture *f = *state;

    assert_int_equal(cql_response_decode(&f->resp, frame, sizeof(frame), 0, &f->pool), CQL_OK);
    assert_int_equal(f->resp.header.opcode, CQL_OP_READY);
    assert_int_equal(f->resp.err.code, CQL_ERR_NONE);
    assert_null(f->resp.tracing_id.base);
    assert_int_equal(f->resp.warning_count, 0);
}

static void test_error_syntax(void **state)
{
    const uint8_t body[] = {0x00, 0x00, 0x20, 0x00, 0x00, 0x0c, 'l', 'i', 'n',
                            'e',  ' ',  '1',  ':',  '0',  ' ',  'b', 'a', 'd'};
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_ERROR, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.header.opcode, CQL_OP_ERROR);
    assert_int_equal(f->resp.error.code, CQL_SERVER_SYNTAX_ERROR);
    assert_slice(f->resp.error.message, "line 1:0 bad");
    /* an ERROR is never rows */
    assert_false(cql_response_is_rows(&f->resp, 0));
    assert_ptr_equal(f->resp.error.message.base, (const char *)f->frame + 9 + 6); /* a slice, not a copy */
    cql_test_assert_truncations(CQL_OP_ERROR, 0, body, sizeof(body));
}

static void test_error_unprepared(void **state)
{
    const uint8_t body[] = {0x00, 0x00, 0x25, 0x00, 0x00, 0x02, 'n', 'o', 0x00, 0x03, 0x01, 0x02, 0x03};
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_ERROR, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.error.code, CQL_SERVER_UNPREPARED);
    assert_slice(f->resp.error.unprepared_id, "\x01\x02\x03");
    cql_test_assert_truncations(CQL_OP_ERROR, 0, body, sizeof(body));
}

static void test_error_already_exists(void **state)
{
    const uint8_t body[] = {0x00, 0x00, 0x24, 0x00, 0x00, 0x01, 'x', 0x00, 0x02, 'k', 's', 0x00, 0x01, 't'};
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_ERROR, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.error.code, CQL_SERVER_ALREADY_EXISTS);
    assert_slice(f->resp.error.keyspace, "ks");
    assert_slice(f->resp.error.table, "t");
    cql_test_assert_truncations(CQL_OP_ERROR, 0, body, sizeof(body));
}

static void test_error_extras_are_skipped(void **state)
{
    /* Unavailable: <cl><required><alive> after the message, not kept */
    const uint8_t body[] = {0x00, 0x00, 0x10, 0x00, 0x00, 0x01, 'u', 0x00, 0x04, 0, 0, 0, 3, 0, 0, 0, 1};
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_ERROR, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.error.code, CQL_SERVER_UNAVAILABLE);
    assert_slice(f->resp.error.message, "u");
}

static void test_supported(void **state)
{
    const uint8_t body[] = {
        0x00, 0x02, 0x00, 0x0b, 'C',  'Q', 'L',  '_',  'V',  'E',  'R', 'S', 'I', 'O', 'N', 0x00, 0x01, 0x00,
        0x05, '3',  '.',  '4',  '.',  '7', 0x00, 0x0b, 'C',  'O',  'M', 'P', 'R', 'E', 'S', 'S',  'I',  'O',
        'N',  0x00, 0x02, 0x00, 0x03, 'l', 'z',  '4',  0x00, 0x06, 's', 'n', 'a', 'p', 'p', 'y',
    };
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_SUPPORTED, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.supported_count, 2);
    assert_slice(f->resp.supported[0].name, "CQL_VERSION");
    assert_int_equal(f->resp.supported[0].value_count, 1);
    assert_slice(f->resp.supported[0].values[0], "3.4.7");
    assert_slice(f->resp.supported[1].name, "COMPRESSION");
    assert_int_equal(f->resp.supported[1].value_count, 2);
    assert_slice(f->resp.supported[1].values[1], "snappy");
    cql_test_assert_truncations(CQL_OP_SUPPORTED, 0, body, sizeof(body));
}

static void test_authenticate(void **state)
{
    const char *name = "org.apache.cassandra.auth.PasswordAuthenticator";
    uint8_t body[64] = {0x00, 0x2f};
    fixture *f = *state;

    memcpy(body + 2, name, 47);
    assert_int_equal(decode(f, CQL_OP_AUTHENTICATE, 0, body, 49), CQL_OK);
    assert_slice(f->resp.authenticator, name);
    cql_test_assert_truncations(CQL_OP_AUTHENTICATE, 0, body, 49);
}

static void test_result_void_with_trailing_bytes(void **state)
{
    const uint8_t body[] = {0x00, 0x00, 0x00, 0x01, 0xde, 0xad}; /* extra bytes must be ignored */
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.result.kind, CQL_RESULT_VOID);
    cql_test_assert_truncations(CQL_OP_RESULT, 0, body, 4);
    assert_false(cql_response_is_rows(&f->resp, 0)); /* a Void result is not rows, of any count */
    assert_false(cql_response_is_rows(NULL, 0));
}

static void test_tracing_warnings_payload(void **state)
{
    const uint8_t body[] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
        0xcc, 0xdd, 0xee, 0xff, 0x00, 0x01, 0x00, 0x04, 'w',  'a',  'r',  'n', /* [string list] warnings */
        0x00, 0x01, 0x00, 0x01, 'k',  0x00, 0x00, 0x00, 0x01, 'v',             /* [bytes map] payload */
        0x00, 0x00, 0x00, 0x01,                                                /* Void */
    };
    uint8_t flags = CQL_FLAG_TRACING | CQL_FLAG_WARNING | CQL_FLAG_CUSTOM_PAYLOAD;
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_RESULT, flags, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.tracing_id.len, 16);
    assert_memory_equal(f->resp.tracing_id.base, body, 16);
    assert_int_equal(f->resp.warning_count, 1);
    assert_slice(f->resp.warnings[0], "warn");
    assert_int_equal(f->resp.result.kind, CQL_RESULT_VOID);
    cql_test_assert_truncations(CQL_OP_RESULT, flags, body, sizeof(body));
}

static void test_rows_global_spec(void **state)
{
    const uint8_t body[] = {
        0x00, 0x00, 0x00, 0x02,                                                     /* Rows */
        0x00, 0x00, 0x00, 0x01,                                                     /* Global_tables_spec */
        0x00, 0x00, 0x00, 0x02,                                                     /* 2 columns */
        0x00, 0x02, 'k',  's',  0x00, 0x01, 't',  0x00, 0x02, 'i', 'd', 0x00, 0x02, /* id bigint */
        0x00, 0x04, 'n',  'a',  'm',  'e',  0x00, 0x0d,                             /* name varchar */
        0x00, 0x00, 0x00, 0x02,                                                     /* 2 rows */
        0x00, 0x00, 0x00, 0x08, 0,    0,    0,    0,    0,    0,   0,   1,    0x00, 0x00, 0x00, 0x03, 'a',  'n',
        'a',  0x00, 0x00, 0x00, 0x08, 0,    0,    0,    0,    0,   0,   0,    2,    0xff, 0xff, 0xff, 0xff,
    };
    fixture *f = *state;
    const cql_rows *rows = &f->resp.result.rows;
    cql_row_iter it;
    cql_value v[2];
    cql_slice text;
    int64_t id;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.result.kind, CQL_RESULT_ROWS);
    assert_int_equal(rows->meta.column_count, 2);
    assert_false(cql_metadata_has_more_pages(&rows->meta));
    assert_slice(rows->meta.columns[0].keyspace, "ks");
    assert_slice(rows->meta.columns[1].table, "t");
    assert_slice(rows->meta.columns[1].name, "name");
    assert_int_equal(rows->meta.columns[0].type.id, CQL_TYPE_BIGINT);
    assert_int_equal(rows->meta.columns[1].type.id, CQL_TYPE_VARCHAR);
    assert_int_equal(rows->row_count, 2);
    cql_row_iter_init(&it, rows);
    assert_int_equal(cql_row_iter_next(&it, v, 2), 1);
    assert_int_equal(cql_value_as_int64(&v[0], &id, NULL), CQL_OK);
    assert_int_equal(id, 1);
    assert_int_equal(cql_value_as_text(&v[1], &text, NULL), CQL_OK);
    assert_slice(text, "ana");
    assert_int_equal(cql_row_iter_next(&it, v, 2), 1);
    assert_int_equal(cql_value_as_int64(&v[0], &id, NULL), CQL_OK);
    assert_int_equal(id, 2);
    assert_true(cql_value_is_null(&v[1]));
    assert_int_equal(cql_row_iter_next(&it, v, 2), 0);
    cql_test_assert_truncations(CQL_OP_RESULT, 0, body, sizeof(body));
    assert_true(cql_response_is_rows(&f->resp, 2));
    assert_false(cql_response_is_rows(&f->resp, 1));
    assert_false(cql_response_is_rows(&f->resp, 3));
}

static void test_rows_per_column_spec_and_paging(void **state)
{
    const uint8_t body[] = {
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,                               /* Has_more_pages */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc,             /* paging state */
        0x00, 0x01, 'k',  0x00, 0x01, 't',  0x00, 0x01, 'v',  0x00, 0x20, 0x00, 0x09, /* list<int> */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
        0x00, 0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x06,
    };
    fixture *f = *state;
    const cql_rows *rows = &f->resp.result.rows;
    cql_collection_iter ci;
    cql_row_iter it;
    cql_value v, e;
    int32_t x;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, body, sizeof(body)), CQL_OK);
    assert_true(cql_metadata_has_more_pages(&rows->meta));
    assert_slice(rows->meta.paging_state, "\xaa\xbb\xcc");
    assert_slice(rows->meta.columns[0].keyspace, "k");
    assert_int_equal(rows->meta.columns[0].type.id, CQL_TYPE_LIST);
    assert_int_equal(rows->meta.columns[0].type.sub[0].id, CQL_TYPE_INT);
    cql_row_iter_init(&it, rows);
    assert_int_equal(cql_row_iter_next(&it, &v, 1), 1);
    assert_int_equal(cql_collection_begin(&ci, &v, NULL), CQL_OK);
    assert_int_equal(cql_collection_left(&ci), 2);
    assert_int_equal(cql_collection_next(&ci, &e, NULL, NULL), 1);
    assert_int_equal(cql_value_as_int32(&e, &x, NULL), CQL_OK);
    assert_int_equal(x, 5);
    assert_int_equal(cql_collection_next(&ci, &e, NULL, NULL), 1);
    assert_int_equal(cql_value_as_int32(&e, &x, NULL), CQL_OK);
    assert_int_equal(x, 6);
    assert_int_equal(cql_collection_next(&ci, &e, NULL, NULL), 0);
    cql_test_assert_truncations(CQL_OP_RESULT, 0, body, sizeof(body));
}

static void test_rows_no_metadata(void **state)
{
    const uint8_t body[] = {
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 'x',
    };
    fixture *f = *state;
    cql_row_iter it;
    cql_value v;
    cql_error err;
    int64_t n;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, body, sizeof(body)), CQL_OK);
    assert_null(f->resp.result.rows.meta.columns);
    cql_row_iter_init(&it, &f->resp.result.rows);
    assert_int_equal(cql_row_iter_next(&it, &v, 1), 1);
    assert_null(v.type);
    assert_slice(v.bytes, "x");
    assert_int_equal(cql_value_as_int64(&v, &n, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TYPE);
    cql_test_assert_truncations(CQL_OP_RESULT, 0, body, sizeof(body));
}

static void test_set_keyspace(void **state)
{
    const uint8_t body[] = {0x00, 0x00, 0x00, 0x03, 0x00, 0x04, 'f', 'e', 'e', 'd'};
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.result.kind, CQL_RESULT_SET_KEYSPACE);
    assert_slice(f->resp.result.keyspace, "feed");
    cql_test_assert_truncations(CQL_OP_RESULT, 0, body, sizeof(body));
}

static void test_prepared(void **state)
{
    const uint8_t body[] = {
        0x00, 0x00, 0x00, 0x04, 0x00, 0x02, 0xca, 0xfe, /* id */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, /* global spec, 1 bind marker */
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00,             /* 1 pk index: marker 0 */
        0x00, 0x02, 'k',  's',  0x00, 0x01, 't',  0x00, 0x02, 'i', 'd', 0x00, 0x02, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, /* result metadata: 1 column */
        0x00, 0x02, 'k',  's',  0x00, 0x01, 't',  0x00, 0x04, 'n', 'a', 'm',  'e',  0x00, 0x0d,
    };
    fixture *f = *state;
    const cql_prepared *p = &f->resp.result.prepared;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, body, sizeof(body)), CQL_OK);
    assert_int_equal(f->resp.result.kind, CQL_RESULT_PREPARED);
    assert_slice(p->id, "\xca\xfe");
    assert_int_equal(p->params.column_count, 1);
    assert_int_equal(p->params.pk_count, 1);
    assert_int_equal(p->params.pk_indexes[0], 0);
    assert_slice(p->params.columns[0].name, "id");
    assert_int_equal(p->params.columns[0].type.id, CQL_TYPE_BIGINT);
    assert_int_equal(p->result.column_count, 1);
    assert_slice(p->result.columns[0].name, "name");
    cql_test_assert_truncations(CQL_OP_RESULT, 0, body, sizeof(body));
}

static void test_schema_change(void **state)
{
    const uint8_t table[] = {
        0x00, 0x00, 0x00, 0x05, 0x00, 0x07, 'C',  'R', 'E', 'A', 'T', 'E',  'D',  0x00, 0x05,
        'T',  'A',  'B',  'L',  'E',  0x00, 0x04, 'f', 'e', 'e', 'd', 0x00, 0x01, 'h',
    };
    const uint8_t keyspace[] = {
        0x00, 0x00, 0x00, 0x05, 0x00, 0x07, 'D', 'R', 'O',  'P',  'P', 'E', 'D', 0x00, 0x08,
        'K',  'E',  'Y',  'S',  'P',  'A',  'C', 'E', 0x00, 0x04, 'f', 'e', 'e', 'd',
    };
    const uint8_t function[] = {
        0x00, 0x00, 0x00, 0x05, 0x00, 0x07, 'U',  'P', 'D',  'A',  'T', 'E',  'D',  0x00, 0x08, 'F', 'U', 'N',
        'C',  'T',  'I',  'O',  'N',  0x00, 0x01, 'k', 0x00, 0x01, 'f', 0x00, 0x01, 0x00, 0x03, 'i', 'n', 't',
    };
    fixture *f = *state;
    const cql_schema_change *sc = &f->resp.result.schema_change;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, table, sizeof(table)), CQL_OK);
    assert_slice(sc->change_type, "CREATED");
    assert_slice(sc->target, "TABLE");
    assert_slice(sc->keyspace, "feed");
    assert_slice(sc->name, "h");
    cql_test_assert_truncations(CQL_OP_RESULT, 0, table, sizeof(table));
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, keyspace, sizeof(keyspace)), CQL_OK);
    assert_slice(sc->target, "KEYSPACE");
    assert_int_equal(sc->name.len, 0);
    cql_test_assert_truncations(CQL_OP_RESULT, 0, keyspace, sizeof(keyspace));
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, function, sizeof(function)), CQL_OK);
    assert_slice(sc->name, "f");
    cql_test_assert_truncations(CQL_OP_RESULT, 0, function, sizeof(function));
}

static void test_event_type_only(void **state)
{
    const uint8_t body[] = {0x00, 0x0d, 'S', 'C', 'H', 'E', 'M', 'A', '_', 'C', 'H', 'A', 'N', 'G', 'E'};
    fixture *f = *state;
    size_t len;

    free(f->frame);
    f->frame = cql_test_frame(CQL_OP_EVENT, 0, -1, body, sizeof(body), &len);
    assert_int_equal(cql_response_decode(&f->resp, f->frame, len, 0, &f->pool), CQL_OK);
    assert_int_equal(f->resp.header.stream, -1);
    assert_slice(f->resp.event_type, "SCHEMA_CHANGE");
}

static void test_frame_level_errors(void **state)
{
    const uint8_t request[] = {0x04, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
    const uint8_t void_body[] = {0x00, 0x00, 0x00, 0x01};
    uint8_t big[9] = {0x84, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x10, 0x00};
    fixture *f = *state;

    assert_int_equal(cql_response_decode(&f->resp, request, sizeof(request), 0, &f->pool), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_VERSION);
    assert_int_equal(decode(f, CQL_OP_RESULT, CQL_FLAG_COMPRESSION, void_body, 4), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_UNSUPPORTED);
    assert_int_equal(decode(f, CQL_OP_QUERY, 0, void_body, 4), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_MALFORMED);
    assert_non_null(strstr(f->resp.err.msg, "QUERY"));
    assert_int_equal(cql_response_decode(&f->resp, big, sizeof(big), 1024, &f->pool), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_TOO_LARGE);
}

static void test_bad_result_bodies(void **state)
{
    const uint8_t unknown_kind[] = {0x00, 0x00, 0x00, 0x06};
    const uint8_t bad_type[] = {
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x01, 'k',  0x00, 0x01, 't',  0x00, 0x01, 'c',  0x00, 0x0a, /* 0x000A is no type */
        0x00, 0x00, 0x00, 0x00,
    };
    const uint8_t negative_columns[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0xff, 0xff, 0xff, 0xfe};
    const uint8_t huge_columns[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x7f,
                                    0xff, 0xff, 0xff, 0x00, 0x01, 'k',  0x00, 0x01, 't'};
    const uint8_t huge_rows[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00,
                                 0x00, 0x01, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00};
    const uint8_t rows_without_columns[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x04,
                                            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05};
    const uint8_t null_paging_state[] = {0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00,
                                         0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00};
    fixture *f = *state;

    assert_int_equal(decode(f, CQL_OP_RESULT, 0, unknown_kind, sizeof(unknown_kind)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_MALFORMED);
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, bad_type, sizeof(bad_type)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_MALFORMED);
    assert_non_null(strstr(f->resp.err.msg, "unknown type id 0x000a"));
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, negative_columns, sizeof(negative_columns)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_MALFORMED);
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, huge_columns, sizeof(huge_columns)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_TRUNCATED);
    assert_true(f->pool.allocated < 65536); /* refused before allocating */
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, huge_rows, sizeof(huge_rows)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_TRUNCATED);
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, rows_without_columns, sizeof(rows_without_columns)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_MALFORMED);
    assert_int_equal(decode(f, CQL_OP_RESULT, 0, null_paging_state, sizeof(null_paging_state)), CQL_ERR);
    assert_int_equal(f->resp.err.code, CQL_ERR_MALFORMED);
    assert_non_null(strstr(f->resp.err.msg, "RESULT body"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ready, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_unprepared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_already_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_extras_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_result_void_with_trailing_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tracing_warnings_payload, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_global_spec, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_per_column_spec_and_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_no_metadata, setup, teardown),
        cmocka_unit_test_setup_teardown(test_set_keyspace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepared, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_event_type_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame_level_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_result_bodies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
