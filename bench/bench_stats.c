/* bench_stats.c: latency samples and nearest-rank percentiles. */
#include "bench/bench_stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>

void bench_samples_init(bench_samples *s)
{
    s->v = NULL;
    s->n = s->cap = 0;
}

void bench_samples_free(bench_samples *s)
{
    free(s->v);
    bench_samples_init(s);
}

int bench_samples_add(bench_samples *s, double x)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 1024;
        double *v = realloc(s->v, cap * sizeof *v);

        if (v == NULL)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = x;
    return 0;
}

double bench_percentile(const double *sorted, size_t n, double p)
{
    size_t rank;

    assert(n > 0);
    if (p <= 0)
        return sorted[0];
    if (p >= 100)
        return sorted[n - 1];
    /* ceil(p/100 * n), computed so that p = 50, n = 10 gives exactly 5 */
    rank = (size_t)ceil(p * (double)n / 100.0 - 1e-9);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void bench_summarize(bench_samples *s, bench_summary *out)
{
    double sum = 0;

    out->n = s->n;
    if (s->n == 0) {
        out->min = out->mean = out->p50 = out->p90 = out->p99 = out->max = 0;
        return;
    }
    qsort(s->v, s->n, sizeof *s->v, bench_cmp_double);
    for (size_t i = 0; i < s->n; i++)
        sum += s->v[i];
    out->min = s->v[0];
    out->max = s->v[s->n - 1];
    out->mean = sum / (double)s->n;
    out->p50 = bench_percentile(s->v, s->n, 50);
    out->p90 = bench_percentile(s->v, s->n, 90);
    out->p99 = bench_percentile(s->v, s->n, 99);
}
