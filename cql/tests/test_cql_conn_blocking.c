/* test_cql_conn_blocking.c: unit tests of cql_conn_blocking.c against a
 * scripted fake server in a child process on a loopback port. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <unistd.h>

#include "cql/cql_conn_blocking.h"
#include "cql/tests/cql_fake_server.h"

static const uint8_t ready[] = {0x84, 0, 0, 0, CQL_OP_READY, 0, 0, 0, 0};
static const uint8_t authenticate[] = {0x84, 0, 0, 0, CQL_OP_AUTHENTICATE, 0, 0, 0, 5, 0, 3, 'P', 'w', 'd'};
static const uint8_t void_result[] = {0x84, 0, 0, 0, CQL_OP_RESULT, 0, 0, 0, 4, 0, 0, 0, 1};
static const uint8_t syntax_error[] = {0x84, 0, 0, 0, CQL_OP_ERROR, 0,   0,   0,  10, 0, 0,
                                       0x20, 0, 0, 4, 'o',          'o', 'p', 's'};
static const uint8_t big_result[] = {0x84, 0, 0, 0, CQL_OP_RESULT, 0, 0, 0, 100};

/* Connect to a fresh fake server running steps. */
static cql_fake_server connect_fake(cql_conn *c, const cql_fake_step *steps, size_t n, size_t max_body, int io_ms)
{
    cql_fake_server s = cql_fake_start(steps, n);

    cql_conn_init(c, max_body);
    assert_int_equal(cql_conn_connect(c, "127.0.0.1", s.port, 2000, io_ms), CQL_OK);
    return s;
}

#define STEPS(...)                               \
    const cql_fake_step steps[] = {__VA_ARGS__}; \
    const size_t nsteps = sizeof(steps) / sizeof(steps[0])

static void test_startup_and_queries(void **state)
{
    STEPS({CQL_FAKE_REPLY, ready, sizeof(ready)}, {CQL_FAKE_REPLY, void_result, sizeof(void_result)},
          {CQL_FAKE_EVENT_THEN_REPLY, syntax_error, sizeof(syntax_error)},
          {CQL_FAKE_REPLY, void_result, sizeof(void_result)});
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 0, 2000);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_OK);
    assert_int_equal(cql_conn_query(&c, cql_slice_from_cstr("INSERT"), &p, &resp), CQL_OK);
    assert_int_equal(resp.result.kind, CQL_RESULT_VOID);
    assert_int_equal(cql_conn_query(&c, cql_slice_from_cstr("SELEC"), &p, &resp), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_SERVER);
    assert_int_equal(c.err.server_code, CQL_SERVER_SYNTAX_ERROR);
    assert_string_equal(c.err.msg, "oops");
    assert_int_equal(resp.error.code, CQL_SERVER_SYNTAX_ERROR);
    assert_int_equal(cql_conn_query(&c, cql_slice_from_cstr("INSERT"), &p, &resp), CQL_OK); /* still usable */
    assert_int_equal(c.err.code, CQL_ERR_NONE);
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_authentication_is_unsupported(void **state)
{
    STEPS({CQL_FAKE_REPLY, authenticate, sizeof(authenticate)});
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 0, 2000);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_UNSUPPORTED);
    assert_non_null(strstr(c.err.msg, "Pwd"));
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_unexpected_opcode(void **state)
{
    STEPS({CQL_FAKE_REPLY, void_result, sizeof(void_result)});
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 0, 2000);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_PROTOCOL);
    assert_non_null(strstr(c.err.msg, "expected READY, got RESULT"));
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_io_timeout(void **state)
{
    STEPS({CQL_FAKE_STALL, ready, sizeof(ready)});
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 0, 200);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_TIMEOUT);
    assert_int_equal(c.fd, -1); /* a late answer must not be taken for the next one */
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_non_null(strstr(c.err.msg, "not connected"));
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_closed_mid_frame(void **state)
{
    STEPS({CQL_FAKE_HALF_THEN_CLOSE, syntax_error, sizeof(syntax_error)});
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 0, 2000);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_IO);
    assert_non_null(strstr(c.err.msg, "middle of a frame"));
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_oversized_response(void **state)
{
    STEPS({CQL_FAKE_REPLY, big_result, sizeof(big_result)});
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 64, 2000);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_TOO_LARGE);
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_wrong_stream(void **state)
{
    STEPS({CQL_FAKE_WRONG_STREAM, ready, sizeof(ready)});
    cql_conn c;
    cql_fake_server s = connect_fake(&c, steps, nsteps, 0, 2000);

    (void)state;
    assert_int_equal(cql_conn_startup(&c), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_PROTOCOL);
    cql_conn_close(&c);
    cql_fake_stop(&s);
}

static void test_connect_refused_and_misuse(void **state)
{
    cql_response resp;
    cql_conn c;
    int fd;
    uint16_t port = cql_fake_dead_port(&fd);

    (void)state;
    cql_conn_init(&c, 0);
    assert_int_equal(cql_conn_connect(&c, "127.0.0.1", port, 1000, 1000), CQL_ERR);
    assert_int_equal(c.err.code, CQL_ERR_IO);
    assert_non_null(strstr(c.err.msg, "refused"));
    assert_int_equal(c.fd, -1);
    assert_int_equal(cql_conn_roundtrip(&c, &resp), CQL_ERR);
    assert_non_null(strstr(c.err.msg, "not connected"));
    cql_conn_close(&c);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup_and_queries), cmocka_unit_test(test_authentication_is_unsupported),
        cmocka_unit_test(test_unexpected_opcode),   cmocka_unit_test(test_io_timeout),
        cmocka_unit_test(test_closed_mid_frame),    cmocka_unit_test(test_oversized_response),
        cmocka_unit_test(test_wrong_stream),        cmocka_unit_test(test_connect_refused_and_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
