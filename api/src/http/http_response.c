/* http_response.c: response serialisation.
 *
 * Plain appends to a buf, with a rollback mark: simpler than computing
 * the exact size first, and the buffer's doubling growth makes the extra
 * reallocations rare (a connection's output buffer is reused between
 * responses).
 */
#include "api/src/http/http_response.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "api/src/http/http_status.h"

static int http_header_safe(slice s)
{
    size_t i;

    for (i = 0; i < s.len; i++) {
        if (s.base[i] == '\r' || s.base[i] == '\n' || s.base[i] == '\0')
            return 0;
    }
    return 1;
}

static int http_put_header(buf *out, const char *name, slice value)
{
    if (buf_append_cstr(out, name) != 0 || buf_append(out, ": ", 2) != 0 || buf_append_slice(out, value) != 0 ||
        buf_append(out, "\r\n", 2) != 0)
        return -1;
    return 0;
}

static int http_response_has_body(int status)
{
    return !(status < 200 || status == 204 || status == 304);
}

/* Everything but the body. */
static int http_write_head(buf *out, const http_response *r)
{
    size_t i;

    if (buf_append(out, "HTTP/1.1 ", 9) != 0 || buf_append_u64(out, (unsigned)r->status) != 0 ||
        buf_append(out, " ", 1) != 0 || buf_append_cstr(out, http_status_reason(r->status)) != 0 ||
        buf_append(out, "\r\n", 2) != 0)
        return -1;
    if (r->date != NULL && http_put_header(out, "Date", slice_make(r->date, HTTP_DATE_LEN)) != 0)
        return -1;
    if (r->content_type.len != 0 && http_put_header(out, "Content-Type", r->content_type) != 0)
        return -1;
    if (http_response_has_body(r->status) && !r->streamed &&
        (buf_append_cstr(out, "Content-Length: ") != 0 || buf_append_u64(out, r->body.len) != 0 ||
         buf_append(out, "\r\n", 2) != 0))
        return -1;
    if (r->request_id != 0 && (buf_append_cstr(out, "X-Request-Id: ") != 0 || buf_append_u64(out, r->request_id) != 0 ||
                               buf_append(out, "\r\n", 2) != 0))
        return -1;
    for (i = 0; i < r->num_headers; i++) {
        if (buf_append_slice(out, r->headers[i].name) != 0 || buf_append(out, ": ", 2) != 0 ||
            buf_append_slice(out, r->headers[i].value) != 0 || buf_append(out, "\r\n", 2) != 0)
            return -1;
    }
    if (!r->keep_alive && buf_append_cstr(out, "Connection: close\r\n") != 0)
        return -1;
    if (r->keep_alive && r->announce_keep_alive && buf_append_cstr(out, "Connection: keep-alive\r\n") != 0)
        return -1;
    return buf_append(out, "\r\n", 2);
}

int http_response_write(buf *out, const http_response *r)
{
    size_t mark = out->len, i;

    if (r->status < 100 || r->status > 999 || !http_header_safe(r->content_type) || (r->streamed && r->keep_alive)) {
        errno = EINVAL;
        return -1;
    }
    for (i = 0; i < r->num_headers; i++) {
        if (r->headers[i].name.len == 0 || !http_header_safe(r->headers[i].name) ||
            !http_header_safe(r->headers[i].value)) {
            errno = EINVAL;
            return -1;
        }
    }
    if (http_write_head(out, r) != 0)
        goto err;
    if (http_response_has_body(r->status) && !r->head_only && buf_append_slice(out, r->body) != 0)
        goto err;
    return 0;

err:
    out->len = mark;
    return -1;
}

int http_response_write_continue(buf *out)
{
    static const char line[] = "HTTP/1.1 100 Continue\r\n\r\n";

    return buf_append(out, line, sizeof(line) - 1);
}

void http_date_format(time_t t, char *out)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL) {
        memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", HTTP_DATE_LEN + 1);
        return;
    }
    snprintf(out, HTTP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday % 7], tm.tm_mday % 100,
             months[tm.tm_mon % 12], (tm.tm_year + 1900) % 10000, tm.tm_hour % 100, tm.tm_min % 100, tm.tm_sec % 100);
}
