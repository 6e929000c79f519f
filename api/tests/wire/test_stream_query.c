/* test_stream_query.c: where a feed stream starts (after, Last-Event-ID,
 * limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/wire/stream_query.h"

static const char secret[] = "0123456789abcdef0123456789abcdef";
static cursor_key key;

static int setup(void **state)
{
    (void)state;
    return cursor_key_init(&key, secret, strlen(secret));
}

static void make_cursor(feed_kind kind, int64_t user, int64_t ts, const char *id, char *out)
{
    cursor c;
    size_t n;

    assert_int_equal(cursor_set(&c, kind, user, ts, slice_from_cstr(id)), CURSOR_OK);
    assert_int_equal(cursor_encode(&key, &c, out, CURSOR_TEXT_MAX + 1, &n), CURSOR_OK);
}

static int parse(const char *q, const char *header, stream_query *out, api_error *e)
{
    return stream_query_parse(slice_from_cstr(q), header != NULL ? slice_from_cstr(header) : slice_make(NULL, 0), &key,
                              FEED_HOME, 7, out, e);
}

static void refused(const char *q, const char *header, const char *code, const char *field)
{
    stream_query sq;
    api_error e;

    if (parse(q, header, &sq, &e) == 0)
        fail_msg("%s / %s: accepted", q, header ? header : "-");
    if (e.status != 400 || strcmp(e.code, code) != 0 || strcmp(e.field, field) != 0)
        fail_msg("%s: got %d %s '%s', want 400 %s '%s'", q, e.status, e.code, e.field, code, field);
}

static void test_fresh(void **state)
{
    stream_query sq;
    api_error e;

    (void)state;
    assert_int_equal(parse("", NULL, &sq, &e), 0);
    assert_int_equal(sq.has_after, 0);
    assert_int_equal(sq.limit, 20);
    assert_int_equal(parse("limit=5&other=x", "", &sq, &e), 0); /* an empty header is none */
    assert_int_equal(sq.has_after, 0);
    assert_int_equal(sq.limit, 5);
    refused("limit=0", NULL, "invalid_value", "limit");
    refused("limit=1&limit=2", NULL, "invalid_value", "limit");
}

static void test_after_and_header(void **state)
{
    char a[CURSOR_TEXT_MAX + 1], h[CURSOR_TEXT_MAX + 1], q[256];
    stream_query sq;
    api_error e;

    (void)state;
    make_cursor(FEED_HOME, 7, 100, "p:1", a);
    make_cursor(FEED_HOME, 7, 200, "p:2", h);
    snprintf(q, sizeof(q), "after=%s", a);
    assert_int_equal(parse(q, NULL, &sq, &e), 0);
    assert_int_equal(sq.has_after, 1);
    assert_int_equal(sq.after.ts_us, 100);
    assert_string_equal(sq.after.id, "p:1");
    /* the header wins */
    assert_int_equal(parse(q, h, &sq, &e), 0);
    assert_int_equal(sq.after.ts_us, 200);
    assert_string_equal(sq.after.id, "p:2");
    assert_int_equal(parse("", h, &sq, &e), 0);
    assert_int_equal(sq.after.ts_us, 200);
}

static void test_refused_cursors(void **state)
{
    char other[CURSOR_TEXT_MAX + 1], q[512];

    (void)state;
    make_cursor(FEED_HOME, 8, 100, "p:1", other); /* another user's */
    refused("", other, "invalid_cursor", "Last-Event-ID");
    snprintf(q, sizeof(q), "after=%s", other);
    refused(q, NULL, "invalid_cursor", "after");
    make_cursor(FEED_PROFILE, 7, 100, "p:1", other); /* another feed's */
    refused("", other, "invalid_cursor", "Last-Event-ID");
    refused("after=", NULL, "invalid_cursor", "after");
    refused("after=AQEAAAAAAAAAAQAGYgEFKqEQA3A6MRKpkb8pap943Q-l32gjBUQ", NULL, "invalid_cursor", "after");
    make_cursor(FEED_HOME, 7, 100, "p:1", other);
    snprintf(q, sizeof(q), "after=%s&after=%s", other, other);
    refused(q, NULL, "invalid_value", "after");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh),
        cmocka_unit_test(test_after_and_header),
        cmocka_unit_test(test_refused_cursors),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
