/* cql_fake_server.c: the scripted server of cql_fake_server.h.
 *
 * The child never returns into the test: it ends with _exit, so cmocka
 * and LeakSanitizer only ever run in the parent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cql/tests/cql_fake_server.h"

static const uint8_t cql_fake_event[] = {0x84, 0, 0xff, 0xff, 0x0c, 0, 0, 0, 4, 0, 2, 'E', 'V'};

static int cql_fake_read_full(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Answer one request by step; returns -1 when the connection is over. */
static int cql_fake_step_run(int fd, const cql_fake_step *step)
{
    uint8_t header[9], body[65536], *out;
    uint32_t len;
    int rc = 0;

    if (cql_fake_read_full(fd, header, 9) != 0)
        return -1;
    len = (uint32_t)header[5] << 24 | (uint32_t)header[6] << 16 | (uint32_t)header[7] << 8 | header[8];
    if (len > sizeof(body) || cql_fake_read_full(fd, body, len) != 0)
        return -1;
    if (step->action == CQL_FAKE_STALL) {
        sleep(30);
        return -1;
    }
    if (step->action == CQL_FAKE_EVENT_THEN_REPLY && write(fd, cql_fake_event, sizeof(cql_fake_event)) < 0)
        return -1;
    out = malloc(step->len);
    if (out == NULL)
        return -1;
    memcpy(out, step->reply, step->len);
    out[2] = header[2];
    out[3] = (uint8_t)(header[3] ^ (step->action == CQL_FAKE_WRONG_STREAM));
    if (step->action == CQL_FAKE_HALF_THEN_CLOSE) {
        (void)!write(fd, out, step->len / 2);
        rc = -1;
    } else if (write(fd, out, step->len) != (ssize_t)step->len) {
        rc = -1;
    }
    free(out);
    return rc;
}

static void cql_fake_serve(int listener, const cql_fake_step *steps, size_t n)
{
    int fd = accept(listener, NULL, NULL);
    uint8_t drain[4096];
    size_t i;

    for (i = 0; fd >= 0 && i < n; i++) {
        if (cql_fake_step_run(fd, &steps[i]) != 0) {
            close(fd);
            _exit(0);
        }
    }
    while (fd >= 0 && read(fd, drain, sizeof(drain)) > 0) /* until the client closes */
        ;
    _exit(0);
}

cql_fake_server cql_fake_start(const cql_fake_step *steps, size_t n)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    cql_fake_server s;

    assert_true(listener >= 0);
    assert_int_equal(bind(listener, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(listen(listener, 1), 0);
    assert_int_equal(getsockname(listener, (struct sockaddr *)&addr, &len), 0);
    s.port = ntohs(addr.sin_port);
    s.pid = fork();
    assert_true(s.pid >= 0);
    if (s.pid == 0)
        cql_fake_serve(listener, steps, n);
    close(listener);
    return s;
}

void cql_fake_stop(cql_fake_server *s)
{
    int status;

    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
}

uint16_t cql_fake_dead_port(int *fd)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);

    *fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(*fd >= 0);
    assert_int_equal(bind(*fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(*fd, (struct sockaddr *)&addr, &len), 0);
    return ntohs(addr.sin_port);
}
