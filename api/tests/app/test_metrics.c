/* test_metrics.c: the Prometheus text of every family, exactly, and the
 * latency histogram's bucketing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/app/metrics.h"

static char *render(metrics *m, buf *b)
{
    b->len = 0;
    assert_int_equal(metrics_render(m, b), 0);
    assert_int_equal(buf_append(b, "", 1), 0);
    return b->data;
}

static const char fixed_zero[] =
    "# HELP feed_api_store_errors_total Store requests that failed (refused, timed out, disconnected, server error).\n"
    "# TYPE feed_api_store_errors_total counter\n"
    "feed_api_store_errors_total{store=\"postgres\"} 0\n"
    "feed_api_store_errors_total{store=\"redis\"} 2\n"
    "feed_api_store_errors_total{store=\"cassandra\"} 0\n"
    "# HELP feed_api_cache_requests_total Cached feed head lookups: hit, miss (fill), busy (another worker fills).\n"
    "# TYPE feed_api_cache_requests_total counter\n"
    "feed_api_cache_requests_total{feed=\"home\",result=\"hit\"} 1\n"
    "feed_api_cache_requests_total{feed=\"home\",result=\"miss\"} 0\n"
    "feed_api_cache_requests_total{feed=\"home\",result=\"busy\"} 0\n"
    "feed_api_cache_requests_total{feed=\"profile\",result=\"hit\"} 0\n"
    "feed_api_cache_requests_total{feed=\"profile\",result=\"miss\"} 0\n"
    "feed_api_cache_requests_total{feed=\"profile\",result=\"busy\"} 0\n"
    "feed_api_cache_requests_total{feed=\"notifications\",result=\"hit\"} 0\n"
    "feed_api_cache_requests_total{feed=\"notifications\",result=\"miss\"} 1\n"
    "feed_api_cache_requests_total{feed=\"notifications\",result=\"busy\"} 0\n"
    "# HELP feed_api_cache_fills_total Feed heads stored into Redis from Cassandra.\n"
    "# TYPE feed_api_cache_fills_total counter\n"
    "feed_api_cache_fills_total{feed=\"home\"} 0\n"
    "feed_api_cache_fills_total{feed=\"profile\"} 1\n"
    "feed_api_cache_fills_total{feed=\"notifications\"} 0\n"
    "# HELP feed_api_cassandra_feed_reads_total Reads of a Cassandra feed table (fills and pages).\n"
    "# TYPE feed_api_cassandra_feed_reads_total counter\n"
    "feed_api_cassandra_feed_reads_total{feed=\"home\"} 3\n"
    "feed_api_cassandra_feed_reads_total{feed=\"profile\"} 0\n"
    "feed_api_cassandra_feed_reads_total{feed=\"notifications\"} 0\n"
    "# HELP feed_api_fallbacks_total Reads answered although a store failed.\n"
    "# TYPE feed_api_fallbacks_total counter\n"
    "feed_api_fallbacks_total{reason=\"redis_down\"} 1\n"
    "feed_api_fallbacks_total{reason=\"cassandra_down\"} 0\n"
    "# HELP feed_api_streams_open Feed streams sending (past their backlog) now.\n"
    "# TYPE feed_api_streams_open gauge\n"
    "feed_api_streams_open{feed=\"home\"} 1\n"
    "feed_api_streams_open{feed=\"profile\"} 0\n"
    "feed_api_streams_open{feed=\"notifications\"} 0\n"
    "# HELP feed_api_stream_events_total Items and removals sent on feed streams.\n"
    "# TYPE feed_api_stream_events_total counter\n"
    "feed_api_stream_events_total{feed=\"home\"} 2\n"
    "feed_api_stream_events_total{feed=\"profile\"} 0\n"
    "feed_api_stream_events_total{feed=\"notifications\"} 1\n";

static void test_render_exact(void **state)
{
    static const char routes[] =
        "# HELP feed_api_requests_total Answered requests by route and status class.\n"
        "# TYPE feed_api_requests_total counter\n"
        "feed_api_requests_total{route=\"/v1/users/{id}/home\",code=\"2xx\"} 2\n"
        "feed_api_requests_total{route=\"/v1/users/{id}/home\",code=\"5xx\"} 1\n"
        "feed_api_requests_total{route=\"unmatched\",code=\"4xx\"} 1\n"
        "# HELP feed_api_request_duration_seconds Request latency by route.\n"
        "# TYPE feed_api_request_duration_seconds histogram\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.0001\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.00025\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.0005\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.001\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.0025\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.005\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.01\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.025\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.05\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.1\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.25\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"0.5\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"1\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"2.5\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"5\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"10\"} 2\n"
        "feed_api_request_duration_seconds_bucket{route=\"/v1/users/{id}/home\",le=\"+Inf\"} 3\n"
        "feed_api_request_duration_seconds_sum{route=\"/v1/users/{id}/home\"} 12.001100\n"
        "feed_api_request_duration_seconds_count{route=\"/v1/users/{id}/home\"} 3\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.0001\"} 0\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.00025\"} 0\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.0005\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.001\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.0025\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.005\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.01\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.025\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.05\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.1\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.25\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"0.5\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"1\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"2.5\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"5\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"10\"} 1\n"
        "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"+Inf\"} 1\n"
        "feed_api_request_duration_seconds_sum{route=\"unmatched\"} 0.000300\n"
        "feed_api_request_duration_seconds_count{route=\"unmatched\"} 1\n";
    metrics *m = malloc(sizeof(*m));
    buf b;
    char *want = malloc(sizeof(fixed_zero) + sizeof(routes));

    (void)state;
    metrics_init(m);
    buf_init(&b, 0);
    metrics_store_error(m, METRIC_STORE_REDIS);
    metrics_store_error(m, METRIC_STORE_REDIS);
    metrics_cache(m, METRIC_FEED_HOME, METRIC_CACHE_HIT);
    metrics_cache(m, METRIC_FEED_NOTIFICATIONS, METRIC_CACHE_MISS);
    metrics_cache_fill(m, METRIC_FEED_PROFILE);
    metrics_cassandra_read(m, METRIC_FEED_HOME);
    metrics_cassandra_read(m, METRIC_FEED_HOME);
    metrics_cassandra_read(m, METRIC_FEED_HOME);
    metrics_fallback(m, METRIC_FALLBACK_REDIS_DOWN);
    metrics_stream(m, METRIC_FEED_HOME, 1);
    metrics_stream(m, METRIC_FEED_HOME, 1);
    metrics_stream(m, METRIC_FEED_HOME, 0);
    metrics_stream_event(m, METRIC_FEED_HOME);
    metrics_stream_event(m, METRIC_FEED_HOME);
    metrics_stream_event(m, METRIC_FEED_NOTIFICATIONS);
    /* bounds are inclusive (le): 100 us falls in le="0.0001" */
    metrics_on_response(m, "/v1/users/{id}/home", 200, 100);
    metrics_on_response(m, "/v1/users/{id}/home", 200, 1000);
    metrics_on_response(m, "/v1/users/{id}/home", 503, 12000000); /* past 10 s: +Inf only */
    metrics_on_response(m, NULL, 404, 300);
    metrics_on_response(NULL, NULL, 404, 300); /* no metrics: ignored */
    strcpy(want, fixed_zero);
    strcat(want, routes);
    assert_string_equal(render(m, &b), want);
    assert_int_equal(metrics_get_cassandra_reads(m, METRIC_FEED_HOME), 3);
    assert_int_equal(metrics_get_fills(m, METRIC_FEED_PROFILE), 1);
    buf_dispose(&b);
    free(want);
    free(m);
}

static void test_routes_sorted_and_overflow(void **state)
{
    metrics *m = malloc(sizeof(*m));
    char names[METRICS_MAX_ROUTES + 2][16];
    buf b;
    char *t;
    int i;

    (void)state;
    metrics_init(m);
    buf_init(&b, 0);
    metrics_on_response(m, "/b", 200, 1);
    metrics_on_response(m, "/a", 200, 1);
    t = render(m, &b);
    assert_true(strstr(t, "route=\"/a\",code") < strstr(t, "route=\"/b\",code"));
    /* the same pattern from another pointer is the same slot */
    strcpy(names[0], "/a");
    metrics_on_response(m, names[0], 500, 1);
    t = render(m, &b);
    assert_non_null(strstr(t, "feed_api_requests_total{route=\"/a\",code=\"5xx\"} 1\n"));
    assert_non_null(strstr(t, "feed_api_request_duration_seconds_count{route=\"/a\"} 2\n"));
    /* more routes than slots: the rest is "other" */
    for (i = 0; i < METRICS_MAX_ROUTES; i++) {
        snprintf(names[i + 1], sizeof(names[i + 1]), "/r%d", i);
        metrics_on_response(m, names[i + 1], 200, 1);
    }
    t = render(m, &b);
    assert_non_null(strstr(t, "feed_api_requests_total{route=\"other\",code=\"2xx\"} 2\n"));
    buf_dispose(&b);
    free(m);
}

typedef struct hammer {
    metrics *m;
    const char *route;
} hammer;

static void *hammer_thread(void *arg)
{
    hammer *h = arg;
    int i;

    for (i = 0; i < 10000; i++)
        metrics_on_response(h->m, h->route, 200, (uint64_t)i);
    return NULL;
}

/* Threads interning the same and different routes at once lose nothing. */
static void test_concurrent_recording(void **state)
{
    metrics *m = malloc(sizeof(*m));
    static const char *const routes[4] = {"/x", "/y", "/x", "/z"};
    pthread_t th[4];
    hammer h[4];
    buf b;
    char *t;
    int i;

    (void)state;
    metrics_init(m);
    for (i = 0; i < 4; i++) {
        h[i].m = m;
        h[i].route = routes[i];
        assert_int_equal(pthread_create(&th[i], NULL, hammer_thread, &h[i]), 0);
    }
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_join(th[i], NULL), 0);
    buf_init(&b, 0);
    t = render(m, &b);
    assert_non_null(strstr(t, "feed_api_requests_total{route=\"/x\",code=\"2xx\"} 20000\n"));
    assert_non_null(strstr(t, "feed_api_requests_total{route=\"/y\",code=\"2xx\"} 10000\n"));
    assert_non_null(strstr(t, "feed_api_request_duration_seconds_bucket{route=\"/z\",le=\"0.0001\"} 101\n"));
    buf_dispose(&b);
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_exact),
        cmocka_unit_test(test_routes_sorted_and_overflow),
        cmocka_unit_test(test_concurrent_recording),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
