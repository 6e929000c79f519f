/* home_merge.c: see home_merge.h.
 *
 * Discipline, as in feed_read.c: the state lives in the caller's pool and
 * the callback runs only when no part is in flight, so nothing touches
 * the pool after it. `pending` counts the parts and the source lookup in
 * flight, plus one held while they are being started (a part may answer
 * inside its own start).
 */
#include "api/src/read/home_merge.h"

#include <string.h>

#include "api/src/read/home_merge_plan.h"
#include "api/src/read/merge_sources.h"

/* One part's page, copied out of its callback. */
typedef struct hm_part {
    struct hm_job *job;
    feed_read_status status;
    metric_store store;
    const char *message;
    feed_ref *refs;
    slice *texts;
    size_t n;
    feed_ref next;
    int has_next;
    feed_ref *missing;
    size_t nmissing;
    int missing_overflow;
} hm_part;

typedef struct hm_job {
    worker *w;
    pool *p;
    int64_t uid;
    int limit;
    feed_ref after;
    int has_after;
    feed_read_cb *cb;
    void *cb_data;
    size_t pending;
    merge_sources_status src_status;
    const merge_source *src;
    size_t nsrc;
    hm_part stored;   /* the stored home */
    hm_part *sources; /* nsrc: the sources' profiles */
} hm_job;

/* Part i of the merge: 0 the stored home, 1..nsrc the sources. */
static hm_part *hm_part_at(hm_job *j, size_t i)
{
    return i == 0 ? &j->stored : &j->sources[i - 1];
}

static void hm_fail(hm_job *j, feed_read_status status, metric_store store, const char *message)
{
    feed_read_result r;

    memset(&r, 0, sizeof(r));
    r.status = status;
    r.store = store;
    r.message = message;
    j->cb(&r, j->cb_data);
}

/* Every part is in: plan the page and answer it. */
static void hm_answer(hm_job *j)
{
    size_t nparts = j->nsrc + 1, i, k, total = 0, nmissing = 0;
    merge_part *mp = pool_alloc(j->p, nparts * sizeof(*mp));
    merge_pick *picks = pool_alloc(j->p, (size_t)j->limit * sizeof(*picks));
    feed_ref *refs = pool_alloc(j->p, (size_t)j->limit * sizeof(*refs));
    size_t *ends = pool_alloc(j->p, (size_t)j->limit * sizeof(*ends));
    feed_ref *missing = pool_alloc(j->p, FEED_READ_MAX_MISSING * sizeof(*missing));
    feed_read_result r;
    merge_plan plan;
    buf items;
    int overflow = 0;

    if (mp == NULL || picks == NULL || refs == NULL || ends == NULL || missing == NULL) {
        hm_fail(j, FEED_READ_INTERNAL, METRIC_STORE_REDIS, "out of memory");
        return;
    }
    for (i = 0; i < nparts; i++) {
        hm_part *pt = hm_part_at(j, i);
        mp[i].refs = pt->refs;
        mp[i].n = pt->n;
        mp[i].next = pt->has_next ? &pt->next : NULL;
        mp[i].rule = i == 0 ? NULL : &j->src[i - 1];
        for (k = 0; k < pt->nmissing; k++) {
            if (nmissing < FEED_READ_MAX_MISSING)
                missing[nmissing++] = pt->missing[k];
            else
                overflow = 1;
        }
        overflow |= pt->missing_overflow;
    }
    home_merge_plan(mp, nparts, (size_t)j->limit, picks, &plan);
    buf_init(&items, 0);
    for (k = 0; k < plan.n; k++) {
        const hm_part *pt = hm_part_at(j, picks[k].part);
        slice t = pt->texts[picks[k].item];
        if ((k > 0 && buf_append(&items, ",", 1) != 0) || buf_append(&items, t.base, t.len) != 0) {
            buf_dispose(&items);
            hm_fail(j, FEED_READ_INTERNAL, METRIC_STORE_REDIS, "out of memory");
            return;
        }
        refs[k] = pt->refs[picks[k].item];
        ends[k] = items.len;
        total++;
    }
    memset(&r, 0, sizeof(r));
    r.status = FEED_READ_OK;
    r.items = slice_make(items.data, items.len);
    r.nitems = (int)total;
    r.item_refs = refs;
    r.item_ends = ends;
    r.next = plan.has_next ? &plan.next : NULL;
    r.missing = missing;
    r.nmissing = nmissing;
    r.missing_overflow = overflow;
    j->cb(&r, j->cb_data);
    buf_dispose(&items);
}

static void hm_finish_if_done(hm_job *j)
{
    size_t i;

    if (j->pending > 0)
        return;
    if (j->src_status == MERGE_SOURCES_UNAVAILABLE) {
        hm_fail(j, FEED_READ_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                "Cassandra is unavailable and the hot accounts this user follows are not cached");
        return;
    }
    if (j->src_status == MERGE_SOURCES_TOO_MANY) {
        hm_fail(j, FEED_READ_INTERNAL, METRIC_STORE_CASSANDRA, "this user follows too many hot accounts to merge");
        return;
    }
    if (j->src_status != MERGE_SOURCES_OK) {
        hm_fail(j, FEED_READ_INTERNAL, METRIC_STORE_REDIS, "out of memory");
        return;
    }
    for (i = 0; i < j->nsrc + 1; i++) {
        hm_part *pt = hm_part_at(j, i);
        if (pt->status != FEED_READ_OK) {
            hm_fail(j, pt->status, pt->store, pt->message);
            return;
        }
    }
    hm_answer(j);
}

/* Copy a part's page out of its callback. */
static void hm_on_part(const feed_read_result *r, void *data)
{
    hm_part *pt = data;
    hm_job *j = pt->job;
    size_t k, start;

    pt->status = r->status;
    pt->store = r->store;
    pt->message = r->message;
    if (r->status == FEED_READ_OK) {
        size_t n = (size_t)r->nitems;
        pt->refs = pool_alloc(j->p, (n + 1) * sizeof(*pt->refs));
        pt->texts = pool_alloc(j->p, (n + 1) * sizeof(*pt->texts));
        pt->missing = pool_alloc(j->p, (r->nmissing + 1) * sizeof(*pt->missing));
        if (pt->refs == NULL || pt->texts == NULL || pt->missing == NULL) {
            pt->status = FEED_READ_INTERNAL;
            pt->message = "out of memory";
        } else {
            for (k = 0; k < n; k++) {
                char *copy;
                start = k == 0 ? 0 : r->item_ends[k - 1] + 1; /* after the comma */
                copy = pool_strndup(j->p, r->items.base + start, r->item_ends[k] - start);
                if (copy == NULL) {
                    pt->status = FEED_READ_INTERNAL;
                    pt->message = "out of memory";
                    break;
                }
                pt->texts[k] = slice_make(copy, r->item_ends[k] - start);
                pt->refs[k] = r->item_refs[k];
            }
            pt->n = k;
            if (r->next != NULL) {
                pt->next = *r->next;
                pt->has_next = 1;
            }
            if (r->nmissing > 0)
                memcpy(pt->missing, r->missing, r->nmissing * sizeof(*pt->missing));
            pt->nmissing = r->nmissing;
            pt->missing_overflow = r->missing_overflow;
        }
    }
    j->pending--;
    hm_finish_if_done(j);
}

static void hm_start_part(hm_job *j, hm_part *pt, feed_kind kind, int64_t uid)
{
    pt->job = j;
    j->pending++;
    feed_read_stored_page(j->w, j->p, kind, uid, j->limit, j->has_after ? &j->after : NULL, hm_on_part, pt);
}

static void hm_on_sources(merge_sources_status status, const merge_source *src, size_t n, void *data)
{
    hm_job *j = data;
    size_t i;

    j->src_status = status;
    if (status == MERGE_SOURCES_OK && n > 0) {
        hm_part *parts = pool_alloc(j->p, n * sizeof(*parts));
        if (parts == NULL) {
            j->src_status = MERGE_SOURCES_INTERNAL;
        } else {
            memset(parts, 0, n * sizeof(*parts));
            j->sources = parts;
            j->src = src;
            j->nsrc = n;
            j->pending++; /* held while the parts start */
            for (i = 0; i < n; i++)
                hm_start_part(j, &parts[i], FEED_PROFILE, src[i].followee_id);
            j->pending--;
        }
    }
    j->pending--;
    hm_finish_if_done(j);
}

void home_merge_read_page(worker *w, pool *p, int64_t user_id, int limit, const feed_ref *after, feed_read_cb *cb,
                          void *data)
{
    hm_job *j = pool_alloc(p, sizeof(*j));
    feed_read_result r;

    if (j == NULL) {
        memset(&r, 0, sizeof(r));
        r.status = FEED_READ_INTERNAL;
        r.message = "out of memory";
        cb(&r, data);
        return;
    }
    memset(j, 0, sizeof(*j));
    j->w = w;
    j->p = p;
    j->uid = user_id;
    j->limit = limit;
    j->cb = cb;
    j->cb_data = data;
    if (after != NULL) {
        j->after = *after;
        j->has_after = 1;
    }
    j->pending = 2; /* the source lookup, and one held while both start */
    hm_start_part(j, &j->stored, FEED_HOME, user_id);
    merge_sources_get(w, p, user_id, hm_on_sources, j);
    j->pending--;
    hm_finish_if_done(j);
}
