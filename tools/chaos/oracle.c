/* oracle.c: feedcheck as a child process (oracle.h). */
#include "tools/chaos/oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/chaos/spawn.h"

static int oc_env_port(const char *name, int def)
{
    const char *v = getenv(name);
    int p = v != NULL ? atoi(v) : 0;
    return p > 0 && p < 65536 ? p : def;
}

void oc_config_from_env(oc_config *cfg)
{
    static char pg[512];
    const char *dsn = getenv("FEED_PG_DSN"), *fc = getenv("FEED_FEEDCHECK");
    const char *cass = getenv("FEED_CASSANDRA_CONTACT_POINTS"), *redis = getenv("FEED_REDIS_ADDR");

    memset(cfg, 0, sizeof *cfg);
    if (dsn != NULL && *dsn != '\0')
        snprintf(pg, sizeof pg, "%s", dsn);
    else
        snprintf(pg, sizeof pg, "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=5",
                 oc_env_port("FEED_PG_PORT", 15432));
    cfg->pg = pg;
    cfg->feedcheck = fc != NULL && *fc != '\0' ? fc : "build/bin/feedcheck";
    if (cass != NULL && *cass != '\0')
        snprintf(cfg->cassandra, sizeof cfg->cassandra, "%s", cass);
    else
        snprintf(cfg->cassandra, sizeof cfg->cassandra, "127.0.0.1:%d", oc_env_port("FEED_CASSANDRA_PORT", 19042));
    if (redis != NULL && *redis != '\0')
        snprintf(cfg->redis, sizeof cfg->redis, "%s", redis);
    else
        snprintf(cfg->redis, sizeof cfg->redis, "127.0.0.1:%d", oc_env_port("FEED_REDIS_PORT", 16379));
    cfg->keyspace = "feed";
    cfg->details = 10;
    cfg->timeout_ms = 300000;
}

/* oc_total_line: feedcheck's per-store "total" row of its summary table
 * ("cassandra  total  FEEDS ITEMS missing duplicated extra out-of-order
 * counts-off ambiguous") as one short phrase; 0 if line is not one. */
static int oc_total_line(const char *line, size_t n, char *out, size_t outlen, long long *differences)
{
    char store[32], word[32], copy[256];
    long long v[8];

    if (n >= sizeof copy)
        return 0;
    memcpy(copy, line, n);
    copy[n] = '\0';
    if (sscanf(copy, "%31s %31s %lld %lld %lld %lld %lld %lld %lld %lld", store, word, &v[0], &v[1], &v[2], &v[3],
               &v[4], &v[5], &v[6], &v[7]) != 10 ||
        strcmp(word, "total") != 0)
        return 0;
    *differences += v[2] + v[3] + v[4] + v[5] + v[6];
    snprintf(out, outlen,
             "%s: %lld feeds, %lld items, missing %lld, duplicated %lld, extra %lld, out-of-order %lld, "
             "counts-off %lld, ambiguous %lld",
             store, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    return 1;
}

/* The summary: the per-store totals, then the verdict line (EQUAL: ... or
 * the differences' count), joined with " | ". */
static void oc_summarize(oc_result *res)
{
    const char *p = res->output;
    size_t used = 0;
    char part[300];

    res->summary[0] = '\0';
    res->differences = -1;
    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '\n');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        long long d = 0;
        int keep = oc_total_line(p, n, part, sizeof part, &d);
        if (keep)
            res->differences = (res->differences < 0 ? 0 : res->differences) + d;
        if (!keep && n > 0 && (strncmp(p, "EQUAL", 5) == 0 || strncmp(p, "DIFFER", 6) == 0)) {
            snprintf(part, sizeof part, "%.*s", (int)(n < 200 ? n : 200), p);
            keep = 1;
        }
        if (keep && used + strlen(part) + 4 < sizeof res->summary)
            used += (size_t)snprintf(res->summary + used, sizeof res->summary - used, "%s%s", used ? " | " : "", part);
        p = end ? end + 1 : NULL;
    }
}

int oc_run(const oc_config *cfg, oc_result *res)
{
    char details[16];
    char *argv[] = {(char *)cfg->feedcheck,
                    "--pg",
                    (char *)cfg->pg,
                    "--cassandra",
                    (char *)cfg->cassandra,
                    "--redis",
                    (char *)cfg->redis,
                    "--keyspace",
                    (char *)cfg->keyspace,
                    "--details",
                    details,
                    cfg->users ? "--users" : NULL,
                    (char *)cfg->users,
                    NULL};

    memset(res, 0, sizeof *res);
    snprintf(details, sizeof details, "%d", cfg->details);
    res->exit_code = sp_run(argv, cfg->timeout_ms, &res->output);
    if (res->output == NULL)
        res->output = strdup("");
    oc_summarize(res);
    return res->exit_code;
}

void oc_result_free(oc_result *res)
{
    free(res->output);
    res->output = NULL;
}
