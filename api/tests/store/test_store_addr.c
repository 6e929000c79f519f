/* test_store_addr.c: "host:port" forms, lists, bad input, resolving. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/src/store/store_addr.h"

static int parse(const char *s, int def, store_addr *a)
{
    return store_addr_parse(s, strlen(s), def, a);
}

static void test_forms(void **state)
{
    store_addr a;

    (void)state;
    assert_int_equal(parse("127.0.0.1:16379", 6379, &a), 0);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(a.port, 16379);
    assert_int_equal(parse("  redis.local ", 6379, &a), 0);
    assert_string_equal(a.host, "redis.local");
    assert_int_equal(a.port, 6379);
    assert_int_equal(parse("[::1]:9042", 1, &a), 0);
    assert_string_equal(a.host, "::1");
    assert_int_equal(a.port, 9042);
    assert_int_equal(parse("[fe80::1]", 19042, &a), 0);
    assert_string_equal(a.host, "fe80::1");
    assert_int_equal(a.port, 19042);
}

static void test_bad(void **state)
{
    store_addr a;
    char longhost[400];

    (void)state;
    memset(longhost, 'h', sizeof(longhost) - 1);
    longhost[sizeof(longhost) - 1] = '\0';
    assert_int_equal(parse("", 1, &a), -1);
    assert_int_equal(parse(":80", 1, &a), -1);
    assert_int_equal(parse("h:", 1, &a), -1);
    assert_int_equal(parse("h:0", 1, &a), -1);
    assert_int_equal(parse("h:65536", 1, &a), -1);
    assert_int_equal(parse("h:12x", 1, &a), -1);
    assert_int_equal(parse("h:-1", 1, &a), -1);
    assert_int_equal(parse("::1", 1, &a), -1); /* brackets required */
    assert_int_equal(parse("[::1", 1, &a), -1);
    assert_int_equal(parse("[::1]x", 1, &a), -1);
    assert_int_equal(parse("[]:1", 1, &a), -1);
    assert_int_equal(parse("h", 0, &a), -1); /* no port at all */
    assert_int_equal(parse(longhost, 1, &a), -1);
}

static void test_list(void **state)
{
    store_addr a;
    const char *list = "10.0.0.1:9042, 10.0.0.2 ,[::1]:19042";

    (void)state;
    assert_int_equal(store_addr_list_get(list, 0, 9042, &a), 0);
    assert_string_equal(a.host, "10.0.0.1");
    assert_int_equal(store_addr_list_get(list, 1, 9042, &a), 0);
    assert_string_equal(a.host, "10.0.0.2");
    assert_int_equal(a.port, 9042);
    assert_int_equal(store_addr_list_get(list, 2, 9042, &a), 0);
    assert_int_equal(a.port, 19042);
    assert_int_equal(store_addr_list_get(list, 3, 9042, &a), -1);
    assert_int_equal(store_addr_list_get(NULL, 0, 9042, &a), -1);
    assert_int_equal(store_addr_list_get("a,,b", 1, 9042, &a), -1);
}

static void test_resolve(void **state)
{
    store_addr a;

    (void)state;
    assert_int_equal(parse("localhost:1", 1, &a), 0);
    assert_int_equal(store_addr_resolve(&a), 0);
    assert_true(strcmp(a.host, "127.0.0.1") == 0 || strcmp(a.host, "::1") == 0);
    assert_int_equal(parse("127.0.0.1", 1, &a), 0);
    assert_int_equal(store_addr_resolve(&a), 0);
    assert_string_equal(a.host, "127.0.0.1");
    assert_int_equal(parse("no-such-host.invalid", 1, &a), 0);
    assert_int_equal(store_addr_resolve(&a), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_resolve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
