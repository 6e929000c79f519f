/* response.c: the HTTP/1.1 response parser of httpclient (http_client.h).
 *
 * Stateless: each call parses from the first byte of the buffer, so the
 * caller only appends bytes and calls again. The head is located first
 * (bounded by max_head_bytes), then checked line by line (RFC 9112 §4,
 * §5) and copied; the body is framed as RFC 9112 §6.3 says for a client:
 * no body for HEAD, 1xx, 204 and 304; chunked when Transfer-Encoding is
 * exactly "chunked"; Content-Length; else up to the end of the connection.
 * A response with both Transfer-Encoding and Content-Length, or with two
 * different Content-Lengths, is refused rather than guessed at.
 *
 * Chunked bodies are walked twice: once to validate the framing and learn
 * the decoded size (no allocation, so an incomplete body costs nothing but
 * the walk), then once to copy. Trade-off: a body of many small chunks
 * that arrives in many reads is walked once per read; fine for the API
 * pages and Flink documents these clients read.
 */
#include "lib/http_client/http_client.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTPC_DEFAULT_MAX_HEAD (64u * 1024)
#define HTTPC_DEFAULT_MAX_BODY (64u * 1024 * 1024)

void httpc_limits_init(httpc_limits *lim)
{
    lim->max_head_bytes = HTTPC_DEFAULT_MAX_HEAD;
    lim->max_body_bytes = HTTPC_DEFAULT_MAX_BODY;
}

static int httpc_fail(httpc_response *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record why the bytes were refused; returns code. */
static int httpc_fail(httpc_response *r, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->errstr, sizeof r->errstr, fmt, ap);
    va_end(ap);
    return code;
}

/* tchar of RFC 9110 §5.6.2. */
static int httpc_is_tchar(unsigned char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

/* A byte allowed in a field value or reason phrase: VCHAR, SP, HTAB, obs-text. */
static int httpc_is_text(unsigned char ch)
{
    return ch == '\t' || (ch >= 0x20 && ch != 0x7f);
}

static int httpc_hex(unsigned char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Offset of the first "\r\n" in p[0..len), or len when none. */
static size_t httpc_find_crlf(const char *p, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n')
            return i;
    }
    return len;
}

static int httpc_slice_ieq(httpc_slice s, const char *lit)
{
    return s.len == strlen(lit) && strncasecmp(s.base, lit, s.len) == 0;
}

/* Does the comma-separated list s hold token lit (case-insensitive)? */
static int httpc_list_has(httpc_slice s, const char *lit)
{
    size_t i = 0;

    while (i < s.len) {
        size_t start, end;
        while (i < s.len && (s.base[i] == ' ' || s.base[i] == '\t' || s.base[i] == ','))
            i++;
        start = i;
        while (i < s.len && s.base[i] != ',')
            i++;
        end = i;
        while (end > start && (s.base[end - 1] == ' ' || s.base[end - 1] == '\t'))
            end--;
        if (end > start && httpc_slice_ieq((httpc_slice){s.base + start, end - start}, lit))
            return 1;
    }
    return 0;
}

/* Check "HTTP/1.x DDD[ reason]" in line[0..len) into r (slices into line). */
static int httpc_parse_status(const char *line, size_t len, httpc_response *r)
{
    const unsigned char *u = (const unsigned char *)line;

    if (len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || (line[7] != '0' && line[7] != '1') || line[8] != ' ')
        return httpc_fail(r, HTTPC_ERR_STATUS, "bad status line: not \"HTTP/1.0|1 DDD reason\"");
    if (u[9] < '1' || u[9] > '9' || u[10] < '0' || u[10] > '9' || u[11] < '0' || u[11] > '9' ||
        (len > 12 && line[12] != ' '))
        return httpc_fail(r, HTTPC_ERR_STATUS, "bad status line: the status is not three digits");
    for (size_t i = 13; i < len; i++) {
        if (!httpc_is_text(u[i]))
            return httpc_fail(r, HTTPC_ERR_STATUS, "bad status line: control byte 0x%02x in the reason", u[i]);
    }
    r->minor_version = line[7] - '0';
    r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    r->reason = len > 13 ? (httpc_slice){line + 13, len - 13} : (httpc_slice){line + len, 0};
    return HTTPC_OK;
}

/* Check one "name: value" line p[0..len) into h (slices into p). what:
 * "header" or "trailer", for the sentence. */
static int httpc_parse_field(const char *p, size_t len, httpc_header *h, httpc_response *r, int code, const char *what)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0, end;

    if (len > 0 && (p[0] == ' ' || p[0] == '\t'))
        return httpc_fail(r, code, "bad %s line: obsolete line folding", what);
    while (i < len && httpc_is_tchar(u[i]))
        i++;
    if (i == 0 || i == len || p[i] != ':')
        return httpc_fail(r, code, "bad %s line: no \"name:\" (byte 0x%02x at %zu)", what, i < len ? u[i] : 0, i);
    h->name = (httpc_slice){p, i};
    for (end = ++i; end < len; end++) {
        if (!httpc_is_text(u[end]))
            return httpc_fail(r, code, "bad %s line: control byte 0x%02x in the value of %.*s", what, u[end],
                              (int)h->name.len, h->name.base);
    }
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    while (end > i && (p[end - 1] == ' ' || p[end - 1] == '\t'))
        end--;
    h->value = (httpc_slice){p + i, end - i};
    return HTTPC_OK;
}

/* Check the head head[0..len) (ending in the blank line) into r. */
static int httpc_parse_head(const char *head, size_t len, httpc_response *r)
{
    size_t off, eol = httpc_find_crlf(head, len);
    int rc = httpc_parse_status(head, eol, r);

    if (rc != HTTPC_OK)
        return rc;
    off = eol + 2;
    while (off < len - 2) {
        eol = off + httpc_find_crlf(head + off, len - off);
        if (r->num_headers == HTTPC_MAX_HEADERS)
            return httpc_fail(r, HTTPC_ERR_HEADER, "more than %d header lines", HTTPC_MAX_HEADERS);
        rc = httpc_parse_field(head + off, eol - off, &r->headers[r->num_headers], r, HTTPC_ERR_HEADER, "header");
        if (rc != HTTPC_OK)
            return rc;
        r->num_headers++;
        off = eol + 2;
    }
    return HTTPC_OK;
}

/* How the body is delimited. */
enum { HTTPC_BODY_NONE, HTTPC_BODY_LENGTH, HTTPC_BODY_CHUNKED, HTTPC_BODY_CLOSE };

/* Decide the framing from the headers: *kind and, for a length, *length. */
static int httpc_framing(httpc_response *r, unsigned flags, const httpc_limits *lim, int *kind, size_t *length)
{
    const httpc_slice *te = NULL, *cl = NULL;

    for (size_t i = 0; i < r->num_headers; i++) {
        const httpc_header *h = &r->headers[i];
        if (httpc_slice_ieq(h->name, "Transfer-Encoding")) {
            if (te != NULL)
                return httpc_fail(r, HTTPC_ERR_LENGTH, "more than one Transfer-Encoding header");
            te = &h->value;
        } else if (httpc_slice_ieq(h->name, "Content-Length")) {
            if (cl != NULL && (cl->len != h->value.len || memcmp(cl->base, h->value.base, cl->len) != 0))
                return httpc_fail(r, HTTPC_ERR_LENGTH, "conflicting Content-Length headers");
            cl = &h->value;
        }
    }
    if (te != NULL && cl != NULL)
        return httpc_fail(r, HTTPC_ERR_LENGTH, "both Transfer-Encoding and Content-Length");
    if (te != NULL && !httpc_slice_ieq(*te, "chunked"))
        return httpc_fail(r, HTTPC_ERR_LENGTH, "unsupported Transfer-Encoding \"%.*s\"",
                          (int)(te->len > 40 ? 40 : te->len), te->base);
    if (cl != NULL) {
        uint64_t n = 0;
        if (cl->len == 0)
            return httpc_fail(r, HTTPC_ERR_LENGTH, "empty Content-Length");
        for (size_t i = 0; i < cl->len; i++) {
            if (cl->base[i] < '0' || cl->base[i] > '9')
                return httpc_fail(r, HTTPC_ERR_LENGTH, "Content-Length is not a decimal number");
            n = n * 10 + (uint64_t)(cl->base[i] - '0');
            if (n > lim->max_body_bytes)
                return httpc_fail(r, HTTPC_ERR_TOO_BIG, "Content-Length over the %zu-byte body limit",
                                  lim->max_body_bytes);
        }
        *length = (size_t)n;
    }
    if ((flags & HTTPC_NO_BODY) != 0 || r->status < 200 || r->status == 204 || r->status == 304)
        *kind = HTTPC_BODY_NONE;
    else if (te != NULL)
        *kind = HTTPC_BODY_CHUNKED;
    else if (cl != NULL)
        *kind = HTTPC_BODY_LENGTH;
    else
        *kind = HTTPC_BODY_CLOSE;
    return HTTPC_OK;
}

/* Read one chunk-size line at p[0..len): *size and *line_len (with CRLF).
 * HTTPC_AGAIN when the line is not all there. */
static int httpc_chunk_line(const char *p, size_t len, int eof, const httpc_limits *lim, httpc_response *r,
                            size_t *size, size_t *line_len)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t eol = httpc_find_crlf(p, len < HTTPC_MAX_CHUNK_LINE ? len : HTTPC_MAX_CHUNK_LINE), i = 0;
    uint64_t n = 0;

    if (eol == (len < HTTPC_MAX_CHUNK_LINE ? len : HTTPC_MAX_CHUNK_LINE)) {
        if (len >= HTTPC_MAX_CHUNK_LINE)
            return httpc_fail(r, HTTPC_ERR_CHUNK, "chunk-size line over %d bytes", HTTPC_MAX_CHUNK_LINE);
        if (len > 0 && httpc_hex(u[0]) < 0)
            return httpc_fail(r, HTTPC_ERR_CHUNK, "bad chunk size: byte 0x%02x is not a hex digit", u[0]);
        return eof ? httpc_fail(r, HTTPC_ERR_TRUNCATED, "connection closed inside a chunk-size line") : HTTPC_AGAIN;
    }
    for (; i < eol && httpc_hex(u[i]) >= 0; i++) {
        n = n * 16 + (uint64_t)httpc_hex(u[i]);
        if (n > lim->max_body_bytes)
            return httpc_fail(r, HTTPC_ERR_TOO_BIG, "chunk over the %zu-byte body limit", lim->max_body_bytes);
    }
    if (i == 0)
        return httpc_fail(r, HTTPC_ERR_CHUNK, "bad chunk size: byte 0x%02x is not a hex digit", i < eol ? u[i] : '\r');
    while (i < eol && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < eol && p[i] != ';')
        return httpc_fail(r, HTTPC_ERR_CHUNK, "bad chunk size: byte 0x%02x after the digits", u[i]);
    for (; i < eol; i++) { /* chunk extensions: skipped, only checked for controls */
        if (!httpc_is_text(u[i]))
            return httpc_fail(r, HTTPC_ERR_CHUNK, "control byte 0x%02x in a chunk extension", u[i]);
    }
    *size = (size_t)n;
    *line_len = eol + 2;
    return HTTPC_OK;
}

/* Walk a chunked body at p[0..len); out NULL: validate only and set
 * *total (decoded) and *used (raw, with trailers); out set: copy. */
static int httpc_chunked(const char *p, size_t len, int eof, const httpc_limits *lim, httpc_response *r, char *out,
                         size_t *total, size_t *used)
{
    size_t off = 0, sum = 0, size = 0, line = 0, trailer_start;
    httpc_header h;
    int rc;

    for (;;) {
        rc = httpc_chunk_line(p + off, len - off, eof, lim, r, &size, &line);
        if (rc != HTTPC_OK)
            return rc;
        off += line;
        if (size == 0)
            break;
        if (size > lim->max_body_bytes - sum)
            return httpc_fail(r, HTTPC_ERR_TOO_BIG, "chunked body over the %zu-byte limit", lim->max_body_bytes);
        if (len - off < size + 2) {
            if (len - off == size + 1 && p[off + size] != '\r')
                return httpc_fail(r, HTTPC_ERR_CHUNK, "chunk data not followed by CRLF");
            return eof ? httpc_fail(r, HTTPC_ERR_TRUNCATED, "connection closed inside a chunk") : HTTPC_AGAIN;
        }
        if (p[off + size] != '\r' || p[off + size + 1] != '\n')
            return httpc_fail(r, HTTPC_ERR_CHUNK, "chunk data not followed by CRLF");
        if (out != NULL)
            memcpy(out + sum, p + off, size);
        sum += size;
        off += size + 2;
    }
    trailer_start = off;
    for (;;) { /* trailer section: field lines, then an empty line */
        size_t avail = len - off, eol = httpc_find_crlf(p + off, avail);
        if (eol == avail) {
            if (off - trailer_start + avail > lim->max_head_bytes)
                return httpc_fail(r, HTTPC_ERR_TOO_BIG, "trailers over %zu bytes", lim->max_head_bytes);
            return eof ? httpc_fail(r, HTTPC_ERR_TRUNCATED, "connection closed inside the trailers") : HTTPC_AGAIN;
        }
        if (off + eol + 2 - trailer_start > lim->max_head_bytes)
            return httpc_fail(r, HTTPC_ERR_TOO_BIG, "trailers over %zu bytes", lim->max_head_bytes);
        if (eol == 0) {
            off += 2;
            break;
        }
        rc = httpc_parse_field(p + off, eol, &h, r, HTTPC_ERR_CHUNK, "trailer");
        if (rc != HTTPC_OK)
            return rc;
        off += eol + 2;
    }
    *total = sum;
    *used = off;
    return HTTPC_OK;
}

/* Copy p[0..n) into a new NUL-terminated string at *out. */
static int httpc_dup(httpc_response *r, const char *p, size_t n, char **out)
{
    *out = malloc(n + 1);
    if (*out == NULL)
        return httpc_fail(r, HTTPC_ERR_NOMEM, "out of memory for %zu bytes", n + 1);
    if (n > 0)
        memcpy(*out, p, n);
    (*out)[n] = '\0';
    return HTTPC_OK;
}

/* Find the end of the head; HTTPC_OK with *head_len, or why not. */
static int httpc_find_head(const char *buf, size_t len, int eof, const httpc_limits *lim, httpc_response *r,
                           size_t *head_len)
{
    size_t scan = len < lim->max_head_bytes ? len : lim->max_head_bytes;
    size_t pre = len < 7 ? len : 7;

    if (pre > 0 && memcmp(buf, "HTTP/1.", pre) != 0) /* refuse garbage before waiting for a blank line */
        return httpc_fail(r, HTTPC_ERR_STATUS, "bad status line: does not start with \"HTTP/1.\"");
    for (size_t i = 0; i + 3 < scan; i++) {
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            *head_len = i + 4;
            return HTTPC_OK;
        }
    }
    if (len >= lim->max_head_bytes)
        return httpc_fail(r, HTTPC_ERR_TOO_BIG, "response head over %zu bytes", lim->max_head_bytes);
    if (!eof)
        return HTTPC_AGAIN;
    if (len == 0)
        return httpc_fail(r, HTTPC_ERR_EOF, "connection closed before a response");
    return httpc_fail(r, HTTPC_ERR_TRUNCATED, "connection closed inside the response head (%zu bytes)", len);
}

/* Frame and copy the body that starts at body[0..avail) into r. */
static int httpc_take_body(const char *body, size_t avail, int eof, unsigned flags, const httpc_limits *lim,
                           httpc_response *r, size_t *used)
{
    size_t length = 0, total = 0;
    int kind = HTTPC_BODY_NONE, rc = httpc_framing(r, flags, lim, &kind, &length);

    if (rc != HTTPC_OK)
        return rc;
    switch (kind) {
    case HTTPC_BODY_NONE: *used = 0; return httpc_dup(r, body, 0, &r->body);
    case HTTPC_BODY_LENGTH:
        if (avail < length)
            return eof ? httpc_fail(r, HTTPC_ERR_TRUNCATED, "connection closed after %zu of %zu body bytes", avail,
                                    length)
                       : HTTPC_AGAIN;
        *used = length;
        r->body_len = length;
        return httpc_dup(r, body, length, &r->body);
    case HTTPC_BODY_CLOSE:
        if (avail > lim->max_body_bytes)
            return httpc_fail(r, HTTPC_ERR_TOO_BIG, "body over the %zu-byte limit", lim->max_body_bytes);
        if (!eof)
            return HTTPC_AGAIN;
        r->keep_alive = 0;
        *used = avail;
        r->body_len = avail;
        return httpc_dup(r, body, avail, &r->body);
    default:
        rc = httpc_chunked(body, avail, eof, lim, r, NULL, &total, used);
        if (rc != HTTPC_OK)
            return rc;
        if ((r->body = malloc(total + 1)) == NULL)
            return httpc_fail(r, HTTPC_ERR_NOMEM, "out of memory for a %zu-byte body", total);
        rc = httpc_chunked(body, avail, eof, lim, r, r->body, &total, used);
        r->body[total] = '\0';
        r->body_len = total;
        return rc;
    }
}

int httpc_parse_response(const char *buf, size_t len, int eof, unsigned flags, const httpc_limits *lim,
                         httpc_response *r, size_t *consumed)
{
    httpc_limits defaults;
    const httpc_slice *conn;
    size_t head_len = 0, used = 0;
    int rc;

    if (lim == NULL) {
        httpc_limits_init(&defaults);
        lim = &defaults;
    }
    memset(r, 0, sizeof *r);
    rc = httpc_find_head(buf, len, eof, lim, r, &head_len);
    if (rc != HTTPC_OK)
        return rc;
    rc = httpc_parse_head(buf, head_len, r);
    if (rc != HTTPC_OK)
        return rc;
    conn = httpc_header_get(r, "Connection");
    r->keep_alive = r->minor_version == 1 ? conn == NULL || !httpc_list_has(*conn, "close")
                                          : conn != NULL && httpc_list_has(*conn, "keep-alive");
    rc = httpc_take_body(buf + head_len, len - head_len, eof, flags, lim, r, &used);
    if (rc == HTTPC_OK)
        rc = httpc_dup(r, buf, head_len, &r->head);
    if (rc != HTTPC_OK) {
        char why[sizeof r->errstr];
        memcpy(why, r->errstr, sizeof why);
        httpc_response_free(r);
        memset(r, 0, sizeof *r);
        memcpy(r->errstr, why, sizeof why);
        return rc;
    }
    /* the slices pointed into buf: move them into the copy */
    r->head_len = head_len;
    r->reason.base = r->head + (r->reason.base - buf);
    for (size_t i = 0; i < r->num_headers; i++) {
        r->headers[i].name.base = r->head + (r->headers[i].name.base - buf);
        r->headers[i].value.base = r->head + (r->headers[i].value.base - buf);
    }
    *consumed = head_len + used;
    return HTTPC_OK;
}

const httpc_slice *httpc_header_get(const httpc_response *r, const char *name)
{
    for (size_t i = 0; i < r->num_headers; i++) {
        if (httpc_slice_ieq(r->headers[i].name, name))
            return &r->headers[i].value;
    }
    return NULL;
}

const char *httpc_header_copy(const httpc_response *r, const char *name, char *out, size_t outlen)
{
    const httpc_slice *v = httpc_header_get(r, name);
    size_t n = v != NULL ? v->len : 0;

    if (outlen == 0)
        return out;
    if (n >= outlen)
        n = outlen - 1;
    if (n > 0)
        memcpy(out, v->base, n);
    out[n] = '\0';
    return out;
}

void httpc_response_free(httpc_response *r)
{
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}

const char *httpc_code_name(int code)
{
    switch (code) {
    case HTTPC_OK: return "ok";
    case HTTPC_AGAIN: return "again";
    case HTTPC_ERR_CONNECT: return "connect";
    case HTTPC_ERR_SEND: return "send";
    case HTTPC_ERR_TIMEOUT: return "timeout";
    case HTTPC_ERR_EOF: return "eof";
    case HTTPC_ERR_TRUNCATED: return "truncated";
    case HTTPC_ERR_READ: return "read";
    case HTTPC_ERR_STATUS: return "status line";
    case HTTPC_ERR_HEADER: return "header";
    case HTTPC_ERR_LENGTH: return "length";
    case HTTPC_ERR_CHUNK: return "chunk";
    case HTTPC_ERR_TOO_BIG: return "too big";
    case HTTPC_ERR_NOMEM: return "out of memory";
    default: return "unknown";
    }
}
