/* test_app.c: feed-api as a whole, in this process: two workers on an
 * ephemeral port, real signals (kill(getpid(), SIGTERM)), graceful and
 * forced shutdown, start-up failures.
 *
 * app_run reads SIGTERM/SIGINT from a signalfd, which only works if no
 * thread of the process can take them: main blocks them before starting
 * any thread, as feed-api's main does implicitly by being single-threaded.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/app/app.h"
#include "api/tests/support/test_app_thread.h"
#include "api/tests/support/test_client.h"
#include "api/tests/support/test_handlers.h"

static int add_routes(router *r, void *data)
{
    (void)data;
    return th_add_routes(r);
}

static const char *no_env(const char *name)
{
    (void)name;
    return NULL;
}

/* The app with the test routes on listen; its port (or -1: it failed). */
static int app_start(tat_app *ctx, const char *listen, uint32_t shutdown_ms)
{
    char *argv[] = {"feed-api", "--threads", "2", "--log-level", "warn", NULL};
    char err[256];

    memset(ctx, 0, sizeof(*ctx));
    assert_int_equal(app_config_parse(&ctx->cfg, 5, argv, no_env, err, sizeof(err)), APP_CONFIG_OK);
    snprintf(ctx->cfg.listen, sizeof(ctx->cfg.listen), "%s", listen);
    ctx->cfg.shutdown_timeout_ms = shutdown_ms;
    ctx->hooks.add_routes = add_routes;
    ctx->hooks.worker_exit = th_flush_pending;
    th_reset_counters();
    return tat_start(ctx, 5000);
}

static void test_serves_and_stops_gracefully_on_sigterm(void **state)
{
    tat_app ctx;
    tc_conn c[8], busy;
    tc_response r;
    char v[32];
    int i;

    (void)state;
    app_start(&ctx, "127.0.0.1:0", 5000);
    assert_true(atomic_load(&ctx.port) > 0);
    /* several connections: SO_REUSEPORT spreads them over both workers */
    for (i = 0; i < 8; i++) {
        tc_connect(&c[i], atomic_load(&ctx.port), 5000);
        tc_send_str(&c[i], "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        assert_int_equal(tc_read(&c[i], &r), 0);
        assert_int_equal(r.status, 200);
        assert_string_equal(r.body, "{\"status\":\"ok\"}");
        tc_response_free(&r);
    }
    tc_connect(&busy, atomic_load(&ctx.port), 5000);
    tc_send_str(&busy, "GET /slow/300 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_true(th_wait_slow_started(1, 5000));
    assert_int_equal(kill(getpid(), SIGTERM), 0);
    /* the request in flight completes, then everything closes */
    assert_int_equal(tc_read(&busy, &r), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(tc_header(&r, "Connection", v, sizeof(v)), "close");
    tc_response_free(&r);
    assert_int_equal(tat_join(&ctx), 0);
    for (i = 0; i < 8; i++) {
        assert_true(tc_wait_closed(&c[i], 1000));
        tc_close(&c[i]);
    }
    tc_close(&busy);
    assert_int_equal(atomic_load(&th_late_answered), 1);
}

static void test_second_signal_forces_stop(void **state)
{
    tat_app ctx;
    tc_conn busy;

    (void)state;
    app_start(&ctx, "127.0.0.1:0", 60000);
    assert_true(atomic_load(&ctx.port) > 0);
    tc_connect(&busy, atomic_load(&ctx.port), 5000);
    tc_send_str(&busy, "GET /slow/60000 HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_true(th_wait_slow_started(1, 5000));
    assert_int_equal(kill(getpid(), SIGINT), 0);
    ts_sleep_ms(100);
    assert_false(tc_wait_closed(&busy, 0)); /* still draining */
    assert_int_equal(kill(getpid(), SIGINT), 0);
    assert_true(tc_wait_closed(&busy, 3000));
    assert_int_equal(tat_join(&ctx), 0);
    assert_int_equal(atomic_load(&th_late_dropped), 1); /* answered at worker exit, dropped */
    tc_close(&busy);
}

static void test_startup_failures(void **state)
{
    tat_app ctx;
    app_config cfg;
    char *argv[] = {"feed-api", "--threads", "1", "--log-level", "error", NULL};
    char err[256];

    (void)state;
    assert_int_equal(app_config_parse(&cfg, 5, argv, no_env, err, sizeof(err)), APP_CONFIG_OK);
    snprintf(cfg.listen, sizeof(cfg.listen), "no-port");
    assert_int_equal(app_run(&cfg, NULL), 1);
    snprintf(cfg.listen, sizeof(cfg.listen), "192.0.2.1:0"); /* not an address of ours */
    assert_int_equal(app_run(&cfg, NULL), 1);
    /* an unparseable listen address from a running app too */
    app_start(&ctx, "127.0.0.1:99999", 100);
    assert_int_equal(tat_join(&ctx), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serves_and_stops_gracefully_on_sigterm),
        cmocka_unit_test(test_second_signal_forces_stop),
        cmocka_unit_test(test_startup_failures),
    };
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
