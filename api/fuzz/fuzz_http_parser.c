/* fuzz_http_parser.c: libFuzzer target for the HTTP/1.1 request parser.
 *
 * The input is a byte stream as a connection would receive it. The first
 * byte picks the limits (the defaults, or tiny ones so that every limit
 * path is reachable with short inputs); the rest is parsed as pipelined
 * requests, each one twice: in one call, and fed in growing prefixes the
 * way a slow client sends it. Both must agree, every slice must lie
 * inside the input, and the framing must respect the limits; any
 * violation aborts. Parsed paths and queries also go through the
 * percent-decoder and the query iterator. ASan/UBSan catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/http/http_parser.h"
#include "api/src/http/http_uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)     \
    do {             \
        if (!(x))    \
            abort(); \
    } while (0)

static void check_slice(slice s, const char *buf, size_t len)
{
    if (s.len == 0)
        return;
    /* "/" for an absolute target without a path is a static literal */
    if (s.len == 1 && s.base[0] == '/' && (s.base < buf || s.base >= buf + len))
        return;
    CHECK(s.base >= buf && s.base + s.len <= buf + len);
}

static void check_message(const http_message *m, const char *buf, size_t len, const http_limits *lim)
{
    size_t i;
    char out[512];
    size_t n;
    slice rest, k, v;

    CHECK(m->total_len <= len && m->head_len <= m->total_len);
    CHECK(m->total_len == m->head_len + m->content_length);
    CHECK(m->body.len == m->content_length && m->content_length <= lim->max_body);
    CHECK(m->num_headers <= lim->max_headers && m->num_headers <= HTTP_MAX_HEADERS);
    CHECK(m->method.len > 0 && m->target.len > 0);
    check_slice(m->method, buf, len);
    check_slice(m->target, buf, len);
    check_slice(m->path, buf, len);
    check_slice(m->query, buf, len);
    check_slice(m->host, buf, len);
    check_slice(m->body, buf, len);
    for (i = 0; i < m->num_headers; i++) {
        check_slice(m->headers[i].name, buf, len);
        check_slice(m->headers[i].value, buf, len);
        CHECK(m->headers[i].name.len > 0);
    }
    CHECK(m->minor_version == 0 || m->minor_version == 1);
    if (m->path.len <= sizeof(out) && http_path_decode(m->path, out, sizeof(out), &n) == HTTP_URI_OK)
        CHECK(n <= m->path.len && memchr(out, '\0', n) == NULL);
    rest = m->query;
    while (http_query_next(&rest, &k, &v)) {
        check_slice(k, buf, len);
        check_slice(v, buf, len);
        if (v.len <= sizeof(out) && http_percent_decode(v, out, sizeof(out), &n, 1) == HTTP_URI_OK)
            CHECK(n <= v.len);
        (void)http_query_key_is(k, "cursor");
    }
}

/* Parse buf[0..len) in prefixes of growing size (steps picked from the
 * data) and return the final result. */
static int parse_in_steps(const char *buf, size_t len, const http_limits *lim, http_message *m, unsigned seed)
{
    http_parser p;
    size_t at = 0;
    int rc = HTTP_PARSE_NEED_MORE;

    http_parser_reset(&p);
    while (at < len) {
        seed = seed * 1103515245u + 12345u;
        at += 1 + (seed >> 16) % 97;
        if (at > len)
            at = len;
        rc = http_parser_execute(&p, buf, at, lim, m);
        if (rc != HTTP_PARSE_NEED_MORE)
            return rc;
    }
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_limits lim;
    http_parser p;
    http_message *m1, *m2;
    const char *buf;
    size_t len, off = 0;
    int rounds = 0;

    if (size < 1)
        return 0;
    http_limits_default(&lim);
    if (data[0] & 1) {
        lim.max_request_line = 64;
        lim.max_header_bytes = 128;
        lim.max_headers = 4;
        lim.max_body = 16;
    }
    buf = (const char *)data + 1;
    len = size - 1;
    m1 = malloc(sizeof(*m1));
    m2 = malloc(sizeof(*m2));
    if (m1 == NULL || m2 == NULL)
        abort();

    while (off < len && rounds++ < 64) {
        int rc1, rc2;

        http_parser_reset(&p);
        rc1 = http_parser_execute(&p, buf + off, len - off, &lim, m1);
        rc2 = parse_in_steps(buf + off, len - off, &lim, m2, data[0] + (unsigned)off);
        CHECK(rc1 == rc2);
        CHECK(rc1 <= HTTP_PARSE_DONE && rc1 >= HTTP_PARSE_EXPECTATION);
        if (rc1 < 0) {
            CHECK(p.err != NULL && http_parse_status(rc1) >= 400);
            break;
        }
        if (rc1 == HTTP_PARSE_NEED_MORE)
            break;
        check_message(m1, buf + off, len - off, &lim);
        CHECK(m1->total_len == m2->total_len && m1->num_headers == m2->num_headers);
        CHECK(m1->keep_alive == m2->keep_alive && m1->content_length == m2->content_length);
        CHECK(m1->total_len > 0);
        off += m1->total_len;
    }
    free(m1);
    free(m2);
    return 0;
}
