/* test_redis_scripts.c: the generated C strings are the .lua files byte
 * for byte, and the scripts spell the head markers as redis_keys.h does.
 * Run from the repository's top folder (as c.mk does). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "schema/redis/redis_keys.h"
#include "schema/redis/redis_scripts.h"

/* The whole file, NUL-terminated; the caller frees it. */
static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;

    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    text = malloc((size_t)n + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void expect_file(const char *path, const char *embedded)
{
    char *text = read_file(path);

    assert_int_equal(strlen(embedded), strlen(text));
    assert_string_equal(embedded, text);
    free(text);
}

static void test_embedded_scripts_are_the_files(void **state)
{
    (void)state;
    expect_file("schema/redis/feed_head_read.lua", redis_lua_feed_head_read);
    expect_file("schema/redis/feed_head_store.lua", redis_lua_feed_head_store);
    expect_file("schema/redis/feed_head_abort.lua", redis_lua_feed_head_abort);
    expect_file("schema/redis/feed_head_write.lua", redis_lua_feed_head_write);
    expect_file("schema/redis/feed_event_publish.lua", redis_lua_feed_event_publish);
    expect_file("schema/redis/feed_live_open.lua", redis_lua_feed_live_open);
    expect_file("schema/redis/marker_set.lua", redis_lua_marker_set);
}

static void test_scripts_spell_the_markers_of_redis_keys_h(void **state)
{
    (void)state;
    /* the read tells a fill's placeholder and the end apart ... */
    assert_non_null(strstr(redis_lua_feed_head_read, "string.sub(low[1], 1, 6) == '" REDIS_MEMBER_FILL "'"));
    assert_int_equal(strlen(REDIS_MEMBER_FILL), 6);
    assert_non_null(strstr(redis_lua_feed_head_read, "low[1] == '" REDIS_MEMBER_END "'"));
    /* ... which the store writes */
    assert_non_null(strstr(redis_lua_feed_head_store, "'ZADD', KEYS[1], -1, '" REDIS_MEMBER_END "'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded_scripts_are_the_files),
        cmocka_unit_test(test_scripts_spell_the_markers_of_redis_keys_h),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
