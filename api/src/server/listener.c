/* listener.c: address parsing and listening sockets.
 *
 * Parsing splits at the last ':' (so "[::1]:80" and "::1" inside
 * brackets work) and insists on a decimal port; resolution goes through
 * getaddrinfo with AI_PASSIVE, so ":port" means every interface.
 */
#include "api/src/server/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int listener_parse(const char *text, listener_addr *out, char *err, size_t errlen)
{
    char host[256];
    const char *colon, *port, *h;
    size_t hlen;
    struct addrinfo hints, *res = NULL;
    long p;
    char *end;
    int rc;

    colon = strrchr(text, ':');
    if (colon == NULL) {
        snprintf(err, errlen, "address '%s' has no port (want host:port)", text);
        return -1;
    }
    port = colon + 1;
    errno = 0;
    p = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || errno != 0 || p < 0 || p > 65535 || *port == '-' || *port == '+') {
        snprintf(err, errlen, "address '%s' has an invalid port", text);
        return -1;
    }
    h = text;
    hlen = (size_t)(colon - text);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen >= sizeof(host)) {
        snprintf(err, errlen, "address '%s' has a host name that is too long", text);
        return -1;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(hlen != 0 ? host : NULL, port, &hints, &res);
    if (rc != 0 || res == NULL) {
        snprintf(err, errlen, "cannot resolve '%s': %s", text, rc != 0 ? gai_strerror(rc) : "no address");
        if (res != NULL)
            freeaddrinfo(res);
        return -1;
    }
    if (res->ai_addrlen > sizeof(out->ss)) {
        freeaddrinfo(res);
        snprintf(err, errlen, "address '%s' is of an unsupported kind", text);
        return -1;
    }
    memset(out, 0, sizeof(*out));
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int listener_addr_port(const listener_addr *a)
{
    if (a->ss.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
    if (a->ss.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
    return -1;
}

void listener_addr_set_port(listener_addr *a, int port)
{
    if (a->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
    else if (a->ss.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

void listener_addr_format(const listener_addr *a, char *out, size_t outlen)
{
    char ip[INET6_ADDRSTRLEN];

    if (a->ss.ss_family == AF_INET &&
        inet_ntop(AF_INET, &((const struct sockaddr_in *)&a->ss)->sin_addr, ip, sizeof(ip)) != NULL)
        snprintf(out, outlen, "%s:%d", ip, listener_addr_port(a));
    else if (a->ss.ss_family == AF_INET6 &&
             inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, ip, sizeof(ip)) != NULL)
        snprintf(out, outlen, "[%s]:%d", ip, listener_addr_port(a));
    else
        snprintf(out, outlen, "unknown");
}

int listener_open(const listener_addr *a, int backlog, int reuseport)
{
    int fd, one = 1, saved;

    fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0)
        goto err;
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)
        goto err;
    if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0)
        goto err;
    if (listen(fd, backlog) != 0)
        goto err;
    return fd;

err:
    saved = errno;
    (void)close(fd);
    errno = saved;
    return -1;
}

int listener_bound(int fd, listener_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->ss);
    if (getsockname(fd, (struct sockaddr *)&out->ss, &out->len) != 0)
        return -1;
    return 0;
}
