/* test_cql_streams.c: all 32768 ids, exhaustion, reuse, bad ids, and a
 * random walk against a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/store/cql_streams.h"

static void test_all_ids_then_exhausted(void **state)
{
    cql_streams s;
    static char seen[CQL_STREAMS_MAX];
    int token;

    (void)state;
    memset(seen, 0, sizeof(seen));
    assert_int_equal(cql_streams_init(&s, CQL_STREAMS_MAX), 0);
    assert_int_equal(cql_streams_alloc(&s, &token), 0); /* lowest first */
    seen[0] = 1;
    for (int i = 1; i < CQL_STREAMS_MAX; i++) {
        int32_t id = cql_streams_alloc(&s, &token);
        assert_true(id >= 0 && id < CQL_STREAMS_MAX);
        assert_false(seen[id]);
        seen[id] = 1;
    }
    assert_int_equal(cql_streams_in_use(&s), CQL_STREAMS_MAX);
    assert_int_equal(cql_streams_alloc(&s, &token), -1);
    assert_ptr_equal(cql_streams_release(&s, 32767), &token);
    assert_int_equal(cql_streams_alloc(&s, &token), 32767); /* reused at once */
    cql_streams_dispose(&s);
}

static void test_bad_ids_and_args(void **state)
{
    cql_streams s;
    int token;

    (void)state;
    assert_int_equal(cql_streams_init(&s, 0), -1);
    assert_int_equal(cql_streams_init(&s, CQL_STREAMS_MAX + 1), -1);
    assert_int_equal(cql_streams_init(&s, 4), 0);
    assert_null(cql_streams_get(&s, -1));
    assert_null(cql_streams_get(&s, 4));
    assert_null(cql_streams_get(&s, 0));     /* free */
    assert_null(cql_streams_release(&s, 2)); /* never used: no double free */
    assert_int_equal(cql_streams_alloc(&s, NULL), -1);
    assert_int_equal(cql_streams_alloc(&s, &token), 0);
    assert_null(cql_streams_release(&s, -1));
    assert_ptr_equal(cql_streams_release(&s, 0), &token);
    assert_null(cql_streams_release(&s, 0)); /* twice */
    assert_int_equal(cql_streams_in_use(&s), 0);
    cql_streams_dispose(&s);
    cql_streams_dispose(&s); /* idempotent */
}

static void test_random_against_model(void **state)
{
    enum { CAP = 100 };
    cql_streams s;
    int owners[CAP];
    int used[CAP] = {0}, nused = 0;

    (void)state;
    srand(3);
    assert_int_equal(cql_streams_init(&s, CAP), 0);
    for (int step = 0; step < 50000; step++) {
        if (rand() % 2) {
            int32_t id = cql_streams_alloc(&s, &owners[0]);
            if (nused == CAP) {
                assert_int_equal(id, -1);
            } else {
                assert_true(id >= 0 && id < CAP);
                assert_false(used[id]);
                used[id] = 1;
                nused++;
                assert_ptr_equal(cql_streams_get(&s, id), &owners[0]);
            }
        } else {
            int32_t id = rand() % CAP;
            void *o = cql_streams_release(&s, id);
            assert_true((o != NULL) == (used[id] != 0));
            nused -= used[id];
            used[id] = 0;
        }
        assert_int_equal(cql_streams_in_use(&s), nused);
    }
    cql_streams_dispose(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_ids_then_exhausted),
        cmocka_unit_test(test_bad_ids_and_args),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
