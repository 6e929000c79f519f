/* http_parser.h: a bounded, incremental HTTP/1.1 request parser.
 *
 * The parser works on a connection's read buffer and never copies: the
 * method, target, path, query, headers and body of a parsed request are
 * slices into the bytes the caller passed in. It is incremental in the
 * sense that matters for a server: call it again with the same bytes
 * plus whatever arrived since, and it resumes scanning where it stopped
 * (a client sending one byte at a time costs O(n), not O(n^2)). Until a
 * whole request (head and Content-Length body) is there it answers
 * HTTP_PARSE_NEED_MORE; limits are enforced as soon as they are passed,
 * not when the request completes, so a peer cannot make us buffer more
 * than the limits allow.
 *
 * What it accepts, on purpose narrower than everything RFC 9112 allows:
 * - lines end in CRLF; a bare LF or CR is a 400 (no guessing at framing);
 * - origin-form targets, absolute-form (http/https) and "*" for OPTIONS;
 * - bodies only by Content-Length (one header, digits only). A chunked
 *   request body is answered 411 Length Required (our clients send small
 *   JSON bodies and can always send a length); any other transfer
 *   coding 501. Duplicate or malformed Content-Length is a 400, which is
 *   what prevents request smuggling through us;
 * - obsolete header folding (a line starting with SP/HTAB) is a 400;
 * - HTTP/1.1 requires exactly one Host; HTTP/1.0 is served, closing by
 *   default; any major version other than 1 is a 505.
 *
 * Ownership: the caller owns the parser, the buffer and the message. The
 * slices in a message are valid as long as those bytes stay where they
 * are; if the caller moves its buffer, calling the parser again
 * re-derives every slice from the new address.
 */
#ifndef API_HTTP_HTTP_PARSER_H
#define API_HTTP_HTTP_PARSER_H

#include <stddef.h>

#include "api/src/base/slice.h"

#define HTTP_MAX_HEADERS 64 /* hard cap of http_limits.max_headers */

/* Results of http_parser_execute. Errors are negative; the HTTP status
 * each one maps to is given by http_parse_status. */
enum {
    HTTP_PARSE_DONE = 1,
    HTTP_PARSE_NEED_MORE = 0,
    HTTP_PARSE_BAD_REQUEST = -1,       /* 400 */
    HTTP_PARSE_URI_TOO_LONG = -2,      /* 414: request line over the limit */
    HTTP_PARSE_HEADERS_TOO_LARGE = -3, /* 431: header bytes or count */
    HTTP_PARSE_BODY_TOO_LARGE = -4,    /* 413: Content-Length over the limit */
    HTTP_PARSE_BAD_VERSION = -5,       /* 505: not HTTP/1.x */
    HTTP_PARSE_LENGTH_REQUIRED = -6,   /* 411: chunked request body */
    HTTP_PARSE_NOT_IMPLEMENTED = -7,   /* 501: other transfer coding */
    HTTP_PARSE_EXPECTATION = -8        /* 417: Expect other than 100-continue */
};

typedef struct http_limits {
    size_t max_request_line; /* bytes of the request line without CRLF (8 KiB) */
    size_t max_header_bytes; /* bytes of the header lines with their CRLFs and
                                the blank line ending them (16 KiB) */
    size_t max_headers;      /* header lines (64, at most HTTP_MAX_HEADERS) */
    size_t max_body;         /* Content-Length (64 KiB) */
} http_limits;

/* The defaults named above. */
void http_limits_default(http_limits *lim);

/* Bytes a read buffer needs to hold any request within lim. */
size_t http_limits_request_max(const http_limits *lim);

typedef struct http_header {
    slice name;  /* as sent (compare with slice_eq_nocase) */
    slice value; /* leading and trailing SP/HTAB removed */
} http_header;

typedef struct http_message {
    slice method;       /* case-sensitive token, e.g. "GET" */
    slice target;       /* request-target as sent */
    slice path;         /* raw path: still percent-encoded; "/" for an
                              absolute-form target without one, "*" for OPTIONS * */
    slice query;        /* raw query after '?', empty when none */
    slice host;         /* Host header, or the authority of an absolute-form target */
    slice content_type; /* empty when absent */
    slice body;         /* Content-Length bytes (empty when none) */
    size_t content_length;
    int minor_version;   /* 0 or 1 (HTTP/1.2+ are treated as 1.1) */
    int keep_alive;      /* 1: the connection may carry another request */
    int expect_continue; /* Expect: 100-continue was sent */
    size_t num_headers;
    http_header headers[HTTP_MAX_HEADERS];
    size_t head_len;  /* bytes up to and including the blank line */
    size_t total_len; /* head_len + content_length: what to consume */
} http_message;

/* Resumable scan state for one request. */
typedef struct http_parser {
    size_t pos;        /* bytes scanned so far */
    size_t start;      /* start of the request line (after leading CRLFs) */
    size_t line_end;   /* offset of the request line's CR; 0: not found yet */
    size_t line_start; /* start of the line being scanned */
    size_t head_end;   /* offset after the blank line; 0: not found yet */
    size_t content_length;
    int expect_continue; /* valid once the head is complete */
    int leading;         /* still skipping empty lines before the request */
    const char *err;     /* static detail of the last error, for the error body */
} http_parser;

/* Prepare for a new request; allocates nothing. */
void http_parser_reset(http_parser *p);

/* Parse the request at buf[0..len). buf must start where the previous
 * call's started, holding the same bytes plus possibly more.
 *   HTTP_PARSE_DONE: msg describes the request, which takes msg->total_len
 *     bytes; bytes after that belong to the next (pipelined) request.
 *     Reset the parser before parsing it.
 *   HTTP_PARSE_NEED_MORE: nothing in msg is valid; see
 *     http_parser_head_done for a complete head waiting for its body.
 *   < 0: the request is malformed or over a limit; p->err says why. The
 *     stream cannot be resynchronised: answer and close. */
int http_parser_execute(http_parser *p, const char *buf, size_t len, const http_limits *lim, http_message *msg);

/* 1 once the head of the current request is complete (its body may
 * still be arriving). */
static inline int http_parser_head_done(const http_parser *p)
{
    return p->head_end != 0;
}

/* 1 once a request has started arriving (a byte past leading CRLFs). */
static inline int http_parser_started(const http_parser *p)
{
    return !p->leading;
}

/* The first header named name (case-insensitive); an empty slice with a
 * NULL base when there is none. */
slice http_message_header(const http_message *msg, const char *name);

/* HTTP status for a parse result (e.g. 431 for HEADERS_TOO_LARGE). */
int http_parse_status(int rc);

#endif
