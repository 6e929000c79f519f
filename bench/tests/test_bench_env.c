/* test_bench_env.c: address parsing and the run prefix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench_env.h"

static void test_addr_forms(void **state)
{
    bench_addr a;

    (void)state;
    assert_int_equal(bench_addr_parse("127.0.0.1:19042", &a), 0);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(a.port, 19042);
    assert_int_equal(bench_addr_parse("http://10.0.0.5:8081", &a), 0);
    assert_string_equal(a.host, "10.0.0.5");
    assert_int_equal(a.port, 8081);
    assert_int_equal(bench_addr_parse("http://flink:8081/", &a), 0);
    assert_string_equal(a.host, "flink");
    assert_int_equal(bench_addr_parse("c1:9042,c2:9042", &a), 0); /* the first of a list */
    assert_string_equal(a.host, "c1");
    assert_int_equal(a.port, 9042);
}

static void test_addr_refusals(void **state)
{
    bench_addr a;

    (void)state;
    assert_int_equal(bench_addr_parse("localhost", &a), -1);
    assert_int_equal(bench_addr_parse(":9042", &a), -1);
    assert_int_equal(bench_addr_parse("h:0", &a), -1);
    assert_int_equal(bench_addr_parse("h:70000", &a), -1);
    assert_int_equal(bench_addr_parse("h:12x", &a), -1);
    assert_int_equal(bench_addr_parse("", &a), -1);
}

static void test_prefix_fits_a_handle(void **state)
{
    char p[16];

    (void)state;
    bench_run_prefix(p);
    assert_int_equal(strlen(p), 8);
    assert_int_equal(p[0], 'b');
    for (int i = 0; i < 8; i++)
        assert_true((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_forms),
        cmocka_unit_test(test_addr_refusals),
        cmocka_unit_test(test_prefix_fits_a_handle),
    };
    return cmocka_run_group_tests_name("bench_env", tests, NULL, NULL);
}
