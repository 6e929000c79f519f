/* test_bench_http.c: Flink REST requests against a one-shot loopback
 * server. (The response parser is httpclient's; its cases, the ones this
 * file had included, are in lib/http_client/tests/test_response.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench_http.h"
#include "lib/http_client/tests/support/one_shot_server.h"

static void test_get_chunked_json(void **state)
{
    one_shot s;
    int status;
    char *body, err[256];
    size_t len;

    (void)state;
    one_shot_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
                       "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                       "4\r\n{\"a\"\r\n9;ext=1\r\n:1234567}\r\n0\r\n\r\n");
    assert_int_equal(bench_http_get("127.0.0.1", s.port, "/jobs/overview", 2000, &status, &body, &len, err, sizeof err),
                     0);
    assert_int_equal(status, 200);
    assert_string_equal(body, "{\"a\":1234567}");
    assert_int_equal(len, 13);
    free(body);
    one_shot_join(&s);
    assert_non_null(strstr(s.request, "GET /jobs/overview HTTP/1.1\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(s.request, "\r\nConnection: close\r\nAccept: application/json\r\n\r\n"));
}

static void test_post_json_error_status(void **state)
{
    one_shot s;
    int status;
    char *body, err[256];
    size_t len;

    (void)state;
    one_shot_start(&s, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcdef");
    assert_int_equal(bench_http_request("127.0.0.1", s.port, "POST", "/jobs/x/checkpoints", "{\"k\":1}", 2000, &status,
                                        &body, &len, err, sizeof err),
                     0);
    assert_int_equal(status, 404);
    assert_string_equal(body, "abc");
    free(body);
    one_shot_join(&s);
    assert_non_null(strstr(s.request, "\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"k\":1}"));
}

static void test_bad_answers_and_no_server(void **state)
{
    one_shot s;
    int status;
    char *body, err[256];
    size_t len;

    (void)state;
    one_shot_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    assert_int_equal(bench_http_get("127.0.0.1", s.port, "/", 2000, &status, &body, &len, err, sizeof err), -1);
    assert_null(body);
    assert_non_null(strstr(err, "after 5 of 10 body bytes"));
    one_shot_join(&s);
    one_shot_start(&s, "SMTP ready\r\n\r\n");
    assert_int_equal(bench_http_get("127.0.0.1", s.port, "/", 2000, &status, &body, &len, err, sizeof err), -1);
    assert_null(body);
    assert_non_null(strstr(err, "bad status line"));
    one_shot_join(&s);
    assert_int_equal(bench_http_get("127.0.0.1", 1, "/", 1000, &status, &body, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "127.0.0.1:1: connect: "));
    assert_int_equal(bench_http_get("flink", 8081, "/", 1000, &status, &body, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad address"));
    assert_null(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_chunked_json),
        cmocka_unit_test(test_post_json_error_status),
        cmocka_unit_test(test_bad_answers_and_no_server),
    };
    return cmocka_run_group_tests_name("bench_http", tests, NULL, NULL);
}
