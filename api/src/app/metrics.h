/* metrics.h: the server's counters, served by GET /metrics in the
 * Prometheus text format (version 0.0.4).
 *
 * One metrics object per process, shared by every worker thread: each
 * counter is a relaxed atomic, so recording is lock-free and a scrape
 * reads a consistent-enough snapshot (counters only grow). Families:
 *
 *   feed_api_store_errors_total{store="postgres|redis|cassandra"}
 *       store requests that failed: refused while disconnected, timed
 *       out, lost their connection, or got a server error.
 *
 * (Requests, latency and the cache families are added beside it.)
 *
 * Ownership: the caller owns the struct (metrics_init allocates
 * nothing); workers hold a pointer.
 */
#ifndef API_APP_METRICS_H
#define API_APP_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "api/src/base/buf.h"

typedef enum metric_store {
    METRIC_STORE_POSTGRES,
    METRIC_STORE_REDIS,
    METRIC_STORE_CASSANDRA,
    METRIC_STORE_COUNT
} metric_store;

typedef struct metrics {
    atomic_uint_fast64_t store_errors[METRIC_STORE_COUNT];
} metrics;

void metrics_init(metrics *m);

/* A store request failed (see above). m may be NULL (tests): no-op. */
void metrics_store_error(metrics *m, metric_store store);

/* Append the text exposition of every family to out. 0, or -1 when
 * out ran out of room. */
int metrics_render(metrics *m, buf *out);

#endif
