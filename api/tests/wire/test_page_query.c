/* test_page_query.c: limit and cursor query parameters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/wire/page_query.h"

static const char secret[] = "0123456789abcdef0123456789abcdef";

static cursor_key key(void)
{
    cursor_key k;

    assert_int_equal(cursor_key_init(&k, secret, strlen(secret)), 0);
    return k;
}

static int parse(const char *q, page_query *out, api_error *e)
{
    cursor_key k = key();

    return page_query_parse(slice_from_cstr(q), &k, FEED_HOME, 7, out, e);
}

static void limit_is(const char *q, int want)
{
    page_query pq;
    api_error e;

    if (parse(q, &pq, &e) != 0)
        fail_msg("%s: refused (%s)", q, e.message);
    if (pq.limit != want)
        fail_msg("%s: limit %d, want %d", q, pq.limit, want);
}

static void refused(const char *q, const char *code, const char *field)
{
    page_query pq;
    api_error e;

    if (parse(q, &pq, &e) == 0)
        fail_msg("%s: accepted", q);
    if (e.status != 400 || strcmp(e.code, code) != 0 || strcmp(e.field, field) != 0)
        fail_msg("%s: got %d %s '%s', want 400 %s '%s'", q, e.status, e.code, e.field, code, field);
}

static void test_limit(void **state)
{
    (void)state;
    limit_is("", PAGE_LIMIT_DEFAULT);
    limit_is("other=1&x", PAGE_LIMIT_DEFAULT);
    limit_is("limit=1", 1);
    limit_is("limit=50", 50);
    limit_is("limit=100", 100);
    limit_is("limit=101", 100);
    limit_is("limit=999999999", 100);
    limit_is("limit=%35", 5);
    limit_is("l%69mit=7", 7);
    refused("limit=0", "invalid_value", "limit");
    refused("limit=-1", "invalid_value", "limit");
    refused("limit=+5", "invalid_value", "limit");
    refused("limit=05", "invalid_value", "limit");
    refused("limit=", "invalid_value", "limit");
    refused("limit", "invalid_value", "limit");
    refused("limit=ten", "invalid_value", "limit");
    refused("limit=5x", "invalid_value", "limit");
    refused("limit=5%20", "invalid_value", "limit");
    refused("limit=1.5", "invalid_value", "limit");
    refused("limit=1e2", "invalid_value", "limit");
    refused("limit=0x10", "invalid_value", "limit");
    refused("limit=1000000000", "invalid_value", "limit");
    refused("limit=99999999999999999999999999999999999999", "invalid_value", "limit");
    refused("limit=%zz", "invalid_value", "limit");
    refused("limit=%00", "invalid_value", "limit");
    refused("limit=5&limit=6", "invalid_value", "limit");
}

static void test_cursor(void **state)
{
    cursor_key k = key();
    cursor c;
    char text[CURSOR_TEXT_MAX + 1], q[2 * CURSOR_TEXT_MAX + 32];
    size_t n;
    page_query pq;
    api_error e;

    (void)state;
    assert_int_equal(parse("limit=3", &pq, &e), 0);
    assert_false(pq.has_cursor);
    assert_int_equal(cursor_set(&c, FEED_HOME, 7, 123456, SLICE_LIT("l:9")), CURSOR_OK);
    assert_int_equal(cursor_encode(&k, &c, text, sizeof(text), &n), CURSOR_OK);
    snprintf(q, sizeof(q), "cursor=%s&limit=3", text);
    assert_int_equal(parse(q, &pq, &e), 0);
    assert_true(pq.has_cursor);
    assert_int_equal(pq.limit, 3);
    assert_int_equal(pq.after.ts_us, 123456);
    assert_string_equal(pq.after.id, "l:9");
    /* another user's feed */
    assert_int_equal(page_query_parse(slice_from_cstr(q), &k, FEED_HOME, 8, &pq, &e), -1);
    assert_string_equal(e.code, "invalid_cursor");
    assert_string_equal(e.field, "cursor");
    assert_string_equal(e.message, "cursor belongs to another feed");
    /* forged: one character changed */
    q[10] = q[10] == 'A' ? 'B' : 'A';
    assert_int_equal(parse(q, &pq, &e), -1);
    assert_string_equal(e.code, "invalid_cursor");
    assert_true(strcmp(e.message, "cursor was not issued by this server") == 0 ||
                strcmp(e.message, "cursor is malformed") == 0);
    refused("cursor=", "invalid_cursor", "cursor");
    refused("cursor", "invalid_cursor", "cursor");
    refused("cursor=abc", "invalid_cursor", "cursor");
    refused("cursor=%zz", "invalid_cursor", "cursor");
    snprintf(q, sizeof(q), "cursor=%s&cursor=%s", text, text);
    refused(q, "invalid_value", "cursor");
    /* a huge value is refused before decoding */
    {
        char big[2000];
        memcpy(big, "cursor=", 7);
        memset(big + 7, 'A', sizeof(big) - 8);
        big[sizeof(big) - 1] = '\0';
        refused(big, "invalid_cursor", "cursor");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_cursor),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
