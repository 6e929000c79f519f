/* bench_http.c: Flink REST requests over httpclient (bench_http.h). */
#include "bench/bench_http.h"

#include <stdio.h>
#include <string.h>

#include "lib/http_client/http_client.h"

int bench_http_get(const char *host, int port, const char *path, int timeout_ms, int *status, char **body,
                   size_t *body_len, char *err, size_t errlen)
{
    return bench_http_request(host, port, "GET", path, NULL, timeout_ms, status, body, body_len, err, errlen);
}

int bench_http_request(const char *host, int port, const char *method, const char *path, const char *json,
                       int timeout_ms, int *status, char **body, size_t *body_len, char *err, size_t errlen)
{
    httpc_config cfg;
    httpc_conn c;
    httpc_response r;

    *body = NULL;
    httpc_config_init(&cfg);
    cfg.connect_timeout_ms = cfg.io_timeout_ms = cfg.request_timeout_ms = timeout_ms;
    httpc_init(&c, host, port, &cfg);
    if (httpc_request(&c, method, path,
                      json != NULL
                          ? "Connection: close\r\nAccept: application/json\r\nContent-Type: application/json\r\n"
                          : "Connection: close\r\nAccept: application/json\r\n",
                      json, json != NULL ? strlen(json) : 0, &r) != HTTPC_OK) {
        snprintf(err, errlen, "%s", c.errstr);
        httpc_close(&c);
        return -1;
    }
    *status = r.status;
    *body = r.body; /* taken from the response: the caller frees it */
    *body_len = r.body_len;
    r.body = NULL;
    httpc_response_free(&r);
    httpc_close(&c);
    return 0;
}
