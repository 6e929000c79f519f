/* test_logpipe.c: the bound, the rotation order and whole lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tools/logpipe/logpipe.h"

static char dir[64];
static char path[128];

static int lp_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/test-logpipe.XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/part.log", dir);
    return 0;
}

static int lp_teardown(void **state)
{
    char cmd[160];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* The content of path (or path.i), NUL-terminated, in out; its length, or -1 if absent. */
static long slurp(unsigned i, char *out, size_t cap)
{
    char name[160];
    FILE *f;
    size_t n;

    if (i == 0)
        snprintf(name, sizeof(name), "%s", path);
    else
        snprintf(name, sizeof(name), "%s.%u", path, i);
    f = fopen(name, "rb");
    if (f == NULL)
        return -1;
    n = fread(out, 1, cap - 1, f);
    out[n] = '\0';
    fclose(f);
    return (long)n;
}

static void test_rotates_whole_lines_and_keeps_the_newest(void **state)
{
    logpipe lp;
    char line[64], text[4096], all[4096];
    long n;
    int i;

    (void)state;
    assert_int_equal(logpipe_open(&lp, path, 100, 2), 0);
    all[0] = '\0';
    for (i = 0; i < 40; i++) {
        snprintf(line, sizeof(line), "line %03d of the part's log\n", i); /* 27 bytes */
        assert_int_equal(logpipe_write(&lp, line, strlen(line)), 0);
        strcat(all, line);
    }
    logpipe_close(&lp);
    /* three files, none over the bound, each made of whole lines */
    for (i = 0; i <= 2; i++) {
        n = slurp((unsigned)i, text, sizeof(text));
        assert_true(n > 0);
        assert_true(n <= 100);
        assert_int_equal(text[n - 1], '\n');
        assert_int_equal(n % 27, 0);
    }
    assert_int_equal(slurp(3, text, sizeof(text)), -1);
    /* .2 then .1 then the live file: the newest lines of the input, in order */
    {
        char tail[4096] = "";
        size_t len;
        slurp(2, text, sizeof(text));
        strcat(tail, text);
        slurp(1, text, sizeof(text));
        strcat(tail, text);
        slurp(0, text, sizeof(text));
        strcat(tail, text);
        len = strlen(tail);
        assert_true(len >= 2 * 81); /* two full rotations of three lines each, then the live one */
        assert_string_equal(tail, all + strlen(all) - len);
    }
}

static void test_reopen_appends_and_counts_what_is_there(void **state)
{
    logpipe lp;
    char text[256];

    (void)state;
    assert_int_equal(logpipe_open(&lp, path, 50, 1), 0);
    assert_int_equal(logpipe_write(&lp, "0123456789012345678901234567890123456789\n", 41), 0);
    logpipe_close(&lp);
    assert_int_equal(logpipe_open(&lp, path, 50, 1), 0);
    assert_int_equal(lp.size, 41);
    assert_int_equal(logpipe_write(&lp, "next\n", 5), 0); /* 46: fits */
    assert_int_equal(slurp(1, text, sizeof(text)), -1);
    assert_int_equal(logpipe_write(&lp, "and more\n", 9), 0); /* 55: rotates first */
    logpipe_close(&lp);
    assert_int_equal(slurp(1, text, sizeof(text)), 46);
    assert_int_equal(slurp(0, text, sizeof(text)), 9);
    assert_string_equal(text, "and more\n");
}

static void test_a_line_longer_than_the_bound_is_cut(void **state)
{
    logpipe lp;
    char big[250], text[512];
    long total = 0;
    unsigned i;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\n';
    assert_int_equal(logpipe_open(&lp, path, 100, 5), 0);
    assert_int_equal(logpipe_write(&lp, big, sizeof(big)), 0);
    logpipe_close(&lp);
    for (i = 0; i <= 5; i++) {
        long n = slurp(i, text, sizeof(text));
        if (n < 0)
            continue;
        assert_true(n <= 100);
        total += n;
    }
    assert_int_equal(total, (long)sizeof(big));
}

static void test_keep_zero_empties_the_file(void **state)
{
    logpipe lp;
    char text[256];
    int i;

    (void)state;
    assert_int_equal(logpipe_open(&lp, path, 20, 0), 0);
    for (i = 0; i < 10; i++)
        assert_int_equal(logpipe_write(&lp, "0123456789\n", 11), 0);
    logpipe_close(&lp);
    assert_int_equal(slurp(0, text, sizeof(text)), 11);
    assert_int_equal(slurp(1, text, sizeof(text)), -1);
}

static void test_copy_from_a_pipe(void **state)
{
    logpipe lp;
    int fds[2], i;
    char text[4096];
    long n, total = 0;

    (void)state;
    assert_int_equal(pipe(fds), 0);
    for (i = 0; i < 100; i++)
        assert_int_equal(write(fds[1], "0123456789\n", 11), 11);
    close(fds[1]);
    assert_int_equal(logpipe_open(&lp, path, 300, 3), 0);
    assert_int_equal(logpipe_copy(&lp, fds[0]), 0);
    logpipe_close(&lp);
    close(fds[0]);
    for (i = 0; i <= 3; i++) {
        n = slurp((unsigned)i, text, sizeof(text));
        assert_true(n > 0 && n <= 300);
        total += n;
    }
    assert_int_equal(slurp(4, text, sizeof(text)), -1);
    assert_true(total >= 900 && total <= 1100); /* the oldest lines were dropped */
}

static void test_bad_arguments(void **state)
{
    logpipe lp;
    char nowhere[200];

    (void)state;
    assert_int_equal(logpipe_open(&lp, path, 0, 1), -1);
    assert_int_equal(logpipe_open(&lp, path, 10, LOGPIPE_KEEP_MAX + 1), -1);
    snprintf(nowhere, sizeof(nowhere), "%s/missing/dir/x.log", dir);
    assert_int_equal(logpipe_open(&lp, nowhere, 10, 1), -1);
    assert_non_null(strstr(lp.err, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rotates_whole_lines_and_keeps_the_newest, lp_setup, lp_teardown),
        cmocka_unit_test_setup_teardown(test_reopen_appends_and_counts_what_is_there, lp_setup, lp_teardown),
        cmocka_unit_test_setup_teardown(test_a_line_longer_than_the_bound_is_cut, lp_setup, lp_teardown),
        cmocka_unit_test_setup_teardown(test_keep_zero_empties_the_file, lp_setup, lp_teardown),
        cmocka_unit_test_setup_teardown(test_copy_from_a_pipe, lp_setup, lp_teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, lp_setup, lp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
