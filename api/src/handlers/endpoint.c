/* endpoint.c: path ids and the answer to a store outage. */
#include "api/src/handlers/endpoint.h"

#include <stdio.h>

int endpoint_parse_id(slice s, int64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (s.base == NULL || s.len == 0 || s.len > 19 || s.base[0] == '0')
        return -1;
    for (i = 0; i < s.len; i++) {
        unsigned d = (unsigned char)s.base[i] - '0';
        if (d > 9)
            return -1;
        v = v * 10 + d; /* 19 digits fit in uint64_t */
    }
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int endpoint_path_id(http_request *req, const char *name, int64_t *out)
{
    char msg[96];

    if (endpoint_parse_id(http_request_param(req, name), out) == 0)
        return 0;
    snprintf(msg, sizeof(msg), "%s must be a positive integer id", name);
    http_request_respond_error(req, 400, "invalid_value", msg);
    return -1;
}

int endpoint_unavailable(http_request *req, const worker *w, metric_store store, const char *code, const char *what)
{
    static const http_request_header_out retry[] = {{"Retry-After", "1"}};

    metrics_store_error(w != NULL ? w->metrics : NULL, store);
    http_request_respond_error_headers(req, 503, code, what, retry, 1);
    return -1;
}
