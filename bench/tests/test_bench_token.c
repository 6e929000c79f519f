/* test_bench_token.c: the benchmarks mint the API's tokens: the same
 * text as the API's own test vector (api/tests/auth/test_token.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench_token.h"

static void test_the_apis_test_vector(void **state)
{
    static const char secret[] = "0123456789abcdef0123456789abcdef";
    char t[BENCH_TOKEN_MAX];

    (void)state;
    assert_int_equal(bench_token_mint(secret, strlen(secret), 42, 1900000000, t, sizeof t), 0);
    assert_string_equal(t, "v1.42.1900000000.gKMNL46UIio-5xGu4cO-KGo4th8zmhWoTdqwlphhqvY");
    assert_int_equal(bench_token_mint(secret, strlen(secret), 42, 1900000000, t, 20), -1); /* too small */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_apis_test_vector),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
