/* fc_compare.c: expected against found, one feed at a time.
 *
 * Matching is by id through a sorted index of the expected list, in two
 * passes over the found list: first the entries found at their expected
 * time, then the rest. So an item doubled under a second ts_us counts as
 * one duplicate, whichever copy the store returns first, and the copy at
 * the right time is the one that counts as present.
 */
#include "tools/feedcheck/fc_compare.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *fc_diff_name(int kind)
{
    switch (kind) {
    case FC_DIFF_MISSING: return "missing";
    case FC_DIFF_DUPLICATED: return "duplicated";
    case FC_DIFF_EXTRA: return "extra";
    case FC_DIFF_ORDER: return "out of order";
    case FC_DIFF_COUNT: return "counts off";
    case FC_DIFF_BODY_MISSING: return "body missing";
    case FC_DIFF_BODY_WRONG: return "body wrong";
    default: return "?";
    }
}

void fc_counts_add(fc_counts *a, const fc_counts *b)
{
    a->feeds += b->feeds;
    a->items += b->items;
    a->missing += b->missing;
    a->duplicated += b->duplicated;
    a->extra += b->extra;
    a->out_of_order += b->out_of_order;
    a->counts_off += b->counts_off;
    a->ambiguous += b->ambiguous;
}

uint64_t fc_counts_differences(const fc_counts *c)
{
    return c->missing + c->duplicated + c->extra + c->out_of_order + c->counts_off;
}

/* Index of expected ids, sorted by id. */
static size_t *fc_id_index(const fc_items *e)
{
    size_t *ix = malloc((e->n + 1) * sizeof *ix);

    if (ix == NULL)
        return NULL;
    for (size_t i = 0; i < e->n; i++)
        ix[i] = i;
    return ix;
}

/* qsort_r comparison of two expected indexes by id. */
static int fc_ix_qcmp(const void *pa, const void *pb, void *arg)
{
    const fc_items *e = arg;

    return strcmp(e->v[*(const size_t *)pa].id, e->v[*(const size_t *)pb].id);
}

static ptrdiff_t fc_ix_find(const fc_items *e, const size_t *ix, const char *id)
{
    size_t lo = 0, hi = e->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(e->v[ix[mid]].id, id);
        if (c < 0)
            lo = mid + 1;
        else if (c > 0)
            hi = mid;
        else
            return (ptrdiff_t)ix[mid];
    }
    return -1;
}

static void fc_report(fc_diff_fn fn, void *ctx, int kind, const fc_item *e, const fc_item *f, const char *detail)
{
    if (fn != NULL)
        fn(ctx, kind, e, f, detail != NULL ? detail : "");
}

/* The matching shared by items and groups. match[j] (found -> expected
 * index or -1) is filled for the caller, who owns it ([found->n + 1]). */
static long fc_match(const fc_items *expected, const fc_items *found, int mode, fc_counts *c, fc_diff_fn fn, void *ctx,
                     ptrdiff_t *match)
{
    size_t *ix = fc_id_index(expected);
    ptrdiff_t *by_exp = malloc((expected->n + 1) * sizeof *by_exp);
    long diffs = 0;
    ptrdiff_t last = -1, horizon = -1;
    char detail[96];

    if (ix == NULL || by_exp == NULL) {
        free(ix);
        free(by_exp);
        return -1;
    }
    if (expected->n > 1)
        qsort_r(ix, expected->n, sizeof *ix, fc_ix_qcmp, (void *)expected);
    for (size_t i = 0; i < expected->n; i++)
        by_exp[i] = -1;
    c->items += found->n;

    /* Pass 1: entries at their expected time. */
    for (size_t j = 0; j < found->n; j++) {
        ptrdiff_t e = fc_ix_find(expected, ix, found->v[j].id);
        match[j] = -1;
        if (e >= 0 && by_exp[e] < 0 && expected->v[e].ts == found->v[j].ts) {
            by_exp[e] = (ptrdiff_t)j;
            match[j] = e;
        }
    }
    /* Pass 2: the rest, in the store's order. */
    for (size_t j = 0; j < found->n; j++) {
        const fc_item *f = &found->v[j];
        ptrdiff_t e;

        if (match[j] >= 0) {
            e = match[j];
            if (e < last) {
                c->out_of_order++, diffs++;
                fc_report(fn, ctx, FC_DIFF_ORDER, &expected->v[e], f, "listed after an entry it should precede");
            } else {
                last = e;
                if (e > horizon)
                    horizon = e;
            }
            continue;
        }
        e = fc_ix_find(expected, ix, f->id);
        if (e < 0) {
            c->extra++, diffs++;
            fc_report(fn, ctx, FC_DIFF_EXTRA, NULL, f, NULL);
        } else if (by_exp[e] >= 0) {
            c->duplicated++, diffs++;
            snprintf(detail, sizeof detail, "again at ts %lld", (long long)f->ts);
            fc_report(fn, ctx, FC_DIFF_DUPLICATED, &expected->v[e], f, detail);
        } else {
            by_exp[e] = (ptrdiff_t)j;
            match[j] = e;
            c->out_of_order++, diffs++;
            snprintf(detail, sizeof detail, "ts %lld, expected %lld", (long long)f->ts, (long long)expected->v[e].ts);
            fc_report(fn, ctx, FC_DIFF_ORDER, &expected->v[e], f, detail);
            match[j] = -2 - e; /* matched, but not in place: no content check */
        }
    }
    /* Missing: all of them, or (a head) those above its oldest good entry. */
    for (size_t i = 0; i < expected->n; i++) {
        if (mode == FC_CMP_PREFIX && (ptrdiff_t)i > horizon)
            break;
        if (by_exp[i] < 0) {
            c->missing++, diffs++;
            fc_report(fn, ctx, FC_DIFF_MISSING, &expected->v[i], NULL, NULL);
        }
    }
    free(ix);
    free(by_exp);
    return diffs;
}

long fc_compare_items(const fc_items *expected, const fc_items *found, int mode, fc_counts *c, fc_diff_fn fn, void *ctx)
{
    ptrdiff_t *match = malloc((found->n + 1) * sizeof *match);
    long diffs;

    if (match == NULL)
        return -1;
    diffs = fc_match(expected, found, mode, c, fn, ctx, match);
    free(match);
    return diffs;
}

int fc_group_diff(const fc_group *e, const fc_group *f, char *detail, size_t cap)
{
    int same_ids = e->n_ids == f->n_ids;

    for (int k = 0; same_ids && k < e->n_ids; k++)
        same_ids = e->actor_ids[k] == f->actor_ids[k];
    if (e->actor_count != f->actor_count) {
        snprintf(detail, cap, "actor_count %d, expected %d", (int)f->actor_count, (int)e->actor_count);
    } else if (!same_ids) {
        snprintf(detail, cap, "actor_ids differ (%d listed, expected %d; first %lld, expected %lld)", (int)f->n_ids,
                 (int)e->n_ids, f->n_ids > 0 ? (long long)f->actor_ids[0] : -1LL,
                 e->n_ids > 0 ? (long long)e->actor_ids[0] : -1LL);
    } else if (f->latest_us != -1 && f->latest_us != e->latest_us) {
        snprintf(detail, cap, "latest_us %lld, expected %lld", (long long)f->latest_us, (long long)e->latest_us);
    } else if (strcmp(e->verb, f->verb) != 0 || strcmp(e->object, f->object) != 0) {
        snprintf(detail, cap, "verb/object %s %s, expected %s %s", f->verb, f->object, e->verb, e->object);
    } else {
        return 0;
    }
    return 1;
}

long fc_compare_groups(const fc_groups *expected, const fc_groups *found, int mode, fc_counts *c, fc_diff_fn fn,
                       void *ctx)
{
    fc_items ei = {0}, fi = {0};
    ptrdiff_t *match = NULL;
    long diffs = -1;
    char detail[160];

    if (fc_groups_as_items(expected, &ei) != 0 || fc_groups_as_items(found, &fi) != 0)
        goto done;
    match = malloc((found->n + 1) * sizeof *match);
    if (match == NULL)
        goto done;
    diffs = fc_match(&ei, &fi, mode, c, fn, ctx, match);
    if (diffs < 0)
        goto done;
    for (size_t j = 0; j < found->n; j++) {
        if (match[j] < 0)
            continue;
        if (fc_group_diff(&expected->v[match[j]], &found->v[j], detail, sizeof detail)) {
            c->counts_off++, diffs++;
            fc_report(fn, ctx, FC_DIFF_COUNT, &ei.v[match[j]], &fi.v[j], detail);
        }
    }
done:
    free(match);
    fc_items_free(&ei);
    fc_items_free(&fi);
    return diffs;
}
