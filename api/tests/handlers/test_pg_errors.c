/* test_pg_errors.c: SQLSTATE + constraint -> API error, for every
 * constraint of schema/sql that a request can trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/handlers/pg_errors.h"

static void expect_client(const char *st, const char *constraint, int status, const char *code, const char *field)
{
    api_error e;

    memset(&e, 0, sizeof(e));
    assert_int_equal(pg_errors_map(st, constraint, &e), PG_ERR_CLIENT);
    assert_int_equal(e.status, status);
    assert_string_equal(e.code, code);
    assert_string_equal(e.field, field);
    assert_true(strlen(e.message) > 0);
}

static void test_unique(void **state)
{
    (void)state;
    expect_client("23505", "users_handle_key", 409, "handle_taken", "handle");
    expect_client("23505", "follows_pkey", 409, "already_following", "");
    expect_client("23505", "likes_pkey", 409, "already_liked", "");
    expect_client("23505", "something_else", 409, "conflict", "");
    expect_client("23505", NULL, 409, "conflict", "");
}

static void test_foreign_keys(void **state)
{
    (void)state;
    expect_client("23503", "comments_post_id_post_author_id_fkey", 404, "post_not_found", "");
    expect_client("23503", "likes_post_id_post_author_id_fkey", 404, "post_not_found", "");
    expect_client("23503", "follows_followee_id_fkey", 404, "user_not_found", "");
    expect_client("23503", "follows_follower_id_fkey", 404, "user_not_found", "");
    expect_client("23503", "posts_author_id_fkey", 404, "user_not_found", "");
    expect_client("23503", "comments_author_id_fkey", 404, "user_not_found", "");
    expect_client("23503", "likes_user_id_fkey", 404, "user_not_found", "");
    expect_client("23503", NULL, 404, "not_found", "");
}

static void test_checks_and_data(void **state)
{
    (void)state;
    expect_client("23514", "follows_not_self", 400, "self_follow", "");
    expect_client("23514", "users_handle_format", 400, "invalid_value", "handle");
    expect_client("23514", "users_display_name_length", 400, "invalid_value", "display_name");
    expect_client("23514", "posts_body_length", 400, "invalid_value", "body");
    expect_client("23514", "comments_body_length", 400, "invalid_value", "body");
    expect_client("23514", "idempotency_key_length", 400, "invalid_value", "Idempotency-Key");
    expect_client("23514", "unknown_check", 400, "invalid_value", "");
    expect_client("23502", NULL, 400, "invalid_value", "");
    expect_client("22P02", NULL, 400, "invalid_value", ""); /* invalid text representation */
    expect_client("22021", NULL, 400, "invalid_value", ""); /* bad encoding */
    expect_client("22003", NULL, 400, "invalid_value", ""); /* out of range */
}

static void test_server_side(void **state)
{
    api_error e;

    (void)state;
    assert_int_equal(pg_errors_map("40001", NULL, &e), PG_ERR_UNAVAILABLE);
    assert_int_equal(pg_errors_map("40P01", NULL, &e), PG_ERR_UNAVAILABLE);
    assert_int_equal(pg_errors_map("57014", NULL, &e), PG_ERR_UNAVAILABLE); /* statement timeout */
    assert_int_equal(pg_errors_map("57P01", NULL, &e), PG_ERR_UNAVAILABLE); /* admin shutdown */
    assert_int_equal(pg_errors_map("08006", NULL, &e), PG_ERR_UNAVAILABLE);
    assert_int_equal(pg_errors_map("53300", NULL, &e), PG_ERR_UNAVAILABLE); /* too many connections */
    assert_int_equal(pg_errors_map("42P01", NULL, &e), PG_ERR_INTERNAL);    /* undefined table: ours */
    assert_int_equal(pg_errors_map("42601", NULL, &e), PG_ERR_INTERNAL);
    assert_int_equal(pg_errors_map(NULL, NULL, &e), PG_ERR_INTERNAL);
    assert_int_equal(pg_errors_map("235", NULL, &e), PG_ERR_INTERNAL);
    assert_int_equal(pg_errors_map("", "users_handle_key", &e), PG_ERR_INTERNAL);
}

static void test_constraint_of_reply(void **state)
{
    pg_reply ok = {0};

    (void)state;
    assert_null(pg_errors_constraint(NULL));
    assert_null(pg_errors_constraint(&ok));
    ok.status = PG_CLIENT_ETIMEOUT;
    assert_null(pg_errors_constraint(&ok));
    ok.status = PG_CLIENT_ESERVER; /* no results: no constraint known */
    assert_null(pg_errors_constraint(&ok));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique),
        cmocka_unit_test(test_foreign_keys),
        cmocka_unit_test(test_checks_and_data),
        cmocka_unit_test(test_server_side),
        cmocka_unit_test(test_constraint_of_reply),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
