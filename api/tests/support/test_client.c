/* test_client.c: blocking test client and the in-process server. */
#include "api/tests/support/test_client.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/server/listener.h"

static int tc_open(int port, int timeout_ms)
{
    struct sockaddr_in sa;
    struct timeval tv;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int tc_try_connect(tc_conn *c, int port)
{
    c->fd = tc_open(port, 5000);
    c->buf = NULL;
    c->len = 0;
    if (c->fd < 0)
        return -1;
    c->buf = malloc(TC_BUF);
    assert_non_null(c->buf);
    return 0;
}

void tc_connect(tc_conn *c, int port, int timeout_ms)
{
    c->fd = tc_open(port, timeout_ms);
    if (c->fd < 0)
        fail_msg("connect to port %d: %s", port, strerror(errno));
    c->buf = malloc(TC_BUF);
    assert_non_null(c->buf);
    c->len = 0;
}

void tc_close(tc_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
}

void tc_reset(tc_conn *c)
{
    struct linger lg = {1, 0};

    assert_int_equal(setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    tc_close(c);
}

void tc_send(tc_conn *c, const char *data, size_t len)
{
    size_t off = 0;
    ssize_t n;

    while (off < len) {
        n = send(c->fd, data + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail_msg("send: %s", strerror(errno));
        off += (size_t)n;
    }
}

void tc_send_str(tc_conn *c, const char *s)
{
    tc_send(c, s, strlen(s));
}

/* Read more bytes into c->buf; >0 read, 0 EOF, -1 error/timeout. */
static ssize_t tc_fill(tc_conn *c)
{
    ssize_t n;

    if (c->len == TC_BUF)
        return -1;
    do {
        n = recv(c->fd, c->buf + c->len, TC_BUF - c->len, 0);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        c->len += (size_t)n;
    return n;
}

static const char *tc_find(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle), i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    }
    return NULL;
}

const char *tc_header(const tc_response *r, const char *name, char *out, size_t outlen)
{
    const char *p = strstr(r->head, "\r\n");
    size_t n = strlen(name);

    out[0] = '\0';
    while (p != NULL && p[2] != '\0') {
        const char *line = p + 2, *end = strstr(line, "\r\n");
        if (end == NULL)
            break;
        if ((size_t)(end - line) > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, outlen, "%.*s", (int)(end - v), v);
            return out;
        }
        p = end;
    }
    return out;
}

int tc_read_ex(tc_conn *c, tc_response *r, int no_body)
{
    const char *end;
    size_t head_len, want;
    char cl[32];

    memset(r, 0, sizeof(*r));
    while ((end = tc_find(c->buf, c->len, "\r\n\r\n")) == NULL) {
        if (tc_fill(c) <= 0)
            return -1;
    }
    head_len = (size_t)(end - c->buf) + 4;
    assert_true(head_len < sizeof(r->head));
    memcpy(r->head, c->buf, head_len);
    r->head[head_len] = '\0';
    if (sscanf(r->head, "HTTP/1.1 %d ", &r->status) != 1)
        fail_msg("bad status line: %s", r->head);
    r->is_continue = r->status == 100;
    want = 0;
    if (tc_header(r, "Content-Length", cl, sizeof(cl))[0] != '\0')
        want = (size_t)strtoul(cl, NULL, 10);
    if (no_body)
        want = 0;
    while (c->len < head_len + want) {
        if (tc_fill(c) <= 0)
            return -1;
    }
    r->body = malloc(want + 1);
    assert_non_null(r->body);
    memcpy(r->body, c->buf + head_len, want);
    r->body[want] = '\0';
    r->body_len = want;
    memmove(c->buf, c->buf + head_len + want, c->len - head_len - want);
    c->len -= head_len + want;
    return 0;
}

int tc_read(tc_conn *c, tc_response *r)
{
    return tc_read_ex(c, r, 0);
}

void tc_response_free(tc_response *r)
{
    free(r->body);
    r->body = NULL;
}

int tc_wait_closed(tc_conn *c, int timeout_ms)
{
    struct pollfd pfd = {c->fd, POLLIN, 0};
    char b[256];
    ssize_t n;

    if (c->len != 0)
        return 0;
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return 0;
    n = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* ---- the in-process server ------------------------------------------ */

void ts_start(ts_server *ts, const router *r, const server_config *cfg, void *context,
              void (*on_exit)(worker *w), uint32_t shutdown_timeout_ms)
{
    listener_addr addr, bound;
    char err[128];
    int fd;

    memset(ts, 0, sizeof(*ts));
    assert_int_equal(listener_parse("127.0.0.1:0", &addr, err, sizeof(err)), 0);
    fd = listener_open(&addr, 128, 1);
    assert_true(fd >= 0);
    assert_int_equal(listener_bound(fd, &bound), 0);
    ts->port = listener_addr_port(&bound);
    ts->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    assert_true(ts->done_fd >= 0);
    assert_int_equal(worker_init(&ts->w, cfg->worker_id, r, cfg, context != NULL ? context : &ts->w, fd,
                                 shutdown_timeout_ms, ts->done_fd),
                     0);
    ts->w.on_exit = on_exit;
    assert_int_equal(worker_start(&ts->w), 0);
}

void ts_stop_async(ts_server *ts, int level)
{
    worker_stop(&ts->w, level);
}

void ts_join(ts_server *ts)
{
    assert_int_equal(worker_join(&ts->w), 0);
    worker_dispose(&ts->w);
    close(ts->done_fd);
}

void ts_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}
