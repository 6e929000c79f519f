/* sse.c: Server-Sent Events framing (see sse.h). */
#include "api/src/wire/sse.h"

#include <string.h>

/* 1 when s can be a field value on one line. */
static int sse_one_line(slice s)
{
    size_t i;

    for (i = 0; i < s.len; i++) {
        if (s.base[i] == '\n' || s.base[i] == '\r' || s.base[i] == '\0')
            return 0;
    }
    return 1;
}

static int sse_field(buf *out, const char *name, slice value)
{
    return buf_append_cstr(out, name) != 0 || buf_append(out, ": ", 2) != 0 || buf_append_slice(out, value) != 0 ||
                   buf_append(out, "\n", 1) != 0
               ? -1
               : 0;
}

/* One "data:" line per line of data; CRLF, CR and LF all break. */
static int sse_data(buf *out, slice data)
{
    size_t start = 0, i = 0;

    for (;;) {
        if (i == data.len || data.base[i] == '\n' || data.base[i] == '\r') {
            if (sse_field(out, "data", slice_make(data.base + start, i - start)) != 0)
                return -1;
            if (i == data.len)
                return 0;
            if (data.base[i] == '\r' && i + 1 < data.len && data.base[i + 1] == '\n')
                i++;
            start = ++i;
            continue;
        }
        i++;
    }
}

int sse_event(buf *out, slice event, slice id, slice data)
{
    size_t mark = out->len;

    if ((event.base != NULL && (event.len == 0 || !sse_one_line(event))) || (id.base != NULL && !sse_one_line(id)))
        return -1;
    if (event.base != NULL && sse_field(out, "event", event) != 0)
        goto err;
    if (id.base != NULL && sse_field(out, "id", id) != 0)
        goto err;
    if (sse_data(out, data.base != NULL ? data : slice_make("", 0)) != 0 || buf_append(out, "\n", 1) != 0)
        goto err;
    return 0;

err:
    out->len = mark;
    return -1;
}

int sse_comment(buf *out, slice text)
{
    size_t mark = out->len;

    if (!sse_one_line(text))
        return -1;
    if (buf_append(out, ":", 1) != 0 || (text.len > 0 && buf_append(out, " ", 1) != 0) ||
        buf_append_slice(out, text) != 0 || buf_append(out, "\n\n", 2) != 0) {
        out->len = mark;
        return -1;
    }
    return 0;
}

int sse_retry(buf *out, unsigned ms)
{
    size_t mark = out->len;

    if (buf_append_cstr(out, "retry: ") != 0 || buf_append_u64(out, ms) != 0 || buf_append(out, "\n\n", 2) != 0) {
        out->len = mark;
        return -1;
    }
    return 0;
}
