/* merge_sources.h: the merge sources of a reader's home feed (hot
 * accounts followed; merge_source.h), cached in Redis.
 *
 *   1. Redis: MGET feed:hotf:<uid> feed:hotf:gen:<uid>. A cached list
 *      (also an empty one) is the answer.
 *   2. Otherwise Cassandra: SELECT followee_id, follow_ts_us, backfill
 *      FROM home_merge WHERE user_id = ?, then, for each source with a
 *      backfill, the newest `backfill` refs of its profile at or before
 *      the follow (all in flight at once): where its backfill starts.
 *   3. The list is stored in Redis for a day by merge_sources_store.lua,
 *      only if the generation read in step 1 is still current. The job
 *      bumps the generation and then deletes the cached list after every
 *      change of the reader's sources it made in Cassandra
 *      (job MergeSourceCacheWrite), so a list stored from a read that
 *      missed a change is either refused (the bump came first) or
 *      deleted (the store came first).
 *
 * Redis down: Cassandra each time, nothing stored. Cassandra down on a
 * miss: status MERGE_SOURCES_UNAVAILABLE (the home read answers 503: a
 * page without the hot accounts' items would be wrong, not degraded).
 *
 * Ownership: the list is allocated from p and valid while p is; cb runs
 * exactly once, maybe inside merge_sources_get. p must outlive every
 * store call: the caller's page waits for cb before it answers.
 */
#ifndef API_READ_MERGE_SOURCES_H
#define API_READ_MERGE_SOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/base/pool.h"
#include "api/src/read/merge_source.h"

/* How long a cached list lives (the job's generation lives longer). */
#define MERGE_SOURCES_TTL_MS 86400000
/* The most backfill rows read to find where a backfill starts. */
#define MERGE_SOURCES_MAX_BACKFILL 10000

typedef enum merge_sources_status {
    MERGE_SOURCES_OK = 0,
    MERGE_SOURCES_UNAVAILABLE, /* Cassandra could not answer a miss */
    MERGE_SOURCES_TOO_MANY,    /* more than MERGE_SOURCES_MAX */
    MERGE_SOURCES_INTERNAL     /* out of memory */
} merge_sources_status;

typedef void merge_sources_cb(merge_sources_status status, const merge_source *src, size_t n, void *data);

void merge_sources_get(worker *w, pool *p, int64_t reader_id, merge_sources_cb *cb, void *data);

#endif
