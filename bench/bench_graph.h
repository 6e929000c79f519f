/* bench_graph.h: deterministic random numbers and follower graphs.
 *
 * The benchmarks build a bipartite follower graph: "authors" are followed
 * and act; "readers" follow and never act. Bipartite on purpose: a FOLLOW
 * is itself an activity that fans out to the follower's followers
 * (docs/DATA-MODEL.md), so a general graph of 1M follows would be a
 * fan-out backlog of its own (~50M feed rows) before the benchmark even
 * starts; here loading the graph costs two feed rows per follow.
 *
 * Follower counts are Zipf-like: author of rank k (1-based) gets about
 * C / k^s followers, C chosen so that the counts sum to exactly
 * n_authors * mean, none above cap. s = 0 gives every author the mean.
 *
 * Pure: no I/O, no globals; the generator state is the caller's.
 */
#ifndef BENCH_GRAPH_H
#define BENCH_GRAPH_H

#include <stddef.h>
#include <stdint.h>

typedef struct bench_rng {
    uint64_t s;
} bench_rng;

void bench_rng_seed(bench_rng *r, uint64_t seed);
uint64_t bench_rng_next(bench_rng *r);              /* splitmix64 */
uint64_t bench_rng_below(bench_rng *r, uint64_t n); /* uniform in [0, n), n > 0, unbiased */
double bench_rng_unit(bench_rng *r);                /* uniform in [0, 1) */

/* Follower counts out[0..n) (rank order: out[0] is the largest) summing
 * to exactly round(n * mean), each <= cap, for exponent s >= 0.
 * Returns the total, or -1 when n == 0, mean < 0, s < 0 or the total
 * cannot fit under the cap (n * cap < total). */
long long bench_zipf_counts(size_t n, double s, double mean, size_t cap, size_t *out);

/* Choose k distinct values of perm[0..n) (a permutation the caller
 * keeps between calls; initialise it to 0..n-1 once) into perm[0..k), by
 * a partial Fisher-Yates shuffle: O(k), and perm stays a permutation, so
 * it needs no reset before the next call. k <= n. */
void bench_sample_distinct(bench_rng *r, uint32_t *perm, size_t n, size_t k);

#endif
