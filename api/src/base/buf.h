/* buf.h: a growable byte buffer with a hard size limit.
 *
 * Connections read into one and write from another. The limit is what
 * makes the server's memory per connection bounded: a buffer never grows
 * past it, whatever a peer sends or a handler answers.
 *
 * The caller owns the buf struct; the buffer owns data until buf_dispose.
 * Any call that may grow the buffer may move data, so a slice into it is
 * valid only until the next buf_reserve/buf_append on the same buffer.
 * Calls return 0, or -1 with errno set (ENOMEM, or EMSGSIZE when the
 * limit would be passed); a failed call leaves the buffer as it was.
 */
#ifndef API_BASE_BUF_H
#define API_BASE_BUF_H

#include <stddef.h>

#include "api/src/base/slice.h"

typedef struct buf {
    char *data;   /* owned; NULL until the first growth */
    size_t len;   /* bytes in use, from data[0] */
    size_t cap;   /* bytes allocated */
    size_t limit; /* never grow past this many bytes; 0: no limit */
} buf;

/* Prepare an empty buffer; allocates nothing. */
void buf_init(buf *b, size_t limit);

/* Free the data; the struct may be initialised again. */
void buf_dispose(buf *b);

/* Make room for n more bytes after len (may move data). */
int buf_reserve(buf *b, size_t n);

/* Append n bytes (a copy of p). */
int buf_append(buf *b, const void *p, size_t n);

static inline int buf_append_slice(buf *b, slice s)
{
    return buf_append(b, s.base, s.len);
}

int buf_append_cstr(buf *b, const char *s);

/* Append the decimal form of v. */
int buf_append_u64(buf *b, unsigned long long v);

/* Drop the first n bytes (n <= len), moving the rest to the front.
 * O(len - n); callers use it when little is left behind. */
void buf_drop_front(buf *b, size_t n);

/* Free bytes after len without growing. */
static inline size_t buf_space(const buf *b)
{
    return b->cap - b->len;
}

#endif
