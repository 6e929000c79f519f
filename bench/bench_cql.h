/* bench_cql.h: Cassandra helpers for the benchmarks, on the project's
 * blocking CQL client (cql/cql_conn_blocking.h).
 *
 * One connection per thread; each call is one round trip. Every function
 * returns 0 or -1 with the reason in c->err.
 */
#ifndef BENCH_CQL_H
#define BENCH_CQL_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench_env.h"
#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"

/* A prepared statement's id, copied out of the response that carried it. */
typedef struct bench_prep {
    char id[64];
    size_t len;
} bench_prep;

/* Connect and STARTUP. */
int bench_cql_open(cql_conn *c, const bench_addr *a);

/* Run a statement without values (DDL, TRUNCATE ...). */
int bench_cql_run(cql_conn *c, const char *query);

int bench_cql_prepare(cql_conn *c, const char *query, bench_prep *out);

/* SELECT count(*) FROM feed.<table> WHERE user_id = user -> *n. */
int bench_cql_count(cql_conn *c, const char *table, int64_t user, int64_t *n);

/* The server's value of a cassandra.yaml setting, from the virtual table
 * system_views.settings (Cassandra 4.0+), e.g. "commitlog_sync" -> "batch",
 * copied into out (truncated to len). name: a plain identifier. */
int bench_cql_setting(cql_conn *c, const char *name, char *out, size_t len);

/* Is (user, ts_us, activity_id) in feed.home_feed? p: the prepared
 * "SELECT activity_id FROM feed.home_feed WHERE user_id = ? AND ts_us = ?
 * AND activity_id = ?" (BENCH_CQL_HOME_HAS). */
#define BENCH_CQL_HOME_HAS "SELECT activity_id FROM feed.home_feed WHERE user_id = ? AND ts_us = ? AND activity_id = ?"
int bench_cql_home_has(cql_conn *c, const bench_prep *p, int64_t user, int64_t ts_us, const char *activity_id,
                       int *found);

/* Every (ts_us, activity_id) of home(user) with ts_us >= since, newest
 * first, passed to fn (the slice is valid during the call only). p: the
 * prepared BENCH_CQL_HOME_SINCE. At most 5000 rows (one page). */
#define BENCH_CQL_HOME_SINCE "SELECT ts_us, activity_id FROM feed.home_feed WHERE user_id = ? AND ts_us >= ?"
typedef void (*bench_cql_row_fn)(void *arg, int64_t ts_us, cql_slice activity_id);
int bench_cql_home_since(cql_conn *c, const bench_prep *p, int64_t user, int64_t since, bench_cql_row_fn fn, void *arg);

/* One row of a feed table, for bench_cql_batch. */
typedef struct bench_feed_row {
    int64_t user_id, ts_us, actor_id, write_ts;
    char activity_id[24];
} bench_feed_row;

/* An UNLOGGED batch of n rows, each bound to prepared statement p (an
 * INSERT taking user_id, ts_us, activity_id, actor_id, timestamp in that
 * order when with_actor, else user_id, ts_us, activity_id, timestamp),
 * consistency LOCAL_QUORUM like the job. */
int bench_cql_batch(cql_conn *c, const bench_prep *p, int with_actor, const bench_feed_row *rows, size_t n);

/* Pipelining on a connection opened by bench_cql_open, for the ceiling:
 * many requests in flight on one socket, as a driver does. Once used for
 * pipelining, the connection must not go back to round trips.
 *
 * bench_cql_pipe_send: build an UNLOGGED batch (as bench_cql_batch) on
 * stream id `stream` and write it out whole. bench_cql_pipe_recv: wait
 * for the next response; *stream is its id; -1 when it is an ERROR (the
 * message in c->err) or the connection failed. */
int bench_cql_pipe_send(cql_conn *c, int16_t stream, const bench_prep *p, int with_actor, const bench_feed_row *rows,
                        size_t n);
int bench_cql_pipe_recv(cql_conn *c, int16_t *stream);

/* One row as a single prepared EXECUTE (values as bench_cql_batch),
 * LOCAL_QUORUM, on stream `stream`, written out whole; its response comes
 * through bench_cql_pipe_recv like a batch's. */
int bench_cql_pipe_send_row(cql_conn *c, int16_t stream, const bench_prep *p, int with_actor,
                            const bench_feed_row *row);

#endif
