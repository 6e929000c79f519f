/* test_app_thread.h: the whole feed-api (app_run) in a thread of the test,
 * for the tests that drive it over HTTP in-process (test_app, the write
 * and stream integration tests).
 *
 * The caller fills a->cfg (app_config_parse) and any hooks it needs, then
 * tat_start runs app_run(&a->cfg, &a->hooks) in a thread. tat_start takes
 * hooks.on_ready and hooks.data for itself (to learn the port): hooks that
 * need data of their own must not use hooks.data. The caller stops the app
 * as feed-api is stopped, by a signal to the process, and then joins it.
 *
 * Ownership: the caller owns the struct, which must stay put until
 * tat_join returned.
 */
#ifndef API_TESTS_SUPPORT_TEST_APP_THREAD_H
#define API_TESTS_SUPPORT_TEST_APP_THREAD_H

#include <pthread.h>
#include <stdatomic.h>

#include "api/src/app/app.h"
#include "api/src/app/config.h"

typedef struct tat_app {
    app_config cfg;  /* the caller's, filled before tat_start */
    app_hooks hooks; /* the caller's; on_ready and data are tat_start's */
    pthread_t thread;
    atomic_int port; /* the bound port once every worker runs, else -1 */
    atomic_int done; /* app_run has returned */
    int code;        /* what app_run returned, valid after tat_join */
} tat_app;

/* Start the app and wait up to timeout_ms for its port. The port, or -1
 * when app_run returned first (start-up failed) or the time ran out; the
 * thread runs (and must be joined) either way. */
int tat_start(tat_app *a, int timeout_ms);

/* Wait for the thread (after a signal, or a failed start); app_run's code. */
int tat_join(tat_app *a);

#endif
