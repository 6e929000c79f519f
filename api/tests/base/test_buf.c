/* test_buf.c: the bounded growable buffer. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/base/buf.h"

static void test_empty_allocates_nothing(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_null(b.data);
    assert_int_equal(buf_append(&b, "", 0), 0);
    assert_null(b.data);
    buf_dispose(&b);
}

static void test_append_and_grow(void **state)
{
    char chunk[700];
    buf b;
    int i;

    (void)state;
    memset(chunk, 'x', sizeof(chunk));
    buf_init(&b, 0);
    for (i = 0; i < 10; i++)
        assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
    assert_int_equal(b.len, 7000);
    assert_true(b.cap >= 7000);
    assert_int_equal(buf_append_cstr(&b, "end"), 0);
    assert_memory_equal(b.data + 7000, "end", 3);
    assert_int_equal(buf_append_u64(&b, 18446744073709551615ull), 0);
    assert_memory_equal(b.data + 7003, "18446744073709551615", 20);
    buf_dispose(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_limit_is_hard(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 2000);
    assert_int_equal(buf_reserve(&b, 1500), 0);
    assert_true(b.cap <= 2000);
    assert_int_equal(buf_append(&b, "0123456789", 10), 0);
    errno = 0;
    assert_int_equal(buf_reserve(&b, 1991), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(buf_reserve(&b, 1990), 0);
    assert_int_equal(b.cap, 2000);
    errno = 0;
    assert_int_equal(buf_reserve(&b, SIZE_MAX), -1);
    assert_int_equal(errno, EMSGSIZE);
    assert_int_equal(b.len, 10); /* failures change nothing */
    buf_dispose(&b);
}

static void test_drop_front(void **state)
{
    buf b;

    (void)state;
    buf_init(&b, 0);
    assert_int_equal(buf_append_cstr(&b, "abcdef"), 0);
    buf_drop_front(&b, 0);
    assert_int_equal(b.len, 6);
    buf_drop_front(&b, 2);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, "cdef", 4);
    buf_drop_front(&b, 4);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_space(&b), b.cap);
    buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_allocates_nothing),
        cmocka_unit_test(test_append_and_grow),
        cmocka_unit_test(test_limit_is_hard),
        cmocka_unit_test(test_drop_front),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
