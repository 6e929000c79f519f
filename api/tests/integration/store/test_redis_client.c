/* test_redis_client.c: the hiredis adapter against the real Redis of the
 * dev stack (FEED_REDIS_PORT, default 16379): commands, 200 in flight on
 * one loop, a command timeout, refused commands while disconnected,
 * frees inside callbacks and with commands pending, and a reconnect after
 * the server drops our connection (CLIENT KILL ID: only ours). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/loop/loop.h"
#include "api/src/store/redis_client.h"
#include "api/tests/support/test_env.h"
#include "api/tests/support/test_wait.h"

typedef struct tally {
    int calls, ok, timeouts, disconnected, closed, target;
    int done;
    long long last_int;
    char last_str[64];
    redis_client *free_in_cb; /* freed from the first callback */
    int state_ups, state_downs;
} tally;

static void on_reply(redis_client *c, int status, redisReply *reply, void *privdata)
{
    tally *t = privdata;

    (void)c;
    t->calls++;
    if (status == REDIS_CLIENT_OK) {
        assert_non_null(reply);
        t->ok++;
        if (reply->type == REDIS_REPLY_INTEGER)
            t->last_int = reply->integer;
        if (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS)
            snprintf(t->last_str, sizeof(t->last_str), "%.*s", (int)reply->len, reply->str);
    } else {
        assert_null(reply);
        t->timeouts += status == REDIS_CLIENT_ETIMEOUT;
        t->disconnected += status == REDIS_CLIENT_EDISCONNECTED;
        t->closed += status == REDIS_CLIENT_ECLOSED;
    }
    if (t->free_in_cb != NULL) {
        redis_client_free(t->free_in_cb);
        redis_client_free(t->free_in_cb); /* a second free is a no-op */
        t->free_in_cb = NULL;
    }
    if (t->calls >= t->target)
        t->done = 1;
}

static void on_state(redis_client *c, int connected, void *privdata)
{
    tally *t = privdata;

    (void)c;
    if (connected)
        t->state_ups++;
    else
        t->state_downs++;
}

static redis_client *client(loop *l, uint32_t timeout_ms, int port)
{
    redis_client_config cfg = {.host = "127.0.0.1",
                               .port = port,
                               .command_timeout_ms = timeout_ms,
                               .reconnect_base_ms = 20,
                               .reconnect_max_ms = 200};
    redis_client *c = redis_client_new(l, &cfg);

    assert_non_null(c);
    return c;
}

static void test_set_get(void **state)
{
    loop l;
    tally t = {.target = 2};
    redis_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, 2000, te_redis_port());
    assert_int_equal(redis_client_command(c, on_reply, &t, "SET store-it:%s %b", "k", "v\0x", (size_t)3), 0);
    assert_int_equal(redis_client_command(c, on_reply, &t, "GET store-it:k"), 0);
    assert_true(tw_run_until(&l, &t.done, 5000));
    assert_int_equal(t.ok, 2);
    assert_int_equal(memcmp(t.last_str, "v", 2), 0);
    assert_int_equal(c->state, REDIS_CLIENT_CONNECTED);
    assert_int_equal(c->pending, 0);
    redis_client_free(c);
    loop_dispose(&l);
}

static void test_200_in_flight(void **state)
{
    loop l;
    tally t = {.target = 201};
    redis_client *c;
    const char *argv[] = {"INCR", "store-it:counter"};

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, 5000, te_redis_port());
    assert_int_equal(redis_client_command(c, on_reply, &t, "SET store-it:counter 0"), 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(redis_client_commandargv(c, on_reply, &t, 2, argv, NULL), 0);
    assert_int_equal(c->pending, 201);
    assert_true(tw_run_until(&l, &t.done, 10000));
    assert_int_equal(t.ok, 201);
    assert_int_equal(t.last_int, 200); /* replies in order: the last INCR saw 200 */
    redis_client_free(c);
    loop_dispose(&l);
}

static void test_timeout_then_late_reply_dropped(void **state)
{
    loop l;
    tally t = {.target = 1}, t2 = {.target = 1};
    redis_client *c;
    uint64_t start;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, 150, te_redis_port());
    /* BLPOP blocks this connection on the server for 1 s */
    assert_int_equal(redis_client_command(c, on_reply, &t, "BLPOP store-it:never-pushed 1"), 0);
    start = loop_clock_ms();
    assert_true(tw_run_until(&l, &t.done, 3000));
    assert_int_equal(t.timeouts, 1);
    assert_true(loop_clock_ms() - start < 900);
    /* the connection survives: the next command is answered after the
     * BLPOP's late nil, which is dropped without a second callback */
    c->command_timeout_ms = 5000;
    assert_int_equal(redis_client_command(c, on_reply, &t2, "PING"), 0);
    assert_true(tw_run_until(&l, &t2.done, 5000));
    assert_int_equal(t2.ok, 1);
    assert_string_equal(t2.last_str, "PONG");
    assert_int_equal(t.calls, 1);
    assert_int_equal(c->pending, 0);
    redis_client_free(c);
    loop_dispose(&l);
}

static void test_refused_while_down(void **state)
{
    loop l;
    tally t = {.target = 1};
    redis_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, 1000, 1); /* port 1: nothing listens */
    /* queued while connecting, then failed when the connect fails */
    if (c->ac != NULL) {
        assert_int_equal(redis_client_command(c, on_reply, &t, "PING"), 0);
        assert_true(tw_run_until(&l, &t.done, 3000));
        assert_int_equal(t.disconnected, 1);
    }
    tw_run_for(&l, 50);
    if (c->ac == NULL) {
        assert_int_equal(redis_client_command(c, on_reply, &t, "PING"), REDIS_CLIENT_ERR);
        assert_int_equal(c->err, REDIS_CLIENT_EDISCONNECTED);
        assert_true(strlen(c->errstr) > 0);
    }
    assert_true(c->retry.attempt >= 1);
    redis_client_free(c); /* with the reconnect timer armed */
    loop_dispose(&l);
}

static void test_free_with_pending_and_inside_callback(void **state)
{
    loop l;
    tally t = {.target = 10}, t2 = {.target = 3};
    redis_client *c;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    c = client(&l, 1000, te_redis_port());
    for (int i = 0; i < 10; i++)
        assert_int_equal(redis_client_command(c, on_reply, &t, "PING"), 0);
    redis_client_free(c); /* at depth 0: every callback runs now */
    assert_int_equal(t.calls, 10);
    assert_int_equal(t.closed, 10);

    c = client(&l, 1000, te_redis_port());
    t2.free_in_cb = c;
    for (int i = 0; i < 3; i++)
        assert_int_equal(redis_client_command(c, on_reply, &t2, "PING"), 0);
    assert_true(tw_run_until(&l, &t2.done, 5000));
    assert_int_equal(t2.calls, 3); /* each exactly once, none after the free */
    assert_int_equal(t2.ok + t2.closed, 3);
    loop_dispose(&l);
}

static void test_reconnect_after_kill(void **state)
{
    loop l;
    tally id = {.target = 1}, kill = {.target = 1}, after = {.target = 1}, st = {0};
    redis_client *a, *b;

    (void)state;
    assert_int_equal(loop_init(&l), LOOP_OK);
    a = client(&l, 2000, te_redis_port());
    a->on_state = on_state;
    a->state_privdata = &st;
    b = client(&l, 2000, te_redis_port());
    assert_int_equal(redis_client_command(a, on_reply, &id, "CLIENT ID"), 0);
    assert_true(tw_run_until(&l, &id.done, 5000));
    assert_int_equal(st.state_ups, 1);
    assert_int_equal(redis_client_command(b, on_reply, &kill, "CLIENT KILL ID %lld", id.last_int), 0);
    assert_true(tw_run_until(&l, &kill.done, 5000));
    assert_int_equal(kill.last_int, 1);
    /* a notices the EOF, waits its backoff, and connects again */
    for (uint64_t end = loop_clock_ms() + 5000; st.state_ups < 2 && loop_clock_ms() < end;)
        tw_run_for(&l, 10);
    assert_int_equal(st.state_downs, 1);
    assert_int_equal(st.state_ups, 2);
    assert_int_equal(a->connects, 2);
    assert_int_equal(redis_client_command(a, on_reply, &after, "PING"), 0);
    assert_true(tw_run_until(&l, &after.done, 5000));
    assert_string_equal(after.last_str, "PONG");
    redis_client_free(a);
    redis_client_free(b);
    loop_dispose(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_get),
        cmocka_unit_test(test_200_in_flight),
        cmocka_unit_test(test_timeout_then_late_reply_dropped),
        cmocka_unit_test(test_refused_while_down),
        cmocka_unit_test(test_free_with_pending_and_inside_callback),
        cmocka_unit_test(test_reconnect_after_kill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
