/* fc_opts.c: command line and environment of feedcheck.
 *
 * Precedence, highest first: the option, the environment (FEED_PG_DSN,
 * FEED_CASSANDRA_CONTACT_POINTS, FEED_REDIS_ADDR), the dev stack's
 * addresses.
 */
#include "tools/feedcheck/feedcheck.h"
#include "cql/cql_request.h"
#include "tools/common/tool_num.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void fc_usage(FILE *out)
{
    fprintf(out,
            "usage: feedcheck [options]\n"
            "\n"
            "The oracle: computes from PostgreSQL alone what every feed must hold\n"
            "(docs/DATA-MODEL.md) and compares it with Cassandra and with the heads Redis\n"
            "caches.\n"
            "\n"
            "Rules. Ids f:/p:/c:/l:<row id>, time ts_us = created_at in microseconds; every\n"
            "feed newest first by (ts_us, id), both descending.\n"
            "  profile(U)  U's live activities.\n"
            "  home(U)     U's own activities; for each V that U follows since F (the follow\n"
            "              row's created_at): V's activities made after F, and the newest\n"
            "              --backfill made before F. A FOLLOW is its follower's activity.\n"
            "  notifications(U)  FOLLOWs of U, LIKEs and COMMENTs on U's posts by others,\n"
            "              one group per (verb, object, 1-hour window of created_at):\n"
            "              group id <verb>:<object>:<window start ms>, clustering ts_us =\n"
            "              window start us, actor_count distinct actors, actor_ids newest\n"
            "              first (ties: higher id) at most 10, latest_us newest event.\n"
            "  Cassandra: home_feed, profile_feed, notifications must equal these; every\n"
            "  listed activity must have a consistent row in activities.\n"
            "  Redis: an existing feed:home|profile|notif:<uid> must be an exact prefix of\n"
            "  the feed (members and scores); act:<id> and notif:<uid>:<gid> values that\n"
            "  exist must agree. Missing Redis keys are fine: it is a cache.\n"
            "\n"
            "Ambiguity. The job decides \"before the follow\" by LSN among the activities\n"
            "that existed then; PostgreSQL keeps neither LSNs nor deleted rows. So a V-part\n"
            "of home(U) that differs from the rule above only as the job may legitimately\n"
            "differ -- everything made more than --skew-ms after the follow present, of\n"
            "the activities made more than --skew-ms before it a newest-first prefix of at\n"
            "most --backfill (shorter when a later-deleted activity took a place), either\n"
            "way within --skew-ms -- is counted as \"ambiguous\", not as a difference\n"
            "(--strict counts it as one). Redis heads are then compared with what\n"
            "Cassandra holds for that part.\n"
            "\n"
            "options:\n"
            "  --pg DSN              libpq conninfo (default $FEED_PG_DSN, else\n"
            "                        \"%s\")\n"
            "  --cassandra HOST:PORT (default first of $FEED_CASSANDRA_CONTACT_POINTS, else\n"
            "                        %s:%d)\n"
            "  --keyspace NAME       Cassandra keyspace (default feed)\n"
            "  --consistency LEVEL   of the Cassandra reads (default LOCAL_QUORUM: with\n"
            "                        replication factor 3 a node that just came back and\n"
            "                        has not had its hints yet answers ONE with old rows)\n"
            "  --redis HOST:PORT     (default $FEED_REDIS_ADDR, else %s:%d)\n"
            "  --redis-db N          Redis database number (default 0)\n"
            "  --no-redis            do not check Redis\n"
            "  --no-cassandra        do not check Cassandra (Redis heads alone)\n"
            "  --no-notifications    do not check notifications (neither store)\n"
            "  --no-latest           do not read notifications.latest_us (a keyspace made\n"
            "                        from an older schema/cql lacks it: then it is skipped\n"
            "                        with a note anyway)\n"
            "  --users ID,ID,...     check these users only\n"
            "  --sample N            check N users picked at random (--seed S, default 1)\n"
            "  --backfill N          activities copied when U follows V (default 100, as\n"
            "                        the job's --backfill)\n"
            "  --skew-ms MS          created_at this close to a follow's: commit order\n"
            "                        unknown (default 1000)\n"
            "  --strict              ambiguous feeds count as differences\n"
            "  --details N           print the first N differences in full (default 0)\n"
            "  --jobs N              Cassandra connections reading in parallel (default 4)\n"
            "  --page-size ROWS      Cassandra page size (default 5000)\n"
            "  --quiet               only the summary table\n"
            "  -h, --help            this help\n"
            "\n"
            "Output: per store and feed, feeds checked, items read, missing, duplicated\n"
            "(same id twice, e.g. under two ts_us), extra, out of order (wrong ts_us or\n"
            "place), counts off (notification groups; for bodies: a body that disagrees),\n"
            "ambiguous; then the time taken and the rates.\n"
            "\n"
            "Exit status: 0 every checked feed equal, 1 differences found, 2 usage,\n"
            "connection or read error.\n",
            FC_DEFAULT_PG_DSN, FC_DEFAULT_CASSANDRA_HOST, FC_DEFAULT_CASSANDRA_PORT, FC_DEFAULT_REDIS_HOST,
            FC_DEFAULT_REDIS_PORT);
}

int fc_parse_hostport(const char *s, char *host, size_t host_cap, uint16_t *port)
{
    size_t len = strcspn(s, ","), hlen;
    const char *colon;
    char num[8];
    long p;

    /* [v6]:port, host:port or host */
    if (len == 0)
        return -1;
    if (s[0] == '[') {
        const char *close = memchr(s, ']', len);
        if (close == NULL)
            return -1;
        hlen = (size_t)(close - s - 1);
        if (hlen == 0 || hlen >= host_cap)
            return -1;
        memcpy(host, s + 1, hlen);
        host[hlen] = '\0';
        colon = close + 1 < s + len && close[1] == ':' ? close + 1 : NULL;
        if (colon == NULL && close + 1 != s + len)
            return -1;
    } else {
        colon = memchr(s, ':', len);
        hlen = colon != NULL ? (size_t)(colon - s) : len;
        if (hlen == 0 || hlen >= host_cap || (colon != NULL && memchr(colon + 1, ':', (size_t)(s + len - colon - 1))))
            return -1;
        memcpy(host, s, hlen);
        host[hlen] = '\0';
    }
    if (colon != NULL) {
        size_t plen = (size_t)(s + len - colon - 1);
        if (plen == 0 || plen >= sizeof num)
            return -1;
        memcpy(num, colon + 1, plen);
        num[plen] = '\0';
        if (tool_parse_long(num, 1, 65535, &p) != 0)
            return -1;
        *port = (uint16_t)p;
    }
    return 0;
}

/* "1,2,3" into o->users. */
static int fc_parse_users(fc_opts *o, const char *s)
{
    const char *p = s;

    while (*p != '\0') {
        char num[24];
        size_t len = strcspn(p, ",");
        long v;
        int64_t *nu;

        if (len == 0 || len >= sizeof num)
            return -1;
        memcpy(num, p, len);
        num[len] = '\0';
        if (tool_parse_long(num, 1, INT64_MAX, &v) != 0)
            return -1;
        nu = realloc(o->users, (o->n_users + 1) * sizeof *nu);
        if (nu == NULL)
            return -1;
        o->users = nu;
        o->users[o->n_users++] = v;
        p += len;
        if (*p == ',')
            p++;
    }
    return o->n_users > 0 ? 0 : -1;
}

void fc_opts_free(fc_opts *o)
{
    free(o->users);
    o->users = NULL;
    o->n_users = 0;
}

enum {
    O_PG = 256,
    O_CASS,
    O_KS,
    O_CONSISTENCY,
    O_REDIS,
    O_NO_REDIS,
    O_NO_CASS,
    O_NO_NOTIF,
    O_NO_LATEST,
    O_USERS,
    O_SAMPLE,
    O_SEED,
    O_BACKFILL,
    O_SKEW,
    O_STRICT,
    O_DETAILS,
    O_JOBS,
    O_PAGE,
    O_QUIET,
    O_REDIS_DB
};

static const struct option fc_longopts[] = {
    {"pg", required_argument, NULL, O_PG},
    {"cassandra", required_argument, NULL, O_CASS},
    {"keyspace", required_argument, NULL, O_KS},
    {"consistency", required_argument, NULL, O_CONSISTENCY},
    {"redis", required_argument, NULL, O_REDIS},
    {"redis-db", required_argument, NULL, O_REDIS_DB},
    {"no-redis", no_argument, NULL, O_NO_REDIS},
    {"no-cassandra", no_argument, NULL, O_NO_CASS},
    {"no-notifications", no_argument, NULL, O_NO_NOTIF},
    {"no-latest", no_argument, NULL, O_NO_LATEST},
    {"users", required_argument, NULL, O_USERS},
    {"sample", required_argument, NULL, O_SAMPLE},
    {"seed", required_argument, NULL, O_SEED},
    {"backfill", required_argument, NULL, O_BACKFILL},
    {"skew-ms", required_argument, NULL, O_SKEW},
    {"strict", no_argument, NULL, O_STRICT},
    {"details", required_argument, NULL, O_DETAILS},
    {"jobs", required_argument, NULL, O_JOBS},
    {"page-size", required_argument, NULL, O_PAGE},
    {"quiet", no_argument, NULL, O_QUIET},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The defaults, then the environment's addresses over them. 0, or
 * FC_EXIT_ERROR after printing the problem to err. */
static int fc_opts_defaults(fc_opts *o, const char *env_pg, const char *env_cass, const char *env_redis, FILE *err)
{
    memset(o, 0, sizeof *o);
    o->pg_dsn = env_pg != NULL && env_pg[0] != '\0' ? env_pg : FC_DEFAULT_PG_DSN;
    strcpy(o->cass_host, FC_DEFAULT_CASSANDRA_HOST);
    o->cass_port = FC_DEFAULT_CASSANDRA_PORT;
    strcpy(o->redis_host, FC_DEFAULT_REDIS_HOST);
    o->redis_port = FC_DEFAULT_REDIS_PORT;
    o->keyspace = "feed";
    o->consistency = CQL_CONSISTENCY_LOCAL_QUORUM;
    o->backfill = 100;
    o->skew_ms = 1000;
    o->jobs = 4;
    o->page_size = 5000;
    o->seed = 1;
    if (env_cass != NULL && env_cass[0] != '\0' &&
        fc_parse_hostport(env_cass, o->cass_host, sizeof o->cass_host, &o->cass_port) != 0) {
        fprintf(err, "feedcheck: FEED_CASSANDRA_CONTACT_POINTS is not host[:port][,...]: %s\n", env_cass);
        return FC_EXIT_ERROR;
    }
    if (env_redis != NULL && env_redis[0] != '\0' &&
        fc_parse_hostport(env_redis, o->redis_host, sizeof o->redis_host, &o->redis_port) != 0) {
        fprintf(err, "feedcheck: FEED_REDIS_ADDR is not host:port: %s\n", env_redis);
        return FC_EXIT_ERROR;
    }
    return 0;
}

/* A numeric option's value into o. 0, or -1 when out of its range. */
static int fc_opt_number(fc_opts *o, int ch, const char *arg)
{
    long v;

    switch (ch) {
    case O_REDIS_DB:
        if (tool_parse_long(arg, 0, 65535, &v) != 0)
            return -1;
        o->redis_db = (int)v;
        return 0;
    case O_SAMPLE: return tool_parse_long(arg, 1, 100000000, &o->sample);
    case O_SEED:
        if (tool_parse_long(arg, 0, 0x7fffffff, &v) != 0)
            return -1;
        o->seed = (unsigned)v;
        return 0;
    case O_BACKFILL:
        if (tool_parse_long(arg, 0, 100000, &v) != 0)
            return -1;
        o->backfill = (int)v;
        return 0;
    case O_SKEW: return tool_parse_long(arg, 0, 86400000, &o->skew_ms);
    case O_DETAILS: return tool_parse_long(arg, 0, 100000000, &o->details);
    case O_JOBS:
        if (tool_parse_long(arg, 1, 64, &v) != 0)
            return -1;
        o->jobs = (int)v;
        return 0;
    case O_PAGE:
        if (tool_parse_long(arg, 1, 100000, &v) != 0)
            return -1;
        o->page_size = (int)v;
        return 0;
    }
    return -1;
}

/* Option ch of fc_longopts (with its value arg, if it takes one) into o.
 * 0, or -1 when the value is bad. */
static int fc_opt_apply(fc_opts *o, int ch, const char *arg)
{
    switch (ch) {
    case O_PG: o->pg_dsn = arg; return 0;
    case O_CASS: return fc_parse_hostport(arg, o->cass_host, sizeof o->cass_host, &o->cass_port);
    case O_KS:
        o->keyspace = arg;
        if (arg[0] == '\0' || strlen(arg) > 48 || strspn(arg, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(arg))
            return -1;
        return 0;
    case O_CONSISTENCY: return cql_consistency_parse(arg, &o->consistency) == CQL_OK ? 0 : -1;
    case O_REDIS: return fc_parse_hostport(arg, o->redis_host, sizeof o->redis_host, &o->redis_port);
    case O_NO_REDIS: o->no_redis = 1; return 0;
    case O_NO_CASS: o->no_cassandra = 1; return 0;
    case O_NO_NOTIF: o->no_notifications = 1; return 0;
    case O_NO_LATEST: o->no_latest = 1; return 0;
    case O_USERS: return fc_parse_users(o, arg);
    case O_STRICT: o->strict = 1; return 0;
    case O_QUIET: o->quiet = 1; return 0;
    default: return fc_opt_number(o, ch, arg);
    }
}

/* What no single option can tell: leftover arguments and options that
 * exclude each other. 0, or -1 after printing the problem to err. */
static int fc_opts_check(const fc_opts *o, int argc, char **argv, FILE *err)
{
    if (optind < argc) {
        fprintf(err, "feedcheck: unexpected argument %s (see --help)\n", argv[optind]);
        return -1;
    }
    if (o->users != NULL && o->sample != 0) {
        fprintf(err, "feedcheck: --users and --sample exclude each other\n");
        return -1;
    }
    if (o->no_redis && o->no_cassandra) {
        fprintf(err, "feedcheck: --no-redis and --no-cassandra leave nothing to check\n");
        return -1;
    }
    return 0;
}

int fc_opts_parse(fc_opts *o, int argc, char **argv, const char *env_pg, const char *env_cass, const char *env_redis,
                  FILE *out, FILE *err)
{
    int ch;

    if (fc_opts_defaults(o, env_pg, env_cass, env_redis, err) != 0)
        return FC_EXIT_ERROR;
    optind = 1;
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":h", fc_longopts, NULL)) != -1) {
        switch (ch) {
        case 'h':
            fc_usage(out);
            fc_opts_free(o);
            return -1;
        case ':': fprintf(err, "feedcheck: %s needs a value (see --help)\n", argv[optind - 1]); goto fail;
        default:
            if (ch < O_PG) { /* '?' */
                fprintf(err, "feedcheck: unknown option %s (see --help)\n", argv[optind - 1]);
                goto fail;
            }
            if (fc_opt_apply(o, ch, optarg) != 0) {
                fprintf(err, "feedcheck: bad value for %s: %s (see --help)\n", argv[optind - 1], optarg);
                goto fail;
            }
        }
    }
    if (fc_opts_check(o, argc, argv, err) != 0)
        goto fail;
    return 0;
fail:
    fc_opts_free(o);
    return FC_EXIT_ERROR;
}
