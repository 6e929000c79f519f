/* test_http_response.c: response serialisation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/http/http_response.h"

static void base_response(http_response *r)
{
    memset(r, 0, sizeof(*r));
    r->status = 200;
    r->content_type = SLICE_LIT("application/json");
    r->body = SLICE_LIT("{\"status\":\"ok\"}");
    r->keep_alive = 1;
}

static void assert_buf(const buf *b, const char *want)
{
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fail_msg("got:\n%.*s\nwant:\n%s", (int)b->len, b->data, want);
}

static void test_basic_response(void **state)
{
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    base_response(&r);
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_buf(&b, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
                   "{\"status\":\"ok\"}");
    buf_dispose(&b);
}

static void test_all_header_options(void **state)
{
    http_header extra[] = {{SLICE_LIT("Allow"), SLICE_LIT("GET, HEAD")}};
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    base_response(&r);
    r.status = 405;
    r.body = SLICE_LIT("{}");
    r.headers = extra;
    r.num_headers = 1;
    r.keep_alive = 0;
    r.date = "Sun, 06 Nov 1994 08:49:37 GMT";
    r.request_id = 1234;
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_buf(&b, "HTTP/1.1 405 Method Not Allowed\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
                   "Content-Type: application/json\r\nContent-Length: 2\r\nX-Request-Id: 1234\r\n"
                   "Allow: GET, HEAD\r\nConnection: close\r\n\r\n{}");
    buf_dispose(&b);
}

static void test_keep_alive_announced_for_http10(void **state)
{
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    base_response(&r);
    r.announce_keep_alive = 1;
    r.body = SLICE_LIT("");
    r.content_type = slice_make(NULL, 0);
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_buf(&b, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
    buf_dispose(&b);
}

static void test_head_keeps_length_drops_body(void **state)
{
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    base_response(&r);
    r.head_only = 1;
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_buf(&b, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n");
    buf_dispose(&b);
}

static void test_no_body_statuses(void **state)
{
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    base_response(&r);
    r.status = 204;
    r.content_type = slice_make(NULL, 0);
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_buf(&b, "HTTP/1.1 204 No Content\r\n\r\n");
    buf_dispose(&b);
    buf_init(&b, 0);
    assert_int_equal(http_response_write_continue(&b), 0);
    assert_buf(&b, "HTTP/1.1 100 Continue\r\n\r\n");
    buf_dispose(&b);
}

static void test_header_injection_refused(void **state)
{
    http_header bad[] = {{SLICE_LIT("X-A"), SLICE_LIT("ok\r\nSet-Cookie: evil")}};
    http_header badname[] = {{SLICE_LIT("X\nA"), SLICE_LIT("v")}};
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(buf_append_cstr(&b, "previous"), 0);
    base_response(&r);
    r.headers = bad;
    r.num_headers = 1;
    errno = 0;
    assert_int_equal(http_response_write(&b, &r), -1);
    assert_int_equal(errno, EINVAL);
    r.headers = badname;
    assert_int_equal(http_response_write(&b, &r), -1);
    base_response(&r);
    r.content_type = SLICE_LIT("text/plain\r\nX: y");
    assert_int_equal(http_response_write(&b, &r), -1);
    r.content_type = SLICE_LIT("text/plain");
    r.status = 42;
    assert_int_equal(http_response_write(&b, &r), -1);
    assert_buf(&b, "previous"); /* untouched */
    buf_dispose(&b);
}

static void test_rollback_when_buffer_full(void **state)
{
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 40);
    assert_int_equal(buf_append_cstr(&b, "kept"), 0);
    base_response(&r);
    errno = 0;
    assert_int_equal(http_response_write(&b, &r), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_buf(&b, "kept");
    buf_dispose(&b);
}

static void test_appends_after_existing_output(void **state)
{
    http_response r;
    buf b;

    (void)state;
    buf_init(&b, 0);
    base_response(&r);
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_int_equal(http_response_write(&b, &r), 0);
    assert_int_equal(b.len % 2, 0);
    assert_memory_equal(b.data, b.data + b.len / 2, b.len / 2);
    buf_dispose(&b);
}

static void test_date_format(void **state)
{
    char d[HTTP_DATE_LEN + 1];

    (void)state;
    http_date_format(784111777, d);
    assert_string_equal(d, "Sun, 06 Nov 1994 08:49:37 GMT");
    http_date_format(0, d);
    assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 GMT");
    assert_int_equal(strlen(d), HTTP_DATE_LEN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_basic_response),
        cmocka_unit_test(test_all_header_options),
        cmocka_unit_test(test_keep_alive_announced_for_http10),
        cmocka_unit_test(test_head_keeps_length_drops_body),
        cmocka_unit_test(test_no_body_statuses),
        cmocka_unit_test(test_header_injection_refused),
        cmocka_unit_test(test_rollback_when_buffer_full),
        cmocka_unit_test(test_appends_after_existing_output),
        cmocka_unit_test(test_date_format),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
