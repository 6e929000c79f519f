/* slice.h: {base, len} views of bytes, h2o style.
 *
 * The HTTP parser, the router and the handlers pass strings around as
 * slices into buffers somebody else owns (usually a connection's read
 * buffer or a request's pool). A slice never owns its bytes and is never
 * assumed NUL-terminated; print one with "%.*s", (int)s.len, s.base.
 * Whoever hands a slice out says how long the bytes behind it stay valid.
 */
#ifndef API_BASE_SLICE_H
#define API_BASE_SLICE_H

#include <stddef.h>
#include <string.h>

typedef struct slice {
    const char *base; /* not owned; may be NULL when len is 0 */
    size_t len;
} slice;

static inline slice slice_make(const void *base, size_t len)
{
    slice s = {(const char *)base, len};
    return s;
}

/* A slice over a NUL-terminated string (the terminator is not included). */
static inline slice slice_from_cstr(const char *c)
{
    slice s = {c, c != NULL ? strlen(c) : 0};
    return s;
}

#define SLICE_LIT(lit) slice_make((lit), sizeof(lit) - 1)

static inline int slice_eq(slice a, slice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.base, b.base, a.len) == 0);
}

/* 1 when s holds exactly the bytes of the NUL-terminated string c. */
static inline int slice_eq_cstr(slice s, const char *c)
{
    return slice_eq(s, slice_from_cstr(c));
}

/* ASCII case-insensitive comparison (header names, tokens). */
static inline int slice_eq_nocase(slice a, slice b)
{
    size_t i;

    if (a.len != b.len)
        return 0;
    for (i = 0; i < a.len; i++) {
        unsigned char x = (unsigned char)a.base[i], y = (unsigned char)b.base[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return 0;
    }
    return 1;
}

static inline int slice_eq_nocase_cstr(slice s, const char *c)
{
    return slice_eq_nocase(s, slice_from_cstr(c));
}

#endif
