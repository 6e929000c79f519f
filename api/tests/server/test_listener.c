/* test_listener.c: address parsing and SO_REUSEPORT listeners. */
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/server/listener.h"

static void test_parse_and_format(void **state)
{
    listener_addr a;
    char err[128], text[64];

    (void)state;
    assert_int_equal(listener_parse("127.0.0.1:18080", &a, err, sizeof(err)), 0);
    assert_int_equal(a.ss.ss_family, AF_INET);
    assert_int_equal(listener_addr_port(&a), 18080);
    listener_addr_format(&a, text, sizeof(text));
    assert_string_equal(text, "127.0.0.1:18080");
    assert_int_equal(listener_parse("[::1]:80", &a, err, sizeof(err)), 0);
    assert_int_equal(a.ss.ss_family, AF_INET6);
    listener_addr_format(&a, text, sizeof(text));
    assert_string_equal(text, "[::1]:80");
    listener_addr_set_port(&a, 81);
    assert_int_equal(listener_addr_port(&a), 81);
    assert_int_equal(listener_parse(":0", &a, err, sizeof(err)), 0); /* every interface */
    assert_int_equal(listener_parse("localhost:1", &a, err, sizeof(err)), 0);
}

static void test_parse_errors(void **state)
{
    static const char *bad[] = {"127.0.0.1",    "127.0.0.1:",   "127.0.0.1:65536", "127.0.0.1:-1",
                                "127.0.0.1:+1", "127.0.0.1:8o", "[::1]:x"};
    listener_addr a;
    char err[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (listener_parse(bad[i], &a, err, sizeof(err)) != -1)
            fail_msg("'%s' should not parse", bad[i]);
        assert_true(err[0] != '\0');
    }
}

static void test_reuseport_shares_a_port(void **state)
{
    listener_addr a, bound, b2;
    char err[128];
    int fd1, fd2, fd3, port;

    (void)state;
    assert_int_equal(listener_parse("127.0.0.1:0", &a, err, sizeof(err)), 0);
    fd1 = listener_open(&a, 16, 1);
    assert_true(fd1 >= 0);
    assert_int_equal(listener_bound(fd1, &bound), 0);
    port = listener_addr_port(&bound);
    assert_true(port > 0);
    listener_addr_set_port(&a, port);
    fd2 = listener_open(&a, 16, 1); /* a second worker's socket */
    assert_true(fd2 >= 0);
    assert_int_equal(listener_bound(fd2, &b2), 0);
    assert_int_equal(listener_addr_port(&b2), port);
    fd3 = listener_open(&a, 16, 0); /* without SO_REUSEPORT: refused */
    assert_int_equal(fd3, -1);
    assert_int_equal(errno, EADDRINUSE);
    close(fd1);
    close(fd2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_reuseport_shares_a_port),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
