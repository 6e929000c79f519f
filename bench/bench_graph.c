/* bench_graph.c: splitmix64, Zipf-like follower counts, distinct samples.
 *
 * The counts are found by bisection on the scale C rather than a closed
 * form: with a cap, sum(min(cap, C / k^s)) has none. Flooring then loses
 * less than one follower per author; the deficit goes, one each, to the
 * top-ranked authors that are still under the cap, which keeps the
 * counts non-increasing and the total exact.
 */
#include "bench/bench_graph.h"

#include <assert.h>
#include <math.h>

void bench_rng_seed(bench_rng *r, uint64_t seed)
{
    r->s = seed;
}

uint64_t bench_rng_next(bench_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t bench_rng_below(bench_rng *r, uint64_t n)
{
    /* reject the top (2^64 mod n) values so every residue is equally likely */
    uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

    assert(n > 0);
    do
        x = bench_rng_next(r);
    while (x >= limit);
    return x % n;
}

double bench_rng_unit(bench_rng *r)
{
    return (double)(bench_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* sum over ranks of min(cap, floor(c / k^s)) */
static long long bench_zipf_total(size_t n, double s, double c, size_t cap)
{
    long long total = 0;

    for (size_t k = 0; k < n; k++) {
        double x = floor(c / pow((double)(k + 1), s));
        total += x >= (double)cap ? (long long)cap : (long long)x;
    }
    return total;
}

long long bench_zipf_counts(size_t n, double s, double mean, size_t cap, size_t *out)
{
    long long want, have;
    double lo = 0, hi;

    if (n == 0 || mean < 0 || s < 0 || !isfinite(mean) || !isfinite(s))
        return -1;
    want = llround((double)n * mean);
    if ((double)n * (double)cap < (double)want)
        return -1;
    /* C = mean * n * k_max^s is always enough: every count is >= the mean */
    hi = (mean + 1) * pow((double)n, s) + 1;
    for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (bench_zipf_total(n, s, mid, cap) > want)
            hi = mid;
        else
            lo = mid;
    }
    have = 0;
    for (size_t k = 0; k < n; k++) {
        double x = floor(lo / pow((double)(k + 1), s));
        out[k] = x >= (double)cap ? cap : (size_t)x;
        have += (long long)out[k];
    }
    /* hand out the deficit, top ranks first, never above the cap */
    while (have < want) {
        for (size_t k = 0; k < n && have < want; k++) {
            if (out[k] < cap) {
                out[k]++;
                have++;
            }
        }
    }
    return have;
}

void bench_sample_distinct(bench_rng *r, uint32_t *perm, size_t n, size_t k)
{
    assert(k <= n);
    for (size_t i = 0; i < k; i++) {
        size_t j = i + (size_t)bench_rng_below(r, n - i);
        uint32_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
}
