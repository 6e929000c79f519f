/* bench-cassandra-ceiling: the most home_feed rows per second Cassandra
 * takes on this machine, by writer shape (issue 11, "the write path,
 * lean").
 *
 * It writes rows of the real home_feed shape with the INSERT the job sends
 * (job/src/main/java/feed/job/cassandra/FeedWriteCql.java: user_id, ts_us,
 * activity_id, actor_id, USING TIMESTAMP ?, LOCAL_QUORUM) into a scratch
 * keyspace with the same table, dropped at the end, and for each shape and
 * number of requests in flight it times the same number of rows:
 *   single     one prepared INSERT per row;
 *   partition  UNLOGGED batches of one partition's rows, as the job's sink;
 *   range      UNLOGGED batches of rows of several partitions that share a
 *              slice of the token ring (bench_ceiling.h).
 * Requests are pipelined over --conns connections (one thread each), the
 * in-flight count split between them. Each phase has a warm-up of its own
 * rows first. The server's commitlog_sync cannot be changed by a client:
 * --commitlog-sync says which one it runs (checked against the server's
 * system_views.settings), and it is printed on each line.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_ceiling.h"
#include "bench/bench_cql.h"
#include "bench/bench_env.h"
#include "bench/bench_stats.h"

#define CC_MAX_INFLIGHT_LEVELS 8
#define CC_MAX_CONNS 64
#define CC_MAX_WINDOW 4096 /* requests in flight on one connection */

typedef struct cc_opts {
    long rows, warmup, rows_per_partition;
    int inflight[CC_MAX_INFLIGHT_LEVELS], ninflight;
    int conns, batch_rows, ranges, replication, keep;
    int shapes[3], nshapes; /* bench_shape values */
    char keyspace[49];
    const char *commitlog_sync;
    long group_window_ms;
} cc_opts;

static void cc_usage(FILE *out)
{
    fprintf(out, "usage: bench-cassandra-ceiling [options]\n"
                 "Writes home_feed rows (the job's INSERT ... USING TIMESTAMP, LOCAL_QUORUM) into a scratch\n"
                 "keyspace and prints rows/s per writer shape and requests in flight, with each one's ratio\n"
                 "to the best of the run. Cassandra: FEED_CASSANDRA_CONTACT_POINTS or FEED_CASSANDRA_PORT.\n"
                 "  --rows N               rows timed per shape and in-flight level (200000)\n"
                 "  --warmup N             rows written before each timed phase, not timed (20000)\n"
                 "  --shapes LIST          of single, partition, range (single,partition,range)\n"
                 "  --inflight LIST        requests in flight in all, e.g. 16,64,256 (16,64,256)\n"
                 "  --conns N              connections, one thread each; in-flight split between them (2)\n"
                 "  --rows-per-partition N rows per user in a phase, as a sink window holds them (4)\n"
                 "  --batch-rows K         most rows per batch, 1..128 (32)\n"
                 "  --ranges N             token-ring slices the range shape groups by (16)\n"
                 "  --commitlog-sync S     what the server runs: batch, group or periodic; printed only, the\n"
                 "                         server is not changed ($FEED_CASSANDRA_COMMITLOG_SYNC, else batch)\n"
                 "  --group-window-ms N    its commitlog_sync_group_window, printed with group\n"
                 "                         ($FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS, else 2)\n"
                 "  --keyspace NAME        scratch keyspace (feed_ceiling); dropped at the end\n"
                 "  --replication N        its SimpleStrategy replication factor ($FEED_REPLICATION_FACTOR, else 1)\n"
                 "  --keep                 keep the scratch keyspace\n");
}

/* A whole number in [lo, hi] from s, or exit with a clear error. */
static long cc_number(const char *flag, const char *s, long lo, long hi)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        bench_fail("--%s: '%s' is not a whole number in %ld..%ld", flag, s, lo, hi);
    return v;
}

static void cc_parse_inflight(cc_opts *o, const char *s)
{
    char buf[256], *save = NULL;

    snprintf(buf, sizeof buf, "%s", s);
    o->ninflight = 0;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        if (o->ninflight == CC_MAX_INFLIGHT_LEVELS)
            bench_fail("--inflight: at most %d levels", CC_MAX_INFLIGHT_LEVELS);
        o->inflight[o->ninflight++] = (int)cc_number("inflight", t, 1, CC_MAX_WINDOW * CC_MAX_CONNS);
    }
    if (o->ninflight == 0)
        bench_fail("--inflight: no level given");
}

static void cc_parse_shapes(cc_opts *o, const char *s)
{
    char buf[128], *save = NULL;

    snprintf(buf, sizeof buf, "%s", s);
    o->nshapes = 0;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        bench_shape sh;
        if (bench_shape_parse(t, &sh) != 0)
            bench_fail("--shapes: unknown shape '%s' (single, partition, range)", t);
        if (o->nshapes == 3)
            bench_fail("--shapes: at most 3");
        o->shapes[o->nshapes++] = (int)sh;
    }
    if (o->nshapes == 0)
        bench_fail("--shapes: no shape given");
}

static void cc_parse(int argc, char **argv, cc_opts *o)
{
    static const struct option longs[] = {{"rows", 1, 0, 'n'},
                                          {"warmup", 1, 0, 'w'},
                                          {"shapes", 1, 0, 's'},
                                          {"inflight", 1, 0, 'i'},
                                          {"conns", 1, 0, 'c'},
                                          {"rows-per-partition", 1, 0, 'p'},
                                          {"batch-rows", 1, 0, 'k'},
                                          {"ranges", 1, 0, 'r'},
                                          {"commitlog-sync", 1, 0, 'S'},
                                          {"group-window-ms", 1, 0, 'W'},
                                          {"keyspace", 1, 0, 'K'},
                                          {"replication", 1, 0, 'R'},
                                          {"keep", 0, 0, 'x'},
                                          {"help", 0, 0, 'h'},
                                          {0, 0, 0, 0}};
    const char *env;
    int ch;

    *o = (cc_opts){.rows = 200000,
                   .warmup = 20000,
                   .rows_per_partition = 4,
                   .conns = 2,
                   .batch_rows = 32,
                   .ranges = 16,
                   .replication = 1,
                   .commitlog_sync = "batch",
                   .group_window_ms = 2};
    snprintf(o->keyspace, sizeof o->keyspace, "feed_ceiling");
    cc_parse_inflight(o, "16,64,256");
    cc_parse_shapes(o, "single,partition,range");
    if ((env = getenv("FEED_CASSANDRA_COMMITLOG_SYNC")) != NULL && *env != '\0')
        o->commitlog_sync = env;
    if ((env = getenv("FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS")) != NULL && *env != '\0')
        o->group_window_ms = cc_number("group-window-ms (FEED_CASSANDRA_COMMITLOG_GROUP_WINDOW_MS)", env, 1, 60000);
    if ((env = getenv("FEED_REPLICATION_FACTOR")) != NULL && *env != '\0')
        o->replication = (int)cc_number("replication (FEED_REPLICATION_FACTOR)", env, 1, 9);
    while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (ch) {
        case 'n': o->rows = cc_number("rows", optarg, 1, 100000000); break;
        case 'w': o->warmup = cc_number("warmup", optarg, 0, 100000000); break;
        case 's': cc_parse_shapes(o, optarg); break;
        case 'i': cc_parse_inflight(o, optarg); break;
        case 'c': o->conns = (int)cc_number("conns", optarg, 1, CC_MAX_CONNS); break;
        case 'p': o->rows_per_partition = cc_number("rows-per-partition", optarg, 1, 1000000); break;
        case 'k': o->batch_rows = (int)cc_number("batch-rows", optarg, 1, 128); break;
        case 'r': o->ranges = (int)cc_number("ranges", optarg, 1, 1 << 20); break;
        case 'S': o->commitlog_sync = optarg; break;
        case 'W': o->group_window_ms = cc_number("group-window-ms", optarg, 1, 60000); break;
        case 'K':
            if (strlen(optarg) >= sizeof o->keyspace ||
                strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(optarg) || optarg[0] < 'a' ||
                optarg[0] > 'z')
                bench_fail("--keyspace: '%s' is not a lower-case identifier of at most 48 characters", optarg);
            if (strcmp(optarg, "feed") == 0)
                bench_fail("--keyspace: not the project's own keyspace 'feed' (the program drops it at the end)");
            snprintf(o->keyspace, sizeof o->keyspace, "%s", optarg);
            break;
        case 'R': o->replication = (int)cc_number("replication", optarg, 1, 9); break;
        case 'x': o->keep = 1; break;
        case 'h': cc_usage(stdout); exit(0);
        default: cc_usage(stderr); exit(2);
        }
    }
    if (optind < argc)
        bench_fail("unexpected argument '%s' (see --help)", argv[optind]);
    if (strcmp(o->commitlog_sync, "batch") != 0 && strcmp(o->commitlog_sync, "group") != 0 &&
        strcmp(o->commitlog_sync, "periodic") != 0)
        bench_fail("--commitlog-sync: '%s' is not batch, group or periodic", o->commitlog_sync);
    if (o->rows / o->rows_per_partition < 1)
        bench_fail("--rows-per-partition %ld is more than --rows %ld", o->rows_per_partition, o->rows);
}

/* --- one phase: rows cut into requests, written with a window ----------- */

typedef struct cc_conn {
    cql_conn c;
    bench_prep insert;
} cc_conn;

typedef struct cc_phase {
    const bench_feed_row *rows;
    const bench_span *spans;
    size_t nspans;
    bench_shape shape;
    _Atomic size_t next;       /* the next span to send */
    _Atomic long long rows_ok; /* rows of acknowledged requests */
    _Atomic long long failed;  /* requests answered with an ERROR */
    char first_error[512];     /* under lock */
    pthread_mutex_t lock;
} cc_phase;

typedef struct cc_worker {
    cc_phase *ph;
    cc_conn *conn;
    int window;
    bench_samples lat_ms;
} cc_worker;

static int cc_send(cc_worker *w, int16_t stream, const bench_span *sp)
{
    const bench_feed_row *r = w->ph->rows + sp->off;

    if (w->ph->shape == BENCH_SHAPE_SINGLE)
        return bench_cql_pipe_send_row(&w->conn->c, stream, &w->conn->insert, 1, r);
    return bench_cql_pipe_send(&w->conn->c, stream, &w->conn->insert, 1, r, sp->n);
}

/* Keep up to w->window requests in flight on one connection until every
 * span is taken and answered. Stream ids 1..window; the send time and span
 * of each are kept by id. */
static void *cc_work(void *arg)
{
    cc_worker *w = arg;
    cc_phase *ph = w->ph;
    int64_t *sent_ns = calloc((size_t)w->window + 1, sizeof *sent_ns);
    size_t *rows_of = calloc((size_t)w->window + 1, sizeof *rows_of);
    int16_t *free_ids = calloc((size_t)w->window, sizeof *free_ids);
    int nfree = w->window, inflight = 0, exhausted = 0;

    if (sent_ns == NULL || rows_of == NULL || free_ids == NULL)
        bench_fail("out of memory");
    for (int i = 0; i < w->window; i++)
        free_ids[i] = (int16_t)(w->window - i);
    for (;;) {
        int16_t st;
        while (!exhausted && nfree > 0) {
            size_t i = atomic_fetch_add(&ph->next, 1);
            if (i >= ph->nspans) {
                exhausted = 1;
                break;
            }
            st = free_ids[--nfree];
            rows_of[st] = ph->spans[i].n;
            sent_ns[st] = bench_mono_ns();
            if (cc_send(w, st, &ph->spans[i]) != 0)
                bench_fail("cassandra: sending: %s", w->conn->c.err.msg);
            inflight++;
        }
        if (inflight == 0)
            break;
        if (bench_cql_pipe_recv(&w->conn->c, &st) != 0) {
            if (w->conn->c.err.code != CQL_ERR_SERVER)
                bench_fail("cassandra: %s", w->conn->c.err.msg);
            atomic_fetch_add(&ph->failed, 1);
            pthread_mutex_lock(&ph->lock);
            if (ph->first_error[0] == '\0')
                snprintf(ph->first_error, sizeof ph->first_error, "%.400s", w->conn->c.err.msg);
            pthread_mutex_unlock(&ph->lock);
        } else if (st >= 1 && st <= w->window) {
            atomic_fetch_add(&ph->rows_ok, (long long)rows_of[st]);
            if (bench_samples_add(&w->lat_ms, (double)(bench_mono_ns() - sent_ns[st]) / 1e6) != 0)
                bench_fail("out of memory");
        }
        if (st < 1 || st > w->window)
            bench_fail("cassandra: a response on stream %d, which no request used", st);
        free_ids[nfree++] = st;
        inflight--;
    }
    free(sent_ns);
    free(rows_of);
    free(free_ids);
    return NULL;
}

typedef struct cc_result {
    bench_shape shape;
    int inflight, conns;
    long long rows, requests, failed;
    double secs, rows_per_s, requests_per_s;
    bench_summary lat;
} cc_result;

/* Write rows[0..n) as `shape` with `inflight` requests in flight over
 * min(conns, inflight) of the open connections; fill *res. */
static void cc_run_phase(const cc_opts *o, cc_conn *conns, bench_shape shape, int inflight, bench_feed_row *rows,
                         size_t n, cc_result *res)
{
    cc_phase ph = {.rows = rows, .shape = shape};
    bench_span *spans = NULL;
    int nthreads = o->conns < inflight ? o->conns : inflight;
    cc_worker w[CC_MAX_CONNS];
    pthread_t th[CC_MAX_CONNS];
    bench_samples all;
    int64_t t0, t1;

    if (bench_ceiling_plan(rows, n, shape, (size_t)o->batch_rows, o->ranges, &spans, &ph.nspans) != 0)
        bench_fail("planning %zu rows: out of memory", n);
    ph.spans = spans;
    atomic_init(&ph.next, 0);
    atomic_init(&ph.rows_ok, 0);
    atomic_init(&ph.failed, 0);
    pthread_mutex_init(&ph.lock, NULL);
    for (int i = 0; i < nthreads; i++) {
        w[i] = (cc_worker){.ph = &ph, .conn = &conns[i], .window = inflight / nthreads + (i < inflight % nthreads)};
        if (w[i].window > CC_MAX_WINDOW)
            bench_fail("%d requests in flight on one connection: at most %d (raise --conns)", w[i].window,
                       CC_MAX_WINDOW);
        bench_samples_init(&w[i].lat_ms);
    }
    t0 = bench_mono_ns();
    for (int i = 0; i < nthreads; i++)
        if (pthread_create(&th[i], NULL, cc_work, &w[i]) != 0)
            bench_fail("pthread_create failed");
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    t1 = bench_mono_ns();

    bench_samples_init(&all);
    for (int i = 0; i < nthreads; i++) {
        for (size_t j = 0; j < w[i].lat_ms.n; j++)
            if (bench_samples_add(&all, w[i].lat_ms.v[j]) != 0)
                bench_fail("out of memory");
        bench_samples_free(&w[i].lat_ms);
    }
    *res = (cc_result){.shape = shape,
                       .inflight = inflight,
                       .conns = nthreads,
                       .rows = atomic_load(&ph.rows_ok),
                       .requests = (long long)all.n,
                       .failed = atomic_load(&ph.failed),
                       .secs = (double)(t1 - t0) / 1e9};
    bench_summarize(&all, &res->lat);
    res->rows_per_s = res->secs > 0 ? (double)res->rows / res->secs : 0;
    res->requests_per_s = res->secs > 0 ? (double)res->requests / res->secs : 0;
    if (res->failed > 0)
        fprintf(stderr, "bench-cassandra-ceiling: %s x%d: %lld requests failed, the first: %s\n",
                bench_shape_name(shape), inflight, res->failed, ph.first_error);
    bench_samples_free(&all);
    pthread_mutex_destroy(&ph.lock);
    free(spans);
}

/* n rows over n / rows_per_partition users from `base` up, in arrival
 * order (row j goes to user base + j % users, its (j / users)-th item), as
 * a fan-out sends one activity to many followers. */
static void cc_make_rows(bench_feed_row *rows, size_t n, long rows_per_partition, int64_t base, int64_t ts0)
{
    size_t users = n / (size_t)rows_per_partition;

    if (users == 0)
        users = 1;
    for (size_t j = 0; j < n; j++) {
        size_t item = j / users;
        rows[j] = (bench_feed_row){.user_id = base + (int64_t)(j % users),
                                   .ts_us = ts0 + (int64_t)item,
                                   .actor_id = 7,
                                   .write_ts = ts0 + (int64_t)item};
        snprintf(rows[j].activity_id, sizeof rows[j].activity_id, "p:%zu", item);
    }
}

/* --- setup ---------------------------------------------------------------- */

/* The figures carry --commitlog-sync: refuse to run when the server says
 * otherwise (system_views.settings). A server that cannot tell (no such
 * table) gets a warning and the flag is believed. */
static void cc_check_commitlog(const cc_opts *o, cql_conn *c)
{
    char sync[64], window[64], want[32];

    if (bench_cql_setting(c, "commitlog_sync", sync, sizeof sync) != 0) {
        fprintf(stderr,
                "bench-cassandra-ceiling: warning: cannot read the server's commitlog_sync (%s); "
                "trusting --commitlog-sync %s\n",
                c->err.msg, o->commitlog_sync);
        return;
    }
    if (strcmp(sync, o->commitlog_sync) != 0)
        bench_fail("the server runs commitlog_sync %s, not %s: pass --commitlog-sync %s (or restart Cassandra "
                   "with FEED_CASSANDRA_COMMITLOG_SYNC)",
                   sync, o->commitlog_sync, sync);
    if (strcmp(sync, "group") != 0)
        return;
    snprintf(want, sizeof want, "%ldms", o->group_window_ms);
    if (bench_cql_setting(c, "commitlog_sync_group_window", window, sizeof window) == 0 && strcmp(window, want) != 0)
        bench_fail("the server's commitlog_sync_group_window is %s, not %s: pass --group-window-ms", window, want);
}

static void cc_setup(const cc_opts *o, const bench_env *env, cc_conn *conns)
{
    char sql[512];
    cql_conn *c = &conns[0].c;

    for (int i = 0; i < o->conns; i++)
        if (bench_cql_open(&conns[i].c, &env->cassandra) != 0)
            bench_fail("cassandra at %s:%d: %s", env->cassandra.host, env->cassandra.port, conns[i].c.err.msg);
    snprintf(sql, sizeof sql,
             "CREATE KEYSPACE IF NOT EXISTS %s WITH replication = {'class': 'SimpleStrategy', "
             "'replication_factor': %d}",
             o->keyspace, o->replication);
    if (bench_cql_run(c, sql) != 0)
        bench_fail("creating keyspace %s: %s", o->keyspace, c->err.msg);
    /* the table of schema/cql/001_feeds.cql */
    snprintf(sql, sizeof sql,
             "CREATE TABLE IF NOT EXISTS %s.home_feed (user_id bigint, ts_us bigint, activity_id text, "
             "actor_id bigint, PRIMARY KEY ((user_id), ts_us, activity_id)) "
             "WITH CLUSTERING ORDER BY (ts_us DESC, activity_id DESC)",
             o->keyspace);
    if (bench_cql_run(c, sql) != 0)
        bench_fail("creating %s.home_feed: %s", o->keyspace, c->err.msg);
    cc_check_commitlog(o, c);
    /* FeedWriteCql's HOME_INSERT */
    snprintf(sql, sizeof sql,
             "INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (?, ?, ?, ?) USING TIMESTAMP ?",
             o->keyspace);
    for (int i = 0; i < o->conns; i++)
        if (bench_cql_prepare(&conns[i].c, sql, &conns[i].insert) != 0)
            bench_fail("preparing the insert: %s", conns[i].c.err.msg);
}

static void cc_print(const cc_result *r, const char *clog, double best)
{
    printf("%-9s %5d %5d %9lld %8.2f %10.0f %10.0f %8.2f %8.2f %8.2f", bench_shape_name(r->shape), r->inflight,
           r->conns, r->rows, r->secs, r->rows_per_s, r->requests_per_s, r->lat.p50, r->lat.p99, r->lat.max);
    if (best > 0)
        printf(" %6.2f", r->rows_per_s / best);
    printf("  %s%s\n", clog, r->failed > 0 ? "  FAILED REQUESTS" : "");
    fflush(stdout);
}

static void cc_print_heading(int with_ratio)
{
    printf("%-9s %5s %5s %9s %8s %10s %10s %8s %8s %8s%s  %s\n", "shape", "infl", "conns", "rows", "secs", "rows/s",
           "req/s", "p50_ms", "p99_ms", "max_ms", with_ratio ? "  ratio" : "", "commitlog");
}

int main(int argc, char **argv)
{
    cc_opts o;
    bench_env env;
    cc_conn *conns;
    cc_result res[3 * CC_MAX_INFLIGHT_LEVELS];
    size_t nres = 0, cap;
    bench_feed_row *rows;
    char state[128], clog[64];
    int64_t base, ts0;
    double best = 0;
    int any_failed = 0;

    cc_parse(argc, argv, &o);
    if (bench_env_load(&env) != 0)
        return 2;
    if (strcmp(o.commitlog_sync, "group") == 0)
        snprintf(clog, sizeof clog, "group/%ldms", o.group_window_ms);
    else
        snprintf(clog, sizeof clog, "%s", o.commitlog_sync);
    bench_print_header("bench-cassandra-ceiling", argc, argv);
    printf("# cassandra %s:%d, keyspace %s (RF %d), commitlog_sync %s (checked against system_views.settings)\n",
           env.cassandra.host, env.cassandra.port, o.keyspace, o.replication, clog);
    printf("# %ld rows per phase after %ld warm-up rows; %ld rows per partition; batches of at most %d rows; "
           "%d token ranges\n",
           o.rows, o.warmup, o.rows_per_partition, o.batch_rows, o.ranges);
    fflush(stdout);

    conns = calloc((size_t)o.conns, sizeof *conns);
    cap = (size_t)(o.rows > o.warmup ? o.rows : o.warmup);
    rows = malloc(cap * sizeof *rows);
    if (conns == NULL || rows == NULL)
        bench_fail("out of memory for %zu rows", cap);
    cc_setup(&o, &env, conns);

    bench_machine_state(state, sizeof state);
    printf("# start: %s\n", state);
    cc_print_heading(0);
    /* user ids: a run-unique base, a stride of 1e9 per phase, so no phase
     * overwrites another's partitions */
    base = bench_wall_us();
    ts0 = bench_wall_us();
    for (int s = 0; s < o.nshapes; s++) {
        for (int l = 0; l < o.ninflight; l++) {
            cc_result warm;
            int64_t phase_base = base + (int64_t)(2 * nres) * 1000000000;
            if (o.warmup > 0) {
                cc_make_rows(rows, (size_t)o.warmup, o.rows_per_partition, phase_base, ts0);
                cc_run_phase(&o, conns, (bench_shape)o.shapes[s], o.inflight[l], rows, (size_t)o.warmup, &warm);
            }
            cc_make_rows(rows, (size_t)o.rows, o.rows_per_partition, phase_base + 1000000000, ts0);
            cc_run_phase(&o, conns, (bench_shape)o.shapes[s], o.inflight[l], rows, (size_t)o.rows, &res[nres]);
            cc_print(&res[nres], clog, 0);
            if (res[nres].rows_per_s > best)
                best = res[nres].rows_per_s;
            any_failed |= res[nres].failed > 0;
            nres++;
        }
    }
    bench_machine_state(state, sizeof state);
    printf("# end: %s\n# every phase against the best of this run (rows/s):\n", state);
    cc_print_heading(1);
    for (size_t i = 0; i < nres; i++)
        cc_print(&res[i], clog, best);
    /* for bench-report (bench_report.h): the best phase of the run */
    printf("FIGURE ceiling.rows_per_s %.0f rows/s\n", best);

    if (!o.keep) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP KEYSPACE IF EXISTS %s", o.keyspace);
        if (bench_cql_run(&conns[0].c, sql) != 0)
            fprintf(stderr, "bench-cassandra-ceiling: dropping %s: %s\n", o.keyspace, conns[0].c.err.msg);
    }
    for (int i = 0; i < o.conns; i++)
        cql_conn_close(&conns[i].c);
    free(conns);
    free(rows);
    return any_failed ? 1 : 0;
}
