/* api_error.h: a client error of the feed endpoints, before it is sent.
 *
 * Validation code fills one of these; the handler turns it into the
 * answer with api_error_body:
 *
 *     {"error":{"code":"unknown_field","message":"...","field":"nick"}}
 *
 * ("field" only when the error is about one). The struct is the
 * caller's, usually on the stack, and owns its text: code points to a
 * static string, message and field are inline copies, so it outlives the
 * body or query it describes. field is a JSON member or query parameter
 * name as the client sent it (valid UTF-8, possibly with control
 * characters; cut at a character boundary past API_ERROR_FIELD_MAX).
 */
#ifndef API_WIRE_API_ERROR_H
#define API_WIRE_API_ERROR_H

#include <stddef.h>

#include "api/src/base/buf.h"
#include "api/src/base/slice.h"

#define API_ERROR_FIELD_MAX 64
#define API_ERROR_MESSAGE_MAX 160

typedef struct api_error {
    int status;                          /* 400, 401, 413 */
    const char *code;                    /* static: "invalid_type", ... */
    char message[API_ERROR_MESSAGE_MAX]; /* NUL-terminated */
    char field[API_ERROR_FIELD_MAX + 1]; /* field_len bytes, NUL-terminated */
    size_t field_len;                    /* 0: no field */
} api_error;

/* Fill e. field may be empty (no field); it is copied, and cut at a
 * UTF-8 character boundary when longer than API_ERROR_FIELD_MAX.
 * fmt/... make the message (cut to fit). Returns -1, so that a validator
 * can end with `return api_error_set(...)`. */
int api_error_set(api_error *e, int status, const char *code, slice field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Append the JSON error body of e to out. 0, or -1 with out unchanged. */
int api_error_body(buf *out, const api_error *e);

#endif
