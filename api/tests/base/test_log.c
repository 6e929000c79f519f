/* test_log.c: logfmt lines: fields, quoting, truncation, levels. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "api/src/base/log.h"

static int fds[2];

static int setup(void **state)
{
    (void)state;
    if (pipe(fds) != 0)
        return -1;
    log_set_fd(fds[1]);
    log_set_level(LOG_INFO);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    log_set_fd(2);
    close(fds[0]);
    close(fds[1]);
    return 0;
}

/* Read what the last log_end wrote (one line). */
static void read_line(char *out, size_t cap)
{
    ssize_t n = read(fds[0], out, cap - 1);

    assert_true(n > 0);
    out[n] = '\0';
}

static void test_fields_and_quoting(void **state)
{
    char line[2048];
    log_line l;

    (void)state;
    log_begin(&l, LOG_INFO, "access");
    log_str(&l, "method", "GET");
    log_slice(&l, "path", SLICE_LIT("/a b\"c\\d\n\x01"));
    log_int(&l, "status", -3);
    log_uint(&l, "duration_us", 42);
    log_str(&l, "empty", "");
    log_end(&l);
    read_line(line, sizeof(line));
    assert_true(strncmp(line, "ts=", 3) == 0);
    assert_non_null(strstr(line, " level=info msg=access method=GET "
                                 "path=\"/a b\\\"c\\\\d\\x0a\\x01\" status=-3 duration_us=42 empty=\"\"\n"));
    assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1); /* one line */
}

static void test_level_filter(void **state)
{
    char line[256];
    log_line l;

    (void)state;
    log_begin(&l, LOG_DEBUG, "hidden");
    log_str(&l, "k", "v");
    log_end(&l);
    log_simple(LOG_WARN, "shown", "detail here");
    read_line(line, sizeof(line));
    assert_non_null(strstr(line, "level=warn msg=shown detail=\"detail here\"\n"));
    assert_null(strstr(line, "hidden"));
}

static void test_truncation_keeps_one_line(void **state)
{
    char big[3000], line[4096];
    log_line l;

    (void)state;
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_begin(&l, LOG_ERROR, "big");
    log_str(&l, "first", "kept");
    log_str(&l, "value", big);
    log_str(&l, "after", "dropped");
    log_end(&l);
    read_line(line, sizeof(line));
    assert_true(strlen(line) <= LOG_LINE_MAX);
    assert_non_null(strstr(line, "first=kept"));
    assert_non_null(strstr(line, " truncated=1\n"));
    assert_null(strstr(line, "dropped"));
}

static void test_errno_and_levels(void **state)
{
    char line[512];
    log_line l;
    log_level lv;

    (void)state;
    log_begin(&l, LOG_ERROR, "io");
    log_errno(&l, ECONNRESET);
    log_end(&l);
    read_line(line, sizeof(line));
    assert_non_null(strstr(line, "err=\"Connection reset by peer\" errno=104"));
    assert_int_equal(log_level_parse("warn", &lv), 0);
    assert_int_equal(lv, LOG_WARN);
    assert_int_equal(log_level_parse("loud", &lv), -1);
    assert_string_equal(log_level_name(LOG_DEBUG), "debug");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_quoting),
        cmocka_unit_test(test_level_filter),
        cmocka_unit_test(test_truncation_keeps_one_line),
        cmocka_unit_test(test_errno_and_levels),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
