/* one_shot_server.c: see one_shot_server.h. */
#include "lib/http_client/tests/support/one_shot_server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/* 1 once request[0..len) holds a whole head and its Content-Length body. */
static int one_shot_complete(const char *request, size_t len)
{
    const char *end = strstr(request, "\r\n\r\n"), *cl;

    if (end == NULL)
        return 0;
    cl = strstr(request, "Content-Length: ");
    return len >= (size_t)(end - request) + 4 + (cl != NULL ? strtoul(cl + 16, NULL, 10) : 0);
}

static void *one_shot_run(void *arg)
{
    one_shot *s = arg;
    int fd = accept(s->listen_fd, NULL, NULL);
    size_t len = 0;

    if (fd < 0)
        return NULL;
    while (len + 1 < sizeof s->request) {
        ssize_t n = recv(fd, s->request + len, sizeof s->request - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        s->request[len] = '\0';
        if (one_shot_complete(s->request, len))
            break;
    }
    if (s->answer != NULL)
        (void)send(fd, s->answer, strlen(s->answer), MSG_NOSIGNAL);
    close(fd);
    return NULL;
}

void one_shot_start(one_shot *s, const char *answer)
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

void one_shot_join(one_shot *s)
{
    assert_int_equal(pthread_join(s->thread, NULL), 0);
    close(s->listen_fd);
}
