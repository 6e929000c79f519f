/* http_uri.h: percent-decoding and query-string parsing.
 *
 * Both work on slices and never allocate: decoding writes into a buffer
 * the caller provides (decoded text is never longer than its input, so
 * a buffer of in.len bytes always suffices), and the query iterator
 * returns raw slices of the query for the caller to decode if it wants.
 *
 * Decoding rejects a '%' not followed by two hex digits and a decoded
 * NUL byte (%00): nothing in this API needs either, and a NUL in a path
 * parameter is a classic way to truncate a string further down.
 */
#ifndef API_HTTP_HTTP_URI_H
#define API_HTTP_HTTP_URI_H

#include <stddef.h>

#include "api/src/base/slice.h"

#define HTTP_URI_OK 0
#define HTTP_URI_BAD_ESCAPE (-1) /* '%' not followed by two hex digits */
#define HTTP_URI_NUL (-2)        /* %00 */
#define HTTP_URI_NO_SPACE (-3)   /* out_cap < in.len */

/* Decode %XX escapes of in into out (out_cap bytes, at least in.len).
 * plus_is_space: decode '+' as ' ' (query strings, form encoding); in a
 * path '+' is an ordinary character. On success *out_len is the decoded
 * length; out is not NUL-terminated. out may equal in.base (in place). */
int http_percent_decode(slice in, char *out, size_t out_cap, size_t *out_len, int plus_is_space);

/* The path flavour: '+' stays '+'. */
static inline int http_path_decode(slice in, char *out, size_t out_cap, size_t *out_len)
{
    return http_percent_decode(in, out, out_cap, out_len, 0);
}

/* Iterate over the key=value pairs of a raw query string:
 *
 *     slice rest = msg->query, key, value;
 *     while (http_query_next(&rest, &key, &value)) ...
 *
 * Pairs are separated by '&'; empty pairs are skipped; a pair without
 * '=' has an empty value. key and value are raw (still encoded). */
int http_query_next(slice *rest, slice *key, slice *value);

/* 1 when raw decodes to exactly the bytes of want; 0 otherwise,
 * including when raw's encoding is malformed. Allocates nothing. */
int http_decoded_equals(slice raw, slice want, int plus_is_space);

/* 1 when the raw (encoded) query key decodes to name. */
static inline int http_query_key_is(slice raw_key, const char *name)
{
    return http_decoded_equals(raw_key, slice_from_cstr(name), 1);
}

/* Find the first pair whose key decodes to name and decode its value
 * into out (out_cap bytes). Returns 1 and sets *value (a slice of out)
 * when found, 0 when absent, or a negative HTTP_URI_ error when the
 * value is malformed or does not fit. */
int http_query_get(slice query, const char *name, char *out, size_t out_cap, slice *value);

#endif
