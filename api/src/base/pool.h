/* pool.h: a per-request memory pool (h2o's h2o_mem_pool_t, cut down).
 *
 * Everything a request allocates while it is handled (decoded path
 * parameters, query values, later JSON bodies and database replies) comes
 * from its pool and is freed at once when the request ends; handlers never
 * free piecemeal, so an error path cannot leak.
 *
 * The caller owns the pool struct; the pool owns its chunks until
 * pool_dispose. Allocation is a pointer bump inside a chunk; a request
 * that allocates nothing costs no malloc at all.
 */
#ifndef API_BASE_POOL_H
#define API_BASE_POOL_H

#include <stddef.h>

typedef struct pool_chunk pool_chunk;

typedef struct pool {
    pool_chunk *chunks; /* owned; newest first */
    size_t chunk_size;  /* usable bytes of an ordinary chunk */
} pool;

/* Prepare an empty pool; allocates nothing. chunk_size 0 picks 4 KiB. */
void pool_init(pool *p, size_t chunk_size);

/* Free every chunk; the pool may be used again afterwards. */
void pool_dispose(pool *p);

/* n bytes aligned for any type, valid until pool_dispose; NULL when out
 * of memory (errno ENOMEM). n == 0 returns a valid unique pointer. */
void *pool_alloc(pool *p, size_t n);

/* A NUL-terminated copy of n bytes of s; NULL when out of memory. */
char *pool_strndup(pool *p, const char *s, size_t n);

#endif
