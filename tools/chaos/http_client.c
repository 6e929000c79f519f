/* http_client.c: blocking HTTP/1.1 client (see http_client.h).
 *
 * Deliberately simple: one request in flight per connection, poll() for
 * every wait so that a dead server costs at most timeout_ms, no TLS, no
 * redirects. Parsing works on the whole buffered bytes each time more
 * arrive; responses here are small (API pages, Flink REST documents). */
#include "tools/chaos/http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HC_MAX_RESPONSE (64u * 1024 * 1024)

void hc_init(hc_conn *c, const char *host, int port, int timeout_ms) {
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "%s", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host);
    c->port = port;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
    c->fd = -1;
}

int hc_parse_url(const char *url, char *host, size_t hostlen, int *port) {
    const char *p = url, *colon, *end;
    long v;
    char *stop;

    if (strncmp(p, "http://", 7) == 0) p += 7;
    colon = strchr(p, ':');
    if (colon == NULL || colon == p || (size_t)(colon - p) >= hostlen) return -1;
    v = strtol(colon + 1, &stop, 10);
    end = stop;
    if (end == colon + 1 || v < 1 || v > 65535 || (*end != '\0' && *end != '/')) return -1;
    snprintf(host, hostlen, "%.*s", (int)(colon - p), p);
    *port = (int)v;
    return 0;
}

void hc_close(hc_conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
}

static int hc_fail(hc_conn *c, int code, const char *what) {
    snprintf(c->err, sizeof c->err, "%s %s:%d: %s", what, c->host, c->port,
             errno != 0 ? strerror(errno) : "connection closed");
    hc_close(c);
    return code;
}

/* hc_open: a non-blocking connect bounded by timeout_ms, then blocking. */
static int hc_open(hc_conn *c) {
    struct sockaddr_in sa;
    struct pollfd pfd;
    int one = 1, soerr = 0, rc;
    socklen_t sl = sizeof soerr;

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)c->port);
    errno = 0;
    if (inet_pton(AF_INET, c->host, &sa.sin_addr) != 1) {
        errno = EINVAL;
        return hc_fail(c, HC_ERR_CONNECT, "bad address");
    }
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (c->fd < 0) return hc_fail(c, HC_ERR_CONNECT, "socket");
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    rc = connect(c->fd, (struct sockaddr *)&sa, sizeof sa);
    if (rc != 0 && errno != EINPROGRESS) return hc_fail(c, HC_ERR_CONNECT, "connect");
    if (rc != 0) {
        pfd.fd = c->fd;
        pfd.events = POLLOUT;
        pfd.revents = 0;
        rc = poll(&pfd, 1, c->timeout_ms);
        if (rc == 0) {
            errno = ETIMEDOUT;
            return hc_fail(c, HC_ERR_CONNECT, "connect");
        }
        if (rc < 0 || getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0) return hc_fail(c, HC_ERR_CONNECT, "connect");
        if (soerr != 0) {
            errno = soerr;
            return hc_fail(c, HC_ERR_CONNECT, "connect");
        }
    }
    return HC_OK;
}

/* hc_idle_closed: a kept-alive connection the server has closed (or that
 * holds unexpected bytes) is not reused. */
static int hc_idle_closed(hc_conn *c) {
    struct pollfd pfd = {c->fd, POLLIN, 0};
    return poll(&pfd, 1, 0) != 0 || c->len != 0;
}

static int hc_send_all(hc_conn *c, const char *p, size_t n) {
    struct pollfd pfd;
    ssize_t w;

    while (n > 0) {
        w = send(c->fd, p, n, MSG_NOSIGNAL);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            pfd.fd = c->fd;
            pfd.events = POLLOUT;
            pfd.revents = 0;
            if (poll(&pfd, 1, c->timeout_ms) > 0) continue;
            errno = ETIMEDOUT;
        }
        return -1;
    }
    return 0;
}

/* hc_fill: read more bytes (waiting at most timeout_ms): >0, 0 at EOF, -1. */
static ssize_t hc_fill(hc_conn *c) {
    struct pollfd pfd = {c->fd, POLLIN, 0};
    ssize_t n;
    int rc;

    if (c->cap - c->len < 16384) {
        size_t ncap = c->cap == 0 ? 65536 : c->cap * 2;
        char *nb;
        if (ncap > HC_MAX_RESPONSE) {
            errno = EMSGSIZE;
            return -1;
        }
        nb = realloc(c->buf, ncap);
        if (nb == NULL) return -1;
        c->buf = nb;
        c->cap = ncap;
    }
    do rc = poll(&pfd, 1, c->timeout_ms);
    while (rc < 0 && errno == EINTR);
    if (rc == 0) errno = ETIMEDOUT;
    if (rc <= 0) return -1;
    do n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) c->len += (size_t)n;
    if (n == 0) errno = 0;
    return n;
}

static const char *hc_memfind(const char *hay, size_t len, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0) return hay + i;
    return NULL;
}

const char *hc_header(const hc_response *r, const char *name, char *out, size_t outlen) {
    const char *p = r->head != NULL ? strstr(r->head, "\r\n") : NULL;
    size_t n = strlen(name);

    out[0] = '\0';
    while (p != NULL && p[2] != '\0') {
        const char *line = p + 2, *end = strstr(line, "\r\n");
        if (end == NULL) end = line + strlen(line);
        if ((size_t)(end - line) > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ' || *v == '\t') v++;
            snprintf(out, outlen, "%.*s", (int)(end - v), v);
            return out;
        }
        p = *end != '\0' ? end : NULL;
    }
    return out;
}

/* hc_dechunk: decode a chunked body starting at p; 0 done (*used set,
 * body appended to out), 1 need more, -1 malformed. */
static int hc_dechunk(const char *p, size_t len, char **out, size_t *outlen, size_t *used) {
    size_t off = 0, total = 0;
    char *body = NULL;

    for (;;) {
        const char *eol = hc_memfind(p + off, len - off, "\r\n");
        char *stop;
        unsigned long size;
        if (eol == NULL) goto more;
        size = strtoul(p + off, &stop, 16);
        if (stop == p + off) goto bad;
        off = (size_t)(eol - p) + 2;
        if (size == 0) {
            const char *end = hc_memfind(p + off, len - off, "\r\n"); /* no trailers expected */
            if (end == NULL) goto more;
            *used = (size_t)(end - p) + 2;
            if (body == NULL && (body = malloc(1)) == NULL) return -1;
            body[total] = '\0';
            *out = body;
            *outlen = total;
            return 0;
        }
        if (size > HC_MAX_RESPONSE || len - off < size + 2) goto more;
        {
            char *nb = realloc(body, total + size + 1);
            if (nb == NULL) goto bad;
            body = nb;
        }
        memcpy(body + total, p + off, size);
        total += size;
        off += size + 2;
    }
more:
    free(body);
    return 1;
bad:
    free(body);
    return -1;
}

int hc_parse_response(const char *buf, size_t len, hc_response *r, size_t *consumed) {
    const char *end = hc_memfind(buf, len, "\r\n\r\n");
    size_t head_len, want = 0;
    char v[64];
    int status;

    memset(r, 0, sizeof *r);
    if (end == NULL) return len > 65536 ? -1 : 1;
    head_len = (size_t)(end - buf) + 4;
    if (sscanf(buf, "HTTP/1.%*1[01] %3d", &status) != 1 || status < 100) return -1;
    r->head = strndup(buf, head_len);
    if (r->head == NULL) return -1;
    r->status = status;
    if (strcasecmp(hc_header(r, "Transfer-Encoding", v, sizeof v), "chunked") == 0) {
        size_t used;
        int rc = hc_dechunk(buf + head_len, len - head_len, &r->body, &r->body_len, &used);
        if (rc != 0) {
            hc_response_free(r);
            return rc;
        }
        *consumed = head_len + used;
        return 0;
    }
    if (hc_header(r, "Content-Length", v, sizeof v)[0] != '\0') {
        char *stop;
        unsigned long long n = strtoull(v, &stop, 10);
        if (stop == v || *stop != '\0' || n > HC_MAX_RESPONSE) {
            hc_response_free(r);
            return -1;
        }
        want = (size_t)n;
    }
    if (status == 204 || status == 304 || status < 200) want = 0;
    if (len - head_len < want) {
        hc_response_free(r);
        return 1;
    }
    r->body = malloc(want + 1);
    if (r->body == NULL) {
        hc_response_free(r);
        return -1;
    }
    memcpy(r->body, buf + head_len, want);
    r->body[want] = '\0';
    r->body_len = want;
    *consumed = head_len + want;
    return 0;
}

void hc_response_free(hc_response *r) {
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}

int hc_request(hc_conn *c, const char *method, const char *path, const char *headers, const char *body,
               size_t body_len, hc_response *r) {
    char *req;
    int n, rc;
    size_t consumed;

    memset(r, 0, sizeof *r);
    if (c->fd >= 0 && hc_idle_closed(c)) hc_close(c);
    if (c->fd < 0 && (rc = hc_open(c)) != HC_OK) return rc;
    n = asprintf(&req,
                 "%s %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: feed-chaos\r\nAccept: application/json\r\n"
                 "%s%sContent-Length: %zu\r\n\r\n",
                 method, path, c->host, c->port, headers != NULL ? headers : "",
                 body != NULL ? "Content-Type: application/json\r\n" : "", body != NULL ? body_len : (size_t)0);
    if (n < 0) return hc_fail(c, HC_ERR_CONNECT, "out of memory for");
    errno = 0;
    rc = hc_send_all(c, req, (size_t)n);
    free(req);
    if (rc == 0 && body != NULL && body_len > 0) rc = hc_send_all(c, body, body_len);
    if (rc != 0) return hc_fail(c, HC_ERR_IO, "send to");
    for (;;) {
        ssize_t got;
        rc = c->len > 0 ? hc_parse_response(c->buf, c->len, r, &consumed) : 1;
        if (rc == 0) break;
        if (rc < 0) {
            errno = EPROTO;
            return hc_fail(c, HC_ERR_IO, "malformed response from");
        }
        got = hc_fill(c);
        if (got <= 0) return hc_fail(c, HC_ERR_IO, "read from");
    }
    memmove(c->buf, c->buf + consumed, c->len - consumed);
    c->len -= consumed;
    {
        char conn[32];
        if (strcasecmp(hc_header(r, "Connection", conn, sizeof conn), "close") == 0) {
            hc_close(c);
        }
    }
    return HC_OK;
}
