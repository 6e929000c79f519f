/* test_fc_redis.c: parsing the cached values (no server). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tools/feedcheck/feedcheck.h"

static void test_parse_act(void **state)
{
    fc_body b;
    char scratch[FC_ID_MAX * 4];

    (void)state;
    assert_int_equal(fc_redis_parse_act("{\"id\":\"c:7\",\"verb\":\"COMMENT\",\"actor_id\":3,\"object_id\":\"p:4\","
                                        "\"target_id\":\"u:2\",\"body\":\"h\\u00e9\",\"ts_us\":1732500000000001}",
                                        &b, scratch),
                     0);
    assert_string_equal(b.id, "c:7");
    assert_string_equal(b.verb, "COMMENT");
    assert_int_equal(b.actor, 3);
    assert_string_equal(b.object, "p:4");
    assert_string_equal(b.target, "u:2");
    assert_int_equal(b.body_len, 3); /* bytes: é is two */
    assert_int_equal(b.ts_us, 1732500000000001LL);
    assert_int_equal(fc_redis_parse_act("{\"id\":\"l:1\",\"verb\":\"LIKE\",\"actor_id\":3,\"object_id\":\"p:4\","
                                        "\"target_id\":null,\"body\":null,\"ts_us\":5}",
                                        &b, scratch),
                     0);
    assert_null(b.target);
    assert_int_equal(b.body_len, -1);
    assert_int_equal(fc_redis_parse_act("[1]", &b, scratch), -1);
    assert_int_equal(fc_redis_parse_act("{\"verb\":\"LIKE\"}", &b, scratch), -1);
    assert_int_equal(fc_redis_parse_act("not json", &b, scratch), -1);
}

static void test_parse_group(void **state)
{
    fc_group g;

    (void)state;
    assert_int_equal(fc_redis_parse_group("{\"group_id\":\"LIKE:p:4:3600000\",\"verb\":\"LIKE\",\"object_id\":\"p:4\","
                                          "\"actor_count\":12,\"actor_ids\":[9,8,7,6,5,4,3,2,1,0],"
                                          "\"latest_us\":3600000005,\"ts_us\":3600000000}",
                                          &g),
                     0);
    assert_string_equal(g.id, "LIKE:p:4:3600000");
    assert_string_equal(g.verb, "LIKE");
    assert_string_equal(g.object, "p:4");
    assert_int_equal(g.actor_count, 12);
    assert_int_equal(g.n_ids, 10);
    assert_int_equal(g.actor_ids[0], 9);
    assert_int_equal(g.latest_us, 3600000005LL);
    assert_int_equal(g.window_us, 3600000000LL);
    /* eleven ids: more than the cap, so the list cannot equal any expected one */
    assert_int_equal(fc_redis_parse_group("{\"group_id\":\"x\",\"actor_ids\":[1,2,3,4,5,6,7,8,9,10,11]}", &g), 0);
    assert_int_equal(g.n_ids, 10);
    assert_int_equal(g.actor_ids[9], -1);
    assert_int_equal(fc_redis_parse_group("{\"verb\":\"LIKE\"}", &g), -1);
    assert_int_equal(fc_redis_parse_group("", &g), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_act),
        cmocka_unit_test(test_parse_group),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
