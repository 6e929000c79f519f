/* test_pg_client.c: the pipelined libpq pool against the dev stack's
 * PostgreSQL (FEED_PG_PORT, default 15432; FEED_PG_DSN overrides):
 * parameters, 200 concurrent queries on one loop, a transaction in one
 * pipeline (all or nothing, the session usable after a failure), query
 * timeouts, refusal while the server is unreachable, reconnection after
 * the server terminates our backend, and frees inside callbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/loop/loop.h"
#include "api/src/store/pg_client.h"
#include "api/tests/support/test_env.h"
#include "api/tests/support/test_wait.h"

typedef struct tally {
    int calls, ok, server, timeouts, disconnected, closed, target, done;
    int nresults;
    char value[64]; /* first row, first column of the last OK reply */
    char sqlstate[6];
    char errstr[256];
    int mismatches; /* value != expected (200 queries) */
    pg_client *free_in_cb;
    int sent; /* replies saying the job had reached a connection */
} tally;

typedef struct expect {
    tally *t;
    int want;
} expect;

static void record(tally *t, const pg_reply *r)
{
    t->calls++;
    t->sent += r->sent != 0;
    t->nresults = r->nresults;
    switch (r->status) {
    case PG_CLIENT_ENONE:
        t->ok++;
        assert_null(r->errstr);
        if (r->nresults > 0 && PQntuples(r->results[r->nresults - 1]) > 0)
            snprintf(t->value, sizeof(t->value), "%s", PQgetvalue(r->results[r->nresults - 1], 0, 0));
        break;
    case PG_CLIENT_ESERVER:
        t->server++;
        if (r->sqlstate != NULL)
            snprintf(t->sqlstate, sizeof(t->sqlstate), "%s", r->sqlstate);
        break;
    case PG_CLIENT_ETIMEOUT: t->timeouts++; break;
    case PG_CLIENT_EDISCONNECTED: t->disconnected++; break;
    case PG_CLIENT_ECLOSED: t->closed++; break;
    default: fail_msg("unexpected status %d", r->status);
    }
    if (r->errstr != NULL)
        snprintf(t->errstr, sizeof(t->errstr), "%s", r->errstr);
    if (t->calls >= t->target)
        t->done = 1;
}

static void on_reply(pg_client *c, const pg_reply *r, void *privdata)
{
    tally *t = privdata;

    record(t, r);
    if (t->free_in_cb != NULL) {
        pg_client_free(t->free_in_cb);
        t->free_in_cb = NULL;
    }
    (void)c;
}

static void on_expect(pg_client *c, const pg_reply *r, void *privdata)
{
    expect *e = privdata;

    (void)c;
    record(e->t, r);
    if (r->status != 0 || atoi(PQgetvalue(r->results[0], 0, 0)) != e->want)
        e->t->mismatches++;
}

static pg_client *client(loop *l, const char *info, unsigned pool, uint32_t timeout_ms)
{
    pg_client_config cfg = {.conninfo = info,
                            .pool_size = pool,
                            .query_timeout_ms = timeout_ms,
                            .connect_timeout_ms = 3000,
                            .reconnect_base_ms = 20,
                            .reconnect_max_ms = 200};
    pg_client *c = pg_client_new(l, &cfg);

    assert_non_null(c);
    return c;
}

/* Run one statement and wait for its answer. */
static void run_sql(loop *l, pg_client *c, tally *t, const char *sql)
{
    *t = (tally){.target = 1};
    assert_int_equal(pg_client_query(c, sql, 0, NULL, on_reply, t), 0);
    assert_true(tw_run_until(l, &t->done, 10000));
}

static void test_params(void **state)
{
    loop l;
    tally t = {.target = 2};
    pg_client *c;
    const char *params[] = {"41", NULL};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 2, 5000);
    assert_int_equal(pg_client_query(c, "SELECT $1::int + 1", 1, params, on_reply, &t), 0);
    assert_int_equal(pg_client_query(c, "SELECT coalesce($1::text, 'null')", 1, params + 1, on_reply, &t), 0);
    assert_int_equal(t.calls, 0); /* never answered inside the call */
    assert_true(tw_run_until(&l, &t.done, 10000));
    assert_int_equal(t.ok, 2);
    for (uint64_t end = loop_clock_ms() + 5000; pg_client_connected(c) < 2 && loop_clock_ms() < end;)
        tw_run_for(&l, 10);
    assert_int_equal(pg_client_connected(c), 2); /* the whole pool comes up */
    run_sql(&l, c, &t, "SELECT 1 FROM no_such_table_here");
    assert_int_equal(t.server, 1);
    assert_string_equal(t.sqlstate, "42P01");
    assert_non_null(strstr(t.errstr, "no_such_table_here"));
    assert_int_equal(c->pending, 0);
    pg_client_free(c);
    loop_dispose(&l);
}

static void test_200_concurrent(void **state)
{
    enum { N = 200 };
    loop l;
    tally t = {.target = N};
    expect e[N];
    char num[N][12];
    const char *params[N];
    pg_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 4, 20000);
    for (int i = 0; i < N; i++) {
        snprintf(num[i], sizeof(num[i]), "%d", i);
        params[i] = num[i];
        e[i] = (expect){&t, i};
        assert_int_equal(pg_client_query(c, "SELECT $1::int", 1, &params[i], on_expect, &e[i]), 0);
    }
    assert_int_equal(c->queue.len, N);
    assert_true(tw_run_until(&l, &t.done, 30000));
    assert_int_equal(t.ok, N);
    assert_int_equal(t.mismatches, 0);
    pg_client_free(c);
    loop_dispose(&l);
}

static void test_transaction(void **state)
{
    loop l;
    tally t;
    pg_client *c;
    const char *a[] = {"1", "one"}, *b[] = {"2", "two"}, *d[] = {"3", "three"};
    pg_stmt ok[] = {{"INSERT INTO store_it_tx VALUES ($1::int, $2)", 2, a},
                    {"INSERT INTO store_it_tx VALUES ($1::int, $2)", 2, b}};
    pg_stmt bad[] = {{"INSERT INTO store_it_tx VALUES ($1::int, $2)", 2, d},
                     {"INSERT INTO store_it_tx VALUES ($1::int, $2)", 2, a}, /* duplicate key */
                     {"SELECT 1", 0, NULL}};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 1, 10000); /* one connection: the temp table is per session */
    run_sql(&l, c, &t, "CREATE TEMP TABLE store_it_tx (id int PRIMARY KEY, v text)");
    assert_int_equal(t.ok, 1);

    t = (tally){.target = 1};
    assert_int_equal(pg_client_transaction(c, ok, 2, on_reply, &t), 0);
    assert_true(tw_run_until(&l, &t.done, 10000));
    assert_int_equal(t.ok, 1);
    assert_int_equal(t.nresults, 2);

    t = (tally){.target = 1};
    assert_int_equal(pg_client_transaction(c, bad, 3, on_reply, &t), 0);
    assert_true(tw_run_until(&l, &t.done, 10000));
    assert_int_equal(t.server, 1);
    assert_string_equal(t.sqlstate, "23505");
    assert_int_equal(t.nresults, 3); /* the insert, the failure, the aborted SELECT */

    /* all or nothing: row 3 is not there; the session was rolled back */
    run_sql(&l, c, &t, "SELECT count(*) FROM store_it_tx");
    assert_int_equal(t.ok, 1);
    assert_string_equal(t.value, "2");
    run_sql(&l, c, &t, "SELECT txid_current_if_assigned() IS NULL");
    assert_string_equal(t.value, "t"); /* not inside a leftover transaction */
    pg_client_free(c);
    loop_dispose(&l);
}

static void test_timeouts(void **state)
{
    loop l;
    tally t = {.target = 2};
    pg_client *c;
    uint64_t start;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 1, 300);
    start = loop_clock_ms();
    /* the first times out on the connection, the second in the queue */
    assert_int_equal(pg_client_query(c, "SELECT pg_sleep(3)", 0, NULL, on_reply, &t), 0);
    assert_int_equal(pg_client_query(c, "SELECT 2", 0, NULL, on_reply, &t), 0);
    assert_true(tw_run_until(&l, &t.done, 5000));
    assert_int_equal(t.timeouts, 2);
    assert_int_equal(t.sent, 1); /* the sleep was sent; the queued one never was */
    assert_true(loop_clock_ms() - start < 2000);
    /* the connection was reset and serves again */
    c->query_timeout_ms = 10000;
    run_sql(&l, c, &t, "SELECT 7");
    assert_int_equal(t.ok, 1);
    assert_string_equal(t.value, "7");
    assert_int_equal(c->connects, 2);
    pg_client_free(c);
    loop_dispose(&l);
}

static void test_unreachable(void **state)
{
    loop l;
    tally t = {.target = 1};
    pg_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    pg_client_config cfg = {.conninfo = "hostaddr=127.0.0.1 port=1 dbname=feed user=feed connect_timeout=2",
                            .pool_size = 2,
                            .query_timeout_ms = 2000,
                            .reconnect_base_ms = 5000};

    c = pg_client_new(&l, &cfg); /* a long backoff: both stay down while we look */
    assert_non_null(c);
    if (pg_client_query(c, "SELECT 1", 0, NULL, on_reply, &t) == 0) {
        assert_true(tw_run_until(&l, &t.done, 5000));
        assert_int_equal(t.disconnected, 1);
        assert_int_equal(t.sent, 0);
        assert_non_null(strstr(t.errstr, "refused"));
    }
    tw_run_for(&l, 5); /* both connections now wait to retry */
    assert_int_equal(pg_client_query(c, "SELECT 1", 0, NULL, on_reply, &t), PG_CLIENT_ERR);
    assert_int_equal(c->err, PG_CLIENT_EDISCONNECTED);
    assert_non_null(strstr(c->errstr, "refused"));
    pg_client_free(c);
    loop_dispose(&l);
}

static void test_reconnect_after_terminate(void **state)
{
    loop l;
    tally t, k;
    pg_client *c, *killer;
    char sql[128];

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 1, 5000);
    killer = client(&l, te_pg_conninfo(), 1, 5000);
    run_sql(&l, c, &t, "SELECT pg_backend_pid()");
    assert_int_equal(t.ok, 1);
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", t.value);
    run_sql(&l, killer, &k, sql);
    assert_string_equal(k.value, "t");
    /* the idle connection notices the close and comes back */
    for (uint64_t end = loop_clock_ms() + 5000; c->connects < 2 && loop_clock_ms() < end;)
        tw_run_for(&l, 10);
    assert_int_equal(c->connects, 2);
    assert_int_equal(c->err, PG_CLIENT_EDISCONNECTED);
    run_sql(&l, c, &t, "SELECT 5");
    assert_string_equal(t.value, "5");
    pg_client_free(c);
    pg_client_free(killer);
    loop_dispose(&l);
}

/* The server ends our backend while a query runs and another waits: both
 * fail with a clear error, and the pool comes back by itself. */
static void test_terminated_mid_query(void **state)
{
    loop l;
    tally t, k, busy = {.target = 2};
    pg_client *c, *killer;
    char sql[128];

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 1, 10000);
    killer = client(&l, te_pg_conninfo(), 1, 10000);
    run_sql(&l, c, &t, "SELECT pg_backend_pid()");
    snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s)", t.value);
    assert_int_equal(pg_client_query(c, "SELECT pg_sleep(5)", 0, NULL, on_reply, &busy), 0);
    assert_int_equal(pg_client_query(c, "SELECT 1", 0, NULL, on_reply, &busy), 0);
    tw_run_for(&l, 200); /* the sleep is running, the other queued */
    run_sql(&l, killer, &k, sql);
    assert_string_equal(k.value, "t");
    assert_true(tw_run_until(&l, &busy.done, 5000));
    assert_int_equal(busy.disconnected, 2);
    /* the running one may have had effects (outcome unknown), the queued one not */
    assert_int_equal(busy.sent, 1);
    assert_non_null(strstr(busy.errstr, "terminat"));
    for (uint64_t end = loop_clock_ms() + 5000; c->connects < 2 && loop_clock_ms() < end;)
        tw_run_for(&l, 10);
    run_sql(&l, c, &t, "SELECT 3");
    assert_string_equal(t.value, "3");
    pg_client_free(c);
    pg_client_free(killer);
    loop_dispose(&l);
}

static void test_free_pending_and_inside_callback(void **state)
{
    loop l;
    tally t = {.target = 5}, t2 = {.target = 4};
    pg_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, te_pg_conninfo(), 2, 5000);
    for (int i = 0; i < 5; i++)
        assert_int_equal(pg_client_query(c, "SELECT 1", 0, NULL, on_reply, &t), 0);
    pg_client_free(c);
    assert_int_equal(t.closed, 5);

    c = client(&l, te_pg_conninfo(), 1, 5000);
    t2.free_in_cb = c;
    for (int i = 0; i < 4; i++)
        assert_int_equal(pg_client_query(c, "SELECT 1", 0, NULL, on_reply, &t2), 0);
    assert_true(tw_run_until(&l, &t2.done, 10000));
    assert_int_equal(t2.ok, 1);
    assert_int_equal(t2.closed, 3);
    loop_dispose(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_200_concurrent),
        cmocka_unit_test(test_transaction),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_reconnect_after_terminate),
        cmocka_unit_test(test_terminated_mid_query),
        cmocka_unit_test(test_free_pending_and_inside_callback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
