/* test_sse.c: Server-Sent Events framing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/wire/sse.h"

static const slice none = {NULL, 0};

static void is(const buf *b, const char *want)
{
    if (b->len != strlen(want) || memcmp(b->data, want, b->len) != 0)
        fail_msg("got '%.*s', want '%s'", (int)b->len, b->data, want);
}

static void test_event(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(sse_event(&b, none, SLICE_LIT("AQE"), SLICE_LIT("{\"id\":\"p:1\"}")), 0);
    is(&b, "id: AQE\ndata: {\"id\":\"p:1\"}\n\n");
    b.len = 0;
    assert_int_equal(sse_event(&b, SLICE_LIT("remove"), SLICE_LIT("X"), SLICE_LIT("{}")), 0);
    is(&b, "event: remove\nid: X\ndata: {}\n\n");
    b.len = 0;
    /* no id, empty data: one empty data line */
    assert_int_equal(sse_event(&b, SLICE_LIT("reset"), none, SLICE_LIT("")), 0);
    is(&b, "event: reset\ndata: \n\n");
    buf_dispose(&b);
}

/* Every kind of line break starts a data line, as the client splits them. */
static void test_multiline_data(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(sse_event(&b, none, none, SLICE_LIT("a\nb\r\nc\rd")), 0);
    is(&b, "data: a\ndata: b\ndata: c\ndata: d\n\n");
    b.len = 0;
    assert_int_equal(sse_event(&b, none, none, SLICE_LIT("a\n")), 0);
    is(&b, "data: a\ndata: \n\n");
    b.len = 0;
    assert_int_equal(sse_event(&b, none, none, SLICE_LIT("\r\n\r\n")), 0);
    is(&b, "data: \ndata: \ndata: \n\n");
    buf_dispose(&b);
}

/* A line break or NUL in the id, the name or a comment is refused and
 * nothing is appended. */
static void test_refused(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(buf_append_cstr(&b, "keep"), 0);
    assert_int_equal(sse_event(&b, none, SLICE_LIT("a\nb"), SLICE_LIT("x")), -1);
    assert_int_equal(sse_event(&b, none, SLICE_LIT("a\rb"), SLICE_LIT("x")), -1);
    assert_int_equal(sse_event(&b, none, slice_make("a\0b", 3), SLICE_LIT("x")), -1);
    assert_int_equal(sse_event(&b, SLICE_LIT("re\nmove"), none, SLICE_LIT("x")), -1);
    assert_int_equal(sse_event(&b, SLICE_LIT(""), none, SLICE_LIT("x")), -1);
    assert_int_equal(sse_comment(&b, SLICE_LIT("h\nb")), -1);
    is(&b, "keep");
    buf_dispose(&b);
}

/* All or nothing when the buffer cannot grow. */
static void test_bounded(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 16);
    assert_int_equal(buf_append_cstr(&b, "keep"), 0);
    assert_int_equal(sse_event(&b, none, SLICE_LIT("an id"), SLICE_LIT("some data")), -1);
    is(&b, "keep");
    assert_int_equal(sse_retry(&b, 1000000), -1);
    is(&b, "keep");
    buf_dispose(&b);
}

static void test_comment_retry(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(sse_comment(&b, SLICE_LIT("hb")), 0);
    is(&b, ": hb\n\n");
    b.len = 0;
    assert_int_equal(sse_comment(&b, SLICE_LIT("")), 0);
    is(&b, ":\n\n");
    b.len = 0;
    assert_int_equal(sse_retry(&b, 1000), 0);
    is(&b, "retry: 1000\n\n");
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event),   cmocka_unit_test(test_multiline_data), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_bounded), cmocka_unit_test(test_comment_retry),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
