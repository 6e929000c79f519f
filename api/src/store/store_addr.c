/* store_addr.c: "host:port" lists of the configuration. */
#include "api/src/store/store_addr.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static int store_addr_port(const char *p, size_t n, int *out)
{
    int v = 0;

    if (n == 0 || n > 5)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    if (v < 1 || v > 65535)
        return -1;
    *out = v;
    return 0;
}

int store_addr_parse(const char *text, size_t len, int default_port, store_addr *out)
{
    const char *host, *colon = NULL;
    size_t hlen;

    while (len > 0 && (*text == ' ' || *text == '\t')) {
        text++;
        len--;
    }
    while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    out->port = default_port;
    if (len > 0 && text[0] == '[') {
        const char *close = memchr(text, ']', len);
        if (close == NULL)
            return -1;
        host = text + 1;
        hlen = (size_t)(close - host);
        if (close + 1 < text + len) {
            if (close[1] != ':')
                return -1;
            colon = close + 1;
        }
    } else {
        host = text;
        colon = memchr(text, ':', len);
        if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon + 1 - text)) != NULL)
            return -1; /* a bare IPv6 literal: ambiguous, brackets required */
        hlen = colon != NULL ? (size_t)(colon - text) : len;
    }
    if (hlen == 0 || hlen >= sizeof(out->host))
        return -1;
    if (colon != NULL && store_addr_port(colon + 1, len - (size_t)(colon + 1 - text), &out->port) != 0)
        return -1;
    if (out->port < 1 || out->port > 65535)
        return -1;
    memcpy(out->host, host, hlen);
    out->host[hlen] = '\0';
    return 0;
}

int store_addr_list_get(const char *list, size_t index, int default_port, store_addr *out)
{
    const char *p = list;

    if (list == NULL)
        return -1;
    for (size_t i = 0; i < index; i++) {
        p = strchr(p, ',');
        if (p == NULL)
            return -1;
        p++;
    }
    const char *end = strchr(p, ',');
    return store_addr_parse(p, end != NULL ? (size_t)(end - p) : strlen(p), default_port, out);
}

int store_addr_resolve(store_addr *a)
{
    struct addrinfo hints = {0}, *res = NULL;
    char numeric[STORE_ADDR_HOST_MAX];
    int rc;

    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    if (getaddrinfo(a->host, NULL, &hints, &res) != 0 || res == NULL)
        return -1;
    rc = getnameinfo(res->ai_addr, res->ai_addrlen, numeric, sizeof(numeric), NULL, 0, NI_NUMERICHOST);
    freeaddrinfo(res);
    if (rc != 0)
        return -1;
    snprintf(a->host, sizeof(a->host), "%s", numeric);
    return 0;
}
