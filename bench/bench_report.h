/* bench_report.h: the benchmark report (docs/BENCHMARKS.md) from the
 * figures the benchmark programs print (issue 14, bench/README.md).
 *
 * Every program that `make bench` runs prints, beside its text, one
 * machine-readable line per figure; bench/run collects them into one
 * results file:
 *
 *   FIGURE <name> <value> <unit>     e.g. FIGURE read.hot.p99_ms 1.84 ms
 *   SERIES <name> <x> <y>            a point of a curve (a drain over
 *                                    time, a latency distribution)
 *   META <key> <text to the end>     the machine, the date, the commit,
 *                                    load averages, each part's command
 *
 * Names and keys are [A-Za-z0-9_.:-], at most BR_NAME_MAX - 1 bytes;
 * values are decimal numbers (strtod); other lines are ignored (a
 * program's whole output may go through), a malformed FIGURE/SERIES/META
 * line is an error. A later FIGURE or META of the same name replaces the
 * earlier one (a part re-run wins); SERIES points accumulate.
 *
 * br_write_markdown writes the whole report from r (the tables of
 * bench/README.md "make bench", each with its ratio to its ceiling or
 * baseline from the same results, and the targets met/missed);
 * br_write_plots writes gnuplot data and scripts for the plots.
 *
 * Ownership: a br_results owns everything it holds; br_results_free
 * releases it. Nothing here keeps a pointer to the caller's strings.
 */
#ifndef BENCH_BENCH_REPORT_H
#define BENCH_BENCH_REPORT_H

#include <stddef.h>
#include <stdio.h>

#define BR_NAME_MAX 64
#define BR_UNIT_MAX 16

typedef struct br_figure {
    char name[BR_NAME_MAX];
    double value;
    char unit[BR_UNIT_MAX];
} br_figure;

typedef struct br_point {
    double x, y;
} br_point;

typedef struct br_series {
    char name[BR_NAME_MAX];
    br_point *v;
    size_t n, cap;
} br_series;

typedef struct br_meta {
    char key[BR_NAME_MAX];
    char *text; /* owned */
} br_meta;

typedef struct br_results {
    br_figure *fig;
    size_t nfig, capfig;
    br_series *ser;
    size_t nser, capser;
    br_meta *meta;
    size_t nmeta, capmeta;
} br_results;

void br_results_init(br_results *r);
void br_results_free(br_results *r);

/* Take one line (with or without its newline). 0 (taken or ignored),
 * -1 malformed (a message in err), -2 out of memory. */
int br_parse_line(br_results *r, const char *line, char *err, size_t errlen);

/* Every line of f; on failure err says which line. 0 or -1. */
int br_load(br_results *r, FILE *f, char *err, size_t errlen);

const br_figure *br_get(const br_results *r, const char *name);
const br_series *br_get_series(const br_results *r, const char *name);
const char *br_meta_get(const br_results *r, const char *key);

/* A figure's value or NaN when it is missing. */
double br_value(const br_results *r, const char *name);

/* v as text for a table: NaN "n/a"; |v| >= 1000 as an integer with
 * thousands separators (12,345); >= 100 one decimal less... see .c:
 * 3 significant digits below 1000, at most 2 decimals above 10. */
void br_fmt(char *out, size_t cap, double v);

/* a / b as "0.63" (two decimals) or "n/a" when either is missing or b is 0. */
void br_fmt_ratio(char *out, size_t cap, double a, double b);

/* The report. plots: the plots' folder relative to the report ("bench"),
 * or NULL when no plot was made (the report then says so). 0 or -1
 * (a write failed). */
int br_write_markdown(FILE *out, const br_results *r, const char *plots);

/* Write dir/<plot>.dat and dir/<plot>.gp for each plot that has data;
 * each .gp writes <plot>.png into dir when gnuplot runs it from dir.
 * names receives the plots' names (up to max); returns how many, or -1. */
int br_write_plots(const br_results *r, const char *dir, const char **names, int max);

#endif
