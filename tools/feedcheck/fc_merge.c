/* fc_merge.c: see fc_merge.h. */
#include "tools/feedcheck/fc_merge.h"

#include <stdlib.h>
#include <string.h>

void fc_merges_free(fc_merges *mg)
{
    for (size_t i = 0; i < mg->nhot; i++)
        fc_items_free(&mg->profiles[i]);
    free(mg->v);
    free(mg->hot);
    free(mg->profiles);
    memset(mg, 0, sizeof *mg);
}

int fc_merges_add(fc_merges *mg, const fc_merge_src *s)
{
    if (mg->n == mg->cap) {
        size_t cap = mg->cap ? mg->cap * 2 : 64;
        fc_merge_src *nv = realloc(mg->v, cap * sizeof *nv);
        if (nv == NULL)
            return -1;
        mg->v = nv;
        mg->cap = cap;
    }
    mg->v[mg->n++] = *s;
    return 0;
}

static int fc_src_qcmp(const void *pa, const void *pb)
{
    const fc_merge_src *a = pa, *b = pb;

    if (a->user != b->user)
        return a->user < b->user ? -1 : 1;
    return a->followee < b->followee ? -1 : a->followee > b->followee;
}

static int fc_i64_qcmp(const void *pa, const void *pb)
{
    int64_t a = *(const int64_t *)pa, b = *(const int64_t *)pb;

    return a < b ? -1 : a > b;
}

int fc_merges_index(fc_merges *mg)
{
    size_t k = 0;

    if (mg->n > 1)
        qsort(mg->v, mg->n, sizeof *mg->v, fc_src_qcmp);
    mg->hot = malloc((mg->n + 1) * sizeof *mg->hot);
    mg->profiles = calloc(mg->n + 1, sizeof *mg->profiles);
    if (mg->hot == NULL || mg->profiles == NULL)
        return -1;
    for (size_t i = 0; i < mg->n; i++)
        mg->hot[i] = mg->v[i].followee;
    if (mg->n > 1)
        qsort(mg->hot, mg->n, sizeof *mg->hot, fc_i64_qcmp);
    for (size_t i = 0; i < mg->n; i++)
        if (k == 0 || mg->hot[k - 1] != mg->hot[i])
            mg->hot[k++] = mg->hot[i];
    mg->nhot = k;
    return 0;
}

/* The rows of user: [*lo, *hi). */
static void fc_merges_range(const fc_merges *mg, int64_t user, size_t *lo, size_t *hi)
{
    size_t a = 0, b = mg->n;

    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (mg->v[mid].user < user)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    while (a < mg->n && mg->v[a].user == user)
        a++;
    *hi = a;
}

int fc_merges_has(const fc_merges *mg, int64_t user)
{
    size_t lo, hi;

    fc_merges_range(mg, user, &lo, &hi);
    return hi > lo;
}

static const fc_items *fc_merges_profile(const fc_merges *mg, int64_t v)
{
    const int64_t *p = mg->nhot == 0 ? NULL : bsearch(&v, mg->hot, mg->nhot, sizeof *mg->hot, fc_i64_qcmp);

    return p == NULL ? NULL : &mg->profiles[p - mg->hot];
}

/* Calls fn(ctx, item) for each item s serves, in feed order. */
static int fc_merge_each(const fc_merges *mg, const fc_merge_src *s, int (*fn)(void *, const fc_item *), void *ctx)
{
    const fc_items *prof = fc_merges_profile(mg, s->followee);
    int32_t before = 0;

    for (size_t i = 0; prof != NULL && i < prof->n; i++) {
        fc_item it = prof->v[i];
        if (it.ts <= s->follow_ts && before++ >= s->backfill)
            break; /* past the backfill: older ones are out too */
        it.actor = s->followee;
        it.cls = FC_CLS_SURE;
        if (fn(ctx, &it) != 0)
            return -1;
    }
    return 0;
}

static int fc_push_item(void *ctx, const fc_item *it)
{
    fc_item *slot = fc_items_push(ctx);

    if (slot == NULL)
        return -1;
    *slot = *it;
    return 0;
}

static int fc_item_qcmp2(const void *a, const void *b)
{
    return fc_item_cmp(a, b);
}

int fc_merges_served(const fc_merges *mg, int64_t user, const fc_items *stored, fc_items *out)
{
    size_t lo, hi, j = 0;

    out->n = 0;
    for (size_t i = 0; i < stored->n; i++)
        if (fc_push_item(out, &stored->v[i]) != 0)
            return -1;
    fc_merges_range(mg, user, &lo, &hi);
    for (size_t k = lo; k < hi; k++)
        if (fc_merge_each(mg, &mg->v[k], fc_push_item, out) != 0)
            return -1;
    if (out->n < 2)
        return 0;
    qsort(out->v, out->n, sizeof *out->v, fc_item_qcmp2);
    for (size_t i = 0; i < out->n; i++) /* an item both copied and merged: once */
        if (j == 0 || out->v[j - 1].ts != out->v[i].ts || strcmp(out->v[j - 1].id, out->v[i].id) != 0)
            out->v[j++] = out->v[i];
    out->n = j;
    return 0;
}

void fc_merges_hide(const fc_merges *mg, int64_t user, fc_items *l)
{
    size_t lo, hi, j = 0;
    fc_items merged = {0};

    fc_merges_range(mg, user, &lo, &hi);
    if (hi == lo)
        return;
    for (size_t k = lo; k < hi; k++)
        (void)fc_merge_each(mg, &mg->v[k], fc_push_item, &merged); /* out of memory: hides less, which shows */
    for (size_t i = 0; i < l->n; i++) {
        int hidden = 0;
        for (size_t k = 0; k < merged.n && !hidden; k++)
            hidden = merged.v[k].ts == l->v[i].ts && strcmp(merged.v[k].id, l->v[i].id) == 0;
        if (!hidden)
            l->v[j++] = l->v[i];
    }
    l->n = j;
    fc_items_free(&merged);
}
