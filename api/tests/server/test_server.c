/* test_server.c: the server over real loopback sockets.
 *
 * Each test starts a worker (event loop + server, the code feed-api
 * runs) on an ephemeral port in a thread of this process and talks to it
 * with a blocking client: keep-alive, pipelining, a client sending one
 * byte at a time, limits, malformed input, timeouts, back-pressure,
 * asynchronous handlers whose peer vanished, and graceful shutdown.
 * This also covers conn.c and request.c, which only make sense with a
 * socket on the other end.
 */
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/handlers/ops.h"
#include "api/src/server/request.h"
#include "api/tests/support/test_client.h"
#include "api/tests/support/test_handlers.h"

static router routes;

static int setup(void **state)
{
    (void)state;
    router_init(&routes);
    if (router_add(&routes, "GET", "/healthz", health_handle, NULL) != 0 || th_add_routes(&routes) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    router_dispose(&routes);
    return 0;
}

/* ---- helpers ------------------------------------------------------------- */

static void test_config(server_config *cfg)
{
    server_config_default(cfg);
    cfg->read_timeout_ms = 2000;
    cfg->idle_timeout_ms = 5000;
    cfg->request_timeout_ms = 5000;
    cfg->linger_ms = 500;
}

static void start(ts_server *ts, const server_config *cfg)
{
    th_reset_counters();
    ts_start(ts, &routes, cfg, NULL, th_flush_pending, 2000);
}

static void stop(ts_server *ts)
{
    ts_stop_async(ts, WORKER_STOP_DRAIN);
    ts_join(ts);
}

static void expect(tc_conn *c, int status, const char *body)
{
    tc_response r;

    if (tc_read(c, &r) != 0)
        fail_msg("no response (want %d)", status);
    if (r.status != status)
        fail_msg("status %d, want %d; body %s", r.status, status, r.body);
    if (body != NULL && strcmp(r.body, body) != 0)
        fail_msg("body '%s', want '%s'", r.body, body);
    tc_response_free(&r);
}

/* Read an error answer and check it is our JSON error shape with code. */
static void expect_error(tc_conn *c, int status, const char *code, int closes)
{
    tc_response r;
    char want[128], v[128];

    if (tc_read(c, &r) != 0)
        fail_msg("no response (want %d)", status);
    if (r.status != status)
        fail_msg("status %d, want %d; body %s", r.status, status, r.body);
    assert_string_equal(tc_header(&r, "Content-Type", v, sizeof(v)), "application/json");
    snprintf(want, sizeof(want), "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
    if (strncmp(r.body, want, strlen(want)) != 0 || strcmp(r.body + r.body_len - 3, "\"}}") != 0)
        fail_msg("error body '%s' is not of the JSON error shape with code %s", r.body, code);
    if (closes) {
        assert_string_equal(tc_header(&r, "Connection", v, sizeof(v)), "close");
        assert_true(tc_wait_closed(c, 3000));
    }
    tc_response_free(&r);
}

#define GET(path) "GET " path " HTTP/1.1\r\nHost: t\r\n\r\n"

/* ---- tests --------------------------------------------------------------- */

static void test_healthz(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    tc_response r;
    char v[64];

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    assert_int_equal(tc_read(&c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    assert_string_equal(tc_header(&r, "Content-Type", v, sizeof(v)), "application/json");
    assert_string_equal(tc_header(&r, "Content-Length", v, sizeof(v)), "15");
    assert_int_equal(strlen(tc_header(&r, "Date", v, sizeof(v))), 29);
    assert_true(tc_header(&r, "X-Request-Id", v, sizeof(v))[0] != '\0');
    assert_string_equal(tc_header(&r, "Connection", v, sizeof(v)), "");
    tc_response_free(&r);
    tc_close(&c);
    stop(&ts);
}

static void test_keep_alive(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    int i;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    for (i = 0; i < 20; i++) {
        tc_send_str(&c, GET("/healthz"));
        expect(&c, 200, "{\"status\":\"ok\"}");
    }
    /* HTTP/1.0 asking for keep-alive gets it, announced */
    tc_send_str(&c, "GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    {
        tc_response r;
        char v[32];
        assert_int_equal(tc_read(&c, &r), 0);
        assert_string_equal(tc_header(&r, "Connection", v, sizeof(v)), "keep-alive");
        tc_response_free(&r);
    }
    /* and Connection: close is honoured */
    tc_send_str(&c, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    expect(&c, 200, NULL);
    assert_true(tc_wait_closed(&c, 3000));
    tc_close(&c);
    stop(&ts);
}

static void test_pipelined_in_order(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    const char *three = "POST /echo/one HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n\r\na"
                        "GET /slow/50 HTTP/1.1\r\nHost: t\r\n\r\n"
                        "POST /echo/three HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nccc";
    tc_response r;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, three); /* one write: three requests, the middle one async */
    expect(&c, 200, "one:a");
    assert_int_equal(tc_read(&c, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(strncmp(r.body, "late ", 5), 0);
    tc_response_free(&r);
    expect(&c, 200, "three:ccc");
    /* many more at once, with a partial one at the end completed later */
    {
        char batch[64 * 40];
        size_t len = 0;
        int i;
        for (i = 0; i < 40; i++)
            len += (size_t)snprintf(batch + len, sizeof(batch) - len, "%s", GET("/healthz"));
        tc_send(&c, batch, len);
        tc_send_str(&c, "GET /heal");
        for (i = 0; i < 40; i++)
            expect(&c, 200, "{\"status\":\"ok\"}");
        tc_send_str(&c, "thz HTTP/1.1\r\nHost: t\r\n\r\n");
        expect(&c, 200, "{\"status\":\"ok\"}");
    }
    tc_close(&c);
    stop(&ts);
    assert_int_equal(atomic_load(&th_late_answered), 1);
}

static void test_slow_client_byte_by_byte(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    const char *req = "POST /echo/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world";
    size_t i;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    for (i = 0; req[i] != '\0'; i++) {
        tc_send(&c, req + i, 1);
        ts_sleep_ms(1);
    }
    expect(&c, 200, "slow:hello world");
    /* and the connection stays usable */
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    tc_close(&c);
    stop(&ts);
}

static void test_body_over_limit_is_413(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    size_t n = 70 * 1024;
    char head[128];
    char *body = malloc(n);

    (void)state;
    assert_non_null(body);
    memset(body, 'x', n);
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    snprintf(head, sizeof(head), "POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n", n);
    tc_send_str(&c, head);
    tc_send(&c, body, n); /* the server reads and discards it: no reset */
    expect_error(&c, 413, "payload_too_large", 1);
    tc_close(&c);
    /* a smaller limit from the configuration */
    stop(&ts);
    cfg.limits.max_body = 10;
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, "POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n");
    expect_error(&c, 413, "payload_too_large", 1);
    tc_close(&c);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, "POST /echo/x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789");
    expect(&c, 200, "x:0123456789");
    tc_close(&c);
    stop(&ts);
    free(body);
}

static void test_malformed_then_keeps_serving(void **state)
{
    static const struct {
        const char *req;
        int status;
        const char *code;
    } bad[] = {
        {"GARBAGE\r\n\r\n", 400, "bad_request"},
        {"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: x\r\n\r\n", 400, "bad_request"},
        {"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\na", 400, "bad_request"},
        {"GET / HTTP/1.1\r\nHost: t\r\nX: a\r\n folded\r\n\r\n", 400, "bad_request"},
        {"GET / HTTP/1.1\nHost: t\n\n", 400, "bad_request"},
        {"GET / HTTP/2.0\r\nHost: t\r\n\r\n", 505, "http_version_not_supported"},
        {"POST /echo/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411, "length_required"},
        {"POST /echo/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: br\r\n\r\n", 501, "not_implemented"},
        {"GET / HTTP/1.1\r\nHost: t\r\nExpect: coffee\r\n\r\n", 417, "expectation_failed"},
        {"GET /healthz HTTP/1.1\r\n\r\n", 400, "bad_request"},
    };
    ts_server ts;
    server_config cfg;
    tc_conn c;
    size_t i;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tc_connect(&c, ts.port, 5000);
        tc_send_str(&c, bad[i].req);
        expect_error(&c, bad[i].status, bad[i].code, 1);
        tc_close(&c);
    }
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, "{\"status\":\"ok\"}");
    tc_close(&c);
    stop(&ts);
}

static void test_oversized_heads(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    size_t n = 20000;
    char *filler = malloc(n + 1);
    char *req = malloc(n + 128);

    (void)state;
    memset(filler, 'a', n);
    filler[n] = '\0';
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    snprintf(req, n + 128, "GET /%s HTTP/1.1\r\nHost: t\r\n\r\n", filler);
    tc_send_str(&c, req);
    expect_error(&c, 414, "uri_too_long", 1);
    tc_close(&c);
    tc_connect(&c, ts.port, 5000);
    snprintf(req, n + 128, "GET / HTTP/1.1\r\nHost: t\r\nX: %s\r\n\r\n", filler);
    tc_send_str(&c, req);
    expect_error(&c, 431, "headers_too_large", 1);
    tc_close(&c);
    stop(&ts);
    free(filler);
    free(req);
}

static void test_404_405_head(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    tc_response r;
    char v[64];

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/nope"));
    expect_error(&c, 404, "not_found", 0);
    tc_send_str(&c, "DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(tc_read(&c, &r), 0);
    assert_int_equal(r.status, 405);
    assert_string_equal(tc_header(&r, "Allow", v, sizeof(v)), "GET, HEAD");
    assert_non_null(strstr(r.body, "\"code\":\"method_not_allowed\""));
    tc_response_free(&r);
    tc_send_str(&c, "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_int_equal(tc_read_ex(&c, &r, 1), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(tc_header(&r, "Content-Length", v, sizeof(v)), "15");
    tc_response_free(&r);
    tc_send_str(&c, GET("/v1/%zz"));
    expect_error(&c, 404, "not_found", 0);
    tc_send_str(&c, GET("/healthz")); /* none of that closed the connection */
    expect(&c, 200, NULL);
    tc_close(&c);
    stop(&ts);
}

static void test_expect_continue(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    tc_response r;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, "POST /echo/e HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
    assert_int_equal(tc_read(&c, &r), 0);
    assert_true(r.is_continue);
    tc_response_free(&r);
    tc_send_str(&c, "data");
    expect(&c, 200, "e:data");
    tc_close(&c);
    stop(&ts);
}

static void test_read_and_idle_timeouts(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;

    (void)state;
    test_config(&cfg);
    cfg.read_timeout_ms = 150;
    cfg.idle_timeout_ms = 150;
    start(&ts, &cfg);
    /* a request that never completes: 408 */
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, "GET /healthz HTTP/1.1\r\nHo");
    expect_error(&c, 408, "request_timeout", 1);
    tc_close(&c);
    /* an idle keep-alive connection is closed quietly; a busy one is not */
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    ts_sleep_ms(100);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    ts_sleep_ms(100);
    tc_send_str(&c, GET("/healthz")); /* 200 ms after the first: the clock restarted */
    expect(&c, 200, NULL);
    assert_true(tc_wait_closed(&c, 3000));
    tc_close(&c);
    stop(&ts);
}

static void test_handler_timeout_then_late_answer_dropped(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;

    (void)state;
    test_config(&cfg);
    cfg.request_timeout_ms = 100;
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/slow/400"));
    expect_error(&c, 503, "timeout", 1);
    tc_close(&c);
    ts_sleep_ms(500); /* the handler answers now, into the void */
    assert_int_equal(atomic_load(&th_late_dropped), 1);
    assert_int_equal(atomic_load(&th_late_answered), 0);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    tc_close(&c);
    stop(&ts);
}

static void test_peer_gone_during_async_handler(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    int i;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    for (i = 0; i < 5; i++) {
        tc_connect(&c, ts.port, 5000);
        tc_send_str(&c, GET("/slow/100"));
        assert_true(th_wait_slow_started(i + 1, 5000));
        tc_reset(&c); /* RST while the handler is still working */
    }
    ts_sleep_ms(300);
    /* every late answer was dropped, no freed memory was touched (ASan) */
    assert_int_equal(atomic_load(&th_late_dropped), 5);
    assert_int_equal(atomic_load(&th_late_answered), 0);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    tc_close(&c);
    stop(&ts);
}

static void test_back_pressure(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;
    char *batch;
    size_t len = 0;
    int i, n = 64;

    (void)state;
    test_config(&cfg);
    cfg.write_timeout_ms = 10000;
    start(&ts, &cfg);
    batch = malloc((size_t)n * 64);
    for (i = 0; i < n; i++)
        len += (size_t)sprintf(batch + len, "%s", GET("/big"));
    tc_connect(&c, ts.port, 10000);
    tc_send(&c, batch, len);
    ts_sleep_ms(300);
    /* The client reads nothing: the server must have stopped parsing
     * once its output passed the high-water mark, whatever the kernel's
     * socket buffers absorbed meanwhile. */
    print_message("back-pressure: %d of %d dispatched while the client read nothing\n", atomic_load(&th_big_dispatched),
                  n);
    if (atomic_load(&th_big_dispatched) >= n / 2)
        fail_msg("%d of %d requests ran without the client reading", atomic_load(&th_big_dispatched), n);
    for (i = 0; i < n; i++) {
        tc_response r;
        assert_int_equal(tc_read(&c, &r), 0);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, TH_BIG_BODY);
        tc_response_free(&r);
    }
    assert_int_equal(atomic_load(&th_big_dispatched), n);
    tc_close(&c);
    stop(&ts);
    free(batch);
}

static void test_graceful_shutdown_finishes_in_flight(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn busy, idle, late;
    tc_response r;
    char v[32];

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&idle, ts.port, 5000);
    tc_send_str(&idle, GET("/healthz"));
    expect(&idle, 200, NULL);
    tc_connect(&busy, ts.port, 5000);
    tc_send_str(&busy, GET("/slow/300"));
    assert_true(th_wait_slow_started(1, 5000));
    ts_stop_async(&ts, WORKER_STOP_DRAIN);
    /* the idle keep-alive connection goes at once */
    assert_true(tc_wait_closed(&idle, 2000));
    /* the one in flight gets its answer, with Connection: close */
    assert_int_equal(tc_read(&busy, &r), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(strncmp(r.body, "late ", 5), 0);
    assert_string_equal(tc_header(&r, "Connection", v, sizeof(v)), "close");
    tc_response_free(&r);
    assert_true(tc_wait_closed(&busy, 2000));
    ts_join(&ts);
    /* and nobody listens any more */
    assert_int_equal(tc_try_connect(&late, ts.port), -1);
    tc_close(&late);
    tc_close(&busy);
    tc_close(&idle);
    assert_int_equal(atomic_load(&th_late_answered), 1);
}

static void test_drain_timeout_forces_close(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;

    (void)state;
    test_config(&cfg);
    th_reset_counters();
    ts_start(&ts, &routes, &cfg, NULL, th_flush_pending, 100); /* drain at most 100 ms */
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/slow/5000"));
    assert_true(th_wait_slow_started(1, 5000));
    ts_stop_async(&ts, WORKER_STOP_DRAIN);
    assert_true(tc_wait_closed(&c, 3000)); /* closed without an answer */
    ts_join(&ts);
    /* the handler answered at worker exit, into a detached request */
    assert_int_equal(atomic_load(&th_late_dropped), 1);
    tc_close(&c);
}

static void test_abort_closes_everything(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn c;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/slow/5000"));
    assert_true(th_wait_slow_started(1, 5000));
    ts_stop_async(&ts, WORKER_STOP_ABORT);
    assert_true(tc_wait_closed(&c, 3000));
    ts_join(&ts);
    assert_int_equal(atomic_load(&th_late_dropped), 1);
    tc_close(&c);
}

static void test_max_connections(void **state)
{
    ts_server ts;
    server_config cfg;
    tc_conn a, b;

    (void)state;
    test_config(&cfg);
    cfg.max_connections = 1;
    start(&ts, &cfg);
    tc_connect(&a, ts.port, 5000);
    tc_send_str(&a, GET("/healthz"));
    expect(&a, 200, NULL);
    tc_connect(&b, ts.port, 5000); /* accepted by the kernel, closed by us */
    assert_true(tc_wait_closed(&b, 3000));
    tc_close(&b);
    tc_close(&a);
    ts_sleep_ms(50);
    tc_connect(&b, ts.port, 5000);
    tc_send_str(&b, GET("/healthz"));
    expect(&b, 200, NULL);
    tc_close(&b);
    stop(&ts);
}

/* ---- streamed answers ----------------------------------------------------- */

/* Read raw bytes from c for ms: how many, and whether the peer closed. */
static size_t raw_read(tc_conn *c, char *into, size_t cap, int ms, int *closed)
{
    struct pollfd p = {.fd = c->http.fd, .events = POLLIN};
    size_t got = 0;
    ssize_t n;

    *closed = 0;
    while (got < cap && poll(&p, 1, ms) > 0) {
        n = read(c->http.fd, into + got, cap - got);
        if (n <= 0) {
            *closed = 1;
            break;
        }
        got += (size_t)n;
    }
    return got;
}

/* A stream: the head without Content-Length, chunks as they are
 * written, on_close when the client goes, and the worker goes on. */
static void test_stream_head_chunks_peer_close(void **state)
{
    static char data[64 * 1024];
    ts_server ts;
    server_config cfg;
    tc_conn c;
    size_t n;
    int closed;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/stream"));
    n = raw_read(&c, data, sizeof(data) - 1, 200, &closed);
    data[n] = '\0';
    assert_false(closed);
    assert_int_equal(strncmp(data, "HTTP/1.1 200 OK\r\n", 17), 0);
    assert_non_null(strstr(data, "Content-Type: text/event-stream\r\n"));
    assert_non_null(strstr(data, "Cache-Control: no-store\r\n"));
    assert_non_null(strstr(data, "Connection: close\r\n"));
    assert_null(strstr(data, "Content-Length"));
    assert_true(n > strlen(strstr(data, "\r\n\r\n")) && strstr(data, "\r\n\r\nxxx") != NULL);
    /* the stream goes on for as long as the client reads (past the
     * handler deadline: streams have none) */
    ts_sleep_ms(100);
    n = raw_read(&c, data, sizeof(data), 100, &closed);
    assert_true(n >= TH_STREAM_CHUNK);
    assert_false(closed);
    tc_close(&c);
    ts_sleep_ms(200);
    assert_int_equal(atomic_load(&th_stream_closed), 1);
    assert_int_equal(atomic_load(&th_stream_dropped), 0);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    tc_close(&c);
    stop(&ts);
}

/* A client that reads nothing is dropped once the unsent output passes
 * the bound; another client is served meanwhile. */
static void test_stream_slow_reader_dropped(void **state)
{
    static char data[256 * 1024];
    ts_server ts;
    server_config cfg;
    tc_conn slow, c;
    int rcv = 4096, closed = 0, i;
    size_t n, total = 0;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&slow, ts.port, 5000);
    assert_int_equal(setsockopt(slow.http.fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)), 0);
    tc_send_str(&slow, GET("/stream"));
    for (i = 0; i < 100 && atomic_load(&th_stream_dropped) == 0; i++)
        ts_sleep_ms(20);
    assert_int_equal(atomic_load(&th_stream_dropped), 1);
    assert_int_equal(atomic_load(&th_stream_closed), 0); /* a refused write is not an on_close */
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    tc_close(&c);
    /* what the kernel held is all the slow client gets: then EOF or RST */
    while (!closed) {
        n = raw_read(&slow, data, sizeof(data), 2000, &closed);
        total += n;
        if (n == 0 && !closed)
            fail_msg("the dropped stream was not closed");
    }
    print_message("the slow reader got %zu bytes before the close\n", total);
    assert_true(total < sizeof(data));
    tc_close(&slow);
    stop(&ts);
}

/* A burst of three bounds in one write is not a slow client: a reader
 * that keeps reading gets all of it and the stream goes on. */
static void test_stream_burst_reader_keeps_up(void **state)
{
    static char data[64 * 1024];
    ts_server ts;
    server_config cfg;
    tc_conn c;
    int closed = 0, i;
    size_t total = 0;
    uint64_t t0;

    (void)state;
    test_config(&cfg);
    cfg.stream_stall_ms = 300;
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/burst"));
    t0 = loop_clock_us();
    while (!closed && loop_clock_us() - t0 < 1000 * 1000) /* 1 s of reading, past the stall time */
        total += raw_read(&c, data, 4096, 25, &closed);
    assert_false(closed);
    assert_true(total > TH_BURST_BYTES);
    assert_int_equal(atomic_load(&th_stream_dropped), 0);
    assert_int_equal(atomic_load(&th_stream_closed), 0);
    tc_close(&c);
    for (i = 0; i < 100 && atomic_load(&th_stream_closed) + atomic_load(&th_stream_dropped) == 0; i++)
        ts_sleep_ms(20);
    stop(&ts);
}

/* The same burst to a client that reads nothing: past the bound and
 * stalled, it is dropped within the stall time (and a few writes), with
 * less than the hard cap queued. */
static void test_stream_burst_stalled_reader_dropped(void **state)
{
    static char data[256 * 1024];
    ts_server ts;
    server_config cfg;
    tc_conn slow;
    int rcv = 4096, closed = 0, i;
    size_t n, total = 0;
    uint64_t t0, took_ms;

    (void)state;
    test_config(&cfg);
    cfg.stream_stall_ms = 300;
    start(&ts, &cfg);
    tc_connect(&slow, ts.port, 5000);
    assert_int_equal(setsockopt(slow.http.fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv)), 0);
    t0 = loop_clock_us();
    tc_send_str(&slow, GET("/burst"));
    for (i = 0; i < 250 && atomic_load(&th_stream_dropped) == 0; i++)
        ts_sleep_ms(10);
    took_ms = (loop_clock_us() - t0) / 1000;
    print_message("the stalled reader was dropped after %llu ms\n", (unsigned long long)took_ms);
    assert_int_equal(atomic_load(&th_stream_dropped), 1);
    assert_true(took_ms >= 250 && took_ms < 2000);
    while (!closed) {
        n = raw_read(&slow, data, sizeof(data), 2000, &closed);
        total += n;
        if (n == 0 && !closed)
            fail_msg("the dropped stream was not closed");
    }
    assert_true(total < (size_t)TH_BURST_BOUND * CONN_STREAM_HARD_FACTOR + 256 * 1024);
    tc_close(&slow);
    stop(&ts);
}

/* Clients resetting streams: each stream ends exactly once, by on_close
 * or by a write's -1 (a send that finds the peer gone), never both
 * (ASan would see the double end). */
static void test_stream_peer_reset(void **state)
{
    static char data[4096];
    ts_server ts;
    server_config cfg;
    tc_conn c;
    int closed, i;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    for (i = 0; i < 10; i++) {
        tc_connect(&c, ts.port, 5000);
        tc_send_str(&c, GET("/stream"));
        (void)raw_read(&c, data, sizeof(data), 20 + i * 5, &closed);
        tc_reset(&c);
    }
    for (i = 0; i < 100 && atomic_load(&th_stream_closed) + atomic_load(&th_stream_dropped) < 10; i++)
        ts_sleep_ms(20);
    assert_int_equal(atomic_load(&th_stream_closed) + atomic_load(&th_stream_dropped), 10);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/healthz"));
    expect(&c, 200, NULL);
    tc_close(&c);
    stop(&ts);
}

/* A drain ends streams at once through on_close; the server stops. */
static void test_stream_drain(void **state)
{
    static char data[64 * 1024];
    ts_server ts;
    server_config cfg;
    tc_conn c;
    int closed = 0, i;

    (void)state;
    test_config(&cfg);
    start(&ts, &cfg);
    tc_connect(&c, ts.port, 5000);
    tc_send_str(&c, GET("/stream"));
    (void)raw_read(&c, data, sizeof(data), 100, &closed);
    assert_false(closed);
    ts_stop_async(&ts, WORKER_STOP_DRAIN);
    for (i = 0; i < 50 && !closed; i++)
        (void)raw_read(&c, data, sizeof(data), 100, &closed);
    assert_true(closed);
    ts_join(&ts);
    assert_int_equal(atomic_load(&th_stream_closed), 1);
    tc_close(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_pipelined_in_order),
        cmocka_unit_test(test_slow_client_byte_by_byte),
        cmocka_unit_test(test_body_over_limit_is_413),
        cmocka_unit_test(test_malformed_then_keeps_serving),
        cmocka_unit_test(test_oversized_heads),
        cmocka_unit_test(test_404_405_head),
        cmocka_unit_test(test_expect_continue),
        cmocka_unit_test(test_read_and_idle_timeouts),
        cmocka_unit_test(test_handler_timeout_then_late_answer_dropped),
        cmocka_unit_test(test_peer_gone_during_async_handler),
        cmocka_unit_test(test_back_pressure),
        cmocka_unit_test(test_graceful_shutdown_finishes_in_flight),
        cmocka_unit_test(test_drain_timeout_forces_close),
        cmocka_unit_test(test_abort_closes_everything),
        cmocka_unit_test(test_stream_head_chunks_peer_close),
        cmocka_unit_test(test_stream_slow_reader_dropped),
        cmocka_unit_test(test_stream_burst_reader_keeps_up),
        cmocka_unit_test(test_stream_burst_stalled_reader_dropped),
        cmocka_unit_test(test_stream_peer_reset),
        cmocka_unit_test(test_stream_drain),
        cmocka_unit_test(test_max_connections),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
