/* report.h: the figures of one fault-injection run, and their table. */
#ifndef FEED_CHAOS_REPORT_H
#define FEED_CHAOS_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "tools/chaos/load.h"

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
    char note[256];
} rp_fault;

/* 1 when the fault's figures hold every promise (nothing lost, doubled
 * or half-written, every unknown resolved, caught up, feedcheck 0). */
int rp_fault_ok(const rp_fault *f);

/* The markdown table of faults, preceded by the command line. */
void rp_print(FILE *out, const rp_fault *faults, int n, const char *command);

#endif
