/* catch_up.h: wait, with a deadline and by measurement, until the
 * pipeline has carried every write committed so far into the feeds.
 *
 * "Caught up" is decided in three steps, none of them a fixed sleep:
 *
 *  1. Marker. B = pg_current_wal_lsn(), then one UPDATE of a marker row
 *     in `users` (handle zz_catchup_marker; users make no activity, so it
 *     changes no feed). Every write acknowledged before the call committed
 *     below B; the marker's change has an LSN >= B.
 *  2. Debezium is past the marker: the job's progress record for `users`
 *     (Redis hash feed:pipeline:progress, written by the job's progress
 *     sink) reports an LSN >= B. Debezium publishes changes in commit
 *     order, in Kafka transactions, so every change below B is now
 *     committed in Kafka. A per-table progress alone would not do: a table
 *     without new writes does not advance, and the progress operator's
 *     "max LSN" says nothing of the other partitions of a topic.
 *  3. The job is past every one of them: for every partition of the five
 *     change topics, the last stable offset E read after step 2 (Kafka
 *     ListOffsets, read_committed) is reached by the offset the job's
 *     consumer group has committed (OffsetFetch): committed >= E - 1 (the
 *     last offset of a partition written transactionally is a commit
 *     marker, which a consumer never emits). Flink commits offsets only
 *     when a checkpoint completes, and its sinks (Cassandra and Redis)
 *     flush before the checkpoint barrier passes them, so at that point
 *     every feed write caused by those changes is in the stores.
 */
#ifndef FEED_CHAOS_CATCH_UP_H
#define FEED_CHAOS_CATCH_UP_H

#include <stdint.h>

typedef struct cu_config {
    const char *pg_conninfo; /* libpq conninfo of the feed database */
    const char *redis_host;  /* where the job writes its progress */
    int redis_port;
    const char *kafka_bootstrap; /* host:port */
    const char *group;           /* the job's consumer group, "feed-fanout" */
    const char *topic_prefix;    /* Debezium topic.prefix, "feed" */
    int deadline_ms;             /* give up after this long */
} cu_config;

typedef struct cu_report {
    uint64_t marker_lsn;   /* B */
    int64_t marker_ms;     /* from the call until step 2 held */
    int64_t total_ms;      /* from the call until step 3 held */
    int64_t lag_at_marker; /* records behind (sum over partitions) when step 3 began */
    char err[256];         /* why it failed */
} cu_report;

/* Fill cfg with the stack's addresses from the environment (FEED_PG_DSN
 * or FEED_PG_PORT, FEED_REDIS_PORT, FEED_KAFKA_PORT or
 * FEED_KAFKA_BOOTSTRAP), the same defaults as stack/config.env. The
 * strings live in static storage (not thread-safe; call once). */
void cu_config_from_env(cu_config *cfg);

/* Wait until caught up (see above). 0, or -1 at the deadline or on an
 * error that does not go away, with rep->err saying which step and why.
 * Transient errors (a store restarting) are retried until the deadline. */
int cu_wait(const cu_config *cfg, cu_report *rep);

/* The monotonic clock in ms. */
int64_t cu_now_ms(void);

#endif
