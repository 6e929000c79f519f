/* pool.c: bump allocator over a list of chunks.
 *
 * An allocation larger than a quarter of the chunk size gets a chunk of
 * its own, linked behind the current one, so one big value does not
 * waste the rest of the chunk being filled. Nothing is ever freed before
 * pool_dispose; that is the point of a pool.
 */
#include "api/src/base/pool.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define POOL_DEFAULT_CHUNK 4096
#define POOL_ALIGN (sizeof(max_align_t))

struct pool_chunk {
    pool_chunk *next;
    size_t size; /* usable bytes in data */
    size_t used;
    max_align_t data[]; /* max_align_t elements keep data aligned */
};

void pool_init(pool *p, size_t chunk_size)
{
    p->chunks = NULL;
    p->chunk_size = chunk_size != 0 ? chunk_size : POOL_DEFAULT_CHUNK;
}

void pool_dispose(pool *p)
{
    pool_chunk *c = p->chunks, *next;

    while (c != NULL) {
        next = c->next;
        free(c);
        c = next;
    }
    p->chunks = NULL;
}

static pool_chunk *pool_chunk_new(size_t size)
{
    pool_chunk *c;

    if (size > SIZE_MAX - sizeof(*c)) {
        errno = ENOMEM;
        return NULL;
    }
    c = malloc(sizeof(*c) + size);
    if (c == NULL)
        return NULL;
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *pool_alloc(pool *p, size_t n)
{
    pool_chunk *c = p->chunks;
    size_t rounded;
    char *mem;

    if (n > SIZE_MAX - POOL_ALIGN) {
        errno = ENOMEM;
        return NULL;
    }
    rounded = (n + POOL_ALIGN - 1) / POOL_ALIGN * POOL_ALIGN;
    if (rounded == 0)
        rounded = POOL_ALIGN;

    if (rounded > p->chunk_size / 4) {
        /* Big: a dedicated chunk, behind the current one so that the
         * current chunk's free space stays usable. */
        pool_chunk *big = pool_chunk_new(rounded);
        if (big == NULL)
            return NULL;
        big->used = rounded;
        if (c != NULL) {
            big->next = c->next;
            c->next = big;
        } else {
            p->chunks = big;
        }
        return big->data;
    }
    if (c == NULL || c->size - c->used < rounded) {
        c = pool_chunk_new(p->chunk_size);
        if (c == NULL)
            return NULL;
        c->next = p->chunks;
        p->chunks = c;
    }
    mem = (char *)c->data + c->used;
    c->used += rounded;
    return mem;
}

char *pool_strndup(pool *p, const char *s, size_t n)
{
    char *out;

    if (n == SIZE_MAX) {
        errno = ENOMEM;
        return NULL;
    }
    out = pool_alloc(p, n + 1);
    if (out == NULL)
        return NULL;
    if (n != 0)
        memcpy(out, s, n);
    out[n] = '\0';
    return out;
}
