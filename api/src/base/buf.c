/* buf.c: growable byte buffer with a hard limit.
 *
 * Growth doubles the capacity from 1 KiB and is clamped to the limit, so
 * a buffer of limit L costs at most L bytes; the doubling keeps appends
 * amortised O(1).
 */
#include "api/src/base/buf.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_MIN_CAP 1024

void buf_init(buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
}

void buf_dispose(buf *b)
{
    free(b->data);
    buf_init(b, b->limit);
}

int buf_reserve(buf *b, size_t n)
{
    size_t need, cap;
    char *data;

    if (n > SIZE_MAX - b->len) {
        errno = EMSGSIZE;
        return -1;
    }
    need = b->len + n;
    if (need <= b->cap)
        return 0;
    if (b->limit != 0 && need > b->limit) {
        errno = EMSGSIZE;
        return -1;
    }
    cap = b->cap != 0 ? b->cap : BUF_MIN_CAP;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (b->limit != 0 && cap > b->limit)
        cap = b->limit;
    data = realloc(b->data, cap);
    if (data == NULL) {
        errno = ENOMEM;
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

int buf_append(buf *b, const void *p, size_t n)
{
    if (n == 0)
        return 0;
    if (buf_reserve(b, n) != 0)
        return -1;
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int buf_append_cstr(buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_append_u64(buf *b, unsigned long long v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%llu", v);

    assert(n > 0 && (size_t)n < sizeof(tmp));
    return buf_append(b, tmp, (size_t)n);
}

void buf_drop_front(buf *b, size_t n)
{
    assert(n <= b->len);
    if (n == 0)
        return;
    if (n < b->len)
        memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}
