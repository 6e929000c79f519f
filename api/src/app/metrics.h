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
 *   feed_api_requests_total{route="<template>",code="2xx"}
 *       answered requests by route pattern ("/v1/users/{id}/home"; 
 *       "unmatched" for 404/405 and requests refused before routing) and
 *       status class. Recorded centrally by metrics_on_response, the
 *       server's on_response hook.
 *   feed_api_request_duration_seconds{route="<template>"}
 *       histogram of the same requests' latency, buckets 100 us .. 10 s.
 *   feed_api_cache_requests_total{feed="home|profile|notifications",
 *                                 result="hit|miss|busy"}
 *       cached-head lookups: hit (a head served), miss (no key: a fill
 *       starts or is joined), busy (another worker's fill in progress:
 *       read Cassandra directly).
 *   feed_api_cache_fills_total{feed=...}
 *       heads stored into Redis from Cassandra (counted when the fill
 *       is complete: stored, and re-checked against Cassandra).
 *   feed_api_cassandra_feed_reads_total{feed=...}
 *       reads of a Cassandra feed table (fills and pages).
 *   feed_api_fallbacks_total{reason="redis_down|cassandra_down"}
 *       reads answered 200 although a store failed: from Cassandra with
 *       Redis down, from Redis alone with Cassandra down.
 *
 * Routes are interned on first use into a fixed table of
 * METRICS_MAX_ROUTES slots (lock-free, compare-and-swap); more routes than
 * that are counted under route="other". Route pattern strings must live
 * as long as the metrics (the router's do).
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

typedef enum metric_feed {
    METRIC_FEED_HOME,
    METRIC_FEED_PROFILE,
    METRIC_FEED_NOTIFICATIONS,
    METRIC_FEED_COUNT
} metric_feed;

typedef enum metric_cache { METRIC_CACHE_HIT, METRIC_CACHE_MISS, METRIC_CACHE_BUSY, METRIC_CACHE_COUNT } metric_cache;

typedef enum metric_fallback {
    METRIC_FALLBACK_REDIS_DOWN,
    METRIC_FALLBACK_CASSANDRA_DOWN,
    METRIC_FALLBACK_COUNT
} metric_fallback;

#define METRICS_MAX_ROUTES 48
#define METRICS_CODE_CLASSES 5 /* 1xx .. 5xx */
#define METRICS_BUCKETS 16     /* finite upper bounds, then +Inf */

/* The finite bucket bounds in microseconds, ascending (100 us .. 10 s). */
extern const uint64_t metrics_bucket_us[METRICS_BUCKETS];

typedef struct metrics_route {
    _Atomic(const char *) name; /* NULL: free slot */
    atomic_uint_fast64_t codes[METRICS_CODE_CLASSES];
    atomic_uint_fast64_t buckets[METRICS_BUCKETS + 1]; /* not cumulative; last is +Inf */
    atomic_uint_fast64_t sum_us;
    atomic_uint_fast64_t count;
} metrics_route;

typedef struct metrics {
    atomic_uint_fast64_t store_errors[METRIC_STORE_COUNT];
    atomic_uint_fast64_t cache[METRIC_FEED_COUNT][METRIC_CACHE_COUNT];
    atomic_uint_fast64_t fills[METRIC_FEED_COUNT];
    atomic_uint_fast64_t cassandra_reads[METRIC_FEED_COUNT];
    atomic_uint_fast64_t fallbacks[METRIC_FALLBACK_COUNT];
    atomic_uint_fast64_t streams_open[METRIC_FEED_COUNT];  /* a gauge */
    atomic_uint_fast64_t stream_events[METRIC_FEED_COUNT]; /* items and removals sent */
    metrics_route routes[METRICS_MAX_ROUTES];
    metrics_route other; /* when the table is full */
} metrics;

void metrics_init(metrics *m);

/* A store request failed (see above). m may be NULL (tests): no-op.
 * So may it be for every recording call below. */
void metrics_store_error(metrics *m, metric_store store);

void metrics_cache(metrics *m, metric_feed feed, metric_cache result);
void metrics_cache_fill(metrics *m, metric_feed feed);
void metrics_cassandra_read(metrics *m, metric_feed feed);
void metrics_fallback(metrics *m, metric_fallback reason);

/* A feed stream started sending (open 1) or ended (open 0); an event
 * (an item or a removal) was sent on one. */
void metrics_stream(metrics *m, metric_feed feed, int open);
void metrics_stream_event(metrics *m, metric_feed feed);

/* One answered request: route pattern (NULL: "unmatched"), status,
 * latency. data is the metrics object: the signature of
 * server_config.on_response. */
void metrics_on_response(void *data, const char *route_template, int status, uint64_t duration_us);

/* Reads for tests and the integration checks. */
uint64_t metrics_get_fills(const metrics *m, metric_feed feed);
uint64_t metrics_get_cassandra_reads(const metrics *m, metric_feed feed);

/* Append the text exposition of every family to out. 0, or -1 when
 * out ran out of room. Routes appear sorted by pattern; label sets that
 * were never recorded are left out (except the fixed store, cache and
 * fallback families, always complete). */
int metrics_render(metrics *m, buf *out);

#endif
