/* bench_ceiling.h: the pure parts of bench-cassandra-ceiling: Cassandra's
 * Murmur3 token of a bigint partition key, and the cutting of a set of
 * home_feed rows into the requests of each writer shape.
 *
 * Shapes (issue 11, "the write path, lean"):
 *   BENCH_SHAPE_SINGLE     one prepared INSERT per row;
 *   BENCH_SHAPE_PARTITION  UNLOGGED batches of one partition's rows (at most
 *                          k per batch), as the job's sink sends them;
 *   BENCH_SHAPE_RANGE      UNLOGGED batches of up to k rows whose partitions
 *                          fall in the same slice of the token ring (one of
 *                          `ranges` equal slices), so several partitions
 *                          share a batch but one replica set owns them all.
 * No I/O, no globals.
 */
#ifndef BENCH_CEILING_H
#define BENCH_CEILING_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench_cql.h"

typedef enum bench_shape { BENCH_SHAPE_SINGLE, BENCH_SHAPE_PARTITION, BENCH_SHAPE_RANGE } bench_shape;

/* "single", "partition", "range" -> *out. 0, or -1 when unknown. */
int bench_shape_parse(const char *s, bench_shape *out);
const char *bench_shape_name(bench_shape s);

/* The token Cassandra's Murmur3Partitioner gives a bigint partition key
 * (MurmurHash3 x64 128 of its 8 big-endian bytes, seed 0, first half, with
 * Cassandra's sign extension of tail bytes; Long.MIN_VALUE maps to
 * Long.MAX_VALUE). Checked against SELECT token(user_id) in the tests. */
int64_t bench_murmur3_token(int64_t key);

/* Which of `ranges` equal slices of the ring [-2^63, 2^63) token falls
 * in: 0..ranges-1, in token order. ranges >= 1. */
int bench_token_range(int64_t token, int ranges);

/* One request: rows[off .. off+n). */
typedef struct bench_span {
    size_t off, n;
} bench_span;

/* Order rows[0..n) for `shape` and cut them into requests of at most k
 * rows (k in 1..128; SINGLE ignores k and makes one request per row):
 * PARTITION sorts by (user_id, ts_us) and never puts two partitions in one
 * request; RANGE sorts by (token range, token, user_id, ts_us) and never
 * puts two ranges in one request. *spans is allocated (caller frees) and
 * *nspans set. 0, or -1 on bad arguments or out of memory (nothing
 * allocated). */
int bench_ceiling_plan(bench_feed_row *rows, size_t n, bench_shape shape, size_t k, int ranges, bench_span **spans,
                       size_t *nspans);

#endif
