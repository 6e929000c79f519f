/* test_client.c: httpclient's blocking connection against a scripted
 * server on a loopback port, run in a thread of the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/http_client/http_client.h"

/* What the server does after reading one request. */
typedef struct step {
    const char *answer; /* bytes to write (NULL: none) */
    size_t piece;       /* write in pieces of this size with a pause (0: at once) */
    int pause_ms;       /* pause between pieces; or before doing nothing (silence) */
    int close_after;    /* close the connection after this step */
} step;

typedef struct server {
    int listen_fd, port;
    const step *steps;
    size_t num_steps;
    int accepts;     /* connections accepted */
    char first[512]; /* the first request received */
    pthread_t thread;
} server;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Read one request (head and Content-Length body); 0, or -1 at EOF. */
static int read_request(int fd, char *out, size_t outlen)
{
    size_t len = 0, want = 0;
    char buf[4096];
    char *end;

    for (;;) {
        ssize_t n = recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = '\0';
        if ((end = strstr(buf, "\r\n\r\n")) != NULL) {
            const char *cl = strstr(buf, "Content-Length: ");
            want = (size_t)(end - buf) + 4 + (cl != NULL ? strtoul(cl + 16, NULL, 10) : 0);
            if (len >= want)
                break;
        }
    }
    if (out != NULL && out[0] == '\0')
        snprintf(out, outlen, "%.*s", (int)want, buf);
    return 0;
}

static void *serve(void *arg)
{
    server *s = arg;
    size_t i = 0;

    while (i < s->num_steps) {
        int fd = accept(s->listen_fd, NULL, NULL);
        if (fd < 0)
            break;
        s->accepts++;
        while (i < s->num_steps && read_request(fd, s->first, sizeof s->first) == 0) {
            const step *st = &s->steps[i++];
            size_t len = st->answer != NULL ? strlen(st->answer) : 0, off = 0;
            if (st->answer == NULL)
                sleep_ms(st->pause_ms);
            while (off < len) {
                size_t n = st->piece != 0 && st->piece < len - off ? st->piece : len - off;
                if (send(fd, st->answer + off, n, MSG_NOSIGNAL) < 0)
                    break;
                off += n;
                if (off < len && st->pause_ms > 0)
                    sleep_ms(st->pause_ms);
            }
            if (st->close_after)
                break;
        }
        close(fd);
    }
    return NULL;
}

static void server_start(server *s, const step *steps, size_t n)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    int one = 1;

    memset(s, 0, sizeof *s);
    s->steps = steps;
    s->num_steps = n;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->listen_fd >= 0);
    assert_int_equal(setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->listen_fd, 8), 0);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&sa, &sl), 0);
    s->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

/* Wait for the script to end (the client must have closed its side). */
static void server_join(server *s)
{
    shutdown(s->listen_fd, SHUT_RDWR);
    assert_int_equal(pthread_join(s->thread, NULL), 0);
    close(s->listen_fd);
}

static void open_conn(httpc_conn *c, const server *s, int io_timeout_ms, int request_timeout_ms)
{
    httpc_config cfg;

    httpc_config_init(&cfg);
    cfg.io_timeout_ms = io_timeout_ms;
    cfg.request_timeout_ms = request_timeout_ms;
    httpc_init(c, "localhost", s->port, &cfg);
}

#define OK_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"

static void test_keep_alive_reuse(void **state)
{
    const step steps[] = {{OK_HELLO, 0, 0, 0}, {"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}", 0, 0, 0}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 2);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_request(&c, "GET", "/a", "Accept: application/json\r\n", NULL, 0, &r), HTTPC_OK);
    assert_string_equal(r.body, "hello");
    assert_true(c.fd >= 0);
    httpc_response_free(&r);
    assert_int_equal(httpc_request(&c, "POST", "/b", NULL, "abc", 3, &r), HTTPC_OK);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "{}");
    httpc_response_free(&r);
    httpc_close(&c);
    server_join(&s);
    assert_int_equal(s.accepts, 1); /* one connection carried both */
    assert_true(strncmp(s.first, "GET /a HTTP/1.1\r\nHost: 127.0.0.1:", 33) == 0);
    assert_non_null(strstr(s.first, "\r\nAccept: application/json\r\n\r\n"));
}

static void test_request_bytes_with_body(void **state)
{
    const step steps[] = {{OK_HELLO, 0, 0, 0}};
    server s;
    httpc_conn c;
    httpc_response r;
    char want[256];

    (void)state;
    server_start(&s, steps, 1);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_request(&c, "PUT", "/x?y=1", "A: b\r\n", "abc", 3, &r), HTTPC_OK);
    assert_int_equal(c.sent, 1);
    httpc_response_free(&r);
    httpc_close(&c);
    server_join(&s);
    snprintf(want, sizeof want, "PUT /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nA: b\r\nContent-Length: 3\r\n\r\nabc",
             s.port);
    assert_string_equal(s.first, want);
}

/* "Connection: close" and a silent close while idle both lead to a new
 * connection for the next request, without an error. */
static void test_closed_connections_are_reopened(void **state)
{
    const step steps[] = {{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 0, 0, 1},
                          {OK_HELLO, 0, 0, 1},
                          {OK_HELLO, 0, 0, 0}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 3);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_OK);
    assert_false(r.keep_alive);
    assert_int_equal(c.fd, -1);
    httpc_response_free(&r);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_OK);
    assert_true(r.keep_alive);
    httpc_response_free(&r);
    sleep_ms(50); /* the server closes this one while it is idle */
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_OK);
    assert_string_equal(r.body, "hello");
    httpc_response_free(&r);
    httpc_close(&c);
    server_join(&s);
    assert_int_equal(s.accepts, 3);
}

static void test_split_chunked_answer(void **state)
{
    const step steps[] = {{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                           "5;ext=\"a\"\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-T: 1\r\n\r\n",
                           7, 2, 0}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 1);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_OK);
    assert_string_equal(r.body, "hello world");
    assert_int_equal(r.body_len, 11);
    assert_true(r.keep_alive);
    httpc_response_free(&r);
    httpc_close(&c);
    server_join(&s);
}

static void test_close_delimited_answer(void **state)
{
    const step steps[] = {{"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end", 4, 1, 1}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 1);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_OK);
    assert_string_equal(r.body, "until the end");
    assert_int_equal(c.fd, -1);
    httpc_response_free(&r);
    httpc_close(&c);
    server_join(&s);
}

/* Raw send and read: pipelined answers come one by one. */
static void test_pipelined_reads(void **state)
{
    const step steps[] = {
        {"HTTP/1.1 100 Continue\r\n\r\n" OK_HELLO "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", 0, 0, 0}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 1);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_send(&c, "GET / HTTP/1.1\r\n\r\n", 18), HTTPC_OK);
    assert_int_equal(httpc_read_response(&c, 0, &r), HTTPC_OK);
    assert_int_equal(r.status, 100);
    httpc_response_free(&r);
    assert_int_equal(httpc_read_response(&c, 0, &r), HTTPC_OK);
    assert_string_equal(r.body, "hello");
    httpc_response_free(&r);
    assert_int_equal(httpc_read_response(&c, HTTPC_NO_BODY, &r), HTTPC_OK);
    assert_int_equal(r.body_len, 0);
    assert_int_equal(c.len, 0);
    httpc_response_free(&r);
    httpc_close(&c);
    server_join(&s);
}

static void test_refused_is_not_sent(void **state)
{
    httpc_conn c;
    httpc_response r;

    (void)state;
    httpc_init(&c, "127.0.0.1", 1, NULL);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_CONNECT);
    assert_int_equal(c.err, HTTPC_ERR_CONNECT);
    assert_int_equal(c.sent, 0);
    assert_non_null(strstr(c.errstr, "127.0.0.1:1: connect: "));
    httpc_init(&c, "not-an-address", 80, NULL);
    assert_int_equal(httpc_connect(&c), HTTPC_ERR_CONNECT);
    assert_non_null(strstr(c.errstr, "bad address"));
    httpc_close(&c);
}

static void test_transport_errors_after_sending(void **state)
{
    const step steps[] = {{NULL, 0, 0, 1},
                          {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 0, 0, 1},
                          {"SSH-2.0-OpenSSH\r\n", 0, 0, 1}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 3);
    open_conn(&c, &s, 2000, 0);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_EOF);
    assert_int_equal(c.sent, 1);
    assert_int_equal(c.fd, -1);
    assert_non_null(strstr(c.errstr, "closed before a response"));
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_TRUNCATED);
    assert_non_null(strstr(c.errstr, "after 3 of 10 body bytes"));
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_STATUS);
    assert_int_equal(c.err, HTTPC_ERR_STATUS);
    assert_null(r.head);
    httpc_close(&c);
    server_join(&s);
}

static void test_timeouts(void **state)
{
    const step steps[] = {{NULL, 0, 300, 1}, {OK_HELLO, 1, 60, 1}};
    server s;
    httpc_conn c;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 2);
    open_conn(&c, &s, 100, 0); /* silence longer than the io timeout */
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_TIMEOUT);
    assert_non_null(strstr(c.errstr, "timed out"));
    open_conn(&c, &s, 1000, 200); /* a trickle: each wait is short, the whole is not */
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_TIMEOUT);
    httpc_close(&c);
    server_join(&s);
}

static void test_oversize_answer(void **state)
{
    const step steps[] = {{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 0, 0, 1},
                          {"HTTP/1.0 200 OK\r\n\r\n0123456789abcdefghijklmnopqrstuvwxyz", 0, 0, 1}};
    server s;
    httpc_conn c;
    httpc_config cfg;
    httpc_response r;

    (void)state;
    server_start(&s, steps, 2);
    httpc_config_init(&cfg);
    cfg.limits.max_body_bytes = 16;
    httpc_init(&c, "127.0.0.1", s.port, &cfg);
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_TOO_BIG);
    assert_non_null(strstr(c.errstr, "Content-Length over the 16-byte body limit"));
    assert_int_equal(httpc_request(&c, "GET", "/", NULL, NULL, 0, &r), HTTPC_ERR_TOO_BIG);
    assert_non_null(strstr(c.errstr, "body over the 16-byte limit"));
    httpc_close(&c);
    server_join(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_alive_reuse),
        cmocka_unit_test(test_request_bytes_with_body),
        cmocka_unit_test(test_closed_connections_are_reopened),
        cmocka_unit_test(test_split_chunked_answer),
        cmocka_unit_test(test_close_delimited_answer),
        cmocka_unit_test(test_pipelined_reads),
        cmocka_unit_test(test_refused_is_not_sent),
        cmocka_unit_test(test_transport_errors_after_sending),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_oversize_answer),
    };
    return cmocka_run_group_tests_name("httpclient connection", tests, NULL, NULL);
}
