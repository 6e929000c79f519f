/* fc_run.c: load PostgreSQL, check Cassandra, check Redis, report.
 *
 * Cassandra is read by --jobs threads, each on its own blocking
 * connection: for all users, each thread scans one token range of each
 * feed table (partitions arrive whole, newest first) and compares every
 * partition as it arrives, so no store's feeds are ever all in memory; the
 * users whose partition never came are then compared with an empty feed.
 * For a subset, the threads share the users and read partition by
 * partition. The model is read-only once loaded, so threads share it.
 *
 * Redis is read afterwards in the main thread, pipelined per batch of
 * users. A home feed found ambiguous in Cassandra (fc_model.h) is then
 * compared in Redis with what Cassandra holds for the ambiguous part.
 */
#include "tools/feedcheck/feedcheck.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema/redis/redis_keys.h"

static const char *const fc_feed_names[FC_FEEDS] = {"home", "profile", "notifications"};

/* A home feed resolved against Cassandra (ambiguous parts as found). */
typedef struct fc_resolved {
    size_t u;
    fc_items items;
} fc_resolved;

typedef struct fc_ctx {
    const fc_opts *o;
    const fc_model *m;
    fc_rules rules;
    FILE *out;
    pthread_mutex_t lock; /* details_left, resolved, printing */
    long details_left;
    int latest;                    /* read notifications.latest_us */
    int feeds;                     /* FC_FEEDS, or 2 without notifications */
    unsigned char *seen[FC_FEEDS]; /* full scan: partition found, per user index */
    unsigned char *listed;         /* per act: listed in a Cassandra feed */
    unsigned char *has_body;       /* per act: body row found */
    size_t *check;                 /* subset: user indexes; NULL: all */
    size_t n_check;
    fc_resolved *resolved;
    size_t n_resolved, cap_resolved;
    fc_merges merges;                                  /* hot accounts merged into homes (fc_merge.h) */
    fc_counts cass[FC_FEEDS + 1], redis[FC_FEEDS + 1]; /* [FC_FEEDS]: bodies */
    uint64_t stale_bodies;                             /* body rows of activities PostgreSQL does not have */
    uint64_t rows_read;
} fc_ctx;

typedef struct fc_worker {
    fc_ctx *x;
    fc_cql *c;
    int64_t tok_lo, tok_hi; /* full scan range */
    size_t first, step;     /* subset: check[first], check[first + step], ... */
    int feed;               /* the table being scanned */
    fc_counts counts[FC_FEEDS + 1];
    uint64_t stale_bodies;
    fc_items e, r, found, served;
    fc_groups g, fg;
    int rc;
} fc_worker;

typedef struct fc_diff_ctx {
    fc_ctx *x;
    const char *store, *feed;
    int64_t user;
} fc_diff_ctx;

static double fc_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Print one difference while --details allows. */
static void fc_diff(void *ctx, int kind, const fc_item *e, const fc_item *f, const char *detail)
{
    fc_diff_ctx *d = ctx;
    const fc_item *it = e != NULL ? e : f;

    pthread_mutex_lock(&d->x->lock);
    if (d->x->details_left > 0) {
        d->x->details_left--;
        fprintf(d->x->out, "  %s %s of user %" PRId64 ": %s %s at ts %" PRId64 "%s%s%s\n", d->store, d->feed, d->user,
                fc_diff_name(kind), it->id, it->ts, detail[0] ? " (" : "", detail, detail[0] ? ")" : "");
    }
    pthread_mutex_unlock(&d->x->lock);
}

static const fc_items *fc_resolved_find(const fc_ctx *x, size_t u)
{
    size_t lo = 0, hi = x->n_resolved;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->resolved[mid].u < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->n_resolved && x->resolved[lo].u == u ? &x->resolved[lo].items : NULL;
}

static int fc_item_qcmp(const void *a, const void *b)
{
    return fc_item_cmp(a, b);
}

static int fc_resolved_qcmp(const void *pa, const void *pb)
{
    const fc_resolved *a = pa, *b = pb;

    return a->u < b->u ? -1 : a->u > b->u;
}

/* (actor, key) pairs of a list's known activities, sorted. */
typedef struct fc_ak {
    int64_t actor;
    uint64_t key;
} fc_ak;

static int fc_ak_qcmp(const void *pa, const void *pb)
{
    const fc_ak *a = pa, *b = pb;

    if (a->actor != b->actor)
        return a->actor < b->actor ? -1 : 1;
    return a->key < b->key ? -1 : a->key > b->key;
}

static fc_ak *fc_ak_of(const fc_model *m, const fc_items *l, size_t *n)
{
    fc_ak *v = malloc((l->n + 1) * sizeof *v);
    size_t k = 0;

    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < l->n; i++) {
        const fc_act *a = fc_model_find(m, l->v[i].id, strlen(l->v[i].id));
        if (a != NULL) {
            v[k].actor = a->actor;
            v[k++].key = fc_act_key(a->kind, a->id);
        }
    }
    qsort(v, k, sizeof *v, fc_ak_qcmp);
    for (size_t i = 0, j = 0; i < k; i++) /* distinct */
        if (j == 0 || v[j - 1].key != v[i].key || v[j - 1].actor != v[i].actor)
            v[j++] = v[i], *n = j;
    if (k == 0)
        *n = 0;
    return v;
}

/* [lo, hi) of actor in v. */
static void fc_ak_range(const fc_ak *v, size_t n, int64_t actor, size_t *lo, size_t *hi)
{
    size_t a = 0, b = n;

    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (v[mid].actor < actor)
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    while (a < n && v[a].actor == actor)
        a++;
    *hi = a;
}

/* Home of u expected in e, found in found: replace each followee's part
 * that differs but is plausible under the job's LSN rule with what was
 * found, into r. Returns 1 if any part was replaced, 0 if none, -1 OOM. */
static int fc_resolve_home(fc_worker *w, size_t u, const fc_items *e, const fc_items *found, fc_items *r)
{
    const fc_model *m = w->x->m;
    size_t ne = 0, nf = 0, replaced = 0;
    fc_ak *ea = fc_ak_of(m, e, &ne), *fa = fc_ak_of(m, found, &nf);
    int64_t *rep = malloc((m->user_follows[u + 1] - m->user_follows[u] + 1) * sizeof *rep);
    uint64_t *keys = malloc((nf + 1) * sizeof *keys);
    int rc = -1;

    if (ea == NULL || fa == NULL || rep == NULL || keys == NULL)
        goto done;
    for (size_t f = m->user_follows[u]; f < m->user_follows[u + 1]; f++) {
        const fc_follow *fw = &m->follows[f];
        ptrdiff_t v = fc_model_user(m, fw->followee);
        size_t elo, ehi, flo, fhi, nk = 0;
        int same;

        if (v < 0)
            continue;
        fc_ak_range(ea, ne, fw->followee, &elo, &ehi);
        fc_ak_range(fa, nf, fw->followee, &flo, &fhi);
        same = ehi - elo == fhi - flo;
        for (size_t i = 0; same && i < ehi - elo; i++)
            same = ea[elo + i].key == fa[flo + i].key;
        if (same)
            continue;
        for (size_t i = flo; i < fhi; i++)
            keys[nk++] = fa[i].key;
        if (fc_pair_plausible(m, (size_t)v, fw->ts_us, &w->x->rules, keys, nk))
            rep[replaced++] = fw->followee;
    }
    r->n = 0;
    for (size_t i = 0; i < e->n; i++) {
        int skip = 0;
        for (size_t k = 0; k < replaced && !skip; k++)
            skip = e->v[i].actor == rep[k];
        if (!skip) {
            fc_item *it = fc_items_push(r);
            if (it == NULL)
                goto done;
            *it = e->v[i];
        }
    }
    for (size_t i = 0; i < found->n; i++) {
        const fc_act *a = fc_model_find(m, found->v[i].id, strlen(found->v[i].id));
        int take = 0;
        if (a == NULL)
            continue;
        for (size_t k = 0; k < replaced && !take; k++)
            take = a->actor == rep[k];
        if (take) {
            fc_item *it = fc_items_push(r);
            if (it == NULL)
                goto done;
            it->ts = a->ts_us;
            it->actor = a->actor;
            it->cls = FC_CLS_WINDOW;
            fc_act_id(a, it->id);
        }
    }
    if (r->n > 1) {
        size_t j = 1;
        qsort(r->v, r->n, sizeof *r->v, fc_item_qcmp);
        for (size_t i = 1; i < r->n; i++) /* a doubled item enters once: its copies are adjacent now */
            if (fc_item_cmp(&r->v[j - 1], &r->v[i]) != 0)
                r->v[j++] = r->v[i];
        r->n = j;
    }
    rc = replaced > 0;
done:
    free(ea);
    free(fa);
    free(rep);
    free(keys);
    return rc;
}

static int fc_keep_resolved(fc_ctx *x, size_t u, const fc_items *r)
{
    fc_resolved *res;
    int rc = -1;

    pthread_mutex_lock(&x->lock);
    if (x->n_resolved == x->cap_resolved) {
        size_t cap = x->cap_resolved ? x->cap_resolved * 2 : 64;
        fc_resolved *nv = realloc(x->resolved, cap * sizeof *nv);
        if (nv == NULL)
            goto done;
        x->resolved = nv;
        x->cap_resolved = cap;
    }
    res = &x->resolved[x->n_resolved];
    memset(res, 0, sizeof *res);
    res->u = u;
    for (size_t i = 0; i < r->n; i++) {
        fc_item *it = fc_items_push(&res->items);
        if (it == NULL) {
            fc_items_free(&res->items);
            goto done;
        }
        *it = r->v[i];
    }
    x->n_resolved++;
    rc = 0;
done:
    pthread_mutex_unlock(&x->lock);
    return rc;
}

/* Compare one Cassandra partition (user, feed) with its expectation. u is
 * the user's index, or -1 for a user PostgreSQL does not have. */
static int fc_check_partition(fc_worker *w, int feed, int64_t user, ptrdiff_t u, const fc_items *found,
                              const fc_groups *groups)
{
    fc_ctx *x = w->x;
    const fc_model *m = x->m;
    fc_counts *c = &w->counts[feed];
    fc_diff_ctx d = {x, "cassandra", fc_feed_names[feed], user};

    c->feeds++;
    if (feed == FC_FEED_HOME && fc_merges_has(&x->merges, user)) {
        /* the home as the API serves it: stored, merged with the hot accounts followed */
        if (fc_merges_served(&x->merges, user, found, &w->served) != 0)
            return -1;
        found = &w->served;
    }
    for (size_t i = 0; feed != FC_FEED_NOTIF && i < found->n; i++) {
        const fc_act *a = fc_model_find(m, found->v[i].id, strlen(found->v[i].id));
        if (a != NULL)
            __atomic_store_n(&x->listed[a - m->acts], 1, __ATOMIC_RELAXED);
    }
    if (feed == FC_FEED_NOTIF) {
        w->g.n = 0;
        if (u >= 0 && fc_expect_notifications(m, (size_t)u, &w->g) != 0)
            return -1;
        return fc_compare_groups(&w->g, groups, FC_CMP_FULL, c, fc_diff, &d) < 0 ? -1 : 0;
    }
    w->e.n = 0;
    if (u >= 0 && (feed == FC_FEED_PROFILE ? fc_expect_profile(m, (size_t)u, &w->e)
                                           : fc_expect_home(m, (size_t)u, &x->rules, &w->e)) != 0)
        return -1;
    if (feed == FC_FEED_HOME && u >= 0 && !x->o->strict) {
        fc_counts quick = {0};
        long diffs = fc_compare_items(&w->e, found, FC_CMP_FULL, &quick, NULL, NULL);
        int res;

        if (diffs < 0)
            return -1;
        if (diffs == 0) {
            c->items += quick.items;
            return 0;
        }
        res = fc_resolve_home(w, (size_t)u, &w->e, found, &w->r);
        if (res < 0)
            return -1;
        if (res > 0) {
            c->ambiguous++;
            if (fc_keep_resolved(x, (size_t)u, &w->r) != 0)
                return -1;
            return fc_compare_items(&w->r, found, FC_CMP_FULL, c, fc_diff, &d) < 0 ? -1 : 0;
        }
    }
    return fc_compare_items(&w->e, found, FC_CMP_FULL, c, fc_diff, &d) < 0 ? -1 : 0;
}

static int fc_on_partition(void *ctx, int64_t user, const fc_items *items, const fc_groups *groups)
{
    fc_worker *w = ctx;
    ptrdiff_t u = fc_model_user(w->x->m, user);

    if (u >= 0)
        w->x->seen[w->feed][u] = 1;
    return fc_check_partition(w, w->feed, user, u, items, groups);
}

/* Body row against PostgreSQL, for the bodies scan and IN reads. */
static int fc_on_body(void *ctx, const fc_body *b)
{
    fc_worker *w = ctx;
    fc_ctx *x = w->x;
    const fc_act *a = fc_model_find(x->m, b->id, strlen(b->id));
    char detail[160];

    w->counts[FC_FEEDS].items++;
    if (a == NULL) {
        w->stale_bodies++;
        return 0;
    }
    __atomic_store_n(&x->has_body[a - x->m->acts], 1, __ATOMIC_RELAXED);
    if (fc_body_check(a, b, detail, sizeof detail)) {
        fc_item it = {.ts = a->ts_us};
        fc_diff_ctx d = {x, "cassandra", "activities", a->actor};
        fc_act_id(a, it.id);
        w->counts[FC_FEEDS].counts_off++;
        fc_diff(&d, FC_DIFF_BODY_WRONG, &it, NULL, detail);
    }
    return 0;
}

static void *fc_cassandra_worker(void *arg)
{
    fc_worker *w = arg;
    fc_ctx *x = w->x;

    w->rc = -1;
    if (x->check == NULL) {
        for (w->feed = 0; w->feed < x->feeds; w->feed++)
            if (fc_cql_scan_feed(w->c, w->feed, x->latest, w->tok_lo, w->tok_hi, fc_on_partition, w) != 0)
                return NULL;
        if (fc_cql_scan_bodies(w->c, w->tok_lo, w->tok_hi, fc_on_body, w) != 0)
            return NULL;
    } else {
        for (size_t i = w->first; i < x->n_check; i += w->step) {
            size_t u = x->check[i];
            for (int feed = 0; feed < x->feeds; feed++) {
                if (fc_cql_read_feed(w->c, feed, x->latest, x->m->users[u], &w->found, &w->fg) != 0 ||
                    fc_check_partition(w, feed, x->m->users[u], (ptrdiff_t)u, &w->found, &w->fg) != 0)
                    return NULL;
            }
        }
    }
    w->rc = 0;
    return NULL;
}

int fc_body_check(const fc_act *a, const fc_body *b, char *detail, size_t cap)
{
    const char *verb = a->kind == 'f' ? "FOLLOW" : a->kind == 'p' ? "SHARD" : a->kind == 'c' ? "COMMENT" : "LIKE";
    char object[FC_ID_MAX], target[FC_ID_MAX];

    snprintf(object, sizeof object, "%c:%" PRId64, a->kind == 'f' ? 'u' : 'p', a->object);
    snprintf(target, sizeof target, "u:%" PRId64, a->target);
    if (b->verb == NULL || strcmp(b->verb, verb) != 0)
        snprintf(detail, cap, "verb %s, expected %s", b->verb ? b->verb : "null", verb);
    else if (b->actor != a->actor)
        snprintf(detail, cap, "actor_id %" PRId64 ", expected %" PRId64, b->actor, a->actor);
    else if (b->ts_us != a->ts_us)
        snprintf(detail, cap, "ts_us %" PRId64 ", expected %" PRId64, b->ts_us, a->ts_us);
    else if (b->object == NULL || strcmp(b->object, object) != 0)
        snprintf(detail, cap, "object_id %s, expected %s", b->object ? b->object : "null", object);
    else if (a->target != 0 ? b->target == NULL || strcmp(b->target, target) != 0 : b->target != NULL)
        snprintf(detail, cap, "target_id %s, expected %s", b->target ? b->target : "null",
                 a->target != 0 ? target : "null");
    else if (b->body_len != a->body_len)
        snprintf(detail, cap, "body of %" PRId64 " bytes, expected %d", b->body_len, (int)a->body_len);
    else
        return 0;
    return 1;
}

/* Every listed activity without a body row. */
static void fc_bodies_missing(fc_ctx *x)
{
    for (size_t i = 0; i < x->m->n_acts; i++) {
        if (x->listed[i] && !x->has_body[i]) {
            const fc_act *a = &x->m->acts[i];
            fc_item it = {.ts = a->ts_us};
            fc_diff_ctx d = {x, "cassandra", "activities", a->actor};
            fc_act_id(a, it.id);
            x->cass[FC_FEEDS].missing++;
            fc_diff(&d, FC_DIFF_BODY_MISSING, &it, NULL, "listed in a feed");
        }
    }
}

/* Open jobs connections into w[0..jobs), each with its token range (lo,
 * hi]: the whole ring cut in jobs pieces; for a subset, every jobs-th
 * user from its own index. 0, or -1 with a message on err. */
static int fc_workers_open(fc_ctx *x, fc_worker *w, int jobs, FILE *err)
{
    const fc_opts *o = x->o;

    for (int i = 0; i < jobs; i++) {
        w[i].x = x;
        w[i].c = fc_cql_open(o->cass_host, o->cass_port, o->keyspace, o->consistency, o->page_size, err);
        if (w[i].c == NULL)
            return -1;
        w[i].tok_lo = i == 0 ? INT64_MIN : (int64_t)((__int128)INT64_MIN + ((__int128)UINT64_MAX * i) / jobs);
        w[i].tok_hi =
            i == jobs - 1 ? INT64_MAX : (int64_t)((__int128)INT64_MIN + ((__int128)UINT64_MAX * (i + 1)) / jobs);
        w[i].first = (size_t)i;
        w[i].step = (size_t)jobs;
    }
    return 0;
}

/* Set x->latest: whether notifications.latest_us is there to compare
 * (asked on c unless notifications or latest_us are not checked). 0, or
 * -1 with a message on err. */
static int fc_detect_latest(fc_ctx *x, fc_cql *c, FILE *err)
{
    const fc_opts *o = x->o;
    int has;

    if (o->no_notifications || o->no_latest)
        return 0;
    has = fc_cql_has_latest(c);
    if (has < 0) {
        fprintf(err, "feedcheck: Cassandra: %s\n", fc_cql_error(c));
        return -1;
    }
    x->latest = has;
    if (!has && !o->quiet)
        fprintf(x->out,
                "note: %s.notifications has no column latest_us (an older schema/cql): "
                "latest_us not compared\n",
                o->keyspace);
    return 0;
}

/* Run the jobs workers on threads t and add up what they counted into x.
 * 0, or -1 with a message on err. */
static int fc_workers_run(fc_ctx *x, fc_worker *w, pthread_t *t, int jobs, FILE *err)
{
    int started = 0;

    for (int i = 0; i < jobs; i++, started++)
        if (pthread_create(&t[i], NULL, fc_cassandra_worker, &w[i]) != 0)
            break;
    for (int i = 0; i < started; i++)
        pthread_join(t[i], NULL);
    if (started < jobs) {
        fprintf(err, "feedcheck: cannot start threads\n");
        return -1;
    }
    for (int i = 0; i < jobs; i++) {
        if (w[i].rc != 0) {
            fprintf(err, "feedcheck: Cassandra: %s\n", fc_cql_error(w[i].c));
            return -1;
        }
        for (int f = 0; f <= FC_FEEDS; f++)
            fc_counts_add(&x->cass[f], &w[i].counts[f]);
        x->stale_bodies += w[i].stale_bodies;
    }
    return 0;
}

/* Full scan: users whose partition never came hold an empty feed; compare
 * them on worker w (its counts reused). 0, or -1. */
static int fc_check_unseen(fc_ctx *x, fc_worker *w)
{
    fc_items empty = {0};
    fc_groups gempty = {0};

    memset(w->counts, 0, sizeof w->counts);
    for (int f = 0; f < x->feeds; f++)
        for (size_t u = 0; u < x->m->n_users; u++)
            if (!x->seen[f][u] && fc_check_partition(w, f, x->m->users[u], (ptrdiff_t)u, &empty, &gempty) != 0)
                return -1;
    for (int f = 0; f < FC_FEEDS; f++)
        fc_counts_add(&x->cass[f], &w->counts[f]);
    return 0;
}

/* Subset: read the bodies of the listed activities on worker w (its counts
 * reused). 0, or -1 (with a message on err if Cassandra failed). */
static int fc_check_listed_bodies(fc_ctx *x, fc_worker *w, FILE *err)
{
    size_t n = 0;
    char **ids = malloc((x->m->n_acts + 1) * sizeof *ids);
    char(*buf)[FC_ID_MAX] = NULL;
    int rc = -1;

    if (ids == NULL)
        return -1;
    for (size_t i = 0; i < x->m->n_acts; i++)
        n += x->listed[i];
    buf = malloc((n + 1) * sizeof *buf);
    if (buf == NULL)
        goto done;
    n = 0;
    for (size_t i = 0; i < x->m->n_acts; i++)
        if (x->listed[i]) {
            fc_act_id(&x->m->acts[i], buf[n]);
            ids[n] = buf[n];
            n++;
        }
    memset(w->counts, 0, sizeof w->counts);
    w->stale_bodies = 0;
    if (fc_cql_read_bodies(w->c, (const char *const *)ids, n, fc_on_body, w) != 0) {
        fprintf(err, "feedcheck: Cassandra: %s\n", fc_cql_error(w->c));
        goto done;
    }
    fc_counts_add(&x->cass[FC_FEEDS], &w->counts[FC_FEEDS]);
    rc = 0;
done:
    free(ids);
    free(buf);
    return rc;
}

static int fc_check_cassandra(fc_ctx *x, FILE *err)
{
    int jobs = x->o->jobs, rc = -1;
    fc_worker *w = calloc((size_t)jobs, sizeof *w);
    pthread_t *t = calloc((size_t)jobs, sizeof *t);

    if (w == NULL || t == NULL || fc_workers_open(x, w, jobs, err) != 0 || fc_detect_latest(x, w[0].c, err) != 0 ||
        fc_workers_run(x, w, t, jobs, err) != 0)
        goto done;
    if (x->check == NULL ? fc_check_unseen(x, &w[0]) != 0 : fc_check_listed_bodies(x, &w[0], err) != 0)
        goto done;
    fc_bodies_missing(x);
    x->cass[FC_FEEDS].feeds = 0;
    rc = 0;
done:
    for (int i = 0; w != NULL && i < jobs; i++) {
        fc_cql_close(w[i].c);
        fc_items_free(&w[i].e);
        fc_items_free(&w[i].r);
        fc_items_free(&w[i].found);
        fc_items_free(&w[i].served);
        fc_groups_free(&w[i].g);
        fc_groups_free(&w[i].fg);
    }
    free(w);
    free(t);
    return rc;
}

/* --- Redis ---------------------------------------------------------------- */

enum { FC_REDIS_BATCH = 256 };

static int fc_ptr_qcmp(const void *pa, const void *pb)
{
    uintptr_t a = (uintptr_t) * (const fc_act *const *)pa, b = (uintptr_t) * (const fc_act *const *)pb;

    return a < b ? -1 : a > b;
}

/* Cached bodies act:<id> of the members of heads (each activity once),
 * against PostgreSQL. */
static int fc_redis_bodies(fc_ctx *x, fc_redis *r, const fc_items *heads, size_t n, FILE *err)
{
    size_t total = 0, k = 0, u = 0;
    char **keys, **vals;
    const fc_act **acts;
    int rc = -1;

    for (size_t i = 0; i < n; i++)
        total += heads[i].n;
    keys = calloc(total + 1, sizeof *keys);
    vals = calloc(total + 1, sizeof *vals);
    acts = calloc(total + 1, sizeof *acts);
    if (keys == NULL || vals == NULL || acts == NULL)
        goto done;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < heads[i].n; j++) {
            const fc_act *a = fc_model_find(x->m, heads[i].v[j].id, strlen(heads[i].v[j].id));
            if (a != NULL) /* else an extra member: counted as such already */
                acts[k++] = a;
        }
    qsort(acts, k, sizeof *acts, fc_ptr_qcmp);
    for (size_t i = 0; i < k; i++)
        if (u == 0 || acts[u - 1] != acts[i])
            acts[u++] = acts[i];
    k = u;
    for (size_t i = 0; i < k; i++) {
        char id[FC_ID_MAX];
        fc_act_id(acts[i], id);
        if (asprintf(&keys[i], REDIS_KEY_ACTIVITY_BODY "%s", id) < 0) {
            keys[i] = NULL;
            goto done;
        }
    }
    if (fc_redis_get(r, keys, k, vals) != 0) {
        fprintf(err, "feedcheck: Redis: %s\n", fc_redis_error(r));
        goto done;
    }
    for (size_t i = 0; i < k; i++) {
        fc_body b;
        char scratch[FC_ID_MAX * 4], detail[160];

        if (vals[i] == NULL)
            continue; /* expired or never cached: fine */
        x->redis[FC_FEEDS].items++;
        if (fc_redis_parse_act(vals[i], &b, scratch) != 0)
            snprintf(detail, sizeof detail, "not the activity JSON");
        else if (!fc_body_check(acts[i], &b, detail, sizeof detail))
            continue;
        {
            fc_item it = {.ts = acts[i]->ts_us};
            fc_diff_ctx d = {x, "redis", "act", acts[i]->actor};
            fc_act_id(acts[i], it.id);
            x->redis[FC_FEEDS].counts_off++;
            fc_diff(&d, FC_DIFF_BODY_WRONG, &it, NULL, detail);
        }
    }
    rc = 0;
done:
    for (size_t i = 0; keys != NULL && i < total; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
    free(acts);
    return rc;
}

/* Cached groups notif:<uid>:<gid> of one user's head, against the expected groups. */
static int fc_redis_groups(fc_ctx *x, fc_redis *r, int64_t user, const fc_items *head, const fc_groups *exp, FILE *err)
{
    char **keys = calloc(head->n + 1, sizeof *keys), **vals = calloc(head->n + 1, sizeof *vals);
    int rc = -1;

    if (keys == NULL || vals == NULL)
        goto done;
    for (size_t i = 0; i < head->n; i++)
        if (asprintf(&keys[i], REDIS_KEY_NOTIF_BODY "%" PRId64 ":%s", user, head->v[i].id) < 0) {
            keys[i] = NULL;
            goto done;
        }
    if (fc_redis_get(r, keys, head->n, vals) != 0) {
        fprintf(err, "feedcheck: Redis: %s\n", fc_redis_error(r));
        goto done;
    }
    for (size_t i = 0; i < head->n; i++) {
        fc_group g;
        const fc_group *e = NULL;
        char detail[160];

        if (vals[i] == NULL)
            continue;
        for (size_t k = 0; k < exp->n && e == NULL; k++)
            if (strcmp(exp->v[k].id, head->v[i].id) == 0)
                e = &exp->v[k];
        if (e == NULL)
            continue; /* the member is extra: counted already */
        x->redis[FC_FEED_NOTIF].items++;
        if (fc_redis_parse_group(vals[i], &g) != 0)
            snprintf(detail, sizeof detail, "not the group JSON");
        else if (strcmp(g.id, e->id) != 0)
            snprintf(detail, sizeof detail, "group_id %s", g.id);
        else if (g.window_us != e->window_us)
            snprintf(detail, sizeof detail, "ts_us %" PRId64 ", expected %" PRId64, g.window_us, e->window_us);
        else if (!fc_group_diff(e, &g, detail, sizeof detail))
            continue;
        {
            fc_item it = {.ts = e->window_us};
            fc_diff_ctx d = {x, "redis", "notif", user};
            memcpy(it.id, e->id, sizeof it.id);
            x->redis[FC_FEED_NOTIF].counts_off++;
            fc_diff(&d, FC_DIFF_COUNT, &it, NULL, detail);
        }
    }
    rc = 0;
done:
    for (size_t i = 0; keys != NULL && i < head->n; i++) {
        free(keys[i]);
        free(vals[i]);
    }
    free(keys);
    free(vals);
    return rc;
}

static int fc_check_redis(fc_ctx *x, FILE *err)
{
    const fc_opts *o = x->o;
    fc_redis *r = fc_redis_open(o->redis_host, o->redis_port, o->redis_db, err);
    size_t total = x->check != NULL ? x->n_check : x->m->n_users;
    int64_t users[FC_REDIS_BATCH];
    size_t idx[FC_REDIS_BATCH];
    fc_items heads[FC_REDIS_BATCH];
    int state[FC_REDIS_BATCH];
    fc_items e = {0};
    fc_groups g = {0};
    int rc = -1;

    memset(heads, 0, sizeof heads);
    if (r == NULL)
        return -1;
    for (size_t start = 0; start < total; start += FC_REDIS_BATCH) {
        size_t n = total - start < FC_REDIS_BATCH ? total - start : FC_REDIS_BATCH;

        for (size_t i = 0; i < n; i++) {
            idx[i] = x->check != NULL ? x->check[start + i] : start + i;
            users[i] = x->m->users[idx[i]];
        }
        for (int feed = 0; feed < x->feeds; feed++) {
            if (fc_redis_heads(r, feed, users, n, heads, state) != 0) {
                fprintf(err, "feedcheck: Redis: %s\n", fc_redis_error(r));
                goto done;
            }
            for (size_t i = 0; i < n; i++) {
                fc_diff_ctx d = {x, "redis", fc_feed_names[feed], users[i]};
                const fc_items *exp = &e;

                if (!(state[i] & FC_HEAD_EXISTS) || (state[i] & FC_HEAD_FILLING))
                    continue; /* no head, or not one yet (a fill is in progress) */
                x->redis[feed].feeds++;
                if (feed == FC_FEED_NOTIF) {
                    if (fc_expect_notifications(x->m, idx[i], &g) != 0 || fc_groups_as_items(&g, &e) != 0)
                        goto oom;
                } else if (feed == FC_FEED_PROFILE) {
                    if (fc_expect_profile(x->m, idx[i], &e) != 0)
                        goto oom;
                } else if ((exp = fc_resolved_find(x, idx[i])) == NULL) {
                    exp = &e;
                    if (fc_expect_home(x->m, idx[i], &x->rules, &e) != 0)
                        goto oom;
                }
                if (feed == FC_FEED_HOME && fc_merges_has(&x->merges, users[i])) {
                    /* A head holds the stored home only: compare it without
                     * what the merge serves (nor its copies from before). */
                    if (exp != &e) {
                        e.n = 0;
                        for (size_t k = 0; k < exp->n; k++) {
                            fc_item *it = fc_items_push(&e);
                            if (it == NULL)
                                goto oom;
                            *it = exp->v[k];
                        }
                        exp = &e;
                    }
                    fc_merges_hide(&x->merges, users[i], &e);
                    fc_merges_hide(&x->merges, users[i], &heads[i]);
                }
                /* "~end": the head is the whole feed */
                if (fc_compare_items(exp, &heads[i], (state[i] & FC_HEAD_COMPLETE) ? FC_CMP_FULL : FC_CMP_PREFIX,
                                     &x->redis[feed], fc_diff, &d) < 0)
                    goto oom;
                if (feed == FC_FEED_NOTIF && fc_redis_groups(x, r, users[i], &heads[i], &g, err) != 0)
                    goto done;
            }
            if (feed != FC_FEED_NOTIF && fc_redis_bodies(x, r, heads, n, err) != 0)
                goto done;
        }
    }
    rc = 0;
    goto done;
oom:
    fprintf(err, "feedcheck: out of memory\n");
done:
    for (size_t i = 0; i < FC_REDIS_BATCH; i++)
        fc_items_free(&heads[i]);
    fc_items_free(&e);
    fc_groups_free(&g);
    fc_redis_close(r);
    return rc;
}

/* --- report --------------------------------------------------------------- */

static void fc_print_row(FILE *out, const char *store, const char *feed, const fc_counts *c, int bodies)
{
    char feeds[24];

    if (bodies)
        snprintf(feeds, sizeof feeds, "-");
    else
        snprintf(feeds, sizeof feeds, "%" PRIu64, c->feeds);
    fprintf(out,
            "%-10s %-14s %10s %11" PRIu64 " %8" PRIu64 " %10" PRIu64 " %8" PRIu64 " %12" PRIu64 " %10" PRIu64
            " %9" PRIu64 "\n",
            store, feed, feeds, c->items, c->missing, c->duplicated, c->extra, c->out_of_order, c->counts_off,
            c->ambiguous);
}

static void fc_print_store(fc_ctx *x, FILE *out, const char *store, const fc_counts *rows)
{
    fc_counts total = {0};

    for (int f = 0; f < x->feeds; f++) {
        fc_print_row(out, store, fc_feed_names[f], &rows[f], 0);
        fc_counts_add(&total, &rows[f]);
    }
    fc_print_row(out, store, "bodies", &rows[FC_FEEDS], 1);
    fc_counts_add(&total, &rows[FC_FEEDS]);
    fc_print_row(out, store, "total", &total, 0);
}

/* Partial Fisher-Yates: n distinct user indexes picked with seed. */
static size_t *fc_sample(size_t n_users, size_t n, unsigned seed)
{
    size_t *all = malloc((n_users + 1) * sizeof *all);
    uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 1;

    if (all == NULL)
        return NULL;
    for (size_t i = 0; i < n_users; i++)
        all[i] = i;
    for (size_t i = 0; i < n && i < n_users; i++) {
        size_t j;
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        j = i + (size_t)(s % (n_users - i));
        size_t t = all[i];
        all[i] = all[j];
        all[j] = t;
    }
    return all;
}

static int fc_size_qcmp(const void *pa, const void *pb)
{
    size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

    return a < b ? -1 : a > b;
}

/* The users to check, into x->check (sorted, distinct): --users (those
 * PostgreSQL has), or --sample; NULL (all) otherwise. 0, or -1 (OOM). */
static int fc_pick_users(fc_ctx *x, FILE *err)
{
    const fc_opts *o = x->o;
    const fc_model *m = x->m;

    if (o->users != NULL) {
        x->check = malloc(o->n_users * sizeof *x->check);
        if (x->check == NULL)
            return -1;
        for (size_t i = 0; i < o->n_users; i++) {
            ptrdiff_t u = fc_model_user(m, o->users[i]);
            if (u < 0)
                fprintf(err, "feedcheck: user %" PRId64 " is not in PostgreSQL: skipped\n", o->users[i]);
            else
                x->check[x->n_check++] = (size_t)u;
        }
    } else if (o->sample > 0) {
        x->check = fc_sample(m->n_users, (size_t)o->sample, o->seed);
        if (x->check == NULL)
            return -1;
        x->n_check = (size_t)o->sample < m->n_users ? (size_t)o->sample : m->n_users;
    }
    if (x->check != NULL && x->n_check > 1) {
        size_t j = 0;
        qsort(x->check, x->n_check, sizeof *x->check, fc_size_qcmp);
        for (size_t i = 0; i < x->n_check; i++)
            if (j == 0 || x->check[j - 1] != x->check[i])
                x->check[j++] = x->check[i];
        x->n_check = j;
    }
    return 0;
}

/* Check Cassandra, then Redis (each unless skipped), timing each into
 * t_cass and t_redis. 0, or -1 with a message on err. */
static int fc_check_stores(fc_ctx *x, double *t_cass, double *t_redis, FILE *err)
{
    const fc_opts *o = x->o;
    fc_cql *c;

    /* The merge sources first: both stores' home checks need them. */
    if ((c = fc_cql_open(o->cass_host, o->cass_port, o->keyspace, o->consistency, o->page_size, err)) == NULL)
        return -1;
    if (fc_cql_read_merges(c, &x->merges) != 0) {
        fprintf(err, "feedcheck: Cassandra: %s\n", fc_cql_error(c));
        fc_cql_close(c);
        return -1;
    }
    fc_cql_close(c);

    if (!o->no_cassandra) {
        double tc = fc_now();
        for (int f = 0; f < FC_FEEDS; f++)
            if ((x->seen[f] = calloc(x->m->n_users + 1, 1)) == NULL)
                goto oom;
        x->listed = calloc(x->m->n_acts + 1, 1);
        x->has_body = calloc(x->m->n_acts + 1, 1);
        if (x->listed == NULL || x->has_body == NULL)
            goto oom;
        if (fc_check_cassandra(x, err) != 0)
            return -1;
        *t_cass = fc_now() - tc;
    }
    if (x->n_resolved > 1) /* sorted by user index for fc_resolved_find */
        qsort(x->resolved, x->n_resolved, sizeof *x->resolved, fc_resolved_qcmp);
    if (!o->no_redis) {
        double tr = fc_now();
        if (fc_check_redis(x, err) != 0)
            return -1;
        *t_redis = fc_now() - tr;
    }
    return 0;
oom:
    fprintf(err, "feedcheck: out of memory\n");
    return -1;
}

/* The table and the verdict line: checked users in t1 seconds (of which
 * PostgreSQL t_pg, Cassandra t_cass, Redis t_redis). FC_EXIT_EQUAL or
 * FC_EXIT_DIFF. */
static int fc_report(fc_ctx *x, size_t checked, double t1, double t_pg, double t_cass, double t_redis)
{
    const fc_opts *o = x->o;
    FILE *out = x->out;
    uint64_t diffs = 0, rows;

    fprintf(out, "%-10s %-14s %10s %11s %8s %10s %8s %12s %10s %9s\n", "store", "feed", "feeds", "items", "missing",
            "duplicated", "extra", "out-of-order", "counts-off", "ambiguous");
    if (!o->no_cassandra)
        fc_print_store(x, out, "cassandra", x->cass);
    if (!o->no_redis)
        fc_print_store(x, out, "redis", x->redis);
    rows = x->rows_read;
    for (int f = 0; f <= FC_FEEDS; f++) {
        diffs += fc_counts_differences(&x->cass[f]) + fc_counts_differences(&x->redis[f]);
        rows += x->cass[f].items + x->redis[f].items;
    }
    if (x->stale_bodies > 0 && !o->quiet)
        fprintf(out, "note: %" PRIu64 " body rows in %s.activities name activities PostgreSQL no longer has\n",
                x->stale_bodies, o->keyspace);
    fprintf(out,
            "%s: %zu users checked in %.2f s (postgresql %.2f s, cassandra %.2f s, redis %.2f s): %.0f users/s, "
            "%.0f rows/s\n",
            diffs == 0 ? "EQUAL" : "DIFFERENT", checked, t1, t_pg, t_cass, t_redis, t1 > 0 ? checked / t1 : 0.0,
            t1 > 0 ? rows / t1 : 0.0);
    return diffs == 0 ? FC_EXIT_EQUAL : FC_EXIT_DIFF;
}

/* Free what x holds (not the model). */
static void fc_ctx_free(fc_ctx *x)
{
    for (int f = 0; f < FC_FEEDS; f++)
        free(x->seen[f]);
    free(x->listed);
    free(x->has_body);
    free(x->check);
    for (size_t i = 0; i < x->n_resolved; i++)
        fc_items_free(&x->resolved[i].items);
    free(x->resolved);
    fc_merges_free(&x->merges);
    pthread_mutex_destroy(&x->lock);
}

int fc_run(const fc_opts *o, FILE *out, FILE *err)
{
    fc_model m;
    fc_pg_stats st;
    fc_ctx x;
    double t0 = fc_now(), t_pg, t_cass = 0, t_redis = 0;
    int rc = FC_EXIT_ERROR;

    fc_model_init(&m);
    memset(&x, 0, sizeof x);
    pthread_mutex_init(&x.lock, NULL);
    x.o = o;
    x.m = &m;
    x.out = out;
    x.details_left = o->details;
    x.rules.backfill = o->backfill;
    x.rules.skew_us = (int64_t)o->skew_ms * 1000;
    x.feeds = o->no_notifications ? 2 : FC_FEEDS;

    if (fc_pg_load(o->pg_dsn, &m, &st, err) != 0)
        goto done;
    t_pg = fc_now() - t0;
    x.rows_read = st.users + st.follows + st.posts + st.comments + st.likes;
    if (!o->quiet)
        fprintf(out,
                "postgresql: %" PRIu64 " users, %" PRIu64 " follows, %" PRIu64 " posts, %" PRIu64 " comments, %" PRIu64
                " likes read in %.2f s\n",
                st.users, st.follows, st.posts, st.comments, st.likes, t_pg);
    if (fc_pick_users(&x, err) != 0) {
        fprintf(err, "feedcheck: out of memory\n");
        goto done;
    }
    if (fc_check_stores(&x, &t_cass, &t_redis, err) != 0)
        goto done;
    rc = fc_report(&x, x.check != NULL ? x.n_check : m.n_users, fc_now() - t0, t_pg, t_cass, t_redis);
done:
    fc_ctx_free(&x);
    fc_model_free(&m);
    return rc;
}
