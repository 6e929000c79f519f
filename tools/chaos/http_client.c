/* http_client.c: the chaos driver's classified requests over httpclient
 * (see http_client.h); the transport and the parser are the library's. */
#include "tools/chaos/http_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_init(hc_conn *c, const char *host, int port, int timeout_ms)
{
    httpc_config cfg;

    httpc_config_init(&cfg);
    if (timeout_ms > 0)
        cfg.connect_timeout_ms = cfg.io_timeout_ms = timeout_ms;
    httpc_init(c, host, port, &cfg);
}

int hc_parse_url(const char *url, char *host, size_t hostlen, int *port)
{
    const char *p = url, *colon, *end;
    long v;
    char *stop;

    if (strncmp(p, "http://", 7) == 0)
        p += 7;
    colon = strchr(p, ':');
    if (colon == NULL || colon == p || (size_t)(colon - p) >= hostlen)
        return -1;
    v = strtol(colon + 1, &stop, 10);
    end = stop;
    if (end == colon + 1 || v < 1 || v > 65535 || (*end != '\0' && *end != '/'))
        return -1;
    snprintf(host, hostlen, "%.*s", (int)(colon - p), p);
    *port = (int)v;
    return 0;
}

void hc_close(hc_conn *c)
{
    httpc_close(c);
}

int hc_request(hc_conn *c, const char *method, const char *path, const char *headers, const char *body, size_t body_len,
               hc_response *r)
{
    char *head;
    int rc;

    memset(r, 0, sizeof *r);
    if (asprintf(&head, "User-Agent: feed-chaos\r\nAccept: application/json\r\n%s%s", headers != NULL ? headers : "",
                 body != NULL ? "Content-Type: application/json\r\n" : "") < 0) {
        httpc_close(c);
        snprintf(c->errstr, sizeof c->errstr, "%s:%d: out of memory for the request", c->host, c->port);
        return HC_ERR_CONNECT;
    }
    /* always a Content-Length, 0 without a body */
    rc = httpc_request(c, method, path, head, body != NULL ? body : "", body != NULL ? body_len : 0, r);
    free(head);
    if (rc == HTTPC_OK)
        return HC_OK;
    return c->sent ? HC_ERR_IO : HC_ERR_CONNECT;
}

const char *hc_header(const hc_response *r, const char *name, char *out, size_t outlen)
{
    return httpc_header_copy(r, name, out, outlen);
}

void hc_response_free(hc_response *r)
{
    httpc_response_free(r);
}
