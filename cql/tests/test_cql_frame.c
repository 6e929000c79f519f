/* test_cql_frame.c: unit tests of cql_frame.c (header, split, framing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cql/cql_frame.h"
#include "cql/tests/cql_test_support.h"

static void test_header_encode_is_big_endian(void **state)
{
    cql_frame_header h = {0x04, 0x02, 0x1234, CQL_OP_QUERY, 0x01020304};
    const uint8_t want[9] = {0x04, 0x02, 0x12, 0x34, 0x07, 0x01, 0x02, 0x03, 0x04};
    uint8_t out[9];

    (void)state;
    cql_frame_header_encode(&h, out);
    assert_memory_equal(out, want, 9);
    h.stream = -1; /* server events */
    cql_frame_header_encode(&h, out);
    assert_int_equal(out[2], 0xff);
    assert_int_equal(out[3], 0xff);
}

static void test_header_decode(void **state)
{
    /* RESULT response, stream 5, tracing flag, 300-byte body */
    const uint8_t bytes[9] = {0x84, 0x02, 0x00, 0x05, 0x08, 0x00, 0x00, 0x01, 0x2c};
    uint8_t *p = cql_test_dup(bytes, sizeof(bytes));
    cql_frame_header h;
    cql_error err;

    (void)state;
    assert_int_equal(cql_frame_header_decode(p, 9, 0, &h, &err), CQL_OK);
    assert_int_equal(h.version, 0x84);
    assert_int_equal(h.flags, CQL_FLAG_TRACING);
    assert_int_equal(h.stream, 5);
    assert_int_equal(h.opcode, CQL_OP_RESULT);
    assert_int_equal(h.length, 300);
    free(p);
}

static void test_header_negative_stream(void **state)
{
    const uint8_t bytes[9] = {0x84, 0x00, 0xff, 0xff, 0x0c, 0, 0, 0, 0};
    cql_frame_header h;
    cql_error err;

    (void)state;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_OK);
    assert_int_equal(h.stream, -1);
    assert_int_equal(h.opcode, CQL_OP_EVENT);
}

static void test_header_truncated_at_every_length(void **state)
{
    const uint8_t bytes[9] = {0x84, 0, 0, 0, 0x02, 0, 0, 0, 0};
    cql_frame_header h;
    cql_error err;

    (void)state;
    for (size_t n = 0; n < 9; n++) {
        uint8_t *p = cql_test_dup(bytes, n);
        assert_int_equal(cql_frame_header_decode(p, n, 0, &h, &err), CQL_ERR);
        assert_int_equal(err.code, CQL_ERR_TRUNCATED);
        free(p);
    }
}

static void test_header_bad_version(void **state)
{
    uint8_t bytes[9] = {0x83, 0, 0, 0, 0x02, 0, 0, 0, 0};
    cql_frame_header h;
    cql_error err;

    (void)state;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_VERSION);
    assert_non_null(strstr(err.msg, "version 3"));
    bytes[0] = 0x05;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_VERSION);
    bytes[0] = 0x04; /* a request is a valid header; direction is the response decoder's business */
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_OK);
}

static void test_header_bad_opcode(void **state)
{
    uint8_t bytes[9] = {0x84, 0, 0, 0, 0x04, 0, 0, 0, 0};
    cql_frame_header h;
    cql_error err;

    (void)state;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    bytes[4] = 0x11;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_MALFORMED);
    assert_non_null(strstr(err.msg, "0x11"));
    bytes[4] = 0x10;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_OK);
}

static void test_header_oversized_length(void **state)
{
    uint8_t bytes[9] = {0x84, 0, 0, 0, 0x08, 0x10, 0x00, 0x00, 0x00}; /* exactly 256 MiB */
    cql_frame_header h;
    cql_error err;

    (void)state;
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_OK);
    bytes[8] = 0x01; /* 256 MiB + 1 */
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TOO_LARGE);
    memcpy(bytes + 5, "\xff\xff\xff\xff", 4); /* 4 GiB - 1, negative as an [int] */
    assert_int_equal(cql_frame_header_decode(bytes, 9, 0, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TOO_LARGE);
    memcpy(bytes + 5, "\x00\x00\x04\x01", 4); /* 1025 bytes against a caller limit of 1024 */
    assert_int_equal(cql_frame_header_decode(bytes, 9, 1024, &h, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TOO_LARGE);
    assert_non_null(strstr(err.msg, "1025"));
    assert_int_equal(cql_frame_header_decode(bytes, 9, 1025, &h, &err), CQL_OK);
}

static void test_split(void **state)
{
    /* READY frame followed by the first bytes of the next frame */
    const uint8_t bytes[] = {0x84, 0, 0, 1, 0x08, 0, 0, 0, 4, 0, 0, 0, 1, 0x84, 0};
    cql_frame frame;
    cql_error err;

    (void)state;
    for (size_t n = 0; n < 13; n++) {
        uint8_t *p = cql_test_dup(bytes, n);
        assert_int_equal(cql_frame_split(p, n, 0, &frame, &err), CQL_INCOMPLETE);
        assert_int_equal(frame.size, n < 9 ? 0 : 13);
        free(p);
    }
    assert_int_equal(cql_frame_split(bytes, sizeof(bytes), 0, &frame, &err), CQL_OK);
    assert_int_equal(frame.size, 13);
    assert_int_equal(frame.header.stream, 1);
    assert_int_equal(frame.body.len, 4);
    assert_ptr_equal(frame.body.base, (const char *)bytes + 9);
}

static void test_split_rejects_bad_header_early(void **state)
{
    const uint8_t bytes[9] = {0x84, 0, 0, 0, 0x08, 0x7f, 0, 0, 0}; /* body of 2 GiB */
    cql_frame frame;
    cql_error err;

    (void)state;
    assert_int_equal(cql_frame_split(bytes, 9, 0, &frame, &err), CQL_ERR);
    assert_int_equal(err.code, CQL_ERR_TOO_LARGE);
}

static void test_begin_end(void **state)
{
    const uint8_t want[] = {0x04, 0x00, 0x00, 0x07, 0x05, 0, 0, 0, 3, 'a', 'b', 'c'};
    cql_buf buf;
    size_t start;

    (void)state;
    cql_buf_init(&buf, 0);
    cql_buf_put_raw(&buf, "xy", 2); /* frames may follow other bytes */
    start = cql_frame_begin(&buf, 7, CQL_OP_OPTIONS, 0);
    assert_int_equal(start, 2);
    cql_buf_put_raw(&buf, "abc", 3);
    assert_int_equal(cql_frame_end(&buf, start), CQL_OK);
    assert_int_equal(buf.len, 2 + sizeof(want));
    assert_memory_equal(buf.data + 2, want, sizeof(want));
    cql_buf_dispose(&buf);
}

static void test_begin_negative_stream(void **state)
{
    cql_buf buf;

    (void)state;
    cql_buf_init(&buf, 0);
    assert_int_equal(cql_frame_end(&buf, cql_frame_begin(&buf, -1, CQL_OP_OPTIONS, 0)), CQL_ERR);
    assert_int_equal(buf.err.code, CQL_ERR_ARG);
    cql_buf_dispose(&buf);
}

static void test_opcode_names(void **state)
{
    (void)state;
    assert_string_equal(cql_opcode_name(CQL_OP_RESULT), "RESULT");
    assert_string_equal(cql_opcode_name(CQL_OP_AUTH_SUCCESS), "AUTH_SUCCESS");
    assert_string_equal(cql_opcode_name(0x04), "UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_encode_is_big_endian),
        cmocka_unit_test(test_header_decode),
        cmocka_unit_test(test_header_negative_stream),
        cmocka_unit_test(test_header_truncated_at_every_length),
        cmocka_unit_test(test_header_bad_version),
        cmocka_unit_test(test_header_bad_opcode),
        cmocka_unit_test(test_header_oversized_length),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_rejects_bad_header_early),
        cmocka_unit_test(test_begin_end),
        cmocka_unit_test(test_begin_negative_stream),
        cmocka_unit_test(test_opcode_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
