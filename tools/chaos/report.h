/* report.h: the figures of one fault-injection run, and their table. */
#ifndef FEED_CHAOS_REPORT_H
#define FEED_CHAOS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "tools/chaos/load.h"
#include "tools/chaos/probe.h"

typedef struct rp_fault {
    char name[24];         /* the part, or "none" for the baseline */
    char how[32];          /* "kill -9 + restart", "stop 5 s + start" */
    ld_counts counts;      /* the load's writes in this phase */
    int64_t restart_ms;    /* how long feedctl took to bring the part back */
    int64_t outage_ms;     /* from the fault to the last failed write (0: none failed) */
    int64_t catchup_ms;    /* from the end of the load to caught up */
    int caught_up;         /* 1 when the catch-up wait succeeded */
    int feedcheck_exit;    /* 0 equal, 1 differences, other: could not check */
    char feedcheck[1024];  /* its per-store totals and verdict */
    long long differences; /* feedcheck's differences, all stores; -1 unknown */
    int64_t lost, doubled, half_written;
    int64_t reads_failing;     /* failed feed reads: the load's and the probe follower's */
    int64_t read_fail_span_ms; /* from the first failed read to the last (0: at most one) */
    int probed;                /* 1 when the probe ran (probe below is valid) */
    pb_summary probe;          /* commit-to-readable: during the fault, after it */
    char note[256];
} rp_fault;

/* 1 when the fault's figures hold every promise (nothing lost, doubled
 * or half-written, every unknown resolved, caught up, feedcheck 0, and
 * every probe post acknowledged was seen on the follower's feed). */
int rp_fault_ok(const rp_fault *f);

/* The markdown table of faults, preceded by the command line. */
void rp_print(FILE *out, const rp_fault *faults, int n, const char *command);

/* "1.2 (20)": a window's p99 in seconds and how many posts it is over;
 * "-" without posts; "never seen: 3 of 20" when some never showed. */
const char *rp_probe_cell(const pb_summary *s, int window, char *out, size_t outlen);

#endif
