/* test_app_thread.c: see test_app_thread.h. */
#include "api/tests/support/test_app_thread.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api/tests/support/test_client.h"

static void tat_on_ready(int port, void *data)
{
    tat_app *a = data;

    atomic_store(&a->port, port);
}

static void *tat_thread(void *arg)
{
    tat_app *a = arg;

    a->code = app_run(&a->cfg, &a->hooks);
    atomic_store(&a->done, 1);
    return NULL;
}

int tat_start(tat_app *a, int timeout_ms)
{
    int waited;

    a->hooks.on_ready = tat_on_ready;
    a->hooks.data = a;
    atomic_init(&a->port, -1);
    atomic_init(&a->done, 0);
    a->code = -1;
    assert_int_equal(pthread_create(&a->thread, NULL, tat_thread, a), 0);
    for (waited = 0; waited < timeout_ms && atomic_load(&a->port) < 0 && !atomic_load(&a->done); waited += 10)
        ts_sleep_ms(10);
    return atomic_load(&a->port);
}

int tat_join(tat_app *a)
{
    assert_int_equal(pthread_join(a->thread, NULL), 0);
    return a->code;
}
