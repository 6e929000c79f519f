/* metrics.c: counters and their Prometheus text exposition. */
#include "api/src/app/metrics.h"

static const char *const metric_store_names[METRIC_STORE_COUNT] = {
    [METRIC_STORE_POSTGRES] = "postgres",
    [METRIC_STORE_REDIS] = "redis",
    [METRIC_STORE_CASSANDRA] = "cassandra",
};

void metrics_init(metrics *m)
{
    int i;

    for (i = 0; i < METRIC_STORE_COUNT; i++)
        atomic_init(&m->store_errors[i], 0);
}

void metrics_store_error(metrics *m, metric_store store)
{
    if (m != NULL && store >= 0 && store < METRIC_STORE_COUNT)
        atomic_fetch_add_explicit(&m->store_errors[store], 1, memory_order_relaxed);
}

int metrics_render(metrics *m, buf *out)
{
    int i, rc = 0;

    rc |= buf_append_cstr(out, "# HELP feed_api_store_errors_total Store requests that failed "
                               "(refused, timed out, disconnected, server error).\n"
                               "# TYPE feed_api_store_errors_total counter\n");
    for (i = 0; i < METRIC_STORE_COUNT; i++) {
        rc |= buf_append_cstr(out, "feed_api_store_errors_total{store=\"");
        rc |= buf_append_cstr(out, metric_store_names[i]);
        rc |= buf_append_cstr(out, "\"} ");
        rc |= buf_append_u64(out, atomic_load_explicit(&m->store_errors[i], memory_order_relaxed));
        rc |= buf_append_cstr(out, "\n");
    }
    return rc != 0 ? -1 : 0;
}
