/* test_bench_http.c: the response parser (no sockets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench_http.h"

static int parse(const char *raw, int *status, char **body, size_t *len)
{
    char err[128];

    return bench_http_parse(raw, strlen(raw), status, body, len, err, sizeof err);
}

static void test_content_length_body(void **state)
{
    int status;
    char *body;
    size_t len;

    (void)state;
    assert_int_equal(parse("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n[]", &status,
                           &body, &len),
                     0);
    assert_int_equal(status, 200);
    assert_int_equal(len, 2);
    assert_string_equal(body, "[]");
    free(body);
}

static void test_content_length_cuts_extra_bytes(void **state)
{
    int status;
    char *body;
    size_t len;

    (void)state;
    assert_int_equal(parse("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcdef", &status, &body, &len), 0);
    assert_int_equal(status, 404);
    assert_string_equal(body, "abc");
    free(body);
}

static void test_chunked_body(void **state)
{
    int status;
    char *body;
    size_t len;

    (void)state;
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n9;ext=1\r\n:1234567}\r\n0\r\n\r\n",
                           &status, &body, &len),
                     0);
    assert_string_equal(body, "{\"a\":1234567}");
    assert_int_equal(len, 13);
    free(body);
}

static void test_no_length_reads_to_the_end(void **state)
{
    int status;
    char *body;
    size_t len;

    (void)state;
    assert_int_equal(parse("HTTP/1.0 200 OK\r\n\r\nhello", &status, &body, &len), 0);
    assert_string_equal(body, "hello");
    free(body);
}

static void test_bad_responses_are_refused(void **state)
{
    int status;
    char *body;
    size_t len;

    (void)state;
    assert_int_equal(parse("", &status, &body, &len), -1);
    assert_null(body);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n", &status, &body, &len), -1); /* no blank line */
    assert_int_equal(parse("SMTP ready\r\n\r\n", &status, &body, &len), -1);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", &status, &body, &len), -1);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nff\r\nshort\r\n", &status, &body, &len), -1);
    assert_int_equal(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", &status, &body, &len), -1);
    assert_null(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_body),
        cmocka_unit_test(test_content_length_cuts_extra_bytes),
        cmocka_unit_test(test_chunked_body),
        cmocka_unit_test(test_no_length_reads_to_the_end),
        cmocka_unit_test(test_bad_responses_are_refused),
    };
    return cmocka_run_group_tests_name("bench_http", tests, NULL, NULL);
}
