/* http_error.h: the JSON error body every error response carries.
 *
 *     {"error":{"code":"not_found","message":"no route for this path"}}
 *
 * code is one of the stable names of http_status_error_code (or a more
 * specific one a handler chooses); message is for humans. Both are
 * JSON-escaped here, so a message may quote anything.
 */
#ifndef API_HTTP_HTTP_ERROR_H
#define API_HTTP_HTTP_ERROR_H

#include "api/src/base/buf.h"

/* Append the error body to out. 0, or -1 (errno from buf) with out
 * unchanged. */
int http_error_body(buf *out, const char *code, const char *message);

/* Append s as the contents of a JSON string (no quotes): ", \ and
 * control characters escaped; other bytes, UTF-8 included, as they are.
 * 0, or -1 with out unchanged. */
int http_json_escape(buf *out, const char *s, size_t n);

#endif
