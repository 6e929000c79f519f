/* cql_slice.h: {base, len} views of bytes, h2o style.
 *
 * The decoders never copy strings or bytes: every [string], [bytes] and
 * column value comes back as a slice into the frame buffer, valid as long
 * as the caller keeps that buffer. Slices are never NUL-terminated; print
 * them with "%.*s", (int)s.len, s.base.
 *
 * A null [bytes] (negative length) is a slice with base == NULL; an empty
 * one has a non-NULL base and len 0. cql_slice_is_null tells them apart.
 */
#ifndef CQL_SLICE_H
#define CQL_SLICE_H

#include <stddef.h>
#include <string.h>

typedef struct cql_slice {
    const char *base; /* not owned; NULL for a null value */
    size_t len;
} cql_slice;

/* A slice over a NUL-terminated string (the terminator is not included). */
static inline cql_slice cql_slice_from_cstr(const char *s)
{
    cql_slice out = {s, s != NULL ? strlen(s) : 0};
    return out;
}

static inline cql_slice cql_slice_make(const void *base, size_t len)
{
    cql_slice out = {(const char *)base, len};
    return out;
}

static inline int cql_slice_is_null(cql_slice s)
{
    return s.base == NULL;
}

/* 1 when s holds exactly the bytes of the NUL-terminated string c. */
static inline int cql_slice_eq_cstr(cql_slice s, const char *c)
{
    size_t n = strlen(c);
    return s.base != NULL && s.len == n && memcmp(s.base, c, n) == 0;
}

#endif
