/* cql_streams.h: stream ids of one CQL connection.
 *
 * Protocol v4 gives each request a stream id in 0..32767 and answers on
 * the same id, in any order; that is what lets many requests share one
 * connection. A slot table maps an id in use to its owner (the request),
 * and a stack of free ids hands them out in O(1). Freed ids go on top of
 * the stack and are reused first, so a lightly loaded connection keeps
 * using a few low ids (their table slots stay hot in cache).
 *
 * An id must not be reused before the server has answered on it, even if
 * the request was abandoned (timed out): a late answer would otherwise be
 * taken for the new request's. The client therefore releases an id only
 * when its answer arrives or the connection is closed.
 *
 * The caller owns the struct; init allocates the two tables, dispose
 * frees them. Owners are borrowed pointers.
 */
#ifndef API_STORE_CQL_STREAMS_H
#define API_STORE_CQL_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#define CQL_STREAMS_MAX 32768

typedef struct cql_streams {
    void **owners;     /* cap slots; NULL when the id is free */
    int16_t *free_ids; /* stack of free ids, top at nfree - 1 */
    int32_t nfree;
    int32_t cap; /* ids 0..cap-1 */
} cql_streams;

/* Ids 0..cap-1 (cap in 1..CQL_STREAMS_MAX). 0, or -1 (bad cap, no memory). */
int cql_streams_init(cql_streams *s, int32_t cap);

void cql_streams_dispose(cql_streams *s);

/* Take a free id for owner (not NULL). The id, or -1 when all are in use. */
int32_t cql_streams_alloc(cql_streams *s, void *owner);

/* The owner of id, or NULL if id is out of range or free (a server
 * answering on an id we did not use). */
void *cql_streams_get(const cql_streams *s, int32_t id);

/* Free id (in use) and return its owner; NULL if it was not in use. */
void *cql_streams_release(cql_streams *s, int32_t id);

static inline int32_t cql_streams_in_use(const cql_streams *s)
{
    return s->cap - s->nfree;
}

#endif
