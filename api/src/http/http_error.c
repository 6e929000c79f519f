/* http_error.c: JSON error bodies without a JSON library.
 *
 * jansson would do, but the error path must work when memory is short,
 * so this appends to the response buffer directly and needs nothing
 * else; on failure the buffer is rolled back to where it was.
 */
#include "api/src/http/http_error.h"

#include <stdio.h>
#include <string.h>

int http_json_escape(buf *out, const char *s, size_t n)
{
    size_t mark = out->len, i, run = 0;
    char esc[8];

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;

        if (c == '"')
            rep = "\\\"";
        else if (c == '\\')
            rep = "\\\\";
        else if (c == '\n')
            rep = "\\n";
        else if (c == '\r')
            rep = "\\r";
        else if (c == '\t')
            rep = "\\t";
        else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof(esc), "\\u%04x", c);
            rep = esc;
        }
        if (rep == NULL) {
            run++;
            continue;
        }
        /* Flush the plain run before the escape. */
        if (buf_append(out, s + i - run, run) != 0 || buf_append_cstr(out, rep) != 0)
            goto err;
        run = 0;
    }
    if (buf_append(out, s + n - run, run) != 0)
        goto err;
    return 0;

err:
    out->len = mark;
    return -1;
}

int http_error_body(buf *out, const char *code, const char *message)
{
    size_t mark = out->len;

    if (buf_append_cstr(out, "{\"error\":{\"code\":\"") != 0 || http_json_escape(out, code, strlen(code)) != 0 ||
        buf_append_cstr(out, "\",\"message\":\"") != 0 || http_json_escape(out, message, strlen(message)) != 0 ||
        buf_append_cstr(out, "\"}}") != 0) {
        out->len = mark;
        return -1;
    }
    return 0;
}
