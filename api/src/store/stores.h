/* stores.h: one worker's set of store clients, from the configuration.
 *
 * What a worker thread opens on its loop at start-up and closes in its
 * on_exit hook (closing fails whatever is pending, which answers and so
 * frees requests the server abandoned). Any of the three may be left out
 * (its address NULL): that client's pointer stays NULL.
 *
 * stores_open resolves host names once (blocking: call it at start-up,
 * not on a request path); reconnections later reuse the numeric address.
 * Cassandra: one connection per loop, to the first contact point, moving
 * to the next one of the list whenever a connection fails (cql_client.h).
 *
 * Ownership: the caller owns the stores struct; it owns the clients it
 * opened until stores_close. The config's strings are copied by the
 * clients.
 */
#ifndef API_STORE_STORES_H
#define API_STORE_STORES_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/loop/loop.h"
#include "api/src/store/cql_client.h"
#include "api/src/store/pg_client.h"
#include "api/src/store/redis_client.h"

typedef struct stores_config {
    const char *pg_dsn;             /* libpq conninfo, or NULL */
    const char *redis_addr;         /* "host[:port]" (6379), or NULL */
    const char *cassandra;          /* "host[:port],..." (9042), or NULL */
    const char *cassandra_keyspace; /* NULL: none */
    uint16_t cassandra_consistency; /* of the feed reads; 0: ONE */
    unsigned pg_pool_size;          /* 0: the client's default */
    uint32_t timeout_ms;            /* per request, for all three (0: none) */
} stores_config;

typedef struct stores {
    pg_client *pg;
    redis_client *redis;
    redis_client *redis_sub; /* the same server, for the live feed events
                                 (a subscribed connection takes no other
                                 commands): stream/stream_hub.h */
    cql_client *cql;
} stores;

/* Open the configured clients on l. 0, or -1 with a message in
 * err[0..errlen) (a bad address, a name that does not resolve, out of
 * memory); on -1 nothing stays open. */
int stores_open(stores *s, loop *l, const stores_config *cfg, char *err, size_t errlen);

/* Free every open client (their pending callbacks run, with E*CLOSED). */
void stores_close(stores *s);

#endif
