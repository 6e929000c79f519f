/* test_json_out.c: list pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/handlers/json_out.h"

static void expect_page(const char *name, const slice *items, size_t n, const char *cursor, const char *want)
{
    buf b;

    buf_init(&b, 0);
    assert_int_equal(json_out_page(&b, name, items, n, cursor), 0);
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(b.data, want, b.len);
    buf_dispose(&b);
}

static void test_pages(void **state)
{
    slice items[2] = {SLICE_LIT("{\"id\":1}"), SLICE_LIT("{\"id\":2}")};

    (void)state;
    expect_page("users", items, 0, NULL, "{\"users\":[],\"next_cursor\":null}");
    expect_page("users", items, 1, NULL, "{\"users\":[{\"id\":1}],\"next_cursor\":null}");
    expect_page("users", items, 2, "AQQ-_x", "{\"users\":[{\"id\":1},{\"id\":2}],\"next_cursor\":\"AQQ-_x\"}");
    expect_page("a\"b", items, 0, "q\"", "{\"a\\\"b\":[],\"next_cursor\":\"q\\\"\"}");
}

static void test_limit(void **state)
{
    slice items[1] = {SLICE_LIT("{\"id\":1}")};
    buf b;

    (void)state;
    buf_init(&b, 16);
    assert_int_equal(json_out_page(&b, "users", items, 1, NULL), -1);
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages),
        cmocka_unit_test(test_limit),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
