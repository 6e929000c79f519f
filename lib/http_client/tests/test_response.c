/* test_response.c: httpclient's response parser on bytes (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/http_client/http_client.h"

/* Parse the NUL-terminated raw with the default limits. */
static int parse(const char *raw, int eof, httpc_response *r, size_t *used)
{
    return httpc_parse_response(raw, strlen(raw), eof, 0, NULL, r, used);
}

/* raw must be refused with code, and a sentence holding words. */
static void assert_refused(const char *raw, int eof, const httpc_limits *lim, int code, const char *words)
{
    httpc_response r;
    size_t used = 0;
    int rc = httpc_parse_response(raw, strlen(raw), eof, 0, lim, &r, &used);

    if (rc != code || strstr(r.errstr, words) == NULL)
        fail_msg("%s: got %d \"%s\", want %d \"...%s...\"", raw, rc, r.errstr, code, words);
    assert_null(r.head);
    assert_null(r.body);
}

/* Every strict prefix of raw needs more bytes; the whole parses. */
static void assert_prefixes_need_more(const char *raw, unsigned flags)
{
    httpc_response r;
    size_t used;

    for (size_t n = 0; n < strlen(raw); n++) {
        int rc = httpc_parse_response(raw, n, 0, flags, NULL, &r, &used);
        if (rc != HTTPC_AGAIN)
            fail_msg("prefix of %zu bytes: %d (%s)", n, rc, r.errstr);
    }
    assert_int_equal(httpc_parse_response(raw, strlen(raw), 0, flags, NULL, &r, &used), HTTPC_OK);
    assert_int_equal(used, strlen(raw));
    httpc_response_free(&r);
}

static void test_content_length_and_rest_kept(void **state)
{
    const char *raw = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nIdempotent-Replayed:  true \r\n\r\nhelloHTTP/1.1";
    httpc_response r;
    size_t used = 0;
    char v[16];

    (void)state;
    assert_int_equal(parse(raw, 0, &r, &used), HTTPC_OK);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.minor_version, 1);
    assert_int_equal(r.reason.len, 7);
    assert_memory_equal(r.reason.base, "Created", 7);
    assert_string_equal(r.body, "hello");
    assert_int_equal(r.body_len, 5);
    assert_int_equal(used, strlen(raw) - strlen("HTTP/1.1"));
    assert_int_equal(r.head_len, used - 5);
    assert_int_equal(r.num_headers, 2);
    assert_string_equal(httpc_header_copy(&r, "idempotent-replayed", v, sizeof v), "true");
    assert_string_equal(httpc_header_copy(&r, "Retry-After", v, sizeof v), "");
    assert_null(httpc_header_get(&r, "Content-Len"));
    assert_true(r.keep_alive);
    httpc_response_free(&r);
}

static void test_content_length_cuts_extra_bytes(void **state)
{
    httpc_response r;
    size_t used;

    (void)state;
    assert_int_equal(parse("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcdef", 1, &r, &used), HTTPC_OK);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.body, "abc");
    httpc_response_free(&r);
}

static void test_header_copy_truncates(void **state)
{
    httpc_response r;
    size_t used;
    char v[4];

    (void)state;
    assert_int_equal(parse("HTTP/1.1 200\r\nX-Long: abcdefgh\r\nContent-Length: 0\r\n\r\n", 0, &r, &used), HTTPC_OK);
    assert_int_equal(r.reason.len, 0);
    assert_string_equal(httpc_header_copy(&r, "x-long", v, sizeof v), "abc");
    httpc_response_free(&r);
}

static void test_incomplete_needs_more_then_truncated(void **state)
{
    const char *raw = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    httpc_response r;
    size_t used = 0;

    (void)state;
    assert_int_equal(parse(raw, 0, &r, &used), HTTPC_AGAIN);
    assert_int_equal(httpc_parse_response(raw, 12, 0, 0, NULL, &r, &used), HTTPC_AGAIN);
    assert_refused(raw, 1, NULL, HTTPC_ERR_TRUNCATED, "after 3 of 10 body bytes");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", 1, NULL, HTTPC_ERR_TRUNCATED,
                   "inside the response head");
    assert_refused("", 1, NULL, HTTPC_ERR_EOF, "closed before a response");
}

static void test_split_reads(void **state)
{
    (void)state;
    assert_prefixes_need_more("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", 0);
    assert_prefixes_need_more("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\n"
                              "T: v\r\n\r\n",
                              0);
    assert_prefixes_need_more("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", HTTPC_NO_BODY);
}

static void test_chunked(void **state)
{
    const char *raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    httpc_response r;
    size_t used = 0;

    (void)state;
    assert_int_equal(httpc_parse_response(raw, strlen(raw) - 2, 0, 0, NULL, &r, &used), HTTPC_AGAIN);
    assert_int_equal(parse(raw, 0, &r, &used), HTTPC_OK);
    assert_string_equal(r.body, "abcde");
    assert_int_equal(r.body_len, 5);
    assert_int_equal(used, strlen(raw));
    httpc_response_free(&r);
}

static void test_chunked_extensions_and_trailers(void **state)
{
    const char *raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n"
                      "4\r\n{\"a\"\r\n9;ext=1\r\n:1234567}\r\n"
                      "A ; name=\"quoted; value\" ;flag\r\n0123456789\r\n"
                      "0;last\r\nX-Checksum: 12\r\nX-Other:\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n";
    httpc_response r;
    size_t used = 0;

    (void)state;
    assert_int_equal(parse(raw, 0, &r, &used), HTTPC_OK);
    assert_string_equal(r.body, "{\"a\":1234567}0123456789");
    assert_int_equal(r.body_len, 23);
    assert_null(httpc_header_get(&r, "X-Checksum")); /* trailers are dropped */
    httpc_response_free(&r);
    /* the next response starts right after the trailers */
    assert_int_equal(parse(raw + used, 0, &r, &used), HTTPC_OK);
    assert_int_equal(r.status, 204);
    httpc_response_free(&r);
}

static void test_no_body_statuses_and_head(void **state)
{
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n";
    httpc_response r;
    size_t used = 0;

    (void)state;
    assert_int_equal(parse("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n", 0, &r, &used), HTTPC_OK);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    assert_string_equal(r.body, "");
    httpc_response_free(&r);
    assert_int_equal(parse("HTTP/1.1 304 Not Modified\r\n\r\n", 0, &r, &used), HTTPC_OK);
    httpc_response_free(&r);
    assert_int_equal(parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n", 0, &r, &used), HTTPC_OK);
    assert_int_equal(r.status, 100);
    assert_int_equal(used, 25);
    httpc_response_free(&r);
    assert_int_equal(httpc_parse_response(head, strlen(head), 0, HTTPC_NO_BODY, NULL, &r, &used), HTTPC_OK);
    assert_int_equal(r.body_len, 0);
    assert_int_equal(used, strlen(head));
    httpc_response_free(&r);
}

static void test_connection_close_delimited_body(void **state)
{
    const char *raw = "HTTP/1.0 200 OK\r\n\r\nhello";
    httpc_response r;
    size_t used;

    (void)state;
    assert_int_equal(parse(raw, 0, &r, &used), HTTPC_AGAIN); /* more may come until the close */
    assert_int_equal(parse(raw, 1, &r, &used), HTTPC_OK);
    assert_string_equal(r.body, "hello");
    assert_int_equal(used, strlen(raw));
    assert_false(r.keep_alive);
    httpc_response_free(&r);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n", 1, &r, &used), HTTPC_OK);
    assert_int_equal(r.body_len, 0);
    assert_false(r.keep_alive); /* without a length the close ends the body */
    httpc_response_free(&r);
}

static void test_keep_alive(void **state)
{
    httpc_response r;
    size_t used;

    (void)state;
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, &r, &used), HTTPC_OK);
    assert_true(r.keep_alive);
    httpc_response_free(&r);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nConnection: Upgrade, Close\r\nContent-Length: 0\r\n\r\n", 0, &r, &used),
                     HTTPC_OK);
    assert_false(r.keep_alive);
    httpc_response_free(&r);
    assert_int_equal(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 0, &r, &used), HTTPC_OK);
    assert_false(r.keep_alive);
    httpc_response_free(&r);
    assert_int_equal(parse("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", 0, &r, &used),
                     HTTPC_OK);
    assert_true(r.keep_alive);
    httpc_response_free(&r);
}

static void test_bad_status_lines(void **state)
{
    (void)state;
    assert_refused("SSH-2.0\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "HTTP/1.");
    assert_refused("SMTP ready", 0, NULL, HTTPC_ERR_STATUS, "HTTP/1."); /* refused before the blank line */
    assert_refused("HTTP/2 200 OK\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "HTTP/1.");
    assert_refused("HTTP/1.2 200 OK\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "HTTP/1.0|1");
    assert_refused("HTTP/1.1 20 OK\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "three digits");
    assert_refused("HTTP/1.1 200OK\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "three digits");
    assert_refused("HTTP/1.1 099 Low\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "three digits");
    assert_refused("HTTP/1.1 200 O\x01K\r\n\r\n", 0, NULL, HTTPC_ERR_STATUS, "control byte 0x01");
}

static void test_bad_headers(void **state)
{
    char raw[4096];
    size_t n;

    (void)state;
    assert_refused("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n", 0, NULL, HTTPC_ERR_HEADER, "no \"name:\"");
    assert_refused("HTTP/1.1 200 OK\r\nName : v\r\n\r\n", 0, NULL, HTTPC_ERR_HEADER, "no \"name:\"");
    assert_refused("HTTP/1.1 200 OK\r\n: v\r\n\r\n", 0, NULL, HTTPC_ERR_HEADER, "no \"name:\"");
    assert_refused("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", 0, NULL, HTTPC_ERR_HEADER, "obsolete line folding");
    assert_refused("HTTP/1.1 200 OK\r\nA: b\rc\r\n\r\n", 0, NULL, HTTPC_ERR_HEADER, "control byte 0x0d");
    n = (size_t)snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\n");
    for (int i = 0; i <= HTTPC_MAX_HEADERS; i++)
        n += (size_t)snprintf(raw + n, sizeof raw - n, "H%d: v\r\n", i);
    snprintf(raw + n, sizeof raw - n, "\r\n");
    assert_refused(raw, 0, NULL, HTTPC_ERR_HEADER, "more than 64 header lines");
}

static void test_bad_lengths(void **state)
{
    (void)state;
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 0, NULL, HTTPC_ERR_LENGTH, "not a decimal");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, NULL, HTTPC_ERR_LENGTH, "not a decimal");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", 0, NULL, HTTPC_ERR_LENGTH, "empty Content-Length");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 0, NULL, HTTPC_ERR_LENGTH,
                   "conflicting");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 0, NULL,
                   HTTPC_ERR_LENGTH, "both");
    assert_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, NULL, HTTPC_ERR_LENGTH,
                   "unsupported Transfer-Encoding \"gzip, chunked\"");
    assert_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 0, NULL,
                   HTTPC_ERR_LENGTH, "more than one");
}

static void test_bad_chunks(void **state)
{
#define TE "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    char raw[4096];

    (void)state;
    assert_refused(TE "zz\r\n", 0, NULL, HTTPC_ERR_CHUNK, "0x7a is not a hex digit");
    assert_refused(TE "z", 0, NULL, HTTPC_ERR_CHUNK, "not a hex digit"); /* before the line ends */
    assert_refused(TE "-1\r\n", 0, NULL, HTTPC_ERR_CHUNK, "not a hex digit");
    assert_refused(TE ";x\r\n", 0, NULL, HTTPC_ERR_CHUNK, "not a hex digit");
    assert_refused(TE "5x\r\nabcde\r\n0\r\n\r\n", 0, NULL, HTTPC_ERR_CHUNK, "after the digits");
    assert_refused(TE "3\r\nabcX\r\n0\r\n\r\n", 0, NULL, HTTPC_ERR_CHUNK, "not followed by CRLF");
    assert_refused(TE "3\r\nabcX", 0, NULL, HTTPC_ERR_CHUNK, "not followed by CRLF");
    assert_refused(TE "3;a\x01\r\nabc\r\n0\r\n\r\n", 0, NULL, HTTPC_ERR_CHUNK, "chunk extension");
    assert_refused(TE "0\r\nbad trailer\r\n\r\n", 0, NULL, HTTPC_ERR_CHUNK, "bad trailer line");
    assert_refused(TE "ff\r\nshort\r\n", 1, NULL, HTTPC_ERR_TRUNCATED, "inside a chunk");
    assert_refused(TE "0\r\n", 1, NULL, HTTPC_ERR_TRUNCATED, "inside the trailers");
    assert_refused(TE "1", 1, NULL, HTTPC_ERR_TRUNCATED, "chunk-size line");
    memset(raw, 0, sizeof raw);
    memcpy(raw, TE "1;", strlen(TE "1;"));
    memset(raw + strlen(raw), 'e', HTTPC_MAX_CHUNK_LINE);
    assert_refused(raw, 0, NULL, HTTPC_ERR_CHUNK, "chunk-size line over 1024 bytes");
#undef TE
}

static void test_oversize(void **state)
{
    httpc_limits lim;
    char raw[512];

    (void)state;
    lim.max_head_bytes = 64;
    lim.max_body_bytes = 8;
    memset(raw, 0, sizeof raw);
    snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nX-Pad: %060d\r\n", 0);
    assert_refused(raw, 0, &lim, HTTPC_ERR_TOO_BIG, "response head over 64 bytes");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", 0, &lim, HTTPC_ERR_TOO_BIG,
                   "Content-Length over the 8-byte body limit");
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n", 0, NULL, HTTPC_ERR_TOO_BIG,
                   "Content-Length over");
    assert_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n", 0, &lim, HTTPC_ERR_TOO_BIG,
                   "chunk over the 8-byte body limit");
    assert_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffff\r\n", 0, NULL,
                   HTTPC_ERR_TOO_BIG, "chunk over");
    assert_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n4\r\nfghi\r\n", 0, &lim,
                   HTTPC_ERR_TOO_BIG, "chunked body over the 8-byte limit");
    assert_refused("HTTP/1.0 200 OK\r\n\r\n123456789", 0, &lim, HTTPC_ERR_TOO_BIG, "body over the 8-byte limit");
    snprintf(raw, sizeof raw, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: %070d\r\n\r\n", 0);
    lim.max_head_bytes = 70;
    assert_refused(raw, 0, &lim, HTTPC_ERR_TOO_BIG, "trailers over 70 bytes");
}

/* The cases bench_http had for its parser, on a response read to its end. */
static void test_whole_responses_read_to_the_end(void **state)
{
    httpc_response r;
    size_t used;

    (void)state;
    assert_int_equal(
        parse("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n[]", 1, &r, &used),
        HTTPC_OK);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body_len, 2);
    assert_string_equal(r.body, "[]");
    httpc_response_free(&r);
    assert_refused("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 1, NULL, HTTPC_ERR_TRUNCATED, "body bytes");
    assert_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 1, NULL, HTTPC_ERR_CHUNK, "hex");
}

static void test_code_names(void **state)
{
    (void)state;
    assert_string_equal(httpc_code_name(HTTPC_ERR_TRUNCATED), "truncated");
    assert_string_equal(httpc_code_name(HTTPC_ERR_CHUNK), "chunk");
    assert_string_equal(httpc_code_name(42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_and_rest_kept),
        cmocka_unit_test(test_content_length_cuts_extra_bytes),
        cmocka_unit_test(test_header_copy_truncates),
        cmocka_unit_test(test_incomplete_needs_more_then_truncated),
        cmocka_unit_test(test_split_reads),
        cmocka_unit_test(test_chunked),
        cmocka_unit_test(test_chunked_extensions_and_trailers),
        cmocka_unit_test(test_no_body_statuses_and_head),
        cmocka_unit_test(test_connection_close_delimited_body),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_bad_status_lines),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_bad_lengths),
        cmocka_unit_test(test_bad_chunks),
        cmocka_unit_test(test_oversize),
        cmocka_unit_test(test_whole_responses_read_to_the_end),
        cmocka_unit_test(test_code_names),
    };
    return cmocka_run_group_tests_name("httpclient response", tests, NULL, NULL);
}
