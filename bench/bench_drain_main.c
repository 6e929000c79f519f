/* bench-drain: how fast the job builds the feeds of a data set that was
 * just loaded (issue 14, `make bench` part 1): feed rows written per
 * second over time, from the first moment of the load until the job is
 * quiet.
 *
 *   bench-drain --baseline            print the job's counter now (before the load)
 *   bench-drain --since-ms T --base N wait for the drain of a load that began at
 *                                     wall-clock T (ms), the counter having been N
 *
 * The counter is the job's Cassandra writer's numRecordsSend (rows sent
 * to feeds-cassandra: home, profile and notification rows) from Flink's
 * REST API, read every --poll-s seconds. Flink serves metrics from a
 * cache refreshed every metrics.fetcher.update-interval (10 s by
 * default), so a reading may be up to that old: the drain's end is the
 * first reading after which the counter stood still for --quiet-s
 * seconds (default 30, more than the cache's interval), and its length
 * is that reading's time minus the load's start; the rate over time is
 * one point per reading that moved (over the time since the last one
 * that did), so it is smoothed by the cache the same way.
 * The Kafka consumer lag would be exact but is not exported by the job;
 * the Cassandra row counts that bench-fanout uses need a known expected
 * count per user, which a generated graph with undos and backfill limits
 * does not give cheaply.
 *
 * Prints SERIES drain.items_per_s <t_s> <rows/s> per poll, and FIGURE
 * drain.items, drain.seconds, drain.items_per_s, drain.complete (0 when
 * --timeout-s ended the wait first: make bench bounds the drain so that
 * it fits its half hour; the rate is then over the whole wait) and, with
 * --expect-rows, drain.expected and a partial drain's drain.projected_s,
 * plus the job check (restarted during the drain: the figures include
 * its recovery).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_env.h"
#include "bench/bench_flink.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: bench-drain --baseline | --since-ms T --base N [--poll-s S] [--quiet-s S] [--timeout-s S]\n"
                 "                   [--idle-s S] [--expect-rows N]\n"
                 "  --baseline      print the job's delivered-rows counter (one number) and exit\n"
                 "  --since-ms T    the load began at this wall-clock time (ms since the epoch)\n"
                 "  --base N        the counter before the load (from --baseline)\n"
                 "  --poll-s S      seconds between readings (2)\n"
                 "  --quiet-s S     the drain ended when the counter stood still this long (30)\n"
                 "  --timeout-s S   stop waiting this long after the load's start (7200): the figures are\n"
                 "                  then those of a partial drain (drain.complete 0), exit status 0\n"
                 "  --idle-s S      fail when the job wrote nothing this long after the load (300)\n"
                 "  --expect-rows N the rows the load should make (bench-datagen's fan-out estimate): a\n"
                 "                  partial drain also prints the time the whole would take at its rate\n"
                 "Flink REST from FEED_FLINK_REST or FEED_FLINK_REST_PORT (bench/README.md).\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"baseline", no_argument, NULL, 'b'},      {"since-ms", required_argument, NULL, 's'},
        {"base", required_argument, NULL, 'n'},    {"poll-s", required_argument, NULL, 'p'},
        {"quiet-s", required_argument, NULL, 'q'}, {"timeout-s", required_argument, NULL, 't'},
        {"idle-s", required_argument, NULL, 'i'},  {"expect-rows", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    double since_ms = -1, base = -1, poll_s = 2, quiet_s = 30, timeout_s = 7200, idle_s = 300, expect = 0;
    int complete = 1;
    double last = -1, last_t = 0, moved_t = 0, prev = -1, prev_t = 0;
    int baseline = 0, c;
    bench_flink_counts k;
    bench_flink f;
    bench_env env;
    char state[128];
    int64_t start_wall_ms;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'b': baseline = 1; break;
        case 's': since_ms = atof(optarg); break;
        case 'n': base = atof(optarg); break;
        case 'p': poll_s = atof(optarg); break;
        case 'q': quiet_s = atof(optarg); break;
        case 't': timeout_s = atof(optarg); break;
        case 'i': idle_s = atof(optarg); break;
        case 'e': expect = atof(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if ((!baseline && (since_ms <= 0 || base < 0)) || poll_s <= 0 || quiet_s <= 0) {
        usage(stderr);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines as they come, also into a pipe */
    if (bench_env_load(&env) != 0)
        return 2;
    memset(&f, 0, sizeof(f));
    if (bench_flink_find(&f, &env.flink) != 0)
        bench_fail("flink: %s", f.err);
    if (baseline) {
        if (bench_flink_counts_get(&f, &k) < 0)
            bench_fail("flink: %s", f.err);
        printf("%.0f\n", k.delivered);
        return 0;
    }
    start_wall_ms = (int64_t)since_ms;
    bench_machine_state(state, sizeof(state));
    printf("bench-drain: waiting for the job to write the feeds of the load begun at %.0f ms (counter was %.0f); "
           "machine: %s\n",
           since_ms, base, state);
    printf("%8s %12s %10s\n", "t_s", "rows", "rows/s");
    for (;;) {
        double t = (double)bench_wall_us() / 1e6 - since_ms / 1e3;
        if (bench_flink_counts_get(&f, &k) < 0)
            bench_fail("flink: %s", f.err);
        if (last < 0 || k.delivered != last) {
            last = k.delivered;
            moved_t = t;
        }
        /* A rate per reading that moved, over the time since the previous
         * one that did: Flink refreshes the counter every ~10 s, so a
         * rate per poll would be zeros and 5x spikes. A counter that
         * stands still for good shows as a long last interval. */
        if (prev >= 0 && k.delivered != prev && t > prev_t) {
            double rate = (k.delivered - prev) / (t - prev_t);
            printf("%8.1f %12.0f %10.0f\n", t, k.delivered - base, rate);
            printf("SERIES drain.items_per_s %.1f %.0f\n", t, rate);
        }
        if (prev < 0 || k.delivered != prev) {
            prev = k.delivered;
            prev_t = t;
        }
        last_t = t;
        if (k.delivered > base && t - moved_t >= quiet_s)
            break;
        if (t > timeout_s) {
            printf("TIMEOUT: the job was not quiet within %.0f s: a partial drain\n", timeout_s);
            complete = 0;
            moved_t = t; /* the rate is over the whole wait */
            break;
        }
        if (k.delivered <= base && t > idle_s) /* a job that fails over and over writes nothing */
            bench_fail("the job wrote no feed row within %.0f s of the load (restarting? see feedctl status)", idle_s);
        usleep((useconds_t)(poll_s * 1e6));
    }
    (void)last_t;
    bench_machine_state(state, sizeof(state));
    printf("drain: %.0f feed rows in %.1f s from the load's start = %.0f rows/s (counter cached up to 10 s); "
           "machine: %s\n",
           last - base, moved_t, moved_t > 0 ? (last - base) / moved_t : NAN, state);
    bench_flink_print_job_check(&f, start_wall_ms);
    printf("FIGURE drain.items %.0f rows\n", last - base);
    printf("FIGURE drain.seconds %.1f s\n", moved_t);
    printf("FIGURE drain.complete %d flag\n", complete);
    if (moved_t > 0)
        printf("FIGURE drain.items_per_s %.0f rows/s\n", (last - base) / moved_t);
    if (expect > 0) {
        printf("FIGURE drain.expected %.0f rows\n", expect);
        if (!complete && last > base && moved_t > 0) {
            double whole_s = expect / ((last - base) / moved_t);
            printf("drain: stopped at %.0f of about %.0f rows; the whole would take about %.0f s at this rate\n",
                   last - base, expect, whole_s);
            printf("FIGURE drain.projected_s %.0f s\n", whole_s);
        }
    }
    return 0;
}
