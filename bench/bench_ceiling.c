/* bench_ceiling.c: Murmur3 tokens and the requests of each writer shape
 * for bench-cassandra-ceiling (see bench_ceiling.h). */
#include "bench/bench_ceiling.h"

#include <stdlib.h>
#include <string.h>

int bench_shape_parse(const char *s, bench_shape *out)
{
    if (strcmp(s, "single") == 0)
        *out = BENCH_SHAPE_SINGLE;
    else if (strcmp(s, "partition") == 0)
        *out = BENCH_SHAPE_PARTITION;
    else if (strcmp(s, "range") == 0)
        *out = BENCH_SHAPE_RANGE;
    else
        return -1;
    return 0;
}

const char *bench_shape_name(bench_shape s)
{
    switch (s) {
    case BENCH_SHAPE_SINGLE: return "single";
    case BENCH_SHAPE_PARTITION: return "partition";
    case BENCH_SHAPE_RANGE: return "range";
    }
    return "?";
}

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* Cassandra's MurmurHash.hash3_x64_128 for an 8-byte key: no 16-byte
 * block, an 8-byte tail folded into k1. Java reads the tail as signed
 * bytes, so each byte is sign-extended before the shift (a quirk the
 * partitioner keeps for compatibility); for 8 bytes that only matters to
 * the XOR of the lower shifts. */
int64_t bench_murmur3_token(int64_t key)
{
    const uint64_t c1 = 0x87c37b91114253d5ULL, c2 = 0x4cf5ad432745937fULL;
    uint64_t h1 = 0, h2 = 0, k1 = 0;
    uint8_t b[8];
    uint64_t u = (uint64_t)key;

    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(u >> (56 - 8 * i)); /* big-endian, as Cassandra serializes a bigint */
    for (int i = 7; i >= 0; i--)
        k1 ^= (uint64_t)(int64_t)(int8_t)b[i] << (8 * i);
    k1 *= c1;
    k1 = rotl64(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 ^= 8;
    h2 ^= 8;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    h1 += h2;
    /* Murmur3Partitioner: Long.MIN_VALUE is the ring's minimum token, never
     * a key's; it normalizes it to Long.MAX_VALUE. */
    if ((int64_t)h1 == INT64_MIN)
        return INT64_MAX;
    return (int64_t)h1;
}

int bench_token_range(int64_t token, int ranges)
{
    /* offset from the ring's start, 0 .. 2^64-1, then scaled to 0..ranges-1 */
    uint64_t off = (uint64_t)token ^ 0x8000000000000000ULL;
    unsigned __int128 r = (unsigned __int128)off * (unsigned)ranges;

    return (int)(r >> 64);
}

/* A row with its sort keys, for qsort. */
typedef struct plan_key {
    int64_t group, token, user, ts;
    size_t idx;
} plan_key;

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int plan_key_cmp(const void *pa, const void *pb)
{
    const plan_key *a = pa, *b = pb;
    int c;

    if ((c = cmp_i64(a->group, b->group)) != 0 || (c = cmp_i64(a->token, b->token)) != 0 ||
        (c = cmp_i64(a->user, b->user)) != 0 || (c = cmp_i64(a->ts, b->ts)) != 0)
        return c;
    return (a->idx > b->idx) - (a->idx < b->idx); /* stable */
}

int bench_ceiling_plan(bench_feed_row *rows, size_t n, bench_shape shape, size_t k, int ranges, bench_span **spans,
                       size_t *nspans)
{
    plan_key *keys = NULL;
    bench_feed_row *sorted = NULL;
    bench_span *out = NULL;
    size_t m = 0;

    if (n == 0 || k == 0 || k > 128 || ranges < 1)
        return -1;
    if (shape == BENCH_SHAPE_SINGLE)
        k = 1;
    out = malloc(n * sizeof *out); /* at most one request per row */
    keys = malloc(n * sizeof *keys);
    sorted = malloc(n * sizeof *sorted);
    if (out == NULL || keys == NULL || sorted == NULL)
        goto err;
    for (size_t i = 0; i < n; i++) {
        keys[i].idx = i;
        keys[i].user = rows[i].user_id;
        keys[i].ts = rows[i].ts_us;
        keys[i].token = 0;
        keys[i].group = 0;
        if (shape == BENCH_SHAPE_PARTITION) {
            keys[i].group = rows[i].user_id;
        } else if (shape == BENCH_SHAPE_RANGE) {
            keys[i].token = bench_murmur3_token(rows[i].user_id);
            keys[i].group = bench_token_range(keys[i].token, ranges);
        }
    }
    if (shape != BENCH_SHAPE_SINGLE) {
        qsort(keys, n, sizeof *keys, plan_key_cmp);
        for (size_t i = 0; i < n; i++)
            sorted[i] = rows[keys[i].idx];
        memcpy(rows, sorted, n * sizeof *rows);
    }
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && j - i < k && (shape == BENCH_SHAPE_SINGLE || keys[j].group == keys[i].group))
            j++;
        out[m].off = i;
        out[m].n = j - i;
        m++;
        i = j;
    }
    free(keys);
    free(sorted);
    *spans = out;
    *nspans = m;
    return 0;
err:
    free(out);
    free(keys);
    free(sorted);
    return -1;
}
