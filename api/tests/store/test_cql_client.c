/* test_cql_client.c: the loop's CQL client against cql/'s scripted fake
 * server: transparent re-prepare on UNPREPARED, a request timeout whose
 * stream id stays taken, a connection cut mid-frame, an answer on a
 * stream id not in use, server events, a refused STARTUP, refusal while
 * waiting to reconnect, and a free inside a callback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/loop/loop.h"
#include "api/src/store/cql_client.h"
#include "api/tests/support/test_wait.h"
#include "cql/tests/cql_fake_server.h"

static const uint8_t ready[] = {0x84, 0, 0, 0, 0x02, 0, 0, 0, 0};
static const uint8_t prepared[] = {0x84, 0, 0,   0,   0x08, 0, 0, 0, 28, 0, 0, 0, 4, /* kind PREPARED */
                                   0,    2, 'i', 'd',                                /* id */
                                   0,    0, 0,   0,   0,    0, 0, 0, 0,  0, 0, 0,    /* no bind markers */
                                   0,    0, 0,   4,   0,    0, 0, 0};                /* result: no metadata */
static const uint8_t unprepared[] = {0x84, 0, 0, 0,   0x00, 0,   0,   0, 14, 0,   0,  0x25,
                                     0,    0, 4, 'g', 'o',  'n', 'e', 0, 2,  'i', 'd'};
static const uint8_t result_void[] = {0x84, 0, 0, 0, 0x08, 0, 0, 0, 4, 0, 0, 0, 1};
static const uint8_t bad_startup[] = {0x84, 0, 0, 0, 0x00, 0, 0, 0, 10, 0, 0, 0, 0x0A, 0, 4, 'n', 'o', 'p', 'e'};

#define STEP(action, frame)          \
    {                                \
        action, frame, sizeof(frame) \
    }

typedef struct tally {
    int calls, status[8], target, done;
    int32_t kind;
    cql_client *free_in_cb;
} tally;

static void on_result(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    tally *t = privdata;

    (void)c;
    assert_true(status >= 0 && status < 8);
    t->calls++;
    t->status[status]++;
    assert_true((resp != NULL) == (status == CQL_CLIENT_ENONE || status == CQL_CLIENT_ESERVER));
    if (status == CQL_CLIENT_ENONE)
        t->kind = resp->result.kind;
    if (t->free_in_cb != NULL) {
        cql_client_free(t->free_in_cb);
        t->free_in_cb = NULL;
    }
    if (t->calls >= t->target)
        t->done = 1;
}

static cql_client *client(loop *l, uint16_t port, uint32_t timeout_ms)
{
    cql_client_config cfg = {.host = "127.0.0.1",
                             .port = port,
                             .request_timeout_ms = timeout_ms,
                             .connect_timeout_ms = 2000,
                             .reconnect_base_ms = 5000,
                             .max_streams = 128};
    cql_client *c = cql_client_new(l, &cfg);

    assert_non_null(c);
    return c;
}

/* One test's world: the fake server playing its script, a loop, a
 * client of the fake server on that loop, and the tally the client's
 * callbacks fill. Lives on the test's stack (the loop must not move). */
typedef struct fixture {
    cql_fake_server s;
    loop l;
    cql_client *c; /* owned; a test that frees it sets it to NULL */
    tally t;
} fixture;

/* Start the fake server on steps[0..n), the loop, and a client of the
 * server with request timeout timeout_ms; f->t waits for target answers. */
static void fx_open(fixture *f, const cql_fake_step *steps, size_t n, uint32_t timeout_ms, int target)
{
    f->s = cql_fake_start(steps, n);
    f->t = (tally){.target = target};
    assert_int_equal(loop_init(&f->l), LOOP_OK);
    f->c = client(&f->l, f->s.port, timeout_ms);
}

/* Send "SELECT 1" and wait (5 s at most) for f->t's answers. */
static void fx_select1(fixture *f)
{
    assert_int_equal(cql_client_query(f->c, "SELECT 1", NULL, on_result, &f->t), 0);
    assert_true(tw_run_until(&f->l, &f->t.done, 5000));
}

/* Free the client (if the test has not), stop the server, dispose of
 * the loop, in that order: the client's fds leave the loop first. */
static void fx_close(fixture *f)
{
    if (f->c != NULL)
        cql_client_free(f->c);
    f->c = NULL;
    cql_fake_stop(&f->s);
    loop_dispose(&f->l);
}

#define NSTEPS(steps) (sizeof(steps) / sizeof((steps)[0]))

static void test_unprepared_is_reprepared(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, ready), STEP(CQL_FAKE_REPLY, prepared),
                                   STEP(CQL_FAKE_REPLY, unprepared), STEP(CQL_FAKE_REPLY, prepared),
                                   STEP(CQL_FAKE_REPLY, result_void)};
    fixture f;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 5000, 1);
    assert_int_equal(cql_client_execute(f.c, "INSERT x", NULL, on_result, &f.t), 0);
    assert_true(tw_run_until(&f.l, &f.t.done, 5000));
    assert_int_equal(f.t.status[CQL_CLIENT_ENONE], 1);
    assert_int_equal(f.t.kind, CQL_RESULT_VOID);
    assert_int_equal(f.c->prepares, 2);
    assert_int_equal(cql_streams_in_use(&f.c->streams), 0);
    fx_close(&f);
}

static void test_timeout_keeps_stream(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, ready), STEP(CQL_FAKE_STALL, result_void)};
    fixture f;
    uint64_t start;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 200, 1);
    start = loop_clock_ms();
    assert_int_equal(cql_client_query(f.c, "SELECT 1", NULL, on_result, &f.t), 0);
    assert_true(tw_run_until(&f.l, &f.t.done, 3000));
    assert_int_equal(f.t.status[CQL_CLIENT_ETIMEOUT], 1);
    assert_true(loop_clock_ms() - start < 1500);
    assert_int_equal(cql_streams_in_use(&f.c->streams), 1); /* until the late answer */
    assert_int_equal(f.c->pending, 0);
    cql_client_free(f.c); /* no second callback */
    f.c = NULL;
    assert_int_equal(f.t.calls, 1);
    fx_close(&f);
}

static void test_cut_mid_frame_then_refused(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, ready), STEP(CQL_FAKE_HALF_THEN_CLOSE, prepared)};
    fixture f;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 5000, 1);
    fx_select1(&f);
    assert_int_equal(f.t.status[CQL_CLIENT_EDISCONNECTED], 1);
    assert_non_null(strstr(f.c->errstr, "middle of a frame"));
    assert_int_equal(f.c->state, CQL_CLIENT_WAITING);
    assert_int_equal(cql_client_query(f.c, "SELECT 1", NULL, on_result, &f.t), CQL_CLIENT_ERR);
    assert_int_equal(f.c->err, CQL_CLIENT_EDISCONNECTED);
    fx_close(&f);
}

static void test_wrong_stream_drops_connection(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, ready), STEP(CQL_FAKE_WRONG_STREAM, result_void)};
    fixture f;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 5000, 1);
    fx_select1(&f);
    assert_int_equal(f.t.status[CQL_CLIENT_EDISCONNECTED], 1);
    assert_non_null(strstr(f.c->errstr, "stream id not in use"));
    fx_close(&f);
}

static void test_event_ignored(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_EVENT_THEN_REPLY, ready),
                                   STEP(CQL_FAKE_EVENT_THEN_REPLY, result_void)};
    fixture f;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 5000, 1);
    fx_select1(&f);
    assert_int_equal(f.t.status[CQL_CLIENT_ENONE], 1);
    fx_close(&f);
}

static void test_startup_refused(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, bad_startup)};
    fixture f;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 5000, 1);
    fx_select1(&f);
    assert_int_equal(f.t.status[CQL_CLIENT_EDISCONNECTED], 1);
    assert_non_null(strstr(f.c->errstr, "STARTUP"));
    assert_non_null(strstr(f.c->errstr, "nope"));
    assert_int_equal(f.c->connects, 0);
    fx_close(&f);
}

static void test_free_inside_callback(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, ready), STEP(CQL_FAKE_REPLY, result_void),
                                   STEP(CQL_FAKE_STALL, result_void)};
    fixture f;

    (void)state;
    fx_open(&f, steps, NSTEPS(steps), 5000, 2);
    f.t.free_in_cb = f.c;
    assert_int_equal(cql_client_query(f.c, "SELECT 1", NULL, on_result, &f.t), 0);
    assert_int_equal(cql_client_query(f.c, "SELECT 2", NULL, on_result, &f.t), 0);
    assert_true(tw_run_until(&f.l, &f.t.done, 5000));
    f.c = NULL; /* freed by the first callback */
    assert_int_equal(f.t.status[CQL_CLIENT_ENONE], 1);
    assert_int_equal(f.t.status[CQL_CLIENT_ECLOSED], 1);
    fx_close(&f);
}

static void test_dead_port_and_bad_host(void **state)
{
    int fd;
    uint16_t port = cql_fake_dead_port(&fd);
    loop l;
    tally t = {.target = 1};
    cql_client *c;
    cql_client_config bad = {.host = "localhost", .port = 9042};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    assert_null(cql_client_new(&l, &bad)); /* names would need a blocking lookup */
    c = client(&l, port, 5000);
    if (c->state == CQL_CLIENT_CONNECTING) {
        assert_int_equal(cql_client_query(c, "SELECT 1", NULL, on_result, &t), 0);
        assert_true(tw_run_until(&l, &t.done, 5000));
        assert_int_equal(t.status[CQL_CLIENT_EDISCONNECTED], 1);
    }
    assert_int_equal(c->state, CQL_CLIENT_WAITING);
    assert_int_equal(cql_client_execute(c, "SELECT 1", NULL, on_result, &t), CQL_CLIENT_ERR);
    assert_non_null(strstr(c->errstr, "refused"));
    cql_client_free(c);
    close(fd);
    loop_dispose(&l);
}

/* Two contact points, the first one down: the client moves on to the
 * second and serves from it, with the configured consistency. */
static void test_next_contact_point(void **state)
{
    const cql_fake_step steps[] = {STEP(CQL_FAKE_REPLY, ready), STEP(CQL_FAKE_REPLY, result_void)};
    int fd;
    uint16_t dead = cql_fake_dead_port(&fd);
    fixture f;
    cql_client_host more[1];
    cql_client_config cfg = {.host = "127.0.0.1",
                             .port = dead,
                             .request_timeout_ms = 5000,
                             .connect_timeout_ms = 2000,
                             .reconnect_base_ms = 10,
                             .max_streams = 128,
                             .consistency = CQL_CONSISTENCY_LOCAL_QUORUM,
                             .more = more,
                             .n_more = 1};
    cql_client_config too_many = cfg;
    int never = 0;

    (void)state;
    f.s = cql_fake_start(steps, NSTEPS(steps));
    f.t = (tally){.target = 1};
    more[0] = (cql_client_host){.host = "127.0.0.1", .port = f.s.port};
    assert_int_equal(loop_init(&f.l), LOOP_OK);
    too_many.n_more = CQL_CLIENT_MAX_HOSTS;
    assert_null(cql_client_new(&f.l, &too_many));
    f.c = cql_client_new(&f.l, &cfg);
    assert_non_null(f.c);
    assert_int_equal(f.c->consistency, CQL_CONSISTENCY_LOCAL_QUORUM);
    /* Wait (5 s at most) for the refused first connection, the move and
     * the handshake with the second contact point. */
    for (int i = 0; i < 500 && f.c->connects == 0; i++)
        (void)tw_run_until(&f.l, &never, 10);
    assert_true(f.c->connects > 0);
    assert_int_equal(f.c->cur, 1);
    assert_true(f.c->failovers >= 1);
    fx_select1(&f);
    assert_int_equal(f.t.status[CQL_CLIENT_ENONE], 1);
    close(fd);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unprepared_is_reprepared),
        cmocka_unit_test(test_timeout_keeps_stream),
        cmocka_unit_test(test_cut_mid_frame_then_refused),
        cmocka_unit_test(test_wrong_stream_drops_connection),
        cmocka_unit_test(test_event_ignored),
        cmocka_unit_test(test_startup_refused),
        cmocka_unit_test(test_free_inside_callback),
        cmocka_unit_test(test_dead_port_and_bad_host),
        cmocka_unit_test(test_next_contact_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
