/* test_sse.c: the tests' SSE client (see test_sse.h). */
#include "api/tests/support/test_sse.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

static uint64_t sse_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void sse_ev_free(sse_ev *e)
{
    free(e->data);
    e->data = NULL;
}

/* Read more into c within ms; 1 data, 0 timeout, -1 EOF/reset. */
static int sse_fill(sse_client *c, int ms)
{
    struct pollfd p = {.fd = c->fd, .events = POLLIN};
    ssize_t n;

    if (c->eof)
        return -1;
    if (poll(&p, 1, ms) <= 0)
        return 0;
    if (c->len + 65536 > c->cap) {
        c->cap = (c->len + 65536) * 2;
        c->buf = realloc(c->buf, c->cap);
        assert_non_null(c->buf);
    }
    n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
    if (n <= 0) {
        c->eof = 1;
        return -1;
    }
    c->len += (size_t)n;
    c->buf[c->len] = '\0';
    return 1;
}

/* See test_sse.h. */
int sse_open(sse_client *c, int port, const char *path, const char *token, const char *last_id, int rcvbuf)
{
    char req[1024], *end;
    uint64_t deadline = sse_now_ms() + 10000;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int n;

    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(c->fd >= 0);
    if (rcvbuf > 0)
        assert_int_equal(setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)), 0);
    a.sin_addr.s_addr = htonl(0x7f000001);
    assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
    n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n%s%s%s%s%s%s\r\n", path,
                 token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "",
                 last_id ? "Last-Event-ID: " : "", last_id ? last_id : "", last_id ? "\r\n" : "");
    assert_true(n > 0 && (size_t)n < sizeof(req));
    assert_int_equal(write(c->fd, req, (size_t)n), n);
    while ((c->buf == NULL || (end = strstr(c->buf, "\r\n\r\n")) == NULL) && sse_now_ms() < deadline) {
        if (sse_fill(c, 200) < 0)
            break;
    }
    assert_non_null(c->buf);
    end = strstr(c->buf, "\r\n\r\n");
    assert_non_null(end);
    c->status = atoi(c->buf + 9);
    end += 4;
    c->len -= (size_t)(end - c->buf);
    memmove(c->buf, end, c->len + 1);
    return c->status;
}

void sse_close(sse_client *c)
{
    close(c->fd);
    free(c->buf);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

/* The next event or comment within ms: 1, 0 timeout, -1 end of stream. */
int sse_next(sse_client *c, sse_ev *e, int ms)
{
    uint64_t deadline = sse_now_ms() + (uint64_t)ms;
    char *block_end, *line, *nl;
    size_t data_len = 0;
    int rc;

    memset(e, 0, sizeof(*e));
    while (c->buf == NULL || (block_end = strstr(c->buf, "\n\n")) == NULL) {
        int left = (int)(deadline > sse_now_ms() ? deadline - sse_now_ms() : 0);
        if (left == 0)
            return 0;
        rc = sse_fill(c, left);
        if (rc < 0)
            return -1;
    }
    *block_end = '\0';
    e->data = calloc(1, (size_t)(block_end - c->buf) + 1);
    assert_non_null(e->data);
    for (line = c->buf; line != NULL && *line != '\0'; line = nl) {
        nl = strchr(line, '\n');
        if (nl != NULL)
            *nl++ = '\0';
        if (line[0] == ':')
            snprintf(e->event, sizeof(e->event), "#");
        else if (strncmp(line, "event: ", 7) == 0)
            snprintf(e->event, sizeof(e->event), "%s", line + 7);
        else if (strncmp(line, "id: ", 4) == 0)
            snprintf(e->id, sizeof(e->id), "%s", line + 4);
        else if (strncmp(line, "data: ", 6) == 0) {
            if (data_len > 0)
                e->data[data_len++] = '\n';
            memcpy(e->data + data_len, line + 6, strlen(line + 6));
            data_len += strlen(line + 6);
        }
    }
    block_end += 2;
    c->len -= (size_t)(block_end - c->buf);
    memmove(c->buf, block_end, c->len + 1);
    if (c->skip_unseen && strcmp(e->event, "unseen") == 0) {
        /* the unseen counts: not an item, no id */
        int left = (int)(deadline > sse_now_ms() ? deadline - sse_now_ms() : 0);
        sse_ev_free(e);
        return sse_next(c, e, left);
    }
    return 1;
}

/* The next item event (comments and "retry:" skipped) within ms. */
int sse_next_item(sse_client *c, sse_ev *e, int ms)
{
    uint64_t deadline = sse_now_ms() + (uint64_t)ms;
    int rc;

    for (;;) {
        int left = (int)(deadline > sse_now_ms() ? deadline - sse_now_ms() : 0);
        rc = sse_next(c, e, left);
        if (rc <= 0)
            return rc;
        if (strcmp(e->event, "#") != 0 && e->data[0] != '\0')
            return 1;
        sse_ev_free(e);
    }
}

/* The "id" member of an event's data. */
const char *sse_item_id(const sse_ev *e, char *out, size_t cap)
{
    json_t *j = json_loads(e->data, 0, NULL);
    const char *s = j != NULL ? json_string_value(json_object_get(j, "id")) : NULL;

    snprintf(out, cap, "%s", s != NULL ? s : "");
    json_decref(j);
    return out;
}
