/* bench_flink.h: the feed job's figures from the Flink REST API.
 *
 * The job is found by name ("feed-fanout", RUNNING); its vertices by the
 * operator names FeedJob gives them. The counters read here are Flink's
 * own, summed over subtasks:
 *   delivered  feeds-cassandra Writer numRecordsSend: feed rows Cassandra
 *              acknowledged (counted in the write's completion callback,
 *              so a counted row is readable);
 *   emitted    fanout numRecordsOut: feed writes the FanOut produced;
 *   activities activities numRecordsOut: activities routed;
 *   consumed   the Kafka source's numRecordsIn.
 * Counters restart at 0 when the job restarts: bench_flink_counts returns
 * BENCH_FLINK_RESTARTED when the job id changed since bench_flink_find.
 */
#ifndef BENCH_FLINK_H
#define BENCH_FLINK_H

#include <stdint.h>

#include "bench/bench_env.h"

#define BENCH_FLINK_RESTARTED 1
/* Flink's metrics.fetcher.update-interval (default, not set by
 * stack/conf/flink): how stale a counter read through the REST API can be. */
#define BENCH_FLINK_METRICS_REFRESH_MS 10000

typedef struct bench_flink {
    bench_addr rest;
    char job_id[64];
    char fanout_vertex[64]; /* "fanout -> (feeds-cassandra: Writer, ...)" */
    char source_vertex[64]; /* "Source: debezium-topics -> decode -> activities -> ..." */
    int64_t start_ms;       /* when the job (this submission) started */
    char err[512];
} bench_flink;

typedef struct bench_flink_counts {
    double delivered, emitted, activities, consumed;
} bench_flink_counts;

typedef struct bench_flink_checkpoint {
    long long id; /* -1: none completed yet */
    int64_t trigger_ms, ack_ms;
} bench_flink_checkpoint;

/* Find the running job and its vertices. 0, or -1 with f->err. */
int bench_flink_find(bench_flink *f, const bench_addr *rest);

/* One line for the report: "job <id> running since <n> s", and a warning
 * when the running job is not the one found at the start (redeployed or
 * restarted during the run: the figures then include its recovery). */
void bench_flink_print_job_check(bench_flink *f, int64_t run_start_wall_ms);

/* Current counters. 0; BENCH_FLINK_RESTARTED (f re-found, *out from the new
 * job); -1 with f->err. */
int bench_flink_counts_get(bench_flink *f, bench_flink_counts *out);

/* The latest completed checkpoint. 0 or -1 with f->err. */
int bench_flink_checkpoint_get(bench_flink *f, bench_flink_checkpoint *out);

/* Ask for a checkpoint now (POST /jobs/<id>/checkpoints, Flink >= 1.19),
 * as the configured interval would. 0 or -1 with f->err. */
int bench_flink_checkpoint_trigger(bench_flink *f);

/* Wait until the job's delivered counter has not moved for quiet_ms (at
 * least two of the REST cache's refreshes, 21 s), or max_ms passed,
 * reading it every 100 ms: a phase's own fan-out must not overlap the
 * next measurement. Exits the program (bench_fail) when the counters
 * cannot be read. */
void bench_flink_wait_quiet(bench_flink *f, int quiet_ms, int max_ms);

/* The decision of bench_flink_wait_quiet, pure: fed readings of a counter
 * with the monotonic time they were taken at, it says when the counter
 * has stood still for quiet_ms or max_ms passed since the start. */
typedef struct bench_quiet {
    double last;      /* the last reading; -1 before the first */
    int64_t since_ns; /* when it last moved (or the start) */
    int64_t start_ns;
    int quiet_ms, max_ms;
} bench_quiet;

void bench_quiet_start(bench_quiet *q, int quiet_ms, int max_ms, int64_t now_ns);

/* Take a reading; 1 when quiet (or out of time), else 0. */
int bench_quiet_done(bench_quiet *q, double value, int64_t now_ns);

#endif
