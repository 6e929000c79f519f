/* http_client.h: httpclient, the project's one small blocking HTTP/1.1
 * client (module lib/http_client, library libhttpclient.a).
 *
 * Used by the API's test client (api/tests/support/test_client.c), the
 * chaos driver (tools/chaos/http_client.c) and the benchmarks
 * (bench/bench_http.c); each of those is a thin wrapper that adds its own
 * policy (fail the test, classify the fault, measure). Two parts:
 *
 *   The response parser, httpc_parse_response: pure, works on a byte
 *   buffer without a socket (unit tests and the fuzzer drive it). It reads
 *   the status line, the header fields, and a body delimited by
 *   Content-Length, by the chunked transfer coding (extensions skipped,
 *   trailer fields checked and dropped) or by the end of the connection.
 *
 *   The connection, httpc_conn: one keep-alive TCP connection to one
 *   IPv4 host:port, used by one thread, one request in flight. Every wait
 *   (connect, send, receive) is a poll() bounded by a timeout, so a dead
 *   server costs a bounded time. No TLS, no redirects, no proxies.
 *
 * Errors (libuv/hiredis style): functions return HTTPC_OK (0) or a
 * negative HTTPC_ERR_* code; the connection keeps the last code in
 * c->err and a sentence in c->errstr, the parser puts its sentence in
 * r->errstr. Each malformed response has its own code and sentence.
 *
 * Ownership:
 *   - httpc_conn is the caller's (init never allocates it); its receive
 *     buffer is the library's, freed by httpc_close.
 *   - A response returned with HTTPC_OK owns two copies, head and body,
 *     both NUL-terminated; reason and headers[] are slices {base, len}
 *     into r->head (not NUL-terminated). The caller frees them with
 *     httpc_response_free. Both are malloc'd: a caller may take one
 *     (copy the pointer, set the field to NULL) and free() it later.
 *     After any other return there is nothing to free
 *     (httpc_response_free is harmless anyway).
 *   - Bytes the server sent past one response stay in the connection's
 *     buffer for the next httpc_read_response (pipelining).
 *
 * Bounds: the head (status line, headers, blank line) is at most
 * limits.max_head_bytes and at most HTTPC_MAX_HEADERS lines; the decoded
 * body is at most limits.max_body_bytes; a chunk-size line is at most
 * HTTPC_MAX_CHUNK_LINE bytes; the trailer section at most max_head_bytes.
 */
#ifndef LIB_HTTP_CLIENT_HTTP_CLIENT_H
#define LIB_HTTP_CLIENT_HTTP_CLIENT_H

#include <stddef.h>

#define HTTPC_OK 0
#define HTTPC_AGAIN 1 /* parser only: a whole response is not there yet */

/* transport */
#define HTTPC_ERR_CONNECT (-1)   /* bad address, socket or connect failed or timed out */
#define HTTPC_ERR_SEND (-2)      /* send failed or timed out */
#define HTTPC_ERR_TIMEOUT (-3)   /* no whole response within the timeout */
#define HTTPC_ERR_EOF (-4)       /* the server closed before sending any byte of a response */
#define HTTPC_ERR_TRUNCATED (-5) /* the server closed in the middle of a response */
#define HTTPC_ERR_READ (-6)      /* recv failed (e.g. connection reset) */
/* malformed responses */
#define HTTPC_ERR_STATUS (-7)   /* status line is not "HTTP/1.x DDD reason" */
#define HTTPC_ERR_HEADER (-8)   /* a header line is malformed, or too many */
#define HTTPC_ERR_LENGTH (-9)   /* bad or conflicting Content-Length / Transfer-Encoding */
#define HTTPC_ERR_CHUNK (-10)   /* bad chunk-size line, chunk framing or trailer */
#define HTTPC_ERR_TOO_BIG (-11) /* head, body or trailers over their limits */
/* local */
#define HTTPC_ERR_NOMEM (-12)

#define HTTPC_MAX_HEADERS 64
#define HTTPC_MAX_CHUNK_LINE 1024

/* Flags of httpc_parse_response / httpc_read_response. */
#define HTTPC_NO_BODY 1u /* the answer to a HEAD: framing headers, no body */

typedef struct httpc_slice {
    const char *base;
    size_t len;
} httpc_slice;

typedef struct httpc_header {
    httpc_slice name;
    httpc_slice value; /* without surrounding spaces and tabs */
} httpc_header;

typedef struct httpc_limits {
    size_t max_head_bytes; /* status line + headers + blank line; default 64 KiB */
    size_t max_body_bytes; /* decoded body; default 64 MiB */
} httpc_limits;

typedef struct httpc_response {
    int status;        /* 100..999 */
    int minor_version; /* HTTP/1.0 or HTTP/1.1 */
    int keep_alive;    /* the connection can carry another exchange */
    char *head;        /* owned copy of the head, NUL-terminated */
    size_t head_len;
    httpc_slice reason;                      /* into head */
    httpc_header headers[HTTPC_MAX_HEADERS]; /* into head, in order */
    size_t num_headers;
    char *body; /* owned, decoded, NUL-terminated */
    size_t body_len;
    char errstr[160]; /* why the parser refused the bytes */
} httpc_response;

/* Default limits: 64 KiB of head, 64 MiB of body. */
void httpc_limits_init(httpc_limits *lim);

/* Parse one response from buf[0..len). eof: the connection ended after
 * these bytes (a body without length ends there; anything short is
 * HTTPC_ERR_EOF or HTTPC_ERR_TRUNCATED). lim NULL: the defaults.
 * Returns HTTPC_OK with *r filled and *consumed the bytes it used (the
 * rest belongs to the next response), HTTPC_AGAIN when more bytes are
 * needed, or an HTTPC_ERR_* with r->errstr. Re-parses from buf's start
 * each call: O(head + number of chunks), cheap for our sizes. */
int httpc_parse_response(const char *buf, size_t len, int eof, unsigned flags, const httpc_limits *lim,
                         httpc_response *r, size_t *consumed);

/* The first header named name (case-insensitive), or NULL. Borrowed. */
const httpc_slice *httpc_header_get(const httpc_response *r, const char *name);

/* That header's value copied into out, NUL-terminated and truncated to
 * outlen - 1 bytes; "" when absent. Returns out. */
const char *httpc_header_copy(const httpc_response *r, const char *name, char *out, size_t outlen);

/* Free what a response owns; r can be parsed into again. */
void httpc_response_free(httpc_response *r);

/* A short name of an HTTPC_* code, e.g. "truncated". */
const char *httpc_code_name(int code);

/* --- the blocking connection ------------------------------------------ */

typedef struct httpc_config {
    int connect_timeout_ms; /* default 10000 */
    int io_timeout_ms;      /* each wait to send or to receive; default 10000 */
    int request_timeout_ms; /* one httpc_request or httpc_read_response in all; 0 (default): none */
    httpc_limits limits;
} httpc_config;

typedef struct httpc_conn {
    char host[64]; /* dotted IPv4 ("localhost" becomes 127.0.0.1) */
    int port;
    httpc_config cfg;
    int fd;    /* -1 when closed */
    int eof;   /* the server closed its side of fd */
    int sent;  /* httpc_request began to write the request (0: the server saw nothing of it) */
    char *buf; /* received, not yet returned; owned */
    size_t len, cap;
    int err;          /* last HTTPC_ERR_*, HTTPC_OK after a success */
    char errstr[224]; /* that error in words, with host:port */
} httpc_conn;

void httpc_config_init(httpc_config *cfg);

/* Prepare c for host:port, not connected, nothing allocated. cfg NULL:
 * the defaults. A host that does not fit is refused at connect. */
void httpc_init(httpc_conn *c, const char *host, int port, const httpc_config *cfg);

/* Connect if not connected. HTTPC_OK or HTTPC_ERR_CONNECT. */
int httpc_connect(httpc_conn *c);

/* Send len raw bytes (connecting first if needed). HTTPC_OK,
 * HTTPC_ERR_CONNECT or HTTPC_ERR_SEND. The connection stays open. */
int httpc_send(httpc_conn *c, const void *data, size_t len);

/* Read one response (flags: HTTPC_NO_BODY for a HEAD). On HTTPC_OK the
 * caller owns *r. On an error the socket stays open (the caller may look
 * at how the server ended it) but must not be reused: httpc_close it. */
int httpc_read_response(httpc_conn *c, unsigned flags, httpc_response *r);

/* One exchange: "method path HTTP/1.1", Host, then headers (extra lines
 * each ending in "\r\n", NULL for none), then "Content-Length" and body
 * when body is not NULL (body_len may be 0). A kept-alive connection the
 * server closed while idle is reopened first, so that is not an error.
 * Closes the connection after any error and after a response that does
 * not keep it alive. c->sent tells whether the request began to leave. */
int httpc_request(httpc_conn *c, const char *method, const char *path, const char *headers, const void *body,
                  size_t body_len, httpc_response *r);

/* Close the socket and free the buffer; c can connect again. */
void httpc_close(httpc_conn *c);

#endif
