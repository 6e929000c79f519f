/* test_http_parser.c: the request parser, limit by limit.
 *
 * Most cases run a request through parse_whole (one call with all the
 * bytes) and through parse_bytewise (one byte more per call, as a slow
 * client sends it), and expect the same answer from both: the scan must
 * not depend on how the input was cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/http/http_parser.h"

static http_limits lim;

static int setup(void **state)
{
    (void)state;
    http_limits_default(&lim);
    return 0;
}

static int parse_whole(const char *buf, size_t len, http_message *msg, http_parser *p)
{
    http_parser_reset(p);
    return http_parser_execute(p, buf, len, &lim, msg);
}

/* Feed len bytes one at a time; every prefix but the whole must be
 * NEED_MORE unless an error shows earlier. Returns the final result. */
static int parse_bytewise(const char *buf, size_t len, http_message *msg, size_t *stopped_at)
{
    http_parser p;
    size_t i;
    int rc = HTTP_PARSE_NEED_MORE;

    http_parser_reset(&p);
    for (i = 1; i <= len; i++) {
        rc = http_parser_execute(&p, buf, i, &lim, msg);
        if (rc != HTTP_PARSE_NEED_MORE)
            break;
    }
    if (stopped_at != NULL)
        *stopped_at = i;
    return rc;
}

/* Both ways; asserts they agree and returns the result. */
static int parse_both(const char *req, http_message *msg)
{
    http_parser p;
    http_message m2;
    size_t len = strlen(req);
    int rc1 = parse_whole(req, len, msg, &p);
    int rc2 = parse_bytewise(req, len, &m2, NULL);

    assert_int_equal(rc1, rc2);
    return rc1;
}

static int slice_is(slice s, const char *want)
{
    return s.len == strlen(want) && memcmp(s.base, want, s.len) == 0;
}

#define assert_slice(s, want)                                                 \
    do {                                                                      \
        if (!slice_is((s), (want)))                                           \
            fail_msg("slice '%.*s' != '%s'", (int)(s).len, (s).base, (want)); \
    } while (0)

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* A heap string built with printf. */
static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, f);
    n = vsnprintf(NULL, 0, f, ap);
    va_end(ap);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, f);
    vsnprintf(s, (size_t)n + 1, f, ap);
    va_end(ap);
    return s;
}

/* ---- well-formed requests ------------------------------------------- */

static void test_simple_get(void **state)
{
    const char *req = "GET /v1/users/42/feed/home?limit=20&cursor=abc HTTP/1.1\r\n"
                      "Host: api.example\r\n"
                      "User-Agent: test\r\n"
                      "Accept: */*\r\n"
                      "\r\n";
    http_message m;

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_DONE);
    assert_slice(m.method, "GET");
    assert_slice(m.target, "/v1/users/42/feed/home?limit=20&cursor=abc");
    assert_slice(m.path, "/v1/users/42/feed/home");
    assert_slice(m.query, "limit=20&cursor=abc");
    assert_slice(m.host, "api.example");
    assert_int_equal(m.minor_version, 1);
    assert_int_equal(m.keep_alive, 1);
    assert_int_equal(m.num_headers, 3);
    assert_slice(m.headers[1].name, "User-Agent");
    assert_slice(m.headers[1].value, "test");
    assert_int_equal(m.content_length, 0);
    assert_int_equal(m.body.len, 0);
    assert_int_equal(m.total_len, strlen(req));
    assert_int_equal(m.head_len, strlen(req));
}

static void test_header_lookup_and_ows(void **state)
{
    const char *req = "GET / HTTP/1.1\r\nHOST:h\r\nX-Thing: \t spaced out \t\r\nX-Empty:\r\n\r\n";
    http_message m;

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_DONE);
    assert_slice(http_message_header(&m, "x-thing"), "spaced out");
    assert_slice(http_message_header(&m, "host"), "h");
    assert_non_null(http_message_header(&m, "X-EMPTY").base);
    assert_int_equal(http_message_header(&m, "x-empty").len, 0);
    assert_null(http_message_header(&m, "x-missing").base);
    assert_slice(m.path, "/");
    assert_int_equal(m.query.len, 0);
}

static void test_obs_text_allowed_in_values(void **state)
{
    const char *req = "GET / HTTP/1.1\r\nHost: h\r\nX-Name: caf\xc3\xa9\r\n\r\n";
    http_message m;

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_DONE);
    assert_slice(http_message_header(&m, "X-Name"), "caf\xc3\xa9");
}

static void test_post_with_body(void **state)
{
    const char *req = "POST /v1/activities HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
                      "Content-Length: 13\r\n\r\n{\"verb\":\"x\"}!";
    http_message m;

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_DONE);
    assert_int_equal(m.content_length, 13);
    assert_slice(m.body, "{\"verb\":\"x\"}!");
    assert_slice(m.content_type, "application/json");
    assert_int_equal(m.total_len, strlen(req));
}

static void test_content_length_zero(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.body.len, 0);
    assert_int_equal(parse_both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n1234567", &m),
                     HTTP_PARSE_DONE);
    assert_int_equal(m.body.len, 7);
}

static void test_keep_alive_rules(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.keep_alive, 0);
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", &m),
                     HTTP_PARSE_DONE);
    assert_int_equal(m.keep_alive, 0);
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.keep_alive, 1);
    assert_int_equal(parse_both("GET / HTTP/1.0\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.minor_version, 0);
    assert_int_equal(m.keep_alive, 0);
    assert_int_equal(parse_both("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.keep_alive, 1);
    /* a closing token inside another token is not "close" */
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\nConnection: closed\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.keep_alive, 1);
}

static void test_http_1_2_is_served_as_1_1(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("GET / HTTP/1.2\r\nHost: h\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.minor_version, 1);
}

static void test_leading_empty_lines_skipped(void **state)
{
    const char *req = "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n";
    http_message m;

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_DONE);
    assert_slice(m.method, "GET");
    assert_int_equal(m.total_len, strlen(req));
}

static void test_too_many_leading_empty_lines(void **state)
{
    char *req = fmt("%sGET / HTTP/1.1\r\nHost: h\r\n\r\n", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n");
    http_message m;
    http_parser p;

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_BAD_REQUEST);
    free(req);
    /* and an endless stream of them is refused without a request line */
    req = repeat('\n', 1);
    free(req);
    req = fmt("%s", "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n");
    assert_int_equal(parse_whole(req, strlen(req), &m, &p), HTTP_PARSE_BAD_REQUEST);
    free(req);
}

static void test_absolute_form(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("GET http://Example.com:8080/a/b?x=1 HTTP/1.1\r\nHost: other\r\n\r\n", &m),
                     HTTP_PARSE_DONE);
    assert_slice(m.host, "Example.com:8080");
    assert_slice(m.path, "/a/b");
    assert_slice(m.query, "x=1");
    assert_int_equal(parse_both("GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_slice(m.path, "/");
    assert_int_equal(parse_both("GET http://example.com?q HTTP/1.1\r\nHost: example.com\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_slice(m.path, "/");
    assert_slice(m.query, "q");
    assert_int_equal(parse_both("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(parse_both("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
}

static void test_asterisk_form(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_slice(m.path, "*");
    assert_int_equal(parse_both("GET * HTTP/1.1\r\nHost: h\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
}

/* ---- incremental input ---------------------------------------------- */

static void test_bytewise_needs_more_until_complete(void **state)
{
    const char *req = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
    size_t len = strlen(req), stopped;
    http_message m;

    (void)state;
    assert_int_equal(parse_bytewise(req, len, &m, &stopped), HTTP_PARSE_DONE);
    assert_int_equal(stopped, len); /* not one byte early */
    assert_slice(m.body, "hello");
}

static void test_head_done_before_body(void **state)
{
    const char *head = "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n";
    char buf[256];
    http_parser p;
    http_message m;

    (void)state;
    snprintf(buf, sizeof(buf), "%sbody", head);
    http_parser_reset(&p);
    assert_false(http_parser_started(&p));
    assert_int_equal(http_parser_execute(&p, buf, 3, &lim, &m), HTTP_PARSE_NEED_MORE);
    assert_true(http_parser_started(&p));
    assert_false(http_parser_head_done(&p));
    assert_int_equal(http_parser_execute(&p, buf, strlen(head), &lim, &m), HTTP_PARSE_NEED_MORE);
    assert_true(http_parser_head_done(&p));
    assert_int_equal(p.expect_continue, 1);
    assert_int_equal(http_parser_execute(&p, buf, strlen(head) + 2, &lim, &m), HTTP_PARSE_NEED_MORE);
    assert_int_equal(http_parser_execute(&p, buf, strlen(head) + 4, &lim, &m), HTTP_PARSE_DONE);
    assert_int_equal(m.expect_continue, 1);
    assert_slice(m.body, "body");
}

static void test_buffer_moved_between_calls(void **state)
{
    const char *req = "POST /moved?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc";
    size_t len = strlen(req);
    char *a = malloc(len), *b = malloc(len);
    http_parser p;
    http_message m;

    (void)state;
    memcpy(a, req, len);
    http_parser_reset(&p);
    assert_int_equal(http_parser_execute(&p, a, len - 2, &lim, &m), HTTP_PARSE_NEED_MORE);
    memcpy(b, req, len);
    memset(a, 'X', len); /* the old bytes are gone */
    assert_int_equal(http_parser_execute(&p, b, len, &lim, &m), HTTP_PARSE_DONE);
    assert_ptr_equal(m.method.base, b);
    assert_slice(m.path, "/moved");
    assert_slice(m.query, "q=1");
    assert_slice(m.body, "abc");
    free(a);
    free(b);
}

static void test_pipelined_requests_in_order(void **state)
{
    const char *reqs = "GET /one HTTP/1.1\r\nHost: h\r\n\r\n"
                       "POST /two HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
                       "GET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                       "GET /four-partial HTTP/1.1\r\nHo";
    const char *paths[] = {"/one", "/two", "/three"};
    size_t off = 0, len = strlen(reqs), i;
    http_parser p;
    http_message m;

    (void)state;
    for (i = 0; i < 3; i++) {
        http_parser_reset(&p);
        assert_int_equal(http_parser_execute(&p, reqs + off, len - off, &lim, &m), HTTP_PARSE_DONE);
        assert_slice(m.path, paths[i]);
        off += m.total_len;
    }
    assert_int_equal(m.keep_alive, 0);
    http_parser_reset(&p);
    assert_int_equal(http_parser_execute(&p, reqs + off, len - off, &lim, &m), HTTP_PARSE_NEED_MORE);
}

/* ---- malformed input ------------------------------------------------ */

static void test_bad_request_lines(void **state)
{
    static const char *bad[] = {
        "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", /* two spaces */
        "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", /* trailing space */
        "GET /  HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n",
        "GET /\r\nHost: h\r\n\r\n", /* no version (HTTP/0.9 style) */
        "GET\r\nHost: h\r\n\r\n",
        " GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        "/ HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET / http/1.1\r\nHost: h\r\n\r\n", /* HTTP-name is case-sensitive */
        "GET / HTTP/1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.1.1\r\nHost: h\r\n\r\n",
        "GET / HTTP/1.x\r\nHost: h\r\n\r\n",
        "GET / HTTP/a.b\r\nHost: h\r\n\r\n",
        "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", /* not a token */
        "GET\t/\tHTTP/1.1\r\nHost: h\r\n\r\n",
        "GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n",       /* DEL in target */
        "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", /* raw UTF-8 in target */
        "GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n",
        "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n",
        "CONNECT host:443 HTTP/1.1\r\nHost: host:443\r\n\r\n",
    };
    http_message m;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parse_both(bad[i], &m);
        if (rc != HTTP_PARSE_BAD_REQUEST)
            fail_msg("case %zu (%s): got %d, want 400", i, bad[i], rc);
    }
}

static void test_nul_byte_in_request_line(void **state)
{
    static const char req[] = "GET /a\0b HTTP/1.1\r\nHost: h\r\n\r\n";
    http_message m;
    http_parser p;

    (void)state;
    assert_int_equal(parse_whole(req, sizeof(req) - 1, &m, &p), HTTP_PARSE_BAD_REQUEST);
}

static void test_unsupported_versions(void **state)
{
    static const char *v505[] = {"HTTP/2.0", "HTTP/0.9", "HTTP/3.0", "HTTP/2", "HTTP/10.0"};
    http_message m;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(v505) / sizeof(v505[0]); i++) {
        char *req = fmt("GET / %s\r\nHost: h\r\n\r\n", v505[i]);
        assert_int_equal(parse_both(req, &m), HTTP_PARSE_BAD_VERSION);
        free(req);
    }
    assert_int_equal(http_parse_status(HTTP_PARSE_BAD_VERSION), 505);
}

static void test_bare_lf_and_cr(void **state)
{
    http_message m;
    size_t stopped;
    const char *lf = "GET / HTTP/1.1\nHost: h\n\n";

    (void)state;
    assert_int_equal(parse_both(lf, &m), HTTP_PARSE_BAD_REQUEST);
    /* found as soon as the LF arrives, not at the end */
    assert_int_equal(parse_bytewise(lf, strlen(lf), &m, &stopped), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(stopped, strlen("GET / HTTP/1.1\n"));
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\rX\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\n\n", &m), HTTP_PARSE_BAD_REQUEST);
}

static void test_header_folding_rejected(void **state)
{
    http_message m;
    http_parser p;
    const char *req = "GET / HTTP/1.1\r\nHost: h\r\nX-Long: part one\r\n  part two\r\n\r\n";

    (void)state;
    assert_int_equal(parse_both(req, &m), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(parse_whole(req, strlen(req), &m, &p), HTTP_PARSE_BAD_REQUEST);
    assert_string_equal(p.err, "header folding is not allowed");
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\n\tfolded\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
    /* a first header line starting with whitespace too */
    assert_int_equal(parse_both("GET / HTTP/1.1\r\n Host: h\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
}

static void test_bad_header_lines(void **state)
{
    static const char *bad[] = {
        "GET / HTTP/1.1\r\nHost : h\r\n\r\n",             /* space before colon */
        "GET / HTTP/1.1\r\nHost: h\r\n: novalue\r\n\r\n", /* empty name */
        "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01z\r\n\r\n", /* control byte */
        "GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7fz\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: h\r\nX(A): z\r\n\r\n",
    };
    http_message m;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = parse_both(bad[i], &m);
        if (rc != HTTP_PARSE_BAD_REQUEST)
            fail_msg("case %zu: got %d, want 400", i, rc);
    }
}

static void test_invalid_content_length(void **state)
{
    static const char *bad[] = {"abc", "-1", "+5", "1 2", "", "0x10", "5,5", "5, 5", "1.0", "٣"};
    http_message m;
    http_parser p;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char *req = fmt("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %s\r\n\r\n12345", bad[i]);
        int rc = parse_whole(req, strlen(req), &m, &p);
        if (rc != HTTP_PARSE_BAD_REQUEST)
            fail_msg("Content-Length '%s': got %d, want 400", bad[i], rc);
        assert_string_equal(p.err, "invalid Content-Length");
        free(req);
    }
}

static void test_duplicate_content_length(void **state)
{
    http_message m;
    http_parser p;
    const char *same = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc";
    const char *diff = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde";

    (void)state;
    assert_int_equal(parse_both(same, &m), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(parse_whole(diff, strlen(diff), &m, &p), HTTP_PARSE_BAD_REQUEST);
    assert_string_equal(p.err, "duplicate Content-Length");
}

static void test_huge_content_length_is_413(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999\r\n\r\n", &m),
                     HTTP_PARSE_BODY_TOO_LARGE);
}

static void test_transfer_encoding(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(
        parse_both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", &m),
        HTTP_PARSE_LENGTH_REQUIRED);
    assert_int_equal(parse_both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", &m),
                     HTTP_PARSE_LENGTH_REQUIRED);
    assert_int_equal(parse_both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", &m),
                     HTTP_PARSE_NOT_IMPLEMENTED);
    assert_int_equal(
        parse_both("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello", &m),
        HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(http_parse_status(HTTP_PARSE_LENGTH_REQUIRED), 411);
    assert_int_equal(http_parse_status(HTTP_PARSE_NOT_IMPLEMENTED), 501);
}

static void test_host_rules(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("GET / HTTP/1.1\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", &m), HTTP_PARSE_BAD_REQUEST);
    assert_int_equal(parse_both("GET / HTTP/1.0\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.host.len, 0);
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost:\r\n\r\n", &m), HTTP_PARSE_DONE);
}

static void test_expectations(void **state)
{
    http_message m;

    (void)state;
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.expect_continue, 1);
    assert_int_equal(parse_both("GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n", &m), HTTP_PARSE_EXPECTATION);
    assert_int_equal(http_parse_status(HTTP_PARSE_EXPECTATION), 417);
    /* RFC 9110 10.1.1: ignored for HTTP/1.0 */
    assert_int_equal(parse_both("GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", &m), HTTP_PARSE_DONE);
    assert_int_equal(m.expect_continue, 0);
    assert_int_equal(parse_both("GET / HTTP/1.0\r\nExpect: teapot\r\n\r\n", &m), HTTP_PARSE_DONE);
}

/* ---- limits ----------------------------------------------------------- */

static void test_request_line_limit(void **state)
{
    /* "GET " + path + " HTTP/1.1" is exactly the limit */
    size_t fixed = strlen("GET ") + strlen(" HTTP/1.1");
    char *path = repeat('a', lim.max_request_line - fixed);
    char *ok, *over, *partial;
    http_message m;
    http_parser p;

    (void)state;
    path[0] = '/';
    ok = fmt("GET %s HTTP/1.1\r\nHost: h\r\n\r\n", path);
    over = fmt("GET %sa HTTP/1.1\r\nHost: h\r\n\r\n", path);
    assert_int_equal(parse_whole(ok, strlen(ok), &m, &p), HTTP_PARSE_DONE);
    assert_int_equal(parse_both(over, &m), HTTP_PARSE_URI_TOO_LONG);
    /* without its CRLF yet: refused as soon as it is over, not at the end */
    partial = fmt("GET %saaaaaaaaaaaaaaaa", path);
    assert_int_equal(parse_whole(partial, strlen(partial), &m, &p), HTTP_PARSE_URI_TOO_LONG);
    /* exactly the limit plus the CR of its CRLF: still waiting */
    free(partial);
    partial = fmt("GET %s HTTP/1.1\r", path);
    assert_int_equal(parse_whole(partial, strlen(partial), &m, &p), HTTP_PARSE_NEED_MORE);
    assert_int_equal(http_parse_status(HTTP_PARSE_URI_TOO_LONG), 414);
    free(path);
    free(ok);
    free(over);
    free(partial);
}

/* A request whose header block (lines + final CRLF) is exactly n bytes. */
static char *request_with_header_bytes(size_t n)
{
    /* "Host: h\r\n" (9) + "X: " (3) + value + "\r\n" (2) + "\r\n" (2) */
    char *value = repeat('v', n - 16);
    char *req = fmt("GET / HTTP/1.1\r\nHost: h\r\nX: %s\r\n\r\n", value);

    free(value);
    return req;
}

static void test_header_bytes_limit(void **state)
{
    char *ok = request_with_header_bytes(lim.max_header_bytes);
    char *over = request_with_header_bytes(lim.max_header_bytes + 1);
    char *partial;
    http_message m;
    http_parser p;

    (void)state;
    assert_int_equal(parse_whole(ok, strlen(ok), &m, &p), HTTP_PARSE_DONE);
    assert_int_equal(parse_whole(over, strlen(over), &m, &p), HTTP_PARSE_HEADERS_TOO_LARGE);
    /* an unterminated header block is refused once it passes the limit */
    partial = request_with_header_bytes(lim.max_header_bytes + 64);
    partial[strlen(partial) - 30] = '\0';
    assert_int_equal(parse_whole(partial, strlen(partial), &m, &p), HTTP_PARSE_HEADERS_TOO_LARGE);
    assert_int_equal(http_parse_status(HTTP_PARSE_HEADERS_TOO_LARGE), 431);
    free(ok);
    free(over);
    free(partial);
}

static char *request_with_headers(size_t n)
{
    size_t i, cap = 64 + n * 16, len;
    char *req = malloc(cap);

    assert_non_null(req);
    len = (size_t)snprintf(req, cap, "GET / HTTP/1.1\r\nHost: h\r\n");
    for (i = 1; i < n; i++)
        len += (size_t)snprintf(req + len, cap - len, "X-%zu: v\r\n", i);
    snprintf(req + len, cap - len, "\r\n");
    return req;
}

static void test_header_count_limit(void **state)
{
    char *ok = request_with_headers(lim.max_headers);
    char *over = request_with_headers(lim.max_headers + 1);
    http_message m;
    http_parser p;
    http_limits small = lim;

    (void)state;
    assert_int_equal(parse_whole(ok, strlen(ok), &m, &p), HTTP_PARSE_DONE);
    assert_int_equal(m.num_headers, 64);
    assert_int_equal(parse_whole(over, strlen(over), &m, &p), HTTP_PARSE_HEADERS_TOO_LARGE);
    /* configurable below the hard cap */
    small.max_headers = 3;
    http_parser_reset(&p);
    assert_int_equal(http_parser_execute(&p, ok, strlen(ok), &small, &m), HTTP_PARSE_HEADERS_TOO_LARGE);
    free(ok);
    free(over);
}

static void test_body_limit(void **state)
{
    char *ok = fmt("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %zu\r\n\r\n", lim.max_body);
    char *over = fmt("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: %zu\r\n\r\n", lim.max_body + 1);
    http_message m;
    http_parser p;
    http_limits small = lim;

    (void)state;
    /* refused from the head alone, before any body byte arrives */
    assert_int_equal(parse_whole(over, strlen(over), &m, &p), HTTP_PARSE_BODY_TOO_LARGE);
    assert_int_equal(http_parse_status(HTTP_PARSE_BODY_TOO_LARGE), 413);
    assert_int_equal(parse_whole(ok, strlen(ok), &m, &p), HTTP_PARSE_NEED_MORE);
    small.max_body = 4;
    http_parser_reset(&p);
    assert_int_equal(
        http_parser_execute(&p, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", 48, &small, &m),
        HTTP_PARSE_BODY_TOO_LARGE);
    free(ok);
    free(over);
}

static void test_request_max_covers_limits(void **state)
{
    (void)state;
    assert_true(http_limits_request_max(&lim) >= lim.max_request_line + 2 + lim.max_header_bytes + lim.max_body);
    assert_int_equal(http_parse_status(HTTP_PARSE_BAD_REQUEST), 400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_get),
        cmocka_unit_test(test_header_lookup_and_ows),
        cmocka_unit_test(test_obs_text_allowed_in_values),
        cmocka_unit_test(test_post_with_body),
        cmocka_unit_test(test_content_length_zero),
        cmocka_unit_test(test_keep_alive_rules),
        cmocka_unit_test(test_http_1_2_is_served_as_1_1),
        cmocka_unit_test(test_leading_empty_lines_skipped),
        cmocka_unit_test(test_too_many_leading_empty_lines),
        cmocka_unit_test(test_absolute_form),
        cmocka_unit_test(test_asterisk_form),
        cmocka_unit_test(test_bytewise_needs_more_until_complete),
        cmocka_unit_test(test_head_done_before_body),
        cmocka_unit_test(test_buffer_moved_between_calls),
        cmocka_unit_test(test_pipelined_requests_in_order),
        cmocka_unit_test(test_bad_request_lines),
        cmocka_unit_test(test_nul_byte_in_request_line),
        cmocka_unit_test(test_unsupported_versions),
        cmocka_unit_test(test_bare_lf_and_cr),
        cmocka_unit_test(test_header_folding_rejected),
        cmocka_unit_test(test_bad_header_lines),
        cmocka_unit_test(test_invalid_content_length),
        cmocka_unit_test(test_duplicate_content_length),
        cmocka_unit_test(test_huge_content_length_is_413),
        cmocka_unit_test(test_transfer_encoding),
        cmocka_unit_test(test_host_rules),
        cmocka_unit_test(test_expectations),
        cmocka_unit_test(test_request_line_limit),
        cmocka_unit_test(test_header_bytes_limit),
        cmocka_unit_test(test_header_count_limit),
        cmocka_unit_test(test_body_limit),
        cmocka_unit_test(test_request_max_covers_limits),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
