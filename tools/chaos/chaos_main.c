/* chaos_main.c: feed-chaos, the fault-injection driver.
 *
 * For each fault in a list: a steady write load through the API, the
 * fault (kill -9 of a part and its restart, a brief stop of PostgreSQL,
 * or in a cluster a network cut of one node's part and its heal) in the
 * middle of it, while a probe measures commit-to-readable latency
 * (tools/chaos/probe.h), then: every write of unknown fate
 * retried with its Idempotency-Key, the pipeline's catch-up awaited
 * (tools/chaos/catch_up.h), feedcheck run. At the end every write is
 * checked against PostgreSQL and a markdown table of the figures is
 * printed. Exit 0 only when every fault kept every promise. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/chaos/catch_up.h"
#include "tools/chaos/load.h"
#include "tools/chaos/oracle.h"
#include "tools/chaos/probe.h"
#include "tools/chaos/report.h"
#include "tools/chaos/spawn.h"

#define CH_MAX_FAULTS LD_MAX_PHASES
#define CH_DEFAULT_FAULTS "connect,kafka,flink_tm,cassandra,redis,api,postgres"
/* A cluster's (FEED_NODES=3): one node of each replicated engine, the one
 * Redis, and two network cuts (docs/CLUSTER.md). */
#define CH_CLUSTER_FAULTS "kafka-leader,cassandra2,cassandra,flink_tm2,redis,cut:cassandra3,cut:kafka2"

#include <sys/wait.h>

typedef struct ch_opts {
    char faults[256];
    double rate;
    int writers;
    int duration_s; /* load after the part is back */
    int before_s;   /* load before the fault */
    int pause_s;    /* how long PostgreSQL stays stopped */
    int cut_s;      /* how long a network cut lasts */
    int deadline_s; /* catch-up deadline */
    char api[128];
    const char *feedctl;
    const char *report;
    int catch_up_only; /* --catch-up: wait for catch-up, print, exit */
    cu_config cu;
    oc_config oc;
} ch_opts;

static void ch_usage(FILE *out)
{
    fprintf(out, "Usage: feed-chaos [options]\n"
                 "Keeps a steady write load on the feed API while, one at a time, each part of\n"
                 "the stack is killed (kill -9) and restarted, or PostgreSQL stopped briefly;\n"
                 "after each: unknown-fate writes retried with their Idempotency-Key, catch-up\n"
                 "awaited by lag (never a fixed sleep), feedcheck run on the fault's own cohort\n"
                 "of users (new users per fault, following only each other), the cohort's writes\n"
                 "checked against PostgreSQL. Prints a markdown table; exits 1 if anything\n"
                 "acknowledged was lost or doubled, a refused write was half-written, the\n"
                 "pipeline did not catch up, or feedcheck found differences.\n"
                 "\n"
                 "  --faults LIST            parts, comma-separated (default " CH_DEFAULT_FAULTS ");\n"
                 "                           \"postgres\" is a fast stop (SIGINT) for --pause seconds,\n"
                 "                           \"none\" a baseline without fault, \"job\" = flink_tm;\n"
                 "                           in a cluster (FEED_NODES=3; default " CH_CLUSTER_FAULTS ")\n"
                 "                           also \"kafka-leader\" (the broker leading most change-topic\n"
                 "                           partitions when the fault begins, from feedctl leader) and\n"
                 "                           \"cut:PART\" (feedctl cut PART for --cut seconds, then uncut)\n"
                 "  --short                  the case inside make test: --faults flink_tm --rate 20\n"
                 "                           --writers 2 --before 5 --duration-per-fault 10\n"
                 "  --rate N                 writes per second, all writers together (default 40)\n"
                 "  --writers N              writer threads (default 4)\n"
                 "  --before S               load before each fault (default 10)\n"
                 "  --duration-per-fault S   load after the part is back (default 20)\n"
                 "  --pause S                PostgreSQL stopped this long (default 5)\n"
                 "  --cut S                  a network cut lasts this long (default 30)\n"
                 "  --catch-up-deadline S    (default 300)\n"
                 "  --api URL                (default http://127.0.0.1:$FEED_API_PORT, else :18080)\n"
                 "  --feedctl PATH           (default bin/feedctl; it reads the same FEED_* environment)\n"
                 "  --feedcheck PATH         (default $FEED_FEEDCHECK, else build/bin/feedcheck)\n"
                 "  --pg DSN --redis H:P --cassandra H:P --kafka H:P   store addresses (default: from\n"
                 "                           FEED_PG_PORT, FEED_REDIS_PORT, FEED_CASSANDRA_PORT,\n"
                 "                           FEED_KAFKA_PORT like stack/config.env)\n"
                 "  --report FILE            also write the table to FILE\n"
                 "  --catch-up               no load, no fault: wait until the pipeline has caught up\n"
                 "                           (marker, job progress, consumer-group lag), print the\n"
                 "                           figures, exit 0 (caught up) or 1\n"
                 "  --help\n");
}

static int ch_parse(int argc, char **argv, ch_opts *o)
{
    enum {
        O_FAULTS = 1,
        O_SHORT,
        O_RATE,
        O_WRITERS,
        O_BEFORE,
        O_DURATION,
        O_PAUSE,
        O_CUT,
        O_DEADLINE,
        O_API,
        O_FEEDCTL,
        O_FEEDCHECK,
        O_PG,
        O_REDIS,
        O_CASS,
        O_KAFKA,
        O_REPORT,
        O_CATCH_UP,
        O_HELP
    };
    static const struct option longs[] = {{"faults", 1, 0, O_FAULTS},
                                          {"short", 0, 0, O_SHORT},
                                          {"rate", 1, 0, O_RATE},
                                          {"writers", 1, 0, O_WRITERS},
                                          {"before", 1, 0, O_BEFORE},
                                          {"duration-per-fault", 1, 0, O_DURATION},
                                          {"pause", 1, 0, O_PAUSE},
                                          {"cut", 1, 0, O_CUT},
                                          {"catch-up-deadline", 1, 0, O_DEADLINE},
                                          {"api", 1, 0, O_API},
                                          {"feedctl", 1, 0, O_FEEDCTL},
                                          {"feedcheck", 1, 0, O_FEEDCHECK},
                                          {"pg", 1, 0, O_PG},
                                          {"redis", 1, 0, O_REDIS},
                                          {"cassandra", 1, 0, O_CASS},
                                          {"kafka", 1, 0, O_KAFKA},
                                          {"report", 1, 0, O_REPORT},
                                          {"catch-up", 0, 0, O_CATCH_UP},
                                          {"help", 0, 0, O_HELP},
                                          {0, 0, 0, 0}};
    static char redis_host[64];
    const char *api_port = getenv("FEED_API_PORT"), *nodes = getenv("FEED_NODES");
    int c;

    snprintf(o->faults, sizeof o->faults, "%s", nodes && atoi(nodes) >= 3 ? CH_CLUSTER_FAULTS : CH_DEFAULT_FAULTS);
    o->rate = 40;
    o->writers = 4;
    o->before_s = 10;
    o->duration_s = 20;
    o->pause_s = 5;
    o->cut_s = 30;
    o->deadline_s = 300;
    snprintf(o->api, sizeof o->api, "http://127.0.0.1:%s", api_port && *api_port ? api_port : "18080");
    o->feedctl = "bin/feedctl";
    cu_config_from_env(&o->cu);
    oc_config_from_env(&o->oc);
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case O_FAULTS: snprintf(o->faults, sizeof o->faults, "%s", optarg); break;
        case O_SHORT:
            snprintf(o->faults, sizeof o->faults, "flink_tm");
            o->rate = 20;
            o->writers = 2;
            o->before_s = 5;
            o->duration_s = 10;
            break;
        case O_RATE: o->rate = atof(optarg); break;
        case O_WRITERS: o->writers = atoi(optarg); break;
        case O_BEFORE: o->before_s = atoi(optarg); break;
        case O_DURATION: o->duration_s = atoi(optarg); break;
        case O_PAUSE: o->pause_s = atoi(optarg); break;
        case O_CUT: o->cut_s = atoi(optarg); break;
        case O_DEADLINE: o->deadline_s = atoi(optarg); break;
        case O_API: snprintf(o->api, sizeof o->api, "%s", optarg); break;
        case O_FEEDCTL: o->feedctl = optarg; break;
        case O_FEEDCHECK: o->oc.feedcheck = optarg; break;
        case O_PG: o->cu.pg_conninfo = o->oc.pg = optarg; break;
        case O_REDIS: {
            const char *colon = strrchr(optarg, ':');
            if (colon == NULL)
                return -1;
            snprintf(redis_host, sizeof redis_host, "%.*s", (int)(colon - optarg), optarg);
            o->cu.redis_host = redis_host;
            o->cu.redis_port = atoi(colon + 1);
            snprintf(o->oc.redis, sizeof o->oc.redis, "%s", optarg);
            break;
        }
        case O_CASS: snprintf(o->oc.cassandra, sizeof o->oc.cassandra, "%s", optarg); break;
        case O_KAFKA: o->cu.kafka_bootstrap = optarg; break;
        case O_REPORT: o->report = optarg; break;
        case O_CATCH_UP: o->catch_up_only = 1; break;
        case O_HELP: ch_usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (optind != argc || o->rate <= 0 || o->writers < 1 || o->writers > 64 || o->duration_s < 1 || o->before_s < 0 ||
        o->pause_s < 0 || o->cut_s < 1 || o->deadline_s < 1)
        return -1;
    o->cu.deadline_ms = o->deadline_s * 1000;
    return 0;
}

static void ch_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ch_log(const char *fmt, ...)
{
    static int64_t start;
    va_list ap;
    if (start == 0)
        start = cu_now_ms();
    fprintf(stderr, "[feed-chaos %6.1fs] ", (double)(cu_now_ms() - start) / 1000.0);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void ch_sleep_s(int s)
{
    int64_t end = cu_now_ms() + (int64_t)s * 1000;
    while (cu_now_ms() < end)
        usleep(100000);
}

/* ch_feedctl_timeout_ms: how long a feedctl command may take: its own
 * wait for a part (FEED_START_TIMEOUT, 300 s by default, as a cluster's)
 * plus the part's stop (up to 60 s) and a margin. Killed earlier, feedctl
 * takes the part's log pipe with it (it is in feedctl's process group),
 * and the part runs on unlogged: a cluster's Cassandra node 1 once took
 * just over 300 s to restart at load average 70. */
static int ch_feedctl_timeout_ms(void)
{
    const char *v = getenv("FEED_START_TIMEOUT");
    int s = v != NULL && atoi(v) > 0 ? atoi(v) : 300;
    return (s + 180) * 1000;
}

/* ch_feedctl: bin/feedctl CMD PART; its output goes to stderr on failure. */
static int ch_feedctl(const ch_opts *o, const char *cmd, const char *part)
{
    char *argv[] = {(char *)o->feedctl, (char *)cmd, (char *)part, NULL};
    char *out = NULL;
    int rc = sp_run(argv, ch_feedctl_timeout_ms(), &out);
    if (rc != 0)
        ch_log("%s %s %s failed (%d): %s", o->feedctl, cmd, part, rc, out ? out : "");
    free(out);
    return rc;
}

/* A network cut in force, healed on any exit: feedctl uncut --all (this
 * stack's cuts only, by their iptables comment). The argv is built before
 * the cut, so the signal handler only forks and execs. */
static char *ch_uncut_argv[4];
static volatile sig_atomic_t ch_cut_active;

static void ch_uncut_all(void)
{
    pid_t pid;
    if (!ch_cut_active || ch_uncut_argv[0] == NULL)
        return;
    if ((pid = fork()) == 0) {
        execv(ch_uncut_argv[0], ch_uncut_argv);
        _exit(127);
    }
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    ch_cut_active = 0;
}

static void ch_on_signal(int sig)
{
    ch_uncut_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* ch_kafka_leader: feedctl leader, the broker part leading most partitions
 * of the change topics now, into part. 0 or -1. */
static int ch_kafka_leader(const ch_opts *o, char *part, size_t partlen)
{
    char *argv[] = {(char *)o->feedctl, "leader", NULL};
    char *out = NULL, *line;
    int rc = sp_run(argv, 300000, &out);
    part[0] = '\0';
    /* The last line that looks like a part name (Java tools may chat first). */
    for (line = out ? strtok(out, "\n") : NULL; line != NULL; line = strtok(NULL, "\n"))
        if (strncmp(line, "kafka", 5) == 0 && strlen(line) < partlen && strspn(line, "kafka0123456789") == strlen(line))
            snprintf(part, partlen, "%s", line);
    if (rc != 0 || part[0] == '\0')
        ch_log("feedctl leader failed (%d): %s", rc, out ? out : "");
    free(out);
    return rc == 0 && part[0] ? 0 : -1;
}

/* ch_stop_postgres: a fast shutdown (SIGINT to the postmaster, whose pid
 * feedctl keeps in $FEED_VAR/run/postgres.pid), waited for. */
static int ch_stop_postgres(void)
{
    const char *var = getenv("FEED_VAR");
    char path[512];
    FILE *f;
    long pid = 0;
    int64_t end = cu_now_ms() + 60000;

    snprintf(path, sizeof path, "%s/run/postgres.pid", var && *var ? var : "var");
    if ((f = fopen(path, "r")) == NULL || fscanf(f, "%ld", &pid) != 1 || pid <= 1) {
        if (f)
            fclose(f);
        ch_log("cannot read the postmaster's pid from %s", path);
        return -1;
    }
    fclose(f);
    if (kill((pid_t)pid, SIGINT) != 0)
        return -1;
    while (kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
        if (cu_now_ms() > end)
            return -1;
        usleep(50000);
    }
    return 0;
}

/* ch_part: the part a fault acts on, into part: "kafka-leader" resolved
 * now (feedctl leader takes a JVM's start, seconds), "cut:PART" is PART.
 * 0 or -1. */
static int ch_part(const ch_opts *o, rp_fault *rp, char *part, size_t partlen)
{
    if (strcmp(rp->name, "kafka-leader") == 0) {
        if (ch_kafka_leader(o, part, partlen) != 0)
            return -1;
        snprintf(rp->name, sizeof rp->name, "kafka-leader: %s", part);
        ch_log("kafka-leader is %s", part);
        return 0;
    }
    snprintf(part, partlen, "%s", strncmp(rp->name, "cut:", 4) == 0 ? rp->name + 4 : rp->name);
    return 0;
}

/* ch_inject: the fault and the part's return; rp->restart_ms. The probe's
 * window is "during" from the fault until the part is back. */
static int ch_inject(const ch_opts *o, rp_fault *rp, const char *part, pb_probe *probe)
{
    int64_t t;
    if (probe != NULL)
        pb_set_window(probe, PB_DURING);
    if (strncmp(rp->name, "cut:", 4) == 0) {
        int rc;
        snprintf(rp->how, sizeof rp->how, "network cut %d s + heal", o->cut_s);
        ch_cut_active = 1;
        if (ch_feedctl(o, "cut", part) != 0) {
            ch_uncut_all();
            return -1;
        }
        ch_sleep_s(o->cut_s); /* the outage itself, not a wait for something */
        t = cu_now_ms();
        rc = ch_feedctl(o, "uncut", part);
        ch_cut_active = 0;
        rp->restart_ms = cu_now_ms() - t;
        if (probe != NULL)
            pb_set_window(probe, PB_AFTER);
        return rc;
    }
    if (strcmp(rp->name, "none") == 0) {
        snprintf(rp->how, sizeof rp->how, "no fault (baseline)");
        return 0;
    }
    if (strcmp(rp->name, "postgres") == 0) {
        snprintf(rp->how, sizeof rp->how, "stop (SIGINT) %d s + start", o->pause_s);
        if (ch_stop_postgres() != 0)
            return -1;
        sleep((unsigned)o->pause_s); /* the outage itself, not a wait for something */
    } else {
        snprintf(rp->how, sizeof rp->how, "kill -9 + restart");
        if (ch_feedctl(o, "kill", part) != 0)
            return -1;
    }
    t = cu_now_ms();
    if (ch_feedctl(o, "restart", part) != 0)
        return -1;
    rp->restart_ms = cu_now_ms() - t;
    if (probe != NULL)
        pb_set_window(probe, PB_AFTER);
    return 0;
}

/* ch_users: "id,id,..." of the load's users (feedcheck --users). */
static char *ch_users(const ld_load *l)
{
    size_t cap = (size_t)l->nall * 21 + 1, used = 0;
    char *s = malloc(cap);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < l->nall; i++)
        used += (size_t)snprintf(s + used, cap - used, "%s%lld", i ? "," : "", (long long)l->all_user_ids[i]);
    return s;
}

/* ch_round: one fault with the load around it, then resolve, catch up,
 * check. Each fault has its own cohort of users (a fresh load, whose users
 * follow only each other), so feedcheck --users on that cohort measures
 * what this fault did, whatever earlier faults left behind. */
static void ch_round(const ch_opts *o, ld_load *l, pb_probe *probe, int phase, rp_fault *rp)
{
    cu_report cr;
    oc_result orc;
    oc_config oc = o->oc;
    int64_t fault_ms;
    char *users, part[24];
    ld_verdict v;

    ch_log("fault %d: %s: new cohort of %d users; load at %.0f writes/s", phase, rp->name,
           o->writers * LD_USERS_PER_WRITER, o->rate);
    if (ld_init(l, o->api, o->writers, o->rate, 120000) != 0) {
        snprintf(rp->note, sizeof rp->note, "could not create the cohort's users through the API");
        ld_free(l);
        return;
    }
    if (ld_start(l, phase) != 0) {
        snprintf(rp->note, sizeof rp->note, "could not start the writers");
        ld_free(l);
        return;
    }
    if (probe != NULL && pb_start(probe) != 0) {
        ch_log("fault %d: the probe did not start; no commit-to-readable figures", phase);
        probe = NULL;
    }
    ch_sleep_s(o->before_s);
    if (ch_part(o, rp, part, sizeof part) != 0)
        snprintf(part, sizeof part, "none"); /* no fault; the note says why */
    fault_ms = cu_now_ms();
    l->fault_ms = fault_ms;
    if (strcmp(part, "none") == 0 && strcmp(rp->name, "none") != 0)
        snprintf(rp->note, sizeof rp->note, "the fault's part could not be found (feedctl leader failed)");
    else if (ch_inject(o, rp, part, probe) != 0)
        snprintf(rp->note, sizeof rp->note, "the fault or the restart failed");
    ch_log("fault %d: %s back after %.1f s; load goes on for %d s", phase, rp->name, rp->restart_ms / 1000.0,
           o->duration_s);
    ch_sleep_s(o->duration_s);
    ld_stop(l);
    if (probe != NULL)
        pb_stop_posting(probe);
    ch_log("fault %d: load stopped; resolving unknown-fate writes", phase);
    ld_resolve(l, 120000);
    ld_totals(l, phase, &rp->counts);
    rp->outage_ms = rp->counts.last_fail_ms > fault_ms ? rp->counts.last_fail_ms - fault_ms : 0;
    ch_log("fault %d: waiting for the pipeline to catch up", phase);
    rp->caught_up = cu_wait(&o->cu, &cr) == 0;
    rp->catchup_ms = rp->caught_up ? cr.total_ms : o->cu.deadline_ms;
    if (!rp->caught_up)
        snprintf(rp->note, sizeof rp->note, "%s", cr.err);
    ch_log("fault %d: %s in %.1f s; running feedcheck", phase, rp->caught_up ? "caught up" : "NOT caught up",
           rp->catchup_ms / 1000.0);
    /* Caught up: every probe post should be on the follower's feed now;
     * a few seconds more for the last reads. */
    if (probe != NULL) {
        pb_stop(probe, 15000, &rp->probe);
        rp->probed = 1;
    }
    {
        const pb_summary *ps = &rp->probe;
        int64_t first = rp->counts.first_read_fail_ms, last = rp->counts.last_read_fail_ms;
        if (ps->first_fail_ms != 0 && (first == 0 || ps->first_fail_ms < first))
            first = ps->first_fail_ms;
        if (ps->last_fail_ms > last)
            last = ps->last_fail_ms;
        rp->reads_failing = rp->counts.reads_failed + ps->reads_failed;
        rp->read_fail_span_ms = first != 0 ? last - first : 0;
    }
    users = ch_users(l);
    oc.users = users;
    rp->feedcheck_exit = oc_run(&oc, &orc);
    snprintf(rp->feedcheck, sizeof rp->feedcheck, "%s", orc.summary);
    rp->differences = orc.differences;
    if (rp->feedcheck_exit != 0)
        fprintf(stderr, "---- feedcheck after %s (exit %d):\n%s\n", rp->name, rp->feedcheck_exit, orc.output);
    oc_result_free(&orc);
    free(users);
    if (ld_verify(l, o->cu.pg_conninfo, &v) != 0) {
        snprintf(rp->note, sizeof rp->note, "cannot check the writes against PostgreSQL");
        rp->lost = -1;
    } else {
        rp->lost = v.lost[phase];
        rp->doubled = v.doubled[phase];
        rp->half_written = v.half_written[phase];
        if (v.first_problem[0])
            snprintf(rp->note, sizeof rp->note, "first difference in PostgreSQL: %.200s", v.first_problem);
        ch_log("fault %d: %lld objects checked against PostgreSQL%s%s", phase, (long long)v.checked,
               v.first_problem[0] ? "; " : "", v.first_problem);
    }
    ld_free(l);
}

int main(int argc, char **argv)
{
    static ch_opts o;
    static rp_fault faults[CH_MAX_FAULTS];
    static ld_load load;
    static pb_probe probe;
    int probing = 0;
    char command[1024] = "", overall[1200] = "", *save = NULL, *name;
    int n = 0, ok = 1;

    signal(SIGPIPE, SIG_IGN);
    if (ch_parse(argc, argv, &o) != 0) {
        ch_usage(stderr);
        return 2;
    }
    if (o.catch_up_only) {
        cu_report cr;
        int rc = cu_wait(&o.cu, &cr);
        printf(
            "marker LSN %llX, seen by the job after %.1f s; %lld records to go then; caught up: %s after %.1f s%s%s\n",
            (unsigned long long)cr.marker_lsn, cr.marker_ms / 1000.0, (long long)cr.lag_at_marker,
            rc == 0 ? "yes" : "NO", cr.total_ms / 1000.0, rc == 0 ? "" : ": ", cr.err);
        return rc == 0 ? 0 : 1;
    }
    for (int i = 0; i < argc; i++)
        snprintf(command + strlen(command), sizeof command - strlen(command), "%s%s", i ? " " : "", argv[i]);
    for (name = strtok_r(o.faults, ",", &save); name != NULL && n < CH_MAX_FAULTS; name = strtok_r(NULL, ",", &save))
        snprintf(faults[n++].name, sizeof faults[0].name, "%s", strcmp(name, "job") == 0 ? "flink_tm" : name);
    ch_log("api %s, %d writers, %d faults: %s", o.api, o.writers, n, command);
    {
        static char uncut_cmd[] = "uncut", uncut_all[] = "--all";
        ch_uncut_argv[0] = (char *)o.feedctl;
        ch_uncut_argv[1] = uncut_cmd;
        ch_uncut_argv[2] = uncut_all;
        atexit(ch_uncut_all);
        signal(SIGINT, ch_on_signal);
        signal(SIGTERM, ch_on_signal);
    }
    if (pb_init(&probe, o.api, 120000) == 0) {
        probing = 1;
        ch_log("probe: author %lld, follower %lld", (long long)probe.author.id, (long long)probe.follower.id);
    } else {
        ch_log("probe: could not make its users; the table has no commit-to-readable figures");
    }
    for (int i = 0; i < n; i++) {
        ch_round(&o, &load, probing ? &probe : NULL, i, &faults[i]);
        ok = ok && rp_fault_ok(&faults[i]);
        /* The table so far, after every fault: a run stopped half-way
         * (a cluster's run takes the better part of an hour on a busy
         * machine) still leaves the faults it finished. */
        if (o.report != NULL) {
            FILE *f = fopen(o.report, "w");
            if (f != NULL) {
                rp_print(f, faults, i + 1, command);
                fprintf(f, "\n(%d of %d faults done; the run goes on)\n", i + 1, n);
                fclose(f);
            }
        }
    }
    /* Last, every user of the database, so what is left is also judged. */
    {
        oc_result all;
        oc_run(&o.oc, &all);
        snprintf(overall, sizeof overall, "feedcheck over every user after the run: exit %d: %s", all.exit_code,
                 all.summary);
        oc_result_free(&all);
        ch_log("%s", overall);
    }
    if (probing)
        pb_free(&probe);
    rp_print(stdout, faults, n, command);
    printf("\n%s\n", overall);
    if (o.report != NULL) {
        FILE *f = fopen(o.report, "w");
        if (f != NULL) {
            rp_print(f, faults, n, command);
            fprintf(f, "\n%s\n", overall);
            fclose(f);
        }
    }
    printf("\nfeed-chaos: %s\n", ok ? "every fault kept every promise" : "SOME PROMISE WAS BROKEN (see the table)");
    return ok ? 0 : 1;
}
