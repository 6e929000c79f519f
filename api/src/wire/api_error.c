/* api_error.c: validation errors and their JSON bodies.
 *
 * The body is written with http_json_escape rather than jansson for the
 * reason http_error.c gives: the error path must not need the allocator
 * that may just have failed. Every string in the body is valid UTF-8 as
 * long as field is, which is why a long field is cut at a character
 * boundary and messages never quote client bytes.
 */
#include "api/src/wire/api_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/src/http/http_error.h"

int api_error_set(api_error *e, int status, const char *code, slice field, const char *fmt, ...)
{
    va_list ap;
    size_t n = field.len;

    e->status = status;
    e->code = code;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    if (n > API_ERROR_FIELD_MAX) {
        n = API_ERROR_FIELD_MAX;
        /* back off continuation bytes so no character is split */
        while (n > 0 && ((unsigned char)field.base[n] & 0xc0) == 0x80)
            n--;
    }
    if (n > 0)
        memcpy(e->field, field.base, n);
    e->field[n] = '\0';
    e->field_len = n;
    return -1;
}

int api_error_body(buf *out, const api_error *e)
{
    size_t mark = out->len;

    if (buf_append_cstr(out, "{\"error\":{\"code\":\"") != 0 || http_json_escape(out, e->code, strlen(e->code)) != 0 ||
        buf_append_cstr(out, "\",\"message\":\"") != 0 || http_json_escape(out, e->message, strlen(e->message)) != 0)
        goto err;
    if (e->field_len > 0 &&
        (buf_append_cstr(out, "\",\"field\":\"") != 0 || http_json_escape(out, e->field, e->field_len) != 0))
        goto err;
    if (buf_append_cstr(out, "\"}}") != 0)
        goto err;
    return 0;

err:
    out->len = mark;
    return -1;
}
