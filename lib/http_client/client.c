/* client.c: the blocking connection of httpclient (http_client.h).
 *
 * The socket is non-blocking and every wait is a poll() bounded by the
 * io timeout and, when set, by what is left of the request timeout; so a
 * stalled server costs at most that, never a hang. Received bytes go to
 * one growing buffer; after each read the parser looks at the whole
 * buffer again (see response.c), and what follows a response is kept
 * for the next one. The buffer is bounded by twice the head and body
 * limits, which leaves room for chunk framing and trailers.
 */
#include "lib/http_client/http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTPC_DEFAULT_TIMEOUT_MS 10000
#define HTTPC_READ_CHUNK 16384

void httpc_config_init(httpc_config *cfg)
{
    cfg->connect_timeout_ms = HTTPC_DEFAULT_TIMEOUT_MS;
    cfg->io_timeout_ms = HTTPC_DEFAULT_TIMEOUT_MS;
    cfg->request_timeout_ms = 0;
    httpc_limits_init(&cfg->limits);
}

void httpc_init(httpc_conn *c, const char *host, int port, const httpc_config *cfg)
{
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "%s", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host);
    c->port = port;
    if (cfg != NULL)
        c->cfg = *cfg;
    else
        httpc_config_init(&c->cfg);
    if (c->cfg.connect_timeout_ms <= 0)
        c->cfg.connect_timeout_ms = HTTPC_DEFAULT_TIMEOUT_MS;
    if (c->cfg.io_timeout_ms <= 0)
        c->cfg.io_timeout_ms = HTTPC_DEFAULT_TIMEOUT_MS;
    c->fd = -1;
}

static int httpc_set_err(httpc_conn *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record an error on c: "<what> host:port: <why>"; returns code. */
static int httpc_set_err(httpc_conn *c, int code, const char *fmt, ...)
{
    char what[128];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    c->err = code;
    snprintf(c->errstr, sizeof c->errstr, "%s:%d: %s", c->host, c->port, what);
    return code;
}

void httpc_close(httpc_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    c->eof = 0;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
}

static int64_t httpc_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The deadline of one call (0: none). */
static int64_t httpc_deadline(const httpc_conn *c)
{
    return c->cfg.request_timeout_ms > 0 ? httpc_now_ms() + c->cfg.request_timeout_ms : 0;
}

/* Wait for events on fd for at most timeout_ms and what is left before
 * deadline: >0 ready, 0 timed out, -1 error (errno). */
static int httpc_wait(int fd, short events, int timeout_ms, int64_t deadline)
{
    struct pollfd pfd = {fd, events, 0};
    int rc;

    do {
        int ms = timeout_ms;
        if (deadline != 0) {
            int64_t left = deadline - httpc_now_ms();
            if (left < ms)
                ms = left < 0 ? 0 : (int)left;
        }
        rc = poll(&pfd, 1, ms);
    } while (rc < 0 && errno == EINTR);
    return rc;
}

int httpc_connect(httpc_conn *c)
{
    struct sockaddr_in sa;
    int one = 1, soerr = 0, rc;
    socklen_t sl = sizeof soerr;

    if (c->fd >= 0)
        return HTTPC_OK;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)c->port);
    if (c->port < 1 || c->port > 65535 || inet_pton(AF_INET, c->host, &sa.sin_addr) != 1)
        return httpc_set_err(c, HTTPC_ERR_CONNECT, "bad address (a dotted IPv4 address and a port are needed)");
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c->fd < 0)
        return httpc_set_err(c, HTTPC_ERR_CONNECT, "socket: %s", strerror(errno));
    (void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    rc = connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
    if (rc != 0 && errno != EINPROGRESS)
        goto err;
    if (rc != 0) {
        rc = httpc_wait(c->fd, POLLOUT, c->cfg.connect_timeout_ms, 0);
        if (rc == 0)
            errno = ETIMEDOUT;
        if (rc <= 0 || getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
            goto err;
        if (soerr != 0) {
            errno = soerr;
            goto err;
        }
    }
    c->eof = 0;
    c->err = HTTPC_OK;
    return HTTPC_OK;
err:
    rc = errno;
    httpc_close(c);
    return httpc_set_err(c, HTTPC_ERR_CONNECT, "connect: %s", strerror(rc));
}

/* Write all of p[0..n) before deadline. */
static int httpc_send_all(httpc_conn *c, const char *p, size_t n, int64_t deadline)
{
    while (n > 0) {
        ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
        int rc;
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return httpc_set_err(c, HTTPC_ERR_SEND, "send: %s", strerror(errno));
        rc = httpc_wait(c->fd, POLLOUT, c->cfg.io_timeout_ms, deadline);
        if (rc == 0)
            return httpc_set_err(c, HTTPC_ERR_SEND, "send: timed out");
        if (rc < 0)
            return httpc_set_err(c, HTTPC_ERR_SEND, "send: %s", strerror(errno));
    }
    return HTTPC_OK;
}

int httpc_send(httpc_conn *c, const void *data, size_t len)
{
    int rc = httpc_connect(c);

    if (rc != HTTPC_OK)
        return rc;
    rc = httpc_send_all(c, data, len, httpc_deadline(c));
    if (rc == HTTPC_OK)
        c->err = HTTPC_OK;
    return rc;
}

/* Receive more bytes into c->buf before deadline: HTTPC_OK (maybe at
 * EOF: c->eof set), or an error. */
static int httpc_fill(httpc_conn *c, int64_t deadline)
{
    size_t max = 2 * (c->cfg.limits.max_head_bytes + c->cfg.limits.max_body_bytes) + HTTPC_READ_CHUNK;
    ssize_t n;
    int rc;

    if (c->cap - c->len < HTTPC_READ_CHUNK) {
        size_t ncap = c->cap == 0 ? 4 * HTTPC_READ_CHUNK : c->cap * 2;
        char *nb;
        if (c->len >= max)
            return httpc_set_err(c, HTTPC_ERR_TOO_BIG, "response over %zu bytes", max);
        if (ncap > max)
            ncap = max;
        if ((nb = realloc(c->buf, ncap)) == NULL)
            return httpc_set_err(c, HTTPC_ERR_NOMEM, "out of memory for a %zu-byte buffer", ncap);
        c->buf = nb;
        c->cap = ncap;
    }
    rc = httpc_wait(c->fd, POLLIN, c->cfg.io_timeout_ms, deadline);
    if (rc == 0)
        return httpc_set_err(c, HTTPC_ERR_TIMEOUT, "no whole response after %zu bytes: timed out", c->len);
    if (rc < 0)
        return httpc_set_err(c, HTTPC_ERR_READ, "poll: %s", strerror(errno));
    do
        n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return HTTPC_OK;
    if (n < 0)
        return httpc_set_err(c, HTTPC_ERR_READ, "recv: %s", strerror(errno));
    if (n == 0)
        c->eof = 1;
    c->len += (size_t)n;
    return HTTPC_OK;
}

/* Read one response before deadline. */
static int httpc_read_until(httpc_conn *c, unsigned flags, httpc_response *r, int64_t deadline)
{
    size_t used = 0;
    int rc;

    memset(r, 0, sizeof *r);
    if (c->fd < 0)
        return httpc_set_err(c, HTTPC_ERR_READ, "read: not connected");
    for (;;) {
        rc = c->len > 0 || c->eof ? httpc_parse_response(c->buf, c->len, c->eof, flags, &c->cfg.limits, r, &used)
                                  : HTTPC_AGAIN;
        if (rc == HTTPC_OK)
            break;
        if (rc != HTTPC_AGAIN)
            return httpc_set_err(c, rc, "%s", r->errstr);
        rc = httpc_fill(c, deadline);
        if (rc != HTTPC_OK)
            return rc;
    }
    memmove(c->buf, c->buf + used, c->len - used);
    c->len -= used;
    c->err = HTTPC_OK;
    return HTTPC_OK;
}

int httpc_read_response(httpc_conn *c, unsigned flags, httpc_response *r)
{
    return httpc_read_until(c, flags, r, httpc_deadline(c));
}

/* A kept-alive connection is reused only when it is quiet: the server
 * has not closed it and sent nothing unasked. */
static int httpc_reusable(httpc_conn *c)
{
    struct pollfd pfd = {c->fd, POLLIN, 0};

    return !c->eof && c->len == 0 && poll(&pfd, 1, 0) == 0;
}

int httpc_request(httpc_conn *c, const char *method, const char *path, const char *headers, const void *body,
                  size_t body_len, httpc_response *r)
{
    int64_t deadline = httpc_deadline(c);
    char *head = NULL;
    int n, rc;

    memset(r, 0, sizeof *r);
    c->sent = 0;
    if (c->fd >= 0 && !httpc_reusable(c))
        httpc_close(c);
    rc = httpc_connect(c);
    if (rc != HTTPC_OK)
        return rc;
    if (body != NULL)
        n = asprintf(&head, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%sContent-Length: %zu\r\n\r\n", method, path, c->host,
                     c->port, headers != NULL ? headers : "", body_len);
    else
        n = asprintf(&head, "%s %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n", method, path, c->host, c->port,
                     headers != NULL ? headers : "");
    if (n < 0) {
        rc = httpc_set_err(c, HTTPC_ERR_NOMEM, "out of memory for the request");
        goto err;
    }
    c->sent = 1;
    rc = httpc_send_all(c, head, (size_t)n, deadline);
    free(head);
    if (rc == HTTPC_OK && body != NULL && body_len > 0)
        rc = httpc_send_all(c, body, body_len, deadline);
    if (rc == HTTPC_OK)
        rc = httpc_read_until(c, 0, r, deadline);
    if (rc != HTTPC_OK)
        goto err;
    if (!r->keep_alive)
        httpc_close(c);
    return HTTPC_OK;
err:
    httpc_close(c);
    return rc;
}
