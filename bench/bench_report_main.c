/* bench-report: docs/BENCHMARKS.md and its plots from a results file of
 * FIGURE / SERIES / META lines (bench_report.h), as bench/run collects
 * them.
 *
 *   bench-report --results var/bench/results.txt --out docs/BENCHMARKS.md --plots docs/bench
 *
 * The plots: for each plot with data, <plots>/<name>.dat and .gp, then
 * `gnuplot <name>.gp` run in <plots> (PNG); without gnuplot (or with
 * --no-gnuplot) the report says there are no plots. The .dat and .gp
 * files are removed after a successful gnuplot run unless --keep-data.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/bench_report.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: bench-report --results FILE [--out FILE] [--plots DIR] [--plots-rel PATH]\n"
                 "                    [--no-gnuplot] [--keep-data]\n"
                 "Write the benchmark report (Markdown) from the FIGURE/SERIES/META lines of FILE.\n"
                 "  --results FILE   the results file bench/run writes (required)\n"
                 "  --out FILE       the report (default: standard output)\n"
                 "  --plots DIR      write the PNG plots there with gnuplot (created if missing)\n"
                 "  --plots-rel PATH the plots' folder as the report links it (default: bench)\n"
                 "  --no-gnuplot     write no plots\n"
                 "  --keep-data      keep the plots' .dat and .gp files\n");
}

/* Run gnuplot on name.gp inside dir. 0 if it made name.png. */
static int run_gnuplot(const char *dir, const char *name)
{
    char gp[256];
    pid_t pid;
    int st;

    snprintf(gp, sizeof(gp), "%s.gp", name);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        execlp("gnuplot", "gnuplot", gp, (char *)NULL);
        _exit(127);
    }
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return 0;
}

static void remove_plot_data(const char *dir, const char *name)
{
    char p[4096];

    snprintf(p, sizeof(p), "%s/%s.gp", dir, name);
    unlink(p);
    snprintf(p, sizeof(p), "%s/%s.dat", dir, name);
    unlink(p);
    if (strcmp(name, "latency") == 0) {
        static const char *src[] = {"hot", "cold", "sql"};
        for (int i = 0; i < 3; i++) {
            snprintf(p, sizeof(p), "%s/lat.%s.dat", dir, src[i]);
            unlink(p);
        }
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"results", required_argument, NULL, 'r'}, {"out", required_argument, NULL, 'o'},
        {"plots", required_argument, NULL, 'p'},   {"plots-rel", required_argument, NULL, 'l'},
        {"no-gnuplot", no_argument, NULL, 'n'},    {"keep-data", no_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *results = NULL, *out = NULL, *plots = NULL, *rel = "bench", *names[8];
    int no_gnuplot = 0, keep = 0, c, n, made = 0, i;
    char err[512];
    br_results r;
    FILE *f;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': results = optarg; break;
        case 'o': out = optarg; break;
        case 'p': plots = optarg; break;
        case 'l': rel = optarg; break;
        case 'n': no_gnuplot = 1; break;
        case 'k': keep = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (results == NULL || optind < argc) {
        usage(stderr);
        return 2;
    }
    f = fopen(results, "r");
    if (f == NULL) {
        perror(results);
        return 1;
    }
    br_results_init(&r);
    if (br_load(&r, f, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench-report: %s: %s\n", results, err);
        fclose(f);
        br_results_free(&r);
        return 1;
    }
    fclose(f);

    if (plots != NULL && !no_gnuplot) {
        mkdir(plots, 0755);
        n = br_write_plots(&r, plots, names, 8);
        if (n < 0)
            fprintf(stderr, "bench-report: cannot write the plots' files in %s\n", plots);
        for (i = 0; i < n; i++) {
            if (run_gnuplot(plots, names[i]) == 0) {
                made++;
                if (!keep)
                    remove_plot_data(plots, names[i]);
            } else {
                fprintf(stderr, "bench-report: gnuplot failed on %s/%s.gp (installed? apt-get install gnuplot-nox)\n",
                        plots, names[i]);
            }
        }
    }
    f = out != NULL ? fopen(out, "w") : stdout;
    if (f == NULL) {
        perror(out);
        br_results_free(&r);
        return 1;
    }
    if (br_write_markdown(f, &r, made > 0 ? rel : NULL) != 0 || (out != NULL && fclose(f) != 0)) {
        fprintf(stderr, "bench-report: writing %s failed\n", out != NULL ? out : "stdout");
        br_results_free(&r);
        return 1;
    }
    if (out != NULL)
        fprintf(stderr, "bench-report: wrote %s (%d plots in %s)\n", out, made, plots != NULL ? plots : "-");
    br_results_free(&r);
    return 0;
}
