/* bench_stats.h: latency samples and their percentiles.
 *
 * A growable array of samples (any unit; the programs use milliseconds)
 * and a summary by the nearest-rank method: the p-th percentile of n
 * sorted samples is the one of rank ceil(p/100 * n), so p99 of 100
 * samples is the 99th smallest and never an interpolated value that no
 * request actually saw. Pure: no I/O, no globals.
 *
 * Ownership: the caller owns the bench_samples struct; the samples array
 * is owned by it until bench_samples_free.
 */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stddef.h>

typedef struct bench_samples {
    double *v; /* owned; NULL until the first add */
    size_t n, cap;
} bench_samples;

typedef struct bench_summary {
    size_t n;
    double min, mean, p50, p90, p99, max;
} bench_summary;

void bench_samples_init(bench_samples *s);
void bench_samples_free(bench_samples *s);

/* Append x. 0, or -1 when out of memory (the sample is lost, s intact). */
int bench_samples_add(bench_samples *s, double x);

/* Nearest-rank percentile of sorted[0..n), p in [0, 100]; p <= 0 gives the
 * minimum. n must be > 0. */
double bench_percentile(const double *sorted, size_t n, double p);

/* Sort s in place and fill *out. With no samples every field is 0. */
void bench_summarize(bench_samples *s, bench_summary *out);

#endif
