/* cql_pool.h: a bump allocator whose allocations are freed together.
 *
 * The response decoder needs a little memory per response (column specs,
 * type trees, warning lists) and all of it dies with the response, so it
 * takes it from a pool the caller owns and clears after use (h2o's
 * per-request pools). The caller owns the cql_pool struct itself; init
 * never allocates it (libuv style).
 */
#ifndef CQL_POOL_H
#define CQL_POOL_H

#include <stddef.h>

struct cql_pool_chunk;

typedef struct cql_pool {
    struct cql_pool_chunk *chunks; /* newest first; owned by the pool */
    size_t used;                   /* bytes used in chunks->data */
    size_t allocated;              /* sum of chunk sizes, for limits/tests */
} cql_pool;

/* Prepare an empty pool. Never fails, allocates nothing. */
void cql_pool_init(cql_pool *pool);

/* Return size bytes aligned for any type, zeroed, or NULL when out of
 * memory (the pool is unchanged then). The memory belongs to the pool and
 * stays valid until cql_pool_clear or cql_pool_dispose. size 0 returns a
 * valid unique pointer. */
void *cql_pool_alloc(cql_pool *pool, size_t size);

/* Like cql_pool_alloc for an array of n elements of size each; NULL when
 * n * size overflows as well. */
void *cql_pool_alloc_array(cql_pool *pool, size_t n, size_t size);

/* Free every allocation but keep the first chunk for reuse. */
void cql_pool_clear(cql_pool *pool);

/* Free everything; the pool may be initialised again. */
void cql_pool_dispose(cql_pool *pool);

#endif
