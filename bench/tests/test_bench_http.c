/* test_bench_http.c: Flink REST requests against a one-shot loopback
 * server. (The response parser is httpclient's; its cases, the ones this
 * file had included, are in lib/http_client/tests/test_response.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench/bench_http.h"

/* Reads one request (head and Content-Length body), writes answer, closes. */
typedef struct one_shot {
    int listen_fd, port;
    const char *answer;
    char request[1024];
    pthread_t thread;
} one_shot;

static void *one_shot_run(void *arg)
{
    one_shot *s = arg;
    int fd = accept(s->listen_fd, NULL, NULL);
    size_t len = 0;
    char *end;

    if (fd < 0)
        return NULL;
    while (len + 1 < sizeof s->request) {
        ssize_t n = recv(fd, s->request + len, sizeof s->request - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        s->request[len] = '\0';
        if ((end = strstr(s->request, "\r\n\r\n")) != NULL) {
            const char *cl = strstr(s->request, "Content-Length: ");
            if (len >= (size_t)(end - s->request) + 4 + (cl != NULL ? strtoul(cl + 16, NULL, 10) : 0))
                break;
        }
    }
    (void)send(fd, s->answer, strlen(s->answer), MSG_NOSIGNAL);
    close(fd);
    return NULL;
}

static void one_shot_start(one_shot *s, const char *answer)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;

    memset(s, 0, sizeof *s);
    s->answer = answer;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(s->listen_fd >= 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(s->listen_fd, 1), 0);
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&sa, &sl), 0);
    s->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, one_shot_run, s), 0);
}

static void one_shot_join(one_shot *s)
{
    assert_int_equal(pthread_join(s->thread, NULL), 0);
    close(s->listen_fd);
}

static void test_get_chunked_json(void **state)
{
    one_shot s;
    int status;
    char *body, err[256];
    size_t len;

    (void)state;
    one_shot_start(&s, "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"
                       "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                       "4\r\n{\"a\"\r\n9;ext=1\r\n:1234567}\r\n0\r\n\r\n");
    assert_int_equal(bench_http_get("127.0.0.1", s.port, "/jobs/overview", 2000, &status, &body, &len, err, sizeof err),
                     0);
    assert_int_equal(status, 200);
    assert_string_equal(body, "{\"a\":1234567}");
    assert_int_equal(len, 13);
    free(body);
    one_shot_join(&s);
    assert_non_null(strstr(s.request, "GET /jobs/overview HTTP/1.1\r\nHost: 127.0.0.1:"));
    assert_non_null(strstr(s.request, "\r\nConnection: close\r\nAccept: application/json\r\n\r\n"));
}

static void test_post_json_error_status(void **state)
{
    one_shot s;
    int status;
    char *body, err[256];
    size_t len;

    (void)state;
    one_shot_start(&s, "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabcdef");
    assert_int_equal(bench_http_request("127.0.0.1", s.port, "POST", "/jobs/x/checkpoints", "{\"k\":1}", 2000, &status,
                                        &body, &len, err, sizeof err),
                     0);
    assert_int_equal(status, 404);
    assert_string_equal(body, "abc");
    free(body);
    one_shot_join(&s);
    assert_non_null(strstr(s.request, "\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"k\":1}"));
}

static void test_bad_answers_and_no_server(void **state)
{
    one_shot s;
    int status;
    char *body, err[256];
    size_t len;

    (void)state;
    one_shot_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort");
    assert_int_equal(bench_http_get("127.0.0.1", s.port, "/", 2000, &status, &body, &len, err, sizeof err), -1);
    assert_null(body);
    assert_non_null(strstr(err, "after 5 of 10 body bytes"));
    one_shot_join(&s);
    one_shot_start(&s, "SMTP ready\r\n\r\n");
    assert_int_equal(bench_http_get("127.0.0.1", s.port, "/", 2000, &status, &body, &len, err, sizeof err), -1);
    assert_null(body);
    assert_non_null(strstr(err, "bad status line"));
    one_shot_join(&s);
    assert_int_equal(bench_http_get("127.0.0.1", 1, "/", 1000, &status, &body, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "127.0.0.1:1: connect: "));
    assert_int_equal(bench_http_get("flink", 8081, "/", 1000, &status, &body, &len, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad address"));
    assert_null(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_chunked_json),
        cmocka_unit_test(test_post_json_error_status),
        cmocka_unit_test(test_bad_answers_and_no_server),
    };
    return cmocka_run_group_tests_name("bench_http", tests, NULL, NULL);
}
