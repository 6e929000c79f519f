/* test_http_client.c: response parsing of the chaos HTTP client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tools/chaos/http_client.h"

static void test_content_length_and_rest_kept(void **state) {
    const char *raw = "HTTP/1.1 201 Created\r\nContent-Length: 5\r\nIdempotent-Replayed: true\r\n\r\nhelloHTTP/1.1";
    hc_response r;
    size_t used = 0;
    char v[16];
    (void)state;
    assert_int_equal(hc_parse_response(raw, strlen(raw), &r, &used), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "hello");
    assert_int_equal(used, strlen(raw) - strlen("HTTP/1.1"));
    assert_string_equal(hc_header(&r, "idempotent-replayed", v, sizeof v), "true");
    assert_string_equal(hc_header(&r, "Retry-After", v, sizeof v), "");
    hc_response_free(&r);
}

static void test_incomplete_needs_more(void **state) {
    const char *raw = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    hc_response r;
    size_t used = 0;
    (void)state;
    assert_int_equal(hc_parse_response(raw, strlen(raw), &r, &used), 1);
    assert_int_equal(hc_parse_response(raw, 12, &r, &used), 1);
}

static void test_chunked(void **state) {
    const char *raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    hc_response r;
    size_t used = 0;
    (void)state;
    assert_int_equal(hc_parse_response(raw, strlen(raw) - 2, &r, &used), 1);
    assert_int_equal(hc_parse_response(raw, strlen(raw), &r, &used), 0);
    assert_string_equal(r.body, "abcde");
    assert_int_equal(r.body_len, 5);
    assert_int_equal(used, strlen(raw));
    hc_response_free(&r);
}

static void test_no_body_statuses_and_garbage(void **state) {
    const char *raw = "HTTP/1.1 204 No Content\r\n\r\n";
    hc_response r;
    size_t used = 0;
    (void)state;
    assert_int_equal(hc_parse_response(raw, strlen(raw), &r, &used), 0);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    hc_response_free(&r);
    assert_int_equal(hc_parse_response("SSH-2.0\r\n\r\n", 11, &r, &used), -1);
    assert_int_equal(hc_parse_response("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", 38, &r, &used), -1);
}

static void test_parse_url(void **state) {
    char host[64];
    int port = 0;
    (void)state;
    assert_int_equal(hc_parse_url("http://127.0.0.1:38080", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 38080);
    assert_int_equal(hc_parse_url("127.0.0.1:80/x", host, sizeof host, &port), 0);
    assert_int_equal(port, 80);
    assert_int_equal(hc_parse_url("http://127.0.0.1", host, sizeof host, &port), -1);
    assert_int_equal(hc_parse_url("http://h:0", host, sizeof host, &port), -1);
    assert_int_equal(hc_parse_url("http://h:70000", host, sizeof host, &port), -1);
}

/* A connection to a closed port is HC_ERR_CONNECT: never sent. */
static void test_refused_is_not_sent(void **state) {
    hc_conn c;
    hc_response r;
    (void)state;
    hc_init(&c, "127.0.0.1", 1, 1000);
    assert_int_equal(hc_request(&c, "GET", "/", NULL, NULL, 0, &r), HC_ERR_CONNECT);
    assert_true(strstr(c.err, "127.0.0.1:1") != NULL);
    hc_close(&c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_content_length_and_rest_kept), cmocka_unit_test(test_incomplete_needs_more),
        cmocka_unit_test(test_chunked), cmocka_unit_test(test_no_body_statuses_and_garbage),
        cmocka_unit_test(test_parse_url), cmocka_unit_test(test_refused_is_not_sent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
