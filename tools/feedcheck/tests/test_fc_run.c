/* test_fc_run.c: the body check (the run itself is the integration test's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tools/feedcheck/feedcheck.h"

static void test_body_check(void **state)
{
    fc_act c = {.id = 7, .actor = 3, .ts_us = 99, .object = 4, .target = 2, .body_len = 4, .kind = 'c'};
    fc_act f = {.id = 1, .actor = 3, .ts_us = 5, .object = 2, .target = 2, .body_len = -1, .kind = 'f'};
    fc_act p = {.id = 4, .actor = 2, .ts_us = 6, .object = 4, .target = 0, .body_len = 0, .kind = 'p'};
    fc_body b = {
        .id = "c:7", .verb = "COMMENT", .actor = 3, .object = "p:4", .target = "u:2", .body_len = 4, .ts_us = 99};
    char d[160];

    (void)state;
    assert_int_equal(fc_body_check(&c, &b, d, sizeof d), 0);
    b.ts_us = 98;
    assert_int_equal(fc_body_check(&c, &b, d, sizeof d), 1);
    assert_non_null(strstr(d, "ts_us"));
    b.ts_us = 99, b.target = NULL;
    assert_int_equal(fc_body_check(&c, &b, d, sizeof d), 1);
    assert_non_null(strstr(d, "target_id"));
    b.target = "u:2", b.body_len = 5;
    assert_int_equal(fc_body_check(&c, &b, d, sizeof d), 1);
    b.body_len = 4, b.verb = "LIKE";
    assert_int_equal(fc_body_check(&c, &b, d, sizeof d), 1);
    b.verb = NULL;
    assert_int_equal(fc_body_check(&c, &b, d, sizeof d), 1);

    b = (fc_body){
        .id = "f:1", .verb = "FOLLOW", .actor = 3, .object = "u:2", .target = "u:2", .body_len = -1, .ts_us = 5};
    assert_int_equal(fc_body_check(&f, &b, d, sizeof d), 0);
    b.object = "p:2";
    assert_int_equal(fc_body_check(&f, &b, d, sizeof d), 1);

    b = (fc_body){.id = "p:4", .verb = "SHARD", .actor = 2, .object = "p:4", .target = NULL, .body_len = 0, .ts_us = 6};
    assert_int_equal(fc_body_check(&p, &b, d, sizeof d), 0);
    b.target = "u:2"; /* a post targets nobody */
    assert_int_equal(fc_body_check(&p, &b, d, sizeof d), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_body_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
