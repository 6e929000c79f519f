/* feed_bodies.h: the bodies of a page's items, cache first.
 *
 * Bodies are stored once per activity (act:<id>) or group
 * (notif:<uid>:<group id>), shared by every feed: one MGET for the whole
 * batch; what Redis does not have (expired, evicted, Redis down) is read
 * from Cassandra, one prepared statement per id, all in flight at once.
 * A body found nowhere (no Redis key, no Cassandra row) is an undone
 * activity or an emptied group: its item is skipped (json base NULL).
 * An activity body read from Cassandra is put back into Redis (SET EX
 * 86400: the item's JSON, i.e. the job's members plus "time", which the
 * cache parser ignores) so the next read of it is a cache hit.
 *
 * Failures: Redis failing only sends everything to Cassandra
 * (redis_failed set, for the fallback metric); Cassandra failing (or not
 * configured) while a body is missing sets cass_failed: the page cannot
 * tell an undone item from an expired body, and the caller answers 503.
 * A client being closed (shutdown) sets closed: no new store calls.
 *
 * Ownership: the caller owns the batch and the refs; the item texts are
 * allocated from p (the request's pool). done runs exactly once, maybe
 * inside body_batch_run.
 */
#ifndef API_READ_FEED_BODIES_H
#define API_READ_FEED_BODIES_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/base/pool.h"
#include "api/src/read/feed_order.h"

typedef struct body_batch body_batch;
struct body_batch {
    worker *w;
    feed_kind kind;
    int64_t user_id;
    pool *p;
    const feed_ref *refs;
    size_t n;
    slice *json;      /* n entries, the caller's: the item, or base NULL (gone) */
    int cached;       /* json already holds what Redis had: only Cassandra for the rest */
    unsigned pending; /* store calls in flight */
    int redis_failed, cass_failed, closed;
    void (*done)(body_batch *b);
    void *data; /* the caller's */
};

/* Resolve every ref's item into b->json (with cached set, only those
 * whose entry is still NULL, from Cassandra). */
void body_batch_run(body_batch *b);

#endif
