/* test_bench_report.c: the results file's parsing, number formatting,
 * the report's tables, ratios and targets, and the plot files
 * (bench_report.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bench/bench_report.h"

static void test_parse_lines(void **state)
{
    br_results r;
    char err[128];

    (void)state;
    br_results_init(&r);
    assert_int_equal(br_parse_line(&r, "FIGURE read.hot.rps 12345.6 pages/s\n", err, sizeof(err)), 0);
    assert_int_equal(br_parse_line(&r, "SERIES drain.items_per_s 2.0 8000", err, sizeof(err)), 0);
    assert_int_equal(br_parse_line(&r, "SERIES drain.items_per_s 4 9000.5\r\n", err, sizeof(err)), 0);
    assert_int_equal(br_parse_line(&r, "META commit abc1234 the subject line  \n", err, sizeof(err)), 0);
    /* other lines are ignored: a program's whole output may go through */
    assert_int_equal(br_parse_line(&r, "drain: 1000 rows in 2 s", err, sizeof(err)), 0);
    assert_int_equal(br_parse_line(&r, "FIGURES are not FIGURE lines", err, sizeof(err)), 0);
    assert_int_equal(br_parse_line(&r, "", err, sizeof(err)), 0);
    assert_int_equal(r.nfig, 1);
    assert_string_equal(br_get(&r, "read.hot.rps")->unit, "pages/s");
    assert_true(fabs(br_value(&r, "read.hot.rps") - 12345.6) < 1e-9);
    assert_true(isnan(br_value(&r, "read.cold.rps")));
    assert_int_equal(br_get_series(&r, "drain.items_per_s")->n, 2);
    assert_true(br_get_series(&r, "drain.items_per_s")->v[1].y == 9000.5);
    assert_string_equal(br_meta_get(&r, "commit"), "abc1234 the subject line");
    assert_null(br_meta_get(&r, "date"));
    /* a later figure or meta of the same name replaces it */
    assert_int_equal(br_parse_line(&r, "FIGURE read.hot.rps 7 pages/s", err, sizeof(err)), 0);
    assert_int_equal(br_parse_line(&r, "META commit def", err, sizeof(err)), 0);
    assert_int_equal(r.nfig, 1);
    assert_true(br_value(&r, "read.hot.rps") == 7);
    assert_string_equal(br_meta_get(&r, "commit"), "def");
    br_results_free(&r);
}

static void test_parse_errors(void **state)
{
    static const char *bad[] = {
        "FIGURE read.hot.rps",                 /* no value */
        "FIGURE read.hot.rps 12x pages/s",     /* not a number */
        "FIGURE read.hot.rps nan pages/s",     /* not finite */
        "FIGURE read.hot.rps 1 pages/s extra", /* one field too many */
        "FIGURE read/hot 1 ms",                /* a name outside [A-Za-z0-9_.:-] */
        "FIGURE x 1 a-unit-far-too-long-for-it",
        "SERIES drain 1",
        "SERIES drain 1 two",
        "META ",                                                                                 /* no key */
        "FIGURE aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 1 ms", /* name too long */
    };
    br_results r;
    char err[128];
    size_t i;

    (void)state;
    br_results_init(&r);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (br_parse_line(&r, bad[i], err, sizeof(err)) != -1)
            fail_msg("accepted: %s", bad[i]);
        assert_true(err[0] != '\0');
    }
    assert_int_equal(r.nfig, 0);
    assert_int_equal(r.nser, 0);
    br_results_free(&r);
}

static void test_load_names_the_line(void **state)
{
    const char text[] = "hello\nFIGURE a 1 s\nFIGURE b oops s\n";
    FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
    br_results r;
    char err[128];

    (void)state;
    assert_non_null(f);
    br_results_init(&r);
    assert_int_equal(br_load(&r, f, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "line 3"));
    fclose(f);
    br_results_free(&r);
}

static void test_format(void **state)
{
    char s[32];

    (void)state;
    br_fmt(s, sizeof(s), NAN);
    assert_string_equal(s, "n/a");
    br_fmt(s, sizeof(s), 0.4567);
    assert_string_equal(s, "0.457");
    br_fmt(s, sizeof(s), 1.8449);
    assert_string_equal(s, "1.84");
    br_fmt(s, sizeof(s), 42.26);
    assert_string_equal(s, "42.3");
    br_fmt(s, sizeof(s), 999.4);
    assert_string_equal(s, "999");
    br_fmt(s, sizeof(s), 1000);
    assert_string_equal(s, "1,000");
    br_fmt(s, sizeof(s), 123456.7);
    assert_string_equal(s, "123,457");
    br_fmt(s, sizeof(s), 74000000);
    assert_string_equal(s, "74,000,000");
    br_fmt(s, sizeof(s), -12345);
    assert_string_equal(s, "-12,345");
    br_fmt(s, 6, 1234567); /* truncated, still terminated */
    assert_true(strlen(s) <= 5);
    br_fmt_ratio(s, sizeof(s), 63, 100);
    assert_string_equal(s, "0.63");
    br_fmt_ratio(s, sizeof(s), 1, 0);
    assert_string_equal(s, "n/a");
    br_fmt_ratio(s, sizeof(s), NAN, 3);
    assert_string_equal(s, "n/a");
}

/* The report of a given results text, as a string (free it). */
static char *report_of(const char *text, const char *plots)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r"), *out;
    char err[128], *buf = NULL;
    size_t len = 0;
    br_results r;

    assert_non_null(in);
    br_results_init(&r);
    assert_int_equal(br_load(&r, in, err, sizeof(err)), 0);
    fclose(in);
    out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(br_write_markdown(out, &r, plots), 0);
    fclose(out);
    br_results_free(&r);
    return buf;
}

static const char results[] = "META date 2026-12-07 04:00 UTC\n"
                              "META commit abc1234\n"
                              "META cmd.write bench/run --only write\n"
                              "FIGURE data.users 100000 users\n"
                              "FIGURE load.write.start 1.5 load\n"
                              "FIGURE load.write.end 2.25 load\n"
                              "FIGURE readceil.evalsha.rps 50000 pages/s\n"
                              "FIGURE readceil.api.rps 45000 pages/s\n"
                              "FIGURE readceil.api_half.p99_ms 2.5 ms\n"
                              "FIGURE write.pgbench.rps 4000 writes/s\n"
                              "FIGURE write.api.rps 1000 writes/s\n"
                              "FIGURE write.api_idem.rps 2000 writes/s\n"
                              "FIGURE write.api_idem.errors 3 requests\n"
                              "FIGURE write.api.errors 0 requests\n"
                              "FIGURE read.hot.rps 20000 pages/s\n"
                              "FIGURE read.hot.p99_ms 3 ms\n"
                              "FIGURE read.sql.rps 1000 pages/s\n"
                              "FIGURE read.sql.p99_ms 90 ms\n"
                              "FIGURE growth.100000.read_p99_ms 3 ms\n"
                              "FIGURE growth.10000.read_p99_ms 2.5 ms\n"
                              "FIGURE growth.10000.sql_p99_ms 12 ms\n"
                              "SERIES lat.hot 50 1.0\n"
                              "SERIES drain.items_per_s 2 8000\n";

static void test_report_tables_and_targets(void **state)
{
    char *md = report_of(results, "bench");

    (void)state;
    assert_non_null(strstr(md, "| date | 2026-12-07 04:00 UTC |"));
    assert_non_null(strstr(md, "| commit | abc1234 |"));
    assert_non_null(strstr(md, "| write | n/a | 1.50 | 2.25 |"));
    /* reads 0.9 of the ceiling: met; p99 2.5 ms at half the peak: missed */
    assert_non_null(strstr(md, "(EVALSHA of the head script) | 0.90 | **met** |"));
    assert_non_null(strstr(md, "half the peak rate | 2.50 ms | **missed** |"));
    /* writes 0.25 (missed) and 0.50 (met, the bound is inclusive) */
    assert_non_null(strstr(md, "(no Idempotency-Key) | 0.25 | **missed** |"));
    assert_non_null(strstr(md, "(with Idempotency-Key) | 0.50 | **met** |"));
    /* the naive baseline: 20x throughput, 30x p99 */
    assert_non_null(strstr(md, "| 20.00x throughput at 100,000 users | **met** |"));
    assert_non_null(strstr(md, "| 30.00x lower p99 at 100,000 users | **met** |"));
    /* growth: 3 / 2.5 = 1.2 over two sizes, in ascending order */
    assert_non_null(strstr(md, "largest / smallest p99 = 1.20 over 2 sizes (10,000 .. 100,000 users) | **met** |"));
    assert_true(strstr(md, "| 10,000 | 2.50 | 12.0 |") < strstr(md, "| 100,000 | 3.00 | n/a |"));
    /* a table row with its ratio, and the command that reproduces it */
    assert_non_null(strstr(md, "| API POST /v1/posts | 1,000 | n/a | n/a | n/a | 0.25 |"));
    assert_non_null(strstr(md, "Reproduce: `bench/run --only write`"));
    /* failed requests are said in the row */
    assert_non_null(strstr(md, "| API POST /v1/posts with Idempotency-Key (**3 failed requests**) | 2,000 |"));
    assert_null(strstr(md, "not measured"));
    assert_null(strstr(md, "main size was"));
    assert_non_null(strstr(md, "![drain](bench/drain.png)"));
    free(md);

    md = report_of("FIGURE data.users 5000 users\n", NULL);
    assert_non_null(strstr(md, "this run's main size was 5,000 users"));
    assert_non_null(strstr(md, "No plots"));
    /* nothing measured is never met */
    assert_non_null(strstr(md, "| not measured |"));
    assert_null(strstr(md, "**met**"));
    assert_null(strstr(md, "**missed**"));
    free(md);
}

static void test_partial_drain_is_said(void **state)
{
    char *md = report_of("FIGURE drain.items 6000000 rows\n"
                         "FIGURE drain.seconds 600 s\n"
                         "FIGURE drain.items_per_s 10000 rows/s\n"
                         "FIGURE drain.complete 0 flag\n"
                         "FIGURE drain.expected 60000000 rows\n"
                         "FIGURE drain.projected_s 6000 s\n"
                         "FIGURE growth.10000.built_pct 10 %\n"
                         "FIGURE growth.10000.read_p99_ms 2.5 ms\n",
                         NULL);

    (void)state;
    assert_non_null(strstr(md, "| **partial drain**"));
    assert_non_null(strstr(md, "| 6,000,000 of about 60,000,000 home rows expected (10.0 %;"));
    assert_non_null(strstr(md, "| the whole drain at this rate | about 6,000 s |"));
    assert_non_null(strstr(md, "| 10,000 | 2.50 | n/a | n/a | n/a | 10.0 |"));
    free(md);
    md = report_of("FIGURE drain.items 6000000 rows\nFIGURE drain.complete 1 flag\n", NULL);
    assert_null(strstr(md, "partial drain"));
    free(md);
}

static void test_plot_files(void **state)
{
    char dir[] = "/tmp/test_bench_report_XXXXXX", path[256], line[256];
    const char *names[8];
    FILE *in, *f;
    br_results r;
    char err[128];
    int n;

    (void)state;
    assert_non_null(mkdtemp(dir));
    in = fmemopen((void *)results, strlen(results), "r");
    br_results_init(&r);
    assert_int_equal(br_load(&r, in, err, sizeof(err)), 0);
    fclose(in);
    n = br_write_plots(&r, dir, names, 8);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "latency");
    assert_string_equal(names[1], "drain");
    assert_string_equal(names[2], "growth");
    snprintf(path, sizeof(path), "%s/growth.dat", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "10000 2.5 12\n");
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "100000 3 nan\n");
    fclose(f);
    snprintf(path, sizeof(path), "%s/drain.gp", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(strstr(line, "pngcairo"));
    fclose(f);
    br_results_free(&r);
    {
        static const char *files[] = {"growth.dat", "growth.gp", "drain.dat", "drain.gp", "latency.gp", "lat.hot.dat"};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
            assert_int_equal(unlink(path), 0);
        }
    }
    assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_lines),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_load_names_the_line),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_report_tables_and_targets),
        cmocka_unit_test(test_partial_drain_is_said),
        cmocka_unit_test(test_plot_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
