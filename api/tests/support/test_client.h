/* test_client.h: the API tests' blocking HTTP/1.1 client, a thin
 * wrapper over httpclient (lib/http_client/http_client.h), and a harness
 * that runs a worker (loop + server) on an ephemeral loopback port in a
 * thread of the test process.
 *
 * The client fails the running cmocka test on what a test cannot go on
 * from (no connection, a send that fails, a malformed or oversize
 * answer); a connection that ends (EOF, reset) or stays silent past the
 * timeout before a whole response is a -1 from tc_read, because tests
 * assert exactly that. Bytes past one response are kept for the next, so
 * pipelined answers can be read one by one. Every wait has a timeout so
 * that a broken server fails a test instead of hanging it.
 */
#ifndef API_TESTS_SUPPORT_TEST_CLIENT_H
#define API_TESTS_SUPPORT_TEST_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/server/router.h"
#include "api/src/server/server.h"
#include "lib/http_client/http_client.h"

#define TC_BUF (8 * 1024 * 1024) /* largest body read */
#define TC_MAX_HEAD 8192         /* largest head read */

typedef struct tc_conn {
    httpc_conn http; /* the socket (http.fd) and the bytes not yet returned */
} tc_conn;

typedef struct tc_response {
    int status;
    int is_continue;  /* a "100 Continue" interim response */
    const char *head; /* status line and headers, NUL-terminated, in http */
    char *body;       /* NUL-terminated, in http; free with tc_response_free */
    size_t body_len;
    httpc_response http; /* owns head and body */
} tc_response;

/* Connect to 127.0.0.1:port; timeout_ms bounds the connect and each
 * wait to send or receive. Fails the test on error. */
void tc_connect(tc_conn *c, int port, int timeout_ms);

/* Try to connect (timeouts 5 s); 0 or -1 (no test failure). */
int tc_try_connect(tc_conn *c, int port);

void tc_close(tc_conn *c);

/* Close with RST (SO_LINGER 0). */
void tc_reset(tc_conn *c);

/* Send raw bytes; fails the test if they cannot all be sent. */
void tc_send(tc_conn *c, const char *data, size_t len);
void tc_send_str(tc_conn *c, const char *s);

/* Read one response. 0, or -1 if the connection ended (EOF or reset)
 * before a whole response arrived, or the read timed out. A malformed
 * or oversize answer fails the test. */
int tc_read(tc_conn *c, tc_response *r);

/* The same; no_body: the answer to a HEAD (Content-Length, no body). */
int tc_read_ex(tc_conn *c, tc_response *r, int no_body);

void tc_response_free(tc_response *r);

/* A header's value ("" if absent), copied into out. */
const char *tc_header(const tc_response *r, const char *name, char *out, size_t outlen);

/* 1 when the server closes (EOF or RST) within timeout_ms with no more
 * data, 0 otherwise. */
int tc_wait_closed(tc_conn *c, int timeout_ms);

/* The in-process server. */
typedef struct ts_server {
    worker w;
    int done_fd;
    int port;
} ts_server;

/* Start a worker serving r with cfg on 127.0.0.1:0; context is what
 * handlers get from http_request_context (NULL: the worker itself);
 * on_exit, if not NULL, runs on the worker thread when it ends. */
void ts_start(ts_server *ts, const router *r, const server_config *cfg, void *context, void (*on_exit)(worker *w),
              uint32_t shutdown_timeout_ms);

/* Ask the worker to stop (WORKER_STOP_DRAIN or _ABORT) without waiting. */
void ts_stop_async(ts_server *ts, int level);

/* Wait for the worker's thread and free everything. */
void ts_join(ts_server *ts);

/* Sleep for ms milliseconds. */
void ts_sleep_ms(int ms);

#endif
