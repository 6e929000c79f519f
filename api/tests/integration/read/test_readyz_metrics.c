/* test_readyz_metrics.c: /readyz with every store up and with one down
 * (named in the answer), reads going on while PostgreSQL is down, and
 * /metrics counting every route, errors and 404s included, centrally. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/tests/integration/read/read_harness.h"

static void expect_readyz(const rh_server *s, int status, const char *fragment)
{
    tc_response r;
    char v[64];

    rh_get(s, "/readyz", 0, &r);
    if (r.status != status || strstr(r.body, fragment) == NULL)
        fprintf(stderr, "readyz: %d %s\n", r.status, r.body);
    assert_int_equal(r.status, status);
    assert_non_null(strstr(r.body, fragment));
    assert_string_equal(tc_header(&r, "Content-Type", v, sizeof(v)), "application/json");
    tc_response_free(&r);
}

static void test_ready_when_all_up(void **state)
{
    rh_server s;

    (void)state;
    rh_start(&s, rh_redis_addr(), rh_cassandra_addr());
    assert_int_equal(rh_wait_status(&s, "/readyz", 0, 200), 200);
    expect_readyz(&s, 200,
                  "{\"status\":\"ready\",\"checks\":{\"postgres\":\"ok\",\"redis\":\"ok\",\"cassandra\":\"ok\"}}");
    rh_stop(&s);
}

static void test_not_ready_names_the_store(void **state)
{
    char addr[64], dsn[256];
    rh_server s;

    (void)state;
    snprintf(addr, sizeof(addr), "127.0.0.1:%d", rh_closed_port());
    rh_start(&s, addr, rh_cassandra_addr());
    expect_readyz(&s, 503, "\"redis\":\"down: ");
    expect_readyz(&s, 503, "{\"status\":\"not_ready\",\"checks\":{\"postgres\":\"ok\"");
    rh_stop(&s);

    rh_start(&s, rh_redis_addr(), addr);
    expect_readyz(&s, 503, "\"cassandra\":\"down: ");
    rh_stop(&s);

    snprintf(dsn, sizeof(dsn), "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=2",
             rh_closed_port());
    rh_start_pg(&s, dsn, rh_redis_addr(), rh_cassandra_addr());
    expect_readyz(&s, 503, "\"postgres\":\"down: ");
    rh_stop(&s);
}

/* PostgreSQL down: the feed reads do not touch it. */
static void test_reads_go_on_without_postgres(void **state)
{
    char dsn[256], path[128], ids[2][80];
    int64_t uid = rh_new_id();
    rh_server s;
    tc_response r;

    (void)state;
    (void)ids;
    snprintf(dsn, sizeof(dsn), "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=2",
             rh_closed_port());
    rh_start_pg(&s, dsn, rh_redis_addr(), rh_cassandra_addr());
    snprintf(path, sizeof(path), "/v1/users/%lld/profile", (long long)uid);
    assert_int_equal(rh_wait_status(&s, path, 0, 200), 200);
    rh_get(&s, path, 0, &r);
    assert_string_equal(r.body, "{\"items\":[],\"next_cursor\":null}");
    tc_response_free(&r);
    rh_stop(&s);
}

static void test_metrics_count_every_route(void **state)
{
    char path[128], v[64];
    int64_t uid = rh_new_id();
    rh_server s;
    tc_response r;
    int i;

    (void)state;
    rh_start(&s, rh_redis_addr(), rh_cassandra_addr());
    snprintf(path, sizeof(path), "/v1/users/%lld/profile", (long long)uid);
    assert_int_equal(rh_wait_status(&s, path, 0, 200), 200);
    /* The miss answers before its fill is stored: wait for the fill, so
     * that the next two reads are hits whatever the machine's load. */
    assert_int_equal(rh_wait_fills(&s, METRIC_FEED_PROFILE, 1), 1);
    for (i = 0; i < 2; i++) {
        rh_get(&s, path, 0, &r);
        tc_response_free(&r);
    }
    snprintf(path, sizeof(path), "/v1/users/%lld/home", (long long)uid);
    rh_get(&s, path, 0, &r); /* 401 */
    tc_response_free(&r);
    rh_get(&s, "/no/such/route", 0, &r);
    assert_int_equal(r.status, 404);
    tc_response_free(&r);
    assert_int_equal(rh_wait_fills(&s, METRIC_FEED_PROFILE, 1), 1);
    rh_get(&s, "/metrics", 0, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(tc_header(&r, "Content-Type", v, sizeof(v)), "text/plain; version=0.0.4");
    assert_non_null(strstr(r.body, "feed_api_requests_total{route=\"/v1/users/{id}/profile\",code=\"2xx\"} 3\n"));
    assert_non_null(strstr(r.body, "feed_api_requests_total{route=\"/v1/users/{id}/home\",code=\"4xx\"} 1\n"));
    assert_non_null(strstr(r.body, "feed_api_requests_total{route=\"unmatched\",code=\"4xx\"} 1\n"));
    assert_non_null(strstr(r.body, "feed_api_request_duration_seconds_count{route=\"/v1/users/{id}/profile\"} 3\n"));
    assert_non_null(strstr(r.body, "feed_api_request_duration_seconds_bucket{route=\"unmatched\",le=\"+Inf\"} 1\n"));
    /* the first profile read missed and filled, the next two hit */
    assert_non_null(strstr(r.body, "feed_api_cache_requests_total{feed=\"profile\",result=\"miss\"} 1\n"));
    assert_non_null(strstr(r.body, "feed_api_cache_requests_total{feed=\"profile\",result=\"hit\"} 2\n"));
    assert_non_null(strstr(r.body, "feed_api_cache_fills_total{feed=\"profile\"} 1\n"));
    assert_non_null(strstr(r.body, "feed_api_store_errors_total{store=\"redis\"} 0\n"));
    tc_response_free(&r);
    /* the scrape itself is counted after it answered */
    rh_get(&s, "/metrics", 0, &r);
    assert_non_null(strstr(r.body, "feed_api_requests_total{route=\"/metrics\",code=\"2xx\"} 1\n"));
    tc_response_free(&r);
    rh_stop(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ready_when_all_up),
        cmocka_unit_test(test_not_ready_names_the_store),
        cmocka_unit_test(test_reads_go_on_without_postgres),
        cmocka_unit_test(test_metrics_count_every_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
