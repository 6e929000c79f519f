/* test_http_client.c: the chaos HTTP client's classification of outcomes
 * (the parsing itself is httpclient's, tested in lib/http_client/tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tools/chaos/http_client.h"
#include "lib/http_client/tests/support/one_shot_server.h"

static void test_parse_url(void **state)
{
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
static void test_refused_is_not_sent(void **state)
{
    hc_conn c;
    hc_response r;
    (void)state;
    hc_init(&c, "127.0.0.1", 1, 1000);
    assert_int_equal(hc_request(&c, "GET", "/", NULL, NULL, 0, &r), HC_ERR_CONNECT);
    assert_true(strstr(c.errstr, "127.0.0.1:1") != NULL);
    hc_close(&c);
}

/* A whole answer is HC_OK whatever its status; the request says who we are. */
static void test_answer_and_request_headers(void **state)
{
    one_shot s;
    hc_conn c;
    hc_response r;
    char v[16];
    (void)state;
    one_shot_start(&s, "HTTP/1.1 409 Conflict\r\nContent-Length: 2\r\nIdempotent-Replayed: true\r\n\r\n{}");
    hc_init(&c, "localhost", s.port, 2000);
    assert_int_equal(hc_request(&c, "POST", "/v1/posts", "Idempotency-Key: k1\r\n", "{}", 2, &r), HC_OK);
    assert_int_equal(r.status, 409);
    assert_string_equal(r.body, "{}");
    assert_string_equal(hc_header(&r, "idempotent-replayed", v, sizeof v), "true");
    hc_response_free(&r);
    hc_close(&c);
    one_shot_join(&s);
    assert_non_null(strstr(s.request, "POST /v1/posts HTTP/1.1\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(s.request,
                           "\r\nUser-Agent: feed-chaos\r\nAccept: application/json\r\n"
                           "Idempotency-Key: k1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"));
}

/* Sent, then no whole answer (closed, truncated, garbage): HC_ERR_IO. */
static void test_sent_without_answer_is_unknown(void **state)
{
    const char *answers[] = {NULL, "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc", "SSH-2.0-OpenSSH\r\n\r\n"};
    (void)state;
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        one_shot s;
        hc_conn c;
        hc_response r;
        one_shot_start(&s, answers[i]);
        hc_init(&c, "127.0.0.1", s.port, 2000);
        assert_int_equal(hc_request(&c, "GET", "/v1/feed", NULL, NULL, 0, &r), HC_ERR_IO);
        assert_non_null(strstr(c.errstr, "127.0.0.1:"));
        assert_int_equal(c.fd, -1);
        hc_close(&c);
        one_shot_join(&s);
        assert_non_null(strstr(s.request, "\r\nContent-Length: 0\r\n\r\n"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_url),
        cmocka_unit_test(test_refused_is_not_sent),
        cmocka_unit_test(test_answer_and_request_headers),
        cmocka_unit_test(test_sent_without_answer_is_unknown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
