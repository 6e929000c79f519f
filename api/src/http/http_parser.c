/* http_parser.c: request head scanning, validation and framing.
 *
 * Two passes, on purpose. The scan (http_scan) runs over bytes as they
 * arrive, resumable, and only finds line ends and enforces the size
 * limits. Once the blank line ending the head is found, http_parse_head
 * validates and slices the whole head in one go. Splitting it so keeps
 * the resumable part tiny (a handful of offsets in http_parser) while
 * the validating part can be written as plain straight-line code. The
 * head is re-sliced once more when its body completes, because the
 * caller may have moved its buffer in between; that costs one more pass
 * over at most a few hundred bytes, only for requests that have a body.
 */
#include "api/src/http/http_parser.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

/* Empty lines tolerated before a request line (RFC 9112 2.2). */
#define HTTP_MAX_LEADING 16

void http_limits_default(http_limits *lim)
{
    lim->max_request_line = 8 * 1024;
    lim->max_header_bytes = 16 * 1024;
    lim->max_headers = HTTP_MAX_HEADERS;
    lim->max_body = 64 * 1024;
}

size_t http_limits_request_max(const http_limits *lim)
{
    return HTTP_MAX_LEADING + lim->max_request_line + 2 + lim->max_header_bytes + lim->max_body;
}

void http_parser_reset(http_parser *p)
{
    memset(p, 0, sizeof(*p));
    p->leading = 1;
}

/* RFC 9110 5.6.2 tchar. */
static int http_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int http_fail(http_parser *p, int rc, const char *why)
{
    p->err = why;
    return rc;
}

/* Resume scanning for line ends. 1 when the head is complete, 0 when
 * more bytes are needed, < 0 on an error.
 *
 * Every decision is made at a byte from that byte and the ones before
 * it, never at the end of a chunk: so a request gets the same answer
 * (and the same error) however the network cut it into reads. The fuzz
 * target checks exactly that. */
static int http_scan(http_parser *p, const char *buf, size_t len, const http_limits *lim)
{
    size_t i;

    for (i = p->pos; i < len; i++) {
        char c = buf[i];

        if (p->leading && i >= HTTP_MAX_LEADING && (c == '\r' || c == '\n'))
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "too many empty lines before the request");
        if (i > 0 && buf[i - 1] == '\r' && c != '\n')
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "bare CR in the request head");
        if (p->leading && c != '\r' && c != '\n') {
            p->leading = 0;
            p->start = i;
            p->line_start = i;
        }
        if (p->leading) {
            if (c == '\n' && (i == 0 || buf[i - 1] != '\r'))
                return http_fail(p, HTTP_PARSE_BAD_REQUEST, "bare LF in the request head");
            continue; /* empty lines before the request are skipped */
        }
        if (p->line_end == 0) {
            if (c != '\r' && c != '\n' && i - p->start + 1 > lim->max_request_line)
                return http_fail(p, HTTP_PARSE_URI_TOO_LONG, "request line too long");
        } else if (i + 1 - (p->line_end + 2) > lim->max_header_bytes) {
            return http_fail(p, HTTP_PARSE_HEADERS_TOO_LARGE, "request headers too large");
        }
        if (c != '\n')
            continue;
        if (buf[i - 1] != '\r')
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "bare LF in the request head");
        if (p->line_end == 0) {
            p->line_end = i - 1;
        } else if (i - 1 == p->line_start) {
            p->head_end = i + 1;
            p->pos = i + 1;
            return 1;
        }
        p->line_start = i + 1;
    }
    p->pos = len;
    return 0;
}

/* "HTTP/1.1" and friends. */
static int http_parse_version(http_parser *p, slice v, http_message *msg)
{
    size_t i;

    if (v.len == 8 && memcmp(v.base, "HTTP/", 5) == 0 && v.base[5] >= '0' && v.base[5] <= '9' && v.base[6] == '.' &&
        v.base[7] >= '0' && v.base[7] <= '9') {
        if (v.base[5] != '1')
            return http_fail(p, HTTP_PARSE_BAD_VERSION, "HTTP version not supported");
        msg->minor_version = v.base[7] >= '1' ? 1 : 0;
        return 0;
    }
    /* Well-formed but other versions ("HTTP/2", "HTTP/10.0") get a 505;
     * anything else is just a broken request line. */
    if (v.len > 5 && memcmp(v.base, "HTTP/", 5) == 0 && v.base[5] >= '0' && v.base[5] <= '9' &&
        !(v.base[5] == '1' && (v.len == 6 || v.base[6] == '.'))) {
        for (i = 5; i < v.len; i++) {
            if ((v.base[i] < '0' || v.base[i] > '9') && v.base[i] != '.')
                break;
        }
        if (i == v.len)
            return http_fail(p, HTTP_PARSE_BAD_VERSION, "HTTP version not supported");
    }
    return http_fail(p, HTTP_PARSE_BAD_REQUEST, "malformed HTTP version");
}

/* Split the request-target into path and query (and authority for the
 * absolute form). */
static int http_parse_target(http_parser *p, http_message *msg)
{
    slice t = msg->target, rest;
    const char *q;
    size_t skip, a;

    if (memchr(t.base, '#', t.len) != NULL)
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "fragment in request target");
    if (t.base[0] == '/') {
        rest = t;
    } else if (t.len == 1 && t.base[0] == '*') {
        if (!slice_eq_cstr(msg->method, "OPTIONS"))
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "asterisk target is for OPTIONS only");
        msg->path = t;
        return 0;
    } else {
        if (t.len > 7 && slice_eq_nocase_cstr(slice_make(t.base, 7), "http://"))
            skip = 7;
        else if (t.len > 8 && slice_eq_nocase_cstr(slice_make(t.base, 8), "https://"))
            skip = 8;
        else
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "invalid request target");
        for (a = skip; a < t.len && t.base[a] != '/' && t.base[a] != '?'; a++)
            ;
        if (a == skip)
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "absolute target without a host");
        msg->host = slice_make(t.base + skip, a - skip);
        rest = slice_make(t.base + a, t.len - a);
    }
    q = rest.len != 0 ? memchr(rest.base, '?', rest.len) : NULL;
    if (q != NULL) {
        msg->path = slice_make(rest.base, (size_t)(q - rest.base));
        msg->query = slice_make(q + 1, rest.len - (size_t)(q - rest.base) - 1);
    } else {
        msg->path = rest;
    }
    if (msg->path.len == 0)
        msg->path = SLICE_LIT("/"); /* absolute form without a path */
    return 0;
}

static int http_parse_request_line(http_parser *p, slice line, http_message *msg)
{
    size_t i = 0, t;
    int rc;

    while (i < line.len && http_is_tchar((unsigned char)line.base[i]))
        i++;
    if (i == 0 || i == line.len || line.base[i] != ' ')
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "malformed request line");
    msg->method = slice_make(line.base, i);
    t = ++i;
    while (i < line.len && (unsigned char)line.base[i] > 0x20 && (unsigned char)line.base[i] < 0x7f)
        i++;
    if (i == t || i == line.len || line.base[i] != ' ')
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "malformed request line");
    msg->target = slice_make(line.base + t, i - t);
    rc = http_parse_version(p, slice_make(line.base + i + 1, line.len - i - 1), msg);
    if (rc != 0)
        return rc;
    return http_parse_target(p, msg);
}

/* Content-Length: 1*DIGIT, nothing else. Values that do not fit are
 * reported as SIZE_MAX, which is over any limit. */
static int http_parse_length(slice v, size_t *out)
{
    size_t i, n = 0;

    if (v.len == 0)
        return -1;
    for (i = 0; i < v.len; i++) {
        unsigned d = (unsigned)(unsigned char)v.base[i] - '0';
        if (d > 9)
            return -1;
        if (n > (SIZE_MAX - d) / 10)
            n = SIZE_MAX;
        else
            n = n * 10 + d;
    }
    *out = n;
    return 0;
}

/* 1 when a comma-separated list (a header value) holds token, compared
 * case-insensitively after trimming OWS. */
static int http_has_token(slice v, const char *token)
{
    size_t i = 0, s, e;

    while (i <= v.len) {
        s = i;
        while (i < v.len && v.base[i] != ',')
            i++;
        e = i;
        while (s < e && (v.base[s] == ' ' || v.base[s] == '\t'))
            s++;
        while (e > s && (v.base[e - 1] == ' ' || v.base[e - 1] == '\t'))
            e--;
        if (slice_eq_nocase_cstr(slice_make(v.base + s, e - s), token))
            return 1;
        i++;
    }
    return 0;
}

/* What the headers said about framing and the connection. */
typedef struct http_head_flags {
    int seen_length, seen_host, seen_te, te_chunked, conn_close, conn_keep_alive, bad_expect;
} http_head_flags;

static int http_parse_header_line(http_parser *p, slice line, const http_limits *lim, http_message *msg,
                                  http_head_flags *f)
{
    size_t i = 0, v, e, k;
    http_header *h;

    if (line.base[0] == ' ' || line.base[0] == '\t')
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "header folding is not allowed");
    while (i < line.len && http_is_tchar((unsigned char)line.base[i]))
        i++;
    if (i == 0 || i == line.len || line.base[i] != ':')
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "invalid header name");
    v = i + 1;
    e = line.len;
    while (v < e && (line.base[v] == ' ' || line.base[v] == '\t'))
        v++;
    while (e > v && (line.base[e - 1] == ' ' || line.base[e - 1] == '\t'))
        e--;
    for (k = v; k < e; k++) {
        unsigned char c = (unsigned char)line.base[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "invalid character in header value");
    }
    if (msg->num_headers >= lim->max_headers || msg->num_headers >= HTTP_MAX_HEADERS)
        return http_fail(p, HTTP_PARSE_HEADERS_TOO_LARGE, "too many request headers");
    h = &msg->headers[msg->num_headers++];
    h->name = slice_make(line.base, i);
    h->value = slice_make(line.base + v, e - v);

    if (slice_eq_nocase_cstr(h->name, "content-length")) {
        if (f->seen_length)
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "duplicate Content-Length");
        f->seen_length = 1;
        if (http_parse_length(h->value, &msg->content_length) != 0)
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "invalid Content-Length");
    } else if (slice_eq_nocase_cstr(h->name, "host")) {
        if (f->seen_host)
            return http_fail(p, HTTP_PARSE_BAD_REQUEST, "duplicate Host");
        f->seen_host = 1;
        if (msg->host.base == NULL) /* absolute-form authority wins */
            msg->host = h->value;
    } else if (slice_eq_nocase_cstr(h->name, "transfer-encoding")) {
        f->seen_te = 1;
        f->te_chunked |= http_has_token(h->value, "chunked");
    } else if (slice_eq_nocase_cstr(h->name, "connection")) {
        f->conn_close |= http_has_token(h->value, "close");
        f->conn_keep_alive |= http_has_token(h->value, "keep-alive");
    } else if (slice_eq_nocase_cstr(h->name, "expect")) {
        if (slice_eq_nocase_cstr(h->value, "100-continue"))
            msg->expect_continue = 1;
        else
            f->bad_expect = 1;
    } else if (slice_eq_nocase_cstr(h->name, "content-type")) {
        if (msg->content_type.base == NULL)
            msg->content_type = h->value;
    }
    return 0;
}

/* Validate and slice a complete head: buf[p->start .. p->head_end). */
static int http_parse_head(http_parser *p, const char *buf, const http_limits *lim, http_message *msg)
{
    http_head_flags f;
    size_t pos, end;
    const char *cr;
    int rc;

    memset(msg, 0, offsetof(http_message, headers));
    memset(&f, 0, sizeof(f));
    rc = http_parse_request_line(p, slice_make(buf + p->start, p->line_end - p->start), msg);
    if (rc != 0)
        return rc;

    pos = p->line_end + 2;
    end = p->head_end - 2; /* the blank line's CRLF */
    while (pos < end) {
        /* The scan proved that every CR is followed by LF. */
        cr = memchr(buf + pos, '\r', end - pos);
        assert(cr != NULL);
        rc = http_parse_header_line(p, slice_make(buf + pos, (size_t)(cr - (buf + pos))), lim, msg, &f);
        if (rc != 0)
            return rc;
        pos = (size_t)(cr - buf) + 2;
    }

    if (msg->minor_version >= 1 && !f.seen_host)
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "missing Host header");
    if (f.seen_te && f.seen_length)
        return http_fail(p, HTTP_PARSE_BAD_REQUEST, "both Transfer-Encoding and Content-Length");
    if (f.seen_te && f.te_chunked)
        return http_fail(p, HTTP_PARSE_LENGTH_REQUIRED, "chunked request bodies are not accepted; send Content-Length");
    if (f.seen_te)
        return http_fail(p, HTTP_PARSE_NOT_IMPLEMENTED, "unsupported Transfer-Encoding");
    if (msg->content_length > lim->max_body)
        return http_fail(p, HTTP_PARSE_BODY_TOO_LARGE, "request body too large");
    if (f.bad_expect && msg->minor_version >= 1)
        return http_fail(p, HTTP_PARSE_EXPECTATION, "unsupported expectation");
    if (msg->minor_version == 0)
        msg->expect_continue = 0; /* RFC 9110 10.1.1: ignored for HTTP/1.0 */

    if (f.conn_close)
        msg->keep_alive = 0;
    else
        msg->keep_alive = msg->minor_version >= 1 || f.conn_keep_alive;
    msg->head_len = p->head_end;
    return 0;
}

int http_parser_execute(http_parser *p, const char *buf, size_t len, const http_limits *lim, http_message *msg)
{
    int rc;

    assert(len >= p->pos);
    if (p->head_end == 0) {
        rc = http_scan(p, buf, len, lim);
        if (rc <= 0)
            return rc;
        rc = http_parse_head(p, buf, lim, msg);
        if (rc != 0)
            return rc;
        p->content_length = msg->content_length;
        p->expect_continue = msg->expect_continue;
        if (len - p->head_end < p->content_length)
            return HTTP_PARSE_NEED_MORE;
    } else {
        if (len - p->head_end < p->content_length)
            return HTTP_PARSE_NEED_MORE;
        /* The buffer may have moved since the head was validated. */
        rc = http_parse_head(p, buf, lim, msg);
        if (rc != 0)
            return rc;
    }
    msg->body = slice_make(buf + p->head_end, p->content_length);
    msg->total_len = p->head_end + p->content_length;
    return HTTP_PARSE_DONE;
}

slice http_message_header(const http_message *msg, const char *name)
{
    slice want = slice_from_cstr(name), none = {NULL, 0};
    size_t i;

    for (i = 0; i < msg->num_headers; i++) {
        if (slice_eq_nocase(msg->headers[i].name, want))
            return msg->headers[i].value;
    }
    return none;
}

int http_parse_status(int rc)
{
    switch (rc) {
    case HTTP_PARSE_BAD_REQUEST: return 400;
    case HTTP_PARSE_URI_TOO_LONG: return 414;
    case HTTP_PARSE_HEADERS_TOO_LARGE: return 431;
    case HTTP_PARSE_BODY_TOO_LARGE: return 413;
    case HTTP_PARSE_BAD_VERSION: return 505;
    case HTTP_PARSE_LENGTH_REQUIRED: return 411;
    case HTTP_PARSE_NOT_IMPLEMENTED: return 501;
    case HTTP_PARSE_EXPECTATION: return 417;
    default: return 200;
    }
}
