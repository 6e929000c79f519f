/* test_client.c: the test client over httpclient, and the in-process server. */
#include "api/tests/support/test_client.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/server/listener.h"

static void tc_init(tc_conn *c, int port, int timeout_ms)
{
    httpc_config cfg;

    httpc_config_init(&cfg);
    cfg.connect_timeout_ms = cfg.io_timeout_ms = timeout_ms;
    cfg.limits.max_head_bytes = TC_MAX_HEAD - 1;
    cfg.limits.max_body_bytes = TC_BUF;
    httpc_init(&c->http, "127.0.0.1", port, &cfg);
}

int tc_try_connect(tc_conn *c, int port)
{
    tc_init(c, port, 5000);
    return httpc_connect(&c->http) == HTTPC_OK ? 0 : -1;
}

void tc_connect(tc_conn *c, int port, int timeout_ms)
{
    tc_init(c, port, timeout_ms);
    if (httpc_connect(&c->http) != HTTPC_OK)
        fail_msg("connect to port %d: %s", port, c->http.errstr);
}

void tc_close(tc_conn *c)
{
    httpc_close(&c->http);
}

void tc_reset(tc_conn *c)
{
    struct linger lg = {1, 0};

    assert_int_equal(setsockopt(c->http.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)), 0);
    tc_close(c);
}

void tc_send(tc_conn *c, const char *data, size_t len)
{
    if (c->http.fd < 0)
        fail_msg("send: not connected");
    if (httpc_send(&c->http, data, len) != HTTPC_OK)
        fail_msg("send: %s", c->http.errstr);
}

void tc_send_str(tc_conn *c, const char *s)
{
    tc_send(c, s, strlen(s));
}

const char *tc_header(const tc_response *r, const char *name, char *out, size_t outlen)
{
    return httpc_header_copy(&r->http, name, out, outlen);
}

int tc_read_ex(tc_conn *c, tc_response *r, int no_body)
{
    int rc;

    memset(r, 0, sizeof(*r));
    rc = httpc_read_response(&c->http, no_body ? HTTPC_NO_BODY : 0, &r->http);
    switch (rc) {
    case HTTPC_OK: break;
    case HTTPC_ERR_EOF:
    case HTTPC_ERR_TRUNCATED:
    case HTTPC_ERR_READ:
    case HTTPC_ERR_TIMEOUT: return -1; /* the connection ended or went silent: tests assert that */
    default: fail_msg("bad response (%s): %s", httpc_code_name(rc), c->http.errstr);
    }
    r->status = r->http.status;
    r->is_continue = r->http.status == 100;
    r->head = r->http.head;
    r->body = r->http.body;
    r->body_len = r->http.body_len;
    return 0;
}

int tc_read(tc_conn *c, tc_response *r)
{
    return tc_read_ex(c, r, 0);
}

void tc_response_free(tc_response *r)
{
    httpc_response_free(&r->http);
    r->head = NULL;
    r->body = NULL;
}

int tc_wait_closed(tc_conn *c, int timeout_ms)
{
    struct pollfd pfd = {c->http.fd, POLLIN, 0};
    char b[256];
    ssize_t n;

    if (c->http.len != 0)
        return 0;
    if (c->http.eof)
        return 1;
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return 0;
    n = recv(c->http.fd, b, sizeof(b), MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* ---- the in-process server ------------------------------------------ */

void ts_start(ts_server *ts, const router *r, const server_config *cfg, void *context, void (*on_exit)(worker *w),
              uint32_t shutdown_timeout_ms)
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
