/* test_oracle.c: feedcheck run as a child, its summary read back. A
 * stand-in script prints feedcheck's summary table and exits 1. */
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

#include "tools/chaos/oracle.h"
#include "tools/chaos/spawn.h"

static const char script[] =
    "#!/bin/sh\n"
    "echo \"args: $*\"\n"
    "echo 'postgresql: 13 users, 36 follows read in 0.03 s'\n"
    "echo 'store      feed                feeds       items  missing duplicated    extra out-of-order counts-off ambiguous'\n"
    "echo 'cassandra  home                   13        3330        2          0        0            0          0         0'\n"
    "echo 'cassandra  total                  39        5197        2          0        1            0          0         4'\n"
    "echo 'redis      total                   3          30        0          0        3            0          0         0'\n"
    "echo 'DIFFERENT: 13 users checked in 0.50 s'\n"
    "exit 1\n";

static void test_summary_and_differences(void **state)
{
    char path[] = "/tmp/fake_feedcheck_XXXXXX";
    int fd = mkstemp(path);
    oc_config cfg;
    oc_result res;
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, script, sizeof script - 1), (ssize_t)(sizeof script - 1));
    close(fd);
    chmod(path, 0700);
    oc_config_from_env(&cfg);
    cfg.feedcheck = path;
    snprintf(cfg.redis, sizeof cfg.redis, "127.0.0.1:36379");
    assert_int_equal(oc_run(&cfg, &res), 1);
    unlink(path);
    assert_non_null(strstr(res.output, "--redis 127.0.0.1:36379"));
    assert_non_null(strstr(res.summary, "cassandra: 39 feeds, 5197 items, missing 2, duplicated 0, extra 1"));
    assert_non_null(strstr(res.summary, "redis: 3 feeds"));
    assert_non_null(strstr(res.summary, "DIFFERENT: 13 users"));
    assert_null(strstr(res.summary, "home")); /* per-feed rows are left out */
    assert_int_equal(res.differences, 2 + 1 + 3);
    oc_result_free(&res);
}

static void test_spawn_status_and_timeout(void **state)
{
    char *out = NULL;
    char *ok[] = {"/bin/sh", "-c", "echo hi; exit 3", NULL};
    char *slow[] = {"/bin/sh", "-c", "sleep 5", NULL};
    char *missing[] = {"/nonexistent/program", NULL};
    (void)state;
    assert_int_equal(sp_run(ok, 5000, &out), 3);
    assert_string_equal(out, "hi\n");
    free(out);
    assert_int_equal(sp_run(slow, 200, &out), 128 + 9);
    free(out);
    assert_int_equal(sp_run(missing, 1000, &out), -1);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_and_differences),
        cmocka_unit_test(test_spawn_status_and_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
