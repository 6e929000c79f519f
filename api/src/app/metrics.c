/* metrics.c: counters and their Prometheus text exposition.
 *
 * Every counter is a relaxed atomic: a scrape may see one family a few
 * increments ahead of another, which Prometheus tolerates (counters only
 * grow). Histogram buckets are stored per bucket and made cumulative at
 * render time, so recording is one increment per observation.
 */
#include "api/src/app/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define R memory_order_relaxed

const uint64_t metrics_bucket_us[METRICS_BUCKETS] = {
    100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};

static const char *const metric_store_names[METRIC_STORE_COUNT] = {
    [METRIC_STORE_POSTGRES] = "postgres",
    [METRIC_STORE_REDIS] = "redis",
    [METRIC_STORE_CASSANDRA] = "cassandra",
};

static const char *const metric_feed_names[METRIC_FEED_COUNT] = {
    [METRIC_FEED_HOME] = "home",
    [METRIC_FEED_PROFILE] = "profile",
    [METRIC_FEED_NOTIFICATIONS] = "notifications",
};

static const char *const metric_cache_names[METRIC_CACHE_COUNT] = {
    [METRIC_CACHE_HIT] = "hit",
    [METRIC_CACHE_MISS] = "miss",
    [METRIC_CACHE_BUSY] = "busy",
};

static const char *const metric_fallback_names[METRIC_FALLBACK_COUNT] = {
    [METRIC_FALLBACK_REDIS_DOWN] = "redis_down",
    [METRIC_FALLBACK_CASSANDRA_DOWN] = "cassandra_down",
};

static void metrics_route_init(metrics_route *r, const char *name)
{
    int i;

    atomic_init(&r->name, name);
    for (i = 0; i < METRICS_CODE_CLASSES; i++)
        atomic_init(&r->codes[i], 0);
    for (i = 0; i <= METRICS_BUCKETS; i++)
        atomic_init(&r->buckets[i], 0);
    atomic_init(&r->sum_us, 0);
    atomic_init(&r->count, 0);
}

void metrics_init(metrics *m)
{
    int i, j;

    for (i = 0; i < METRIC_STORE_COUNT; i++)
        atomic_init(&m->store_errors[i], 0);
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        for (j = 0; j < METRIC_CACHE_COUNT; j++)
            atomic_init(&m->cache[i][j], 0);
        atomic_init(&m->fills[i], 0);
        atomic_init(&m->cassandra_reads[i], 0);
    }
    for (i = 0; i < METRIC_FALLBACK_COUNT; i++)
        atomic_init(&m->fallbacks[i], 0);
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        atomic_init(&m->streams_open[i], 0);
        atomic_init(&m->stream_events[i], 0);
    }
    for (i = 0; i < METRICS_MAX_ROUTES; i++)
        metrics_route_init(&m->routes[i], NULL);
    metrics_route_init(&m->other, "other");
}

void metrics_store_error(metrics *m, metric_store store)
{
    if (m != NULL && store >= 0 && store < METRIC_STORE_COUNT)
        atomic_fetch_add_explicit(&m->store_errors[store], 1, R);
}

void metrics_cache(metrics *m, metric_feed feed, metric_cache result)
{
    if (m != NULL && feed >= 0 && feed < METRIC_FEED_COUNT && result >= 0 && result < METRIC_CACHE_COUNT)
        atomic_fetch_add_explicit(&m->cache[feed][result], 1, R);
}

void metrics_cache_fill(metrics *m, metric_feed feed)
{
    if (m != NULL && feed >= 0 && feed < METRIC_FEED_COUNT)
        atomic_fetch_add_explicit(&m->fills[feed], 1, R);
}

void metrics_cassandra_read(metrics *m, metric_feed feed)
{
    if (m != NULL && feed >= 0 && feed < METRIC_FEED_COUNT)
        atomic_fetch_add_explicit(&m->cassandra_reads[feed], 1, R);
}

void metrics_stream(metrics *m, metric_feed feed, int open)
{
    if (m == NULL || feed < 0 || feed >= METRIC_FEED_COUNT)
        return;
    if (open)
        atomic_fetch_add_explicit(&m->streams_open[feed], 1, R);
    else
        atomic_fetch_sub_explicit(&m->streams_open[feed], 1, R);
}

void metrics_stream_event(metrics *m, metric_feed feed)
{
    if (m != NULL && feed >= 0 && feed < METRIC_FEED_COUNT)
        atomic_fetch_add_explicit(&m->stream_events[feed], 1, R);
}

void metrics_fallback(metrics *m, metric_fallback reason)
{
    if (m != NULL && reason >= 0 && reason < METRIC_FALLBACK_COUNT)
        atomic_fetch_add_explicit(&m->fallbacks[reason], 1, R);
}

uint64_t metrics_get_fills(const metrics *m, metric_feed feed)
{
    return atomic_load_explicit(&((metrics *)m)->fills[feed], R);
}

uint64_t metrics_get_cassandra_reads(const metrics *m, metric_feed feed)
{
    return atomic_load_explicit(&((metrics *)m)->cassandra_reads[feed], R);
}

/* The slot of route name, interned on first use: a lock-free
 * find-or-claim over the table (a slot, once named, never changes). */
static metrics_route *metrics_route_slot(metrics *m, const char *name)
{
    int i;

    for (i = 0; i < METRICS_MAX_ROUTES; i++) {
        const char *cur = atomic_load_explicit(&m->routes[i].name, memory_order_acquire);
        if (cur == NULL) {
            const char *expected = NULL;
            if (atomic_compare_exchange_strong_explicit(&m->routes[i].name, &expected, name, memory_order_acq_rel,
                                                        memory_order_acquire))
                return &m->routes[i];
            cur = expected; /* another thread named it first */
        }
        if (cur == name || strcmp(cur, name) == 0)
            return &m->routes[i];
    }
    return &m->other;
}

void metrics_on_response(void *data, const char *route_template, int status, uint64_t duration_us)
{
    metrics *m = data;
    metrics_route *r;
    int cls = status / 100 - 1, b = 0;

    if (m == NULL)
        return;
    r = metrics_route_slot(m, route_template != NULL ? route_template : "unmatched");
    if (cls < 0 || cls >= METRICS_CODE_CLASSES)
        cls = METRICS_CODE_CLASSES - 1;
    atomic_fetch_add_explicit(&r->codes[cls], 1, R);
    while (b < METRICS_BUCKETS && duration_us > metrics_bucket_us[b])
        b++;
    atomic_fetch_add_explicit(&r->buckets[b], 1, R);
    atomic_fetch_add_explicit(&r->sum_us, duration_us, R);
    atomic_fetch_add_explicit(&r->count, 1, R);
}

/* ---- rendering ------------------------------------------------------ */

static int metrics_cmp_route(const void *a, const void *b)
{
    const metrics_route *ra = *(metrics_route *const *)a, *rb = *(metrics_route *const *)b;

    return strcmp(atomic_load_explicit(&((metrics_route *)ra)->name, R),
                  atomic_load_explicit(&((metrics_route *)rb)->name, R));
}

/* The named slots (and "other" if used), sorted by name. */
static size_t metrics_sorted_routes(metrics *m, metrics_route **out)
{
    size_t n = 0;
    int i;

    for (i = 0; i < METRICS_MAX_ROUTES; i++) {
        if (atomic_load_explicit(&m->routes[i].name, memory_order_acquire) != NULL &&
            atomic_load_explicit(&m->routes[i].count, R) > 0)
            out[n++] = &m->routes[i];
    }
    if (atomic_load_explicit(&m->other.count, R) > 0)
        out[n++] = &m->other;
    qsort(out, n, sizeof(*out), metrics_cmp_route);
    return n;
}

/* A route name as a label value: escape backslash, quote and newline. */
static int metrics_label(buf *out, const char *s)
{
    int rc = 0;

    for (; *s != '\0'; s++) {
        if (*s == '\\' || *s == '"')
            rc |= buf_append(out, "\\", 1);
        if (*s == '\n')
            rc |= buf_append_cstr(out, "\\n");
        else
            rc |= buf_append(out, s, 1);
    }
    return rc;
}

static int metrics_family(buf *out, const char *name, const char *type, const char *help)
{
    int rc = 0;

    rc |= buf_append_cstr(out, "# HELP ");
    rc |= buf_append_cstr(out, name);
    rc |= buf_append_cstr(out, " ");
    rc |= buf_append_cstr(out, help);
    rc |= buf_append_cstr(out, "\n# TYPE ");
    rc |= buf_append_cstr(out, name);
    rc |= buf_append_cstr(out, " ");
    rc |= buf_append_cstr(out, type);
    rc |= buf_append_cstr(out, "\n");
    return rc;
}

/* name{labels} value\n; labels is the text between the braces. */
static int metrics_sample(buf *out, const char *name, const char *labels, uint64_t v)
{
    int rc = 0;

    rc |= buf_append_cstr(out, name);
    rc |= buf_append_cstr(out, "{");
    rc |= buf_append_cstr(out, labels);
    rc |= buf_append_cstr(out, "} ");
    rc |= buf_append_u64(out, v);
    rc |= buf_append_cstr(out, "\n");
    return rc;
}

static int metrics_render_fixed(metrics *m, buf *out)
{
    char labels[96];
    int i, j, rc = 0;

    rc |= metrics_family(out, "feed_api_store_errors_total", "counter",
                         "Store requests that failed (refused, timed out, disconnected, server error).");
    for (i = 0; i < METRIC_STORE_COUNT; i++) {
        snprintf(labels, sizeof(labels), "store=\"%s\"", metric_store_names[i]);
        rc |= metrics_sample(out, "feed_api_store_errors_total", labels, atomic_load_explicit(&m->store_errors[i], R));
    }
    rc |= metrics_family(out, "feed_api_cache_requests_total", "counter",
                         "Cached feed head lookups: hit, miss (fill), busy (another worker fills).");
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        for (j = 0; j < METRIC_CACHE_COUNT; j++) {
            snprintf(labels, sizeof(labels), "feed=\"%s\",result=\"%s\"", metric_feed_names[i], metric_cache_names[j]);
            rc |=
                metrics_sample(out, "feed_api_cache_requests_total", labels, atomic_load_explicit(&m->cache[i][j], R));
        }
    }
    rc |= metrics_family(out, "feed_api_cache_fills_total", "counter", "Feed heads stored into Redis from Cassandra.");
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        snprintf(labels, sizeof(labels), "feed=\"%s\"", metric_feed_names[i]);
        rc |= metrics_sample(out, "feed_api_cache_fills_total", labels, atomic_load_explicit(&m->fills[i], R));
    }
    rc |= metrics_family(out, "feed_api_cassandra_feed_reads_total", "counter",
                         "Reads of a Cassandra feed table (fills and pages).");
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        snprintf(labels, sizeof(labels), "feed=\"%s\"", metric_feed_names[i]);
        rc |= metrics_sample(out, "feed_api_cassandra_feed_reads_total", labels,
                             atomic_load_explicit(&m->cassandra_reads[i], R));
    }
    rc |= metrics_family(out, "feed_api_fallbacks_total", "counter", "Reads answered although a store failed.");
    for (i = 0; i < METRIC_FALLBACK_COUNT; i++) {
        snprintf(labels, sizeof(labels), "reason=\"%s\"", metric_fallback_names[i]);
        rc |= metrics_sample(out, "feed_api_fallbacks_total", labels, atomic_load_explicit(&m->fallbacks[i], R));
    }
    rc |= metrics_family(out, "feed_api_streams_open", "gauge", "Feed streams sending (past their backlog) now.");
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        snprintf(labels, sizeof(labels), "feed=\"%s\"", metric_feed_names[i]);
        rc |= metrics_sample(out, "feed_api_streams_open", labels, atomic_load_explicit(&m->streams_open[i], R));
    }
    rc |= metrics_family(out, "feed_api_stream_events_total", "counter", "Items and removals sent on feed streams.");
    for (i = 0; i < METRIC_FEED_COUNT; i++) {
        snprintf(labels, sizeof(labels), "feed=\"%s\"", metric_feed_names[i]);
        rc |=
            metrics_sample(out, "feed_api_stream_events_total", labels, atomic_load_explicit(&m->stream_events[i], R));
    }
    return rc;
}

static int metrics_render_histogram(metrics_route *r, buf *out)
{
    char num[48];
    uint64_t cum = 0, sum_us;
    int b, rc = 0;

    for (b = 0; b <= METRICS_BUCKETS; b++) {
        cum += atomic_load_explicit(&r->buckets[b], R);
        rc |= buf_append_cstr(out, "feed_api_request_duration_seconds_bucket{route=\"");
        rc |= metrics_label(out, atomic_load_explicit(&r->name, R));
        rc |= buf_append_cstr(out, "\",le=\"");
        if (b < METRICS_BUCKETS) {
            snprintf(num, sizeof(num), "%g", (double)metrics_bucket_us[b] / 1e6);
            rc |= buf_append_cstr(out, num);
        } else {
            rc |= buf_append_cstr(out, "+Inf");
        }
        rc |= buf_append_cstr(out, "\"} ");
        rc |= buf_append_u64(out, cum);
        rc |= buf_append_cstr(out, "\n");
    }
    sum_us = atomic_load_explicit(&r->sum_us, R);
    snprintf(num, sizeof(num), "%llu.%06llu", (unsigned long long)(sum_us / 1000000),
             (unsigned long long)(sum_us % 1000000));
    rc |= buf_append_cstr(out, "feed_api_request_duration_seconds_sum{route=\"");
    rc |= metrics_label(out, atomic_load_explicit(&r->name, R));
    rc |= buf_append_cstr(out, "\"} ");
    rc |= buf_append_cstr(out, num);
    rc |= buf_append_cstr(out, "\nfeed_api_request_duration_seconds_count{route=\"");
    rc |= metrics_label(out, atomic_load_explicit(&r->name, R));
    rc |= buf_append_cstr(out, "\"} ");
    rc |= buf_append_u64(out, atomic_load_explicit(&r->count, R));
    rc |= buf_append_cstr(out, "\n");
    return rc;
}

static int metrics_render_routes(metrics *m, buf *out)
{
    metrics_route *sorted[METRICS_MAX_ROUTES + 1];
    size_t n = metrics_sorted_routes(m, sorted), i;
    char cls[4] = "0xx";
    int c, rc = 0;

    rc |= metrics_family(out, "feed_api_requests_total", "counter", "Answered requests by route and status class.");
    for (i = 0; i < n; i++) {
        for (c = 0; c < METRICS_CODE_CLASSES; c++) {
            uint64_t v = atomic_load_explicit(&sorted[i]->codes[c], R);
            if (v == 0)
                continue;
            cls[0] = (char)('1' + c);
            rc |= buf_append_cstr(out, "feed_api_requests_total{route=\"");
            rc |= metrics_label(out, atomic_load_explicit(&sorted[i]->name, R));
            rc |= buf_append_cstr(out, "\",code=\"");
            rc |= buf_append_cstr(out, cls);
            rc |= buf_append_cstr(out, "\"} ");
            rc |= buf_append_u64(out, v);
            rc |= buf_append_cstr(out, "\n");
        }
    }
    rc |= metrics_family(out, "feed_api_request_duration_seconds", "histogram", "Request latency by route.");
    for (i = 0; i < n; i++)
        rc |= metrics_render_histogram(sorted[i], out);
    return rc;
}

int metrics_render(metrics *m, buf *out)
{
    int rc = 0;

    rc |= metrics_render_fixed(m, out);
    rc |= metrics_render_routes(m, out);
    return rc != 0 ? -1 : 0;
}
