/* cql_conn_blocking.c: blocking CQL connection over a TCP socket.
 *
 * The socket is non-blocking underneath and every wait is a poll() with
 * the time left until a deadline, which is how connect and I/O timeouts
 * are enforced without signals or SO_*TIMEO (those bound each syscall, not
 * the whole exchange). One request is in flight at a time; received bytes
 * accumulate in c->in, and the decoded response points into it until the
 * next round trip compacts the buffer.
 */
#include "cql/cql_conn_blocking.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CQL_CONN_READ_CHUNK 65536

void cql_conn_init(cql_conn *c, size_t max_body)
{
    c->fd = -1;
    c->io_timeout_ms = 30000;
    c->max_body = max_body;
    c->stream = 0;
    cql_buf_init(&c->out, 0);
    c->in = NULL;
    c->in_len = c->in_cap = c->in_used = 0;
    cql_pool_init(&c->pool);
    cql_error_clear(&c->err);
}

static int64_t cql_conn_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline passes. */
static int cql_conn_wait(cql_conn *c, int fd, short events, int64_t deadline, const char *what)
{
    struct pollfd pfd = {fd, events, 0};
    int64_t left;
    int rc;

    for (;;) {
        left = deadline - cql_conn_now_ms();
        if (left <= 0)
            return cql_error_set(&c->err, CQL_ERR_TIMEOUT, "timed out %s", what);
        rc = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
        if (rc > 0)
            return CQL_OK;
        if (rc < 0 && errno != EINTR)
            return cql_error_set(&c->err, CQL_ERR_IO, "poll while %s: %s", what, strerror(errno));
    }
}

/* Connect one address; the socket is left in c->fd on success. */
static int cql_conn_try_address(cql_conn *c, const struct addrinfo *ai, int64_t deadline, const char *name)
{
    int fd, one = 1, soerr = 0;
    socklen_t len = sizeof(soerr);

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return cql_error_set(&c->err, CQL_ERR_IO, "socket for %s: %s", name, strerror(errno));
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            cql_error_set(&c->err, CQL_ERR_IO, "connect to %s: %s", name, strerror(errno));
            goto err;
        }
        if (cql_conn_wait(c, fd, POLLOUT, deadline, "connecting") != CQL_OK) {
            cql_error why = c->err; /* the message must not be formatted into itself */
            cql_error_set(&c->err, why.code, "connect to %s: %s", name, why.msg);
            goto err;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
            cql_error_set(&c->err, CQL_ERR_IO, "connect to %s: %s", name, strerror(soerr != 0 ? soerr : errno));
            goto err;
        }
    }
    /* small requests must not wait for Nagle; failure only costs latency */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd = fd;
    return CQL_OK;
err:
    close(fd);
    return CQL_ERR;
}

int cql_conn_connect(cql_conn *c, const char *host, uint16_t port, int connect_timeout_ms, int io_timeout_ms)
{
    struct addrinfo hints = {0}, *list = NULL;
    char portstr[8], name[300];
    int64_t deadline = cql_conn_now_ms() + connect_timeout_ms;
    int rc;

    cql_error_clear(&c->err);
    if (c->fd >= 0)
        return cql_error_set(&c->err, CQL_ERR_ARG, "connection is already open");
    snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
    snprintf(name, sizeof(name), "%s:%u", host, (unsigned)port);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(host, portstr, &hints, &list);
    if (rc != 0)
        return cql_error_set(&c->err, CQL_ERR_IO, "resolve %s: %s", host, gai_strerror(rc));
    rc = CQL_ERR;
    for (const struct addrinfo *ai = list; ai != NULL && rc != CQL_OK; ai = ai->ai_next)
        rc = cql_conn_try_address(c, ai, deadline, name);
    freeaddrinfo(list);
    if (rc == CQL_OK)
        c->io_timeout_ms = io_timeout_ms;
    return rc;
}

static int cql_conn_send_all(cql_conn *c, int64_t deadline)
{
    size_t sent = 0;
    ssize_t n;

    while (sent < c->out.len) {
        n = send(c->fd, c->out.data + sent, c->out.len - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (cql_conn_wait(c, c->fd, POLLOUT, deadline, "sending a request") != CQL_OK)
                return CQL_ERR;
        } else if (n < 0 && errno != EINTR) {
            return cql_error_set(&c->err, CQL_ERR_IO, "send: %s", strerror(errno));
        }
    }
    return CQL_OK;
}

/* Make room for at least need bytes in c->in. */
static int cql_conn_reserve_in(cql_conn *c, size_t need)
{
    size_t cap = c->in_cap != 0 ? c->in_cap : CQL_CONN_READ_CHUNK;
    uint8_t *in;

    if (need <= c->in_cap)
        return CQL_OK;
    while (cap < need)
        cap *= 2;
    in = realloc(c->in, cap);
    if (in == NULL)
        return cql_error_set(&c->err, CQL_ERR_NOMEM, "out of memory for a %zu-byte receive buffer", cap);
    c->in = in;
    c->in_cap = cap;
    return CQL_OK;
}

/* Receive until c->in starts with one complete frame. */
static int cql_conn_read_frame(cql_conn *c, cql_frame *frame, int64_t deadline)
{
    ssize_t n;
    int rc;

    for (;;) {
        rc = cql_frame_split(c->in, c->in_len, c->max_body, frame, &c->err);
        if (rc != CQL_INCOMPLETE)
            return rc;
        if (cql_conn_reserve_in(c, (frame->size > c->in_len ? frame->size : c->in_len) + CQL_CONN_READ_CHUNK) != CQL_OK)
            return CQL_ERR;
        n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
        } else if (n == 0) {
            return cql_error_set(&c->err, CQL_ERR_IO, "connection closed by the server%s",
                                 c->in_len > 0 ? " in the middle of a frame" : "");
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (cql_conn_wait(c, c->fd, POLLIN, deadline, "waiting for a response") != CQL_OK)
                return CQL_ERR;
        } else if (errno != EINTR) {
            return cql_error_set(&c->err, CQL_ERR_IO, "recv: %s", strerror(errno));
        }
    }
}

/* Drop the first n received bytes (a consumed frame). */
static void cql_conn_consume(cql_conn *c, size_t n)
{
    if (n == 0)
        return; /* c->in may still be NULL, which memmove must not see */
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
}

int16_t cql_conn_next_stream(cql_conn *c)
{
    cql_buf_reset(&c->out);
    c->stream = (int16_t)((c->stream + 1) & 0x7fff);
    return c->stream;
}

/* Turn a decoded ERROR response into c->err. */
static int cql_conn_server_error(cql_conn *c, const cql_response *resp)
{
    const cql_server_error *e = &resp->error;

    cql_error_set(&c->err, CQL_ERR_SERVER, "%.*s", (int)e->message.len, e->message.base);
    c->err.server_code = e->code;
    return CQL_ERR;
}

/* After a failure that leaves the byte stream in an unknown state (a
 * timeout with a response maybe still on its way, a broken or unframeable
 * stream): close the socket, so that later calls fail at once with "not
 * connected" instead of reading a stale answer. Keeps c->err. */
static int cql_conn_abandon(cql_conn *c)
{
    close(c->fd);
    c->fd = -1;
    c->in_len = c->in_used = 0;
    return CQL_ERR;
}

int cql_conn_roundtrip(cql_conn *c, cql_response *resp)
{
    int64_t deadline = cql_conn_now_ms() + c->io_timeout_ms;
    cql_frame frame;

    cql_error_clear(&c->err);
    if (c->fd < 0)
        return cql_error_set(&c->err, CQL_ERR_IO, "not connected");
    cql_conn_consume(c, c->in_used); /* the previous response dies here */
    c->in_used = 0;
    cql_pool_clear(&c->pool);
    if (cql_conn_send_all(c, deadline) != CQL_OK)
        return cql_conn_abandon(c);
    for (;;) {
        if (cql_conn_read_frame(c, &frame, deadline) != CQL_OK)
            return cql_conn_abandon(c);
        if (frame.header.stream == c->stream)
            break;
        if (frame.header.stream >= 0) {
            cql_error_set(&c->err, CQL_ERR_PROTOCOL, "response on stream %d while waiting for stream %d",
                          frame.header.stream, c->stream);
            return cql_conn_abandon(c);
        }
        cql_conn_consume(c, frame.size); /* a server event: we do not use them */
    }
    c->in_used = frame.size;
    if (cql_response_decode_frame(resp, &frame, &c->pool) != CQL_OK)
        return cql_error_set(&c->err, resp->err.code, "%s", resp->err.msg);
    if (resp->header.opcode == CQL_OP_ERROR)
        return cql_conn_server_error(c, resp);
    return CQL_OK;
}

/* After building a request into c->out: send it, expect opcode. */
static int cql_conn_call(cql_conn *c, int built, uint8_t opcode, cql_response *resp)
{
    if (built != CQL_OK)
        return cql_error_set(&c->err, c->out.err.code, "building the request: %s", c->out.err.msg);
    if (cql_conn_roundtrip(c, resp) != CQL_OK)
        return CQL_ERR;
    if (resp->header.opcode != opcode)
        return cql_error_set(&c->err, CQL_ERR_PROTOCOL, "expected %s, got %s", cql_opcode_name(opcode),
                             cql_opcode_name(resp->header.opcode));
    return CQL_OK;
}

int cql_conn_startup(cql_conn *c)
{
    cql_response resp = {0};
    int built = cql_request_startup(&c->out, cql_conn_next_stream(c));

    if (cql_conn_call(c, built, CQL_OP_READY, &resp) == CQL_OK)
        return CQL_OK;
    if (c->err.code == CQL_ERR_PROTOCOL && resp.header.opcode == CQL_OP_AUTHENTICATE)
        return cql_error_set(&c->err, CQL_ERR_UNSUPPORTED,
                             "the server requires authentication (%.*s), which "
                             "this client does not support",
                             (int)resp.authenticator.len, resp.authenticator.base);
    return CQL_ERR;
}

int cql_conn_query(cql_conn *c, cql_slice query, const cql_query_params *params, cql_response *resp)
{
    int built = cql_request_query(&c->out, cql_conn_next_stream(c), query, params);

    return cql_conn_call(c, built, CQL_OP_RESULT, resp);
}

int cql_conn_prepare(cql_conn *c, cql_slice query, cql_response *resp)
{
    int built = cql_request_prepare(&c->out, cql_conn_next_stream(c), query);

    return cql_conn_call(c, built, CQL_OP_RESULT, resp);
}

int cql_conn_execute(cql_conn *c, cql_slice prepared_id, const cql_query_params *params, cql_response *resp)
{
    int built = cql_request_execute(&c->out, cql_conn_next_stream(c), prepared_id, params);

    return cql_conn_call(c, built, CQL_OP_RESULT, resp);
}

void cql_conn_close(cql_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    cql_buf_dispose(&c->out);
    free(c->in);
    c->in = NULL;
    c->in_len = c->in_cap = c->in_used = 0;
    cql_pool_dispose(&c->pool);
}
