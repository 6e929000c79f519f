/* bench_http.c: blocking HTTP/1.1 GET and a response parser.
 *
 * The socket is blocking with SO_RCVTIMEO/SO_SNDTIMEO at the time left;
 * good enough for a benchmark's side channel to a local server (a stalled
 * server costs at most timeout_ms per call plus one syscall's slack).
 */
#include "bench/bench_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define BENCH_HTTP_MAX (64u * 1024u * 1024u)

/* Find needle in hay[0..len), case-insensitively; NULL if absent. */
static const char *bench_memcasestr(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);

    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* Decode a chunked body in[0..len) into out (at least len + 1 bytes). */
static int bench_dechunk(const char *in, size_t len, char *out, size_t *out_len)
{
    size_t pos = 0, w = 0;

    for (;;) {
        char *end;
        unsigned long size;
        const char *eol;

        if (pos >= len)
            return -1;
        size = strtoul(in + pos, &end, 16);
        if (end == in + pos)
            return -1;
        eol = memchr(in + pos, '\n', len - pos);
        if (eol == NULL)
            return -1;
        pos = (size_t)(eol - in) + 1;
        if (size == 0)
            break;
        if (size > len - pos)
            return -1;
        memcpy(out + w, in + pos, size);
        w += size;
        pos += size;
        if (pos + 2 <= len && in[pos] == '\r' && in[pos + 1] == '\n')
            pos += 2;
        else if (pos + 1 <= len && in[pos] == '\n')
            pos += 1;
        else
            return -1;
    }
    *out_len = w;
    return 0;
}

int bench_http_parse(const char *raw, size_t len, int *status, char **body, size_t *body_len, char *err,
                     size_t errlen)
{
    const char *hdr_end = NULL, *p, *start;
    size_t hlen, blen;
    char *out;
    int minor;

    *body = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (memcmp(raw + i, "\r\n\r\n", 4) == 0) {
            hdr_end = raw + i;
            break;
        }
    if (hdr_end == NULL || len < 12 || sscanf(raw, "HTTP/1.%d %d", &minor, status) != 2) {
        snprintf(err, errlen, "not a complete HTTP response (%zu bytes)", len);
        return -1;
    }
    hlen = (size_t)(hdr_end - raw);
    start = hdr_end + 4;
    blen = len - (size_t)(start - raw);
    out = malloc(blen + 1);
    if (out == NULL) {
        snprintf(err, errlen, "out of memory for a %zu-byte body", blen);
        return -1;
    }
    p = bench_memcasestr(raw, hlen, "\ntransfer-encoding:");
    if (p != NULL && bench_memcasestr(p, hlen - (size_t)(p - raw), "chunked") != NULL) {
        if (bench_dechunk(start, blen, out, &blen) != 0) {
            free(out);
            snprintf(err, errlen, "bad chunked body");
            return -1;
        }
    } else {
        p = bench_memcasestr(raw, hlen, "\ncontent-length:");
        if (p != NULL) {
            unsigned long long cl = strtoull(p + 16, NULL, 10);
            if (cl > blen) {
                free(out);
                snprintf(err, errlen, "body truncated: %zu of %llu bytes", blen, cl);
                return -1;
            }
            blen = (size_t)cl;
        }
        memcpy(out, start, blen);
    }
    out[blen] = '\0';
    *body = out;
    *body_len = blen;
    return 0;
}

static void bench_set_timeout(int fd, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};

    (void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

int bench_http_get(const char *host, int port, const char *path, int timeout_ms, int *status, char **body,
                   size_t *body_len, char *err, size_t errlen)
{
    return bench_http_request(host, port, "GET", path, NULL, timeout_ms, status, body, body_len, err, errlen);
}

int bench_http_request(const char *host, int port, const char *method, const char *path, const char *json,
                       int timeout_ms, int *status, char **body, size_t *body_len, char *err, size_t errlen)
{
    struct sockaddr_in sa = {0};
    char req[1024], *raw = NULL;
    size_t len = 0, cap = 0;
    int fd, n, rc = -1, one = 1;

    *body = NULL;
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        snprintf(err, errlen, "%s: only numeric IPv4 addresses are supported", host);
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return -1;
    }
    bench_set_timeout(fd, timeout_ms);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "connect %s:%d: %s", host, port, strerror(errno));
        goto out;
    }
    if (json != NULL)
        n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\nAccept: application/json\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     method, path, host, port, strlen(json), json);
    else
        n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\nAccept: application/json\r\n\r\n",
                     method, path, host, port);
    if (n < 0 || (size_t)n >= sizeof req) {
        snprintf(err, errlen, "request too long");
        goto out;
    }
    if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        snprintf(err, errlen, "send: %s", strerror(errno));
        goto out;
    }
    for (;;) {
        ssize_t got;
        if (cap - len < 65536) {
            char *grown;
            cap = cap ? cap * 2 : 131072;
            if (cap > BENCH_HTTP_MAX || (grown = realloc(raw, cap)) == NULL) {
                snprintf(err, errlen, "response too large");
                goto out;
            }
            raw = grown;
        }
        got = recv(fd, raw + len, cap - len, 0);
        if (got > 0) {
            len += (size_t)got;
        } else if (got == 0) {
            break;
        } else if (errno != EINTR) {
            snprintf(err, errlen, "recv from %s:%d: %s", host, port, strerror(errno));
            goto out;
        }
    }
    rc = bench_http_parse(raw, len, status, body, body_len, err, errlen);
out:
    free(raw);
    close(fd);
    return rc;
}
