/* cql_streams.c: stream-id free list and owner table. */
#include "api/src/store/cql_streams.h"

#include <stdlib.h>

int cql_streams_init(cql_streams *s, int32_t cap)
{
    s->owners = NULL;
    s->free_ids = NULL;
    s->nfree = s->cap = 0;
    if (cap < 1 || cap > CQL_STREAMS_MAX)
        return -1;
    s->owners = calloc((size_t)cap, sizeof(*s->owners));
    s->free_ids = malloc((size_t)cap * sizeof(*s->free_ids));
    if (s->owners == NULL || s->free_ids == NULL) {
        cql_streams_dispose(s);
        return -1;
    }
    /* stacked so that id 0 comes out first */
    for (int32_t i = 0; i < cap; i++)
        s->free_ids[i] = (int16_t)(cap - 1 - i);
    s->nfree = s->cap = cap;
    return 0;
}

void cql_streams_dispose(cql_streams *s)
{
    free(s->owners);
    free(s->free_ids);
    s->owners = NULL;
    s->free_ids = NULL;
    s->nfree = s->cap = 0;
}

int32_t cql_streams_alloc(cql_streams *s, void *owner)
{
    int32_t id;

    if (s->nfree == 0 || owner == NULL)
        return -1;
    id = s->free_ids[--s->nfree];
    s->owners[id] = owner;
    return id;
}

void *cql_streams_get(const cql_streams *s, int32_t id)
{
    if (id < 0 || id >= s->cap)
        return NULL;
    return s->owners[id];
}

void *cql_streams_release(cql_streams *s, int32_t id)
{
    void *owner = cql_streams_get(s, id);

    if (owner == NULL)
        return NULL;
    s->owners[id] = NULL;
    s->free_ids[s->nfree++] = (int16_t)id;
    return owner;
}
