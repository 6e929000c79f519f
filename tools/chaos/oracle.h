/* oracle.h: run the oracle, build/bin/feedcheck (tools/feedcheck), which
 * computes every feed from PostgreSQL and compares it with Cassandra and
 * Redis: exit 0 when equal, 1 on differences, anything else when it
 * could not check. */
#ifndef FEED_CHAOS_ORACLE_H
#define FEED_CHAOS_ORACLE_H

typedef struct oc_config {
    const char *feedcheck; /* path of the program */
    const char *pg;        /* libpq conninfo */
    char cassandra[64];    /* host:port */
    char redis[64];        /* host:port */
    const char *keyspace;  /* "feed" */
    int details;           /* differences to print, --details N */
    const char *users;     /* --users ID,ID,...: check only these; NULL: all */
    int timeout_ms;
} oc_config;

typedef struct oc_result {
    int exit_code;         /* feedcheck's exit status; -1 if it did not run */
    char *output;          /* all it printed, owned (oc_result_free) */
    char summary[1024];    /* its per-store totals and verdict, joined with " | " */
    long long differences; /* sum over stores of missing, duplicated, extra,
                              out-of-order and counts-off; -1 if not printed */
} oc_result;

/* Fill cfg from the environment, like cu_config_from_env; feedcheck is
 * FEED_FEEDCHECK or build/bin/feedcheck. Static storage: call once. */
void oc_config_from_env(oc_config *cfg);

/* Run it. Returns res->exit_code. */
int oc_run(const oc_config *cfg, oc_result *res);

void oc_result_free(oc_result *res);

#endif
