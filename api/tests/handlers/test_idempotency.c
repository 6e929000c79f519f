/* test_idempotency.c: key rules, request digests, the write statement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/handlers/idempotency.h"

static void test_key_rules(void **state)
{
    char key[IDEM_KEY_MAX + 2];

    (void)state;
    assert_true(idem_key_valid(SLICE_LIT("a")));
    assert_true(idem_key_valid(SLICE_LIT("550e8400-e29b-41d4-a716-446655440000")));
    assert_true(idem_key_valid(SLICE_LIT(" ~!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}")));
    assert_false(idem_key_valid(SLICE_LIT("")));
    assert_false(idem_key_valid(slice_make(NULL, 0)));
    assert_false(idem_key_valid(SLICE_LIT("tab\there")));
    assert_false(idem_key_valid(SLICE_LIT("del\x7f")));
    assert_false(idem_key_valid(SLICE_LIT("caf\xc3\xa9")));
    assert_false(idem_key_valid(slice_make("a\0b", 3)));
    memset(key, 'k', sizeof(key));
    assert_true(idem_key_valid(slice_make(key, IDEM_KEY_MAX)));
    assert_false(idem_key_valid(slice_make(key, IDEM_KEY_MAX + 1)));
}

static void test_request_hash(void **state)
{
    char a[IDEM_HASH_HEX + 1], b[IDEM_HASH_HEX + 1];

    (void)state;
    /* sha256("POST\0/v1/posts\0{}"), checked with: printf 'POST\0/v1/posts\0{}' | sha256sum */
    assert_int_equal(idem_request_hash(SLICE_LIT("POST"), SLICE_LIT("/v1/posts"), SLICE_LIT("{}"), a), 0);
    assert_string_equal(a, "ae6db929ec69a0c7c4380e4de07d0bf20c7ec464e44ba7803ca5416654cf90c6");
    /* each part matters, and the separators keep parts from sliding */
    assert_int_equal(idem_request_hash(SLICE_LIT("POST"), SLICE_LIT("/v1/posts"), SLICE_LIT("{} "), b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(idem_request_hash(SLICE_LIT("POST"), SLICE_LIT("/v1/post"), SLICE_LIT("s{}"), b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(idem_request_hash(SLICE_LIT("PUT"), SLICE_LIT("/v1/posts"), SLICE_LIT("{}"), b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(idem_request_hash(SLICE_LIT("POST"), SLICE_LIT("/v1/posts"), slice_make(NULL, 0), b), 0);
    assert_int_equal(strlen(b), IDEM_HASH_HEX);
}

static void test_compose(void **state)
{
    pool p;
    char *sql;

    (void)state;
    pool_init(&p, 0);
    sql = idem_compose_sql(&p, "WITH w AS (x), a AS (y)", 2, 0, 201);
    assert_string_equal(sql, "WITH w AS (x), a AS (y) SELECT body FROM a");
    sql = idem_compose_sql(&p, "WITH w AS (x), a AS (y)", 3, 1, 201);
    assert_string_equal(sql, "WITH w AS (x), a AS (y), k AS (UPDATE idempotency_keys SET status = 201, "
                             "response = a.body FROM a WHERE idempotency_keys.user_id = $4 AND "
                             "idempotency_keys.key = $5) SELECT body FROM a");
    pool_dispose(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_rules),
        cmocka_unit_test(test_request_hash),
        cmocka_unit_test(test_compose),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
