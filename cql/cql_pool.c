/* cql_pool.c: bump allocator over a list of malloc'd chunks.
 *
 * Allocations come from the newest chunk; when it is full a new chunk of
 * CQL_POOL_CHUNK bytes (or of the request's size, for a big one) is put
 * in front. Clearing keeps the oldest chunk, so a connection that decodes
 * one response after another reaches a steady state with no malloc at all
 * for the common small result.
 */
#include "cql/cql_pool.h"

#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CQL_POOL_CHUNK 8192

struct cql_pool_chunk {
    struct cql_pool_chunk *next;
    size_t size; /* usable bytes in data */
    alignas(max_align_t) unsigned char data[];
};

void cql_pool_init(cql_pool *pool)
{
    pool->chunks = NULL;
    pool->used = 0;
    pool->allocated = 0;
}

/* Put a chunk with at least need usable bytes in front. */
static int cql_pool_grow(cql_pool *pool, size_t need)
{
    size_t size = need > CQL_POOL_CHUNK ? need : CQL_POOL_CHUNK;
    struct cql_pool_chunk *chunk;

    if (size > SIZE_MAX - sizeof(*chunk))
        return -1;
    chunk = malloc(sizeof(*chunk) + size);
    if (chunk == NULL)
        return -1;
    chunk->next = pool->chunks;
    chunk->size = size;
    pool->chunks = chunk;
    pool->used = 0;
    pool->allocated += size;
    return 0;
}

void *cql_pool_alloc(cql_pool *pool, size_t size)
{
    const size_t align = alignof(max_align_t);
    size_t rounded;
    void *p;

    if (size > SIZE_MAX - align)
        return NULL;
    rounded = (size + align - 1) & ~(align - 1);
    if (rounded == 0)
        rounded = align;
    if (pool->chunks == NULL || pool->chunks->size - pool->used < rounded) {
        if (cql_pool_grow(pool, rounded) != 0)
            return NULL;
    }
    p = pool->chunks->data + pool->used;
    pool->used += rounded;
    assert(pool->used <= pool->chunks->size);
    memset(p, 0, size);
    return p;
}

void *cql_pool_alloc_array(cql_pool *pool, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return cql_pool_alloc(pool, n * size);
}

void cql_pool_clear(cql_pool *pool)
{
    struct cql_pool_chunk *chunk = pool->chunks;

    if (chunk == NULL)
        return;
    while (chunk->next != NULL) {
        struct cql_pool_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    pool->chunks = chunk;
    pool->used = 0;
    pool->allocated = chunk->size;
}

void cql_pool_dispose(cql_pool *pool)
{
    struct cql_pool_chunk *chunk = pool->chunks;

    while (chunk != NULL) {
        struct cql_pool_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    cql_pool_init(pool);
}
