/* json_out.c: pages of lists and error answers (see json_out.h). */
#include "api/src/handlers/json_out.h"

#include <string.h>

#include "api/src/http/http_error.h"

int json_out_page(buf *out, const char *name, const slice *items, size_t n, const char *cursor)
{
    size_t i;

    if (buf_append_cstr(out, "{\"") != 0 || http_json_escape(out, name, strlen(name)) != 0 ||
        buf_append_cstr(out, "\":[") != 0)
        return -1;
    for (i = 0; i < n; i++) {
        if ((i > 0 && buf_append_cstr(out, ",") != 0) || buf_append_slice(out, items[i]) != 0)
            return -1;
    }
    if (buf_append_cstr(out, "],\"next_cursor\":") != 0)
        return -1;
    if (cursor == NULL)
        return buf_append_cstr(out, "null}");
    if (buf_append_cstr(out, "\"") != 0 || http_json_escape(out, cursor, strlen(cursor)) != 0)
        return -1;
    return buf_append_cstr(out, "\"}");
}

int json_out_respond_error(http_request *req, const api_error *e)
{
    buf b;
    int rc;

    buf_init(&b, 0);
    if (api_error_body(&b, e) != 0) {
        buf_dispose(&b);
        return http_request_respond_error(req, 500, "internal", "out of memory");
    }
    rc = http_request_respond_json(req, e->status, slice_make(b.data, b.len));
    buf_dispose(&b);
    return rc;
}
