/* bench-hot-account: one actor with F followers posts once; how long until
 * the last follower can read the item, for F = 1k, 10k, 50k, 100k, ...
 *
 * Per F (fresh users under a per-run prefix): an author posts a warm-up
 * post, then F readers follow it (COPY). The job backfills the warm-up
 * post into each follower's home, which shows when the follow edges are
 * in its state; then the program waits until the job's delivered counter
 * is quiet, so the graph's own fan-out does not overlap the measurement.
 *
 * Each repeat: one INSERT of a post, the client's time right after its
 * COMMIT returned; then --samples followers, among them the lowest and the
 * highest user id (the job walks a user's followers in key order, so the
 * highest id is written last), are polled until each can read the post:
 * by default through the API's home read with the follower's own token
 * (minted from the stack's secret, bench_token.h), as a user sees it, so
 * a hot account's post, merged at read time and copied nowhere, counts
 * (docs/DATA-MODEL.md "Hot accounts"); with --read cassandra by exact key
 * in Cassandra home_feed (the job's copies). The last of them is the figure.
 * Flink's own counters are no help here: the REST API serves metrics
 * cached for metrics.fetcher.update-interval (10 s by default). Instead a
 * thread notes the first checkpoint triggered after the commit: the job's
 * Cassandra sink sends early only past 5,000 buffered rows and otherwise
 * at a checkpoint, so that is when a small fan-out becomes readable.
 */
#include <getopt.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench_cql.h"
#include "bench/bench_env.h"
#include "bench/bench_flink.h"
#include "bench/bench_graph.h"
#include "bench/bench_pg.h"
#include "bench/bench_stats.h"
#include "bench/bench_token.h"
#include "tools/chaos/api_client.h"

#define HOT_MAX_F 64

typedef struct hot_opts {
    size_t f[HOT_MAX_F];
    int nf, repeat, samples, poll_ms;
    int via_cassandra; /* readable = in Cassandra home_feed (the job's copies); default: the API's home read */
    size_t follows_per_hour;
    double timeout, limit_ms;
    uint64_t seed;
    int setup_only; /* --setup-only: set each F's author up, print it, measure nothing */
    int64_t author; /* --author ID: measure this author (set up before), F = its followers */
} hot_opts;

/* Watches the job's checkpoints while a post fans out: the first one
 * triggered after the commit, which flushes whatever the Cassandra sink
 * still buffers (it sends early only past 5,000 rows). */
typedef struct hot_cp {
    bench_flink *flink;
    int64_t commit_wall_ms;
    _Atomic int64_t trigger_ms; /* 0 until seen */
    _Atomic int stop;
} hot_cp;

static void hot_usage(FILE *out)
{
    fprintf(out, "usage: bench-hot-account [options]\n"
                 "  --followers LIST  follower counts to try, comma-separated (1000,10000,50000,100000)\n"
                 "  --repeat N        posts per follower count (3)\n"
                 "  --samples N       followers polled per post (100)\n"
                 "  --read api|cassandra  readable = the post is on the first page of the follower's home\n"
                 "                    read through the API, as users see it (api, the default: hot accounts\n"
                 "                    are merged at read time), or a row of Cassandra home_feed (cassandra:\n"
                 "                    the job's copies only)\n"
                 "  --poll-ms N       least time between two passes over the samples (10)\n"
                 "  --timeout S       give up on a post after S seconds (180)\n"
                 "  --limit-ms N      what counts as acceptable, commit to last follower (1000)\n"
                 "  --follows-per-hour N  backdate the follows, at most N per hour of created_at, so no\n"
                 "                    notification group is large (see bench_pg.h); 0: all now (100)\n"
                 "  --seed N          random seed (1)\n"
                 "  --setup-only      set up each F's author and followers, print the author's id, and\n"
                 "                    stop: a large F's set-up (1M follows: many minutes) can run while\n"
                 "                    the machine is busy, the measurement later on a quiet one\n"
                 "  --author ID       measure posts of this author (from --setup-only) instead of\n"
                 "                    setting one up; F = its followers in PostgreSQL (--followers unused)\n");
}

static void hot_parse(int argc, char **argv, hot_opts *o)
{
    static const struct option longs[] = {{"followers", 1, 0, 'f'},
                                          {"repeat", 1, 0, 'r'},
                                          {"samples", 1, 0, 'S'},
                                          {"poll-ms", 1, 0, 'p'},
                                          {"timeout", 1, 0, 't'},
                                          {"limit-ms", 1, 0, 'l'},
                                          {"seed", 1, 0, 's'},
                                          {"read", 1, 0, 'R'},
                                          {"help", 0, 0, 'h'},
                                          {"follows-per-hour", 1, 0, 'H'},
                                          {"setup-only", 0, 0, 'U'},
                                          {"author", 1, 0, 'A'},
                                          {0, 0, 0, 0}};
    const char *list = "1000,10000,50000,100000";
    int ch;

    *o = (hot_opts){.repeat = 3,
                    .samples = 100,
                    .poll_ms = 10,
                    .timeout = 180,
                    .limit_ms = 1000,
                    .seed = 1,
                    .follows_per_hour = 100};
    while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (ch) {
        case 'f': list = optarg; break;
        case 'r': o->repeat = atoi(optarg); break;
        case 'S': o->samples = atoi(optarg); break;
        case 'p': o->poll_ms = atoi(optarg); break;
        case 't': o->timeout = atof(optarg); break;
        case 'l': o->limit_ms = atof(optarg); break;
        case 's': o->seed = strtoull(optarg, NULL, 10); break;
        case 'R':
            if (strcmp(optarg, "api") != 0 && strcmp(optarg, "cassandra") != 0)
                bench_fail("--read: api or cassandra, not '%s'", optarg);
            o->via_cassandra = strcmp(optarg, "cassandra") == 0;
            break;
        case 'H': o->follows_per_hour = (size_t)strtoull(optarg, NULL, 10); break;
        case 'U': o->setup_only = 1; break;
        case 'A': o->author = strtoll(optarg, NULL, 10); break;
        case 'h': hot_usage(stdout); exit(0);
        default: hot_usage(stderr); exit(2);
        }
    }
    for (const char *p = list; *p != '\0' && o->nf < HOT_MAX_F;) {
        char *end;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || v == 0 || v > 10000000)
            bench_fail("--followers: expected positive counts, got '%s'", list);
        o->f[o->nf++] = (size_t)v;
        p = *end == ',' ? end + 1 : end;
        if (*end != ',' && *end != '\0')
            bench_fail("--followers: expected positive counts, got '%s'", list);
    }
    if (o->nf == 0 || o->repeat < 1 || o->samples < 2 || o->poll_ms < 0 || o->timeout <= 0 || o->author < 0 ||
        (o->setup_only && o->author > 0))
        bench_fail("bad options (see --help)");
}

static void *hot_cp_main(void *arg)
{
    hot_cp *c = arg;

    while (!atomic_load(&c->stop)) {
        bench_flink_checkpoint cp;
        if (bench_flink_checkpoint_get(c->flink, &cp) == 0 && cp.id >= 0 && cp.trigger_ms >= c->commit_wall_ms) {
            atomic_store(&c->trigger_ms, cp.trigger_ms);
            break;
        }
        usleep(50000);
    }
    return NULL;
}

typedef struct hot_run hot_run;
static int hot_readable(hot_run *r, int64_t user, int64_t ts, const char *aid, int *found);

/* Poll users[0..n) for (ts, aid) until all present or the deadline;
 * seen_ms[i] = ms after t0 the first answer saying present came back (-1:
 * never). Returns how many were seen. */
static int hot_poll(hot_run *r, const int64_t *users, int n, int64_t ts, const char *aid, int64_t t0, int64_t deadline,
                    int poll_ms, double *seen_ms)
{
    int left = n, *open = malloc((size_t)n * sizeof *open), nopen = n;

    if (open == NULL)
        bench_fail("out of memory");
    for (int i = 0; i < n; i++) {
        open[i] = i;
        seen_ms[i] = -1;
    }
    while (left > 0 && bench_mono_ns() < deadline) {
        int64_t pass = bench_mono_ns();
        for (int j = 0; j < nopen;) {
            int found;
            if (hot_readable(r, users[open[j]], ts, aid, &found) != 0)
                bench_fail("polling follower %lld failed", (long long)users[open[j]]);
            if (found) {
                seen_ms[open[j]] = (double)(bench_mono_ns() - t0) / 1e6;
                open[j] = open[--nopen];
                left--;
            } else {
                j++;
            }
        }
        bench_sleep_until(pass + (int64_t)poll_ms * 1000000);
    }
    free(open);
    return n - left;
}

static int hot_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One run's state, shared by the steps of main(). */
struct hot_run {
    hot_opts o;
    hc_conn api; /* --read api: keep-alive to the API */
    char secret[BENCH_SECRET_MAX];
    size_t secret_len;
    bench_env env;
    bench_flink flink;
    char prefix[16];
    PGconn *pg;
    cql_conn cql;
    bench_prep has;
    bench_rng rng;
    size_t maxf;         /* the largest F: readers created */
    int64_t *readers;    /* [maxf] user ids, in key order */
    int64_t *fer, *fee;  /* [maxf] follows to COPY */
    uint32_t *perm;      /* [maxf] for drawing samples */
    int64_t *sample_ids; /* [samples] followers polled */
    double *seen;        /* [samples] ms after the commit each saw the post */
};

/* Is (ts, aid) readable for user: in Cassandra home_feed, or on the first
 * page of the user's home as the API serves it. 0, or -1 on an error. */
static int hot_readable(hot_run *r, int64_t user, int64_t ts, const char *aid, int *found)
{
    char token[BENCH_TOKEN_MAX], path[96], what[256];
    ac_result res;
    json_t *item;
    size_t i;

    if (r->o.via_cassandra) {
        if (bench_cql_home_has(&r->cql, &r->has, user, ts, aid, found) != 0) {
            fprintf(stderr, "cassandra: %s\n", r->cql.err.msg);
            return -1;
        }
        return 0;
    }
    if (bench_token_mint(r->secret, r->secret_len, user, (int64_t)(bench_wall_us() / 1000000) + 3600, token,
                         sizeof token) != 0)
        return -1;
    snprintf(path, sizeof path, "/v1/users/%lld/home?limit=5", (long long)user);
    ac_call(&r->api, "GET", path, token, NULL, NULL, &res);
    if (res.status != 200) {
        fprintf(stderr, "GET %s: %s (%s)\n", path, ac_describe(&res, what, sizeof what), res.detail);
        ac_result_free(&res);
        return -1;
    }
    *found = 0;
    json_array_foreach(json_object_get(res.json, "items"), i, item)
    {
        const char *id = json_string_value(json_object_get(item, "id"));
        if (id != NULL && strcmp(id, aid) == 0)
            *found = 1;
    }
    ac_result_free(&res);
    return 0;
}

/* Connect to PostgreSQL, Cassandra (with the home_feed probe prepared) and
 * Flink's REST API; pick the prefix. */
static void hot_connect(hot_run *r)
{
    char err[1024];

    if (bench_env_load(&r->env) != 0)
        bench_fail("bad addresses in the environment");
    if (bench_flink_find(&r->flink, &r->env.flink) != 0)
        bench_fail("flink: %s", r->flink.err);
    r->pg = bench_pg_connect(r->env.pg_conninfo, err, sizeof err);
    if (r->pg == NULL)
        bench_fail("%s", err);
    if (bench_cql_open(&r->cql, &r->env.cassandra) != 0 || bench_cql_prepare(&r->cql, BENCH_CQL_HOME_HAS, &r->has) != 0)
        bench_fail("cassandra %s:%d: %s", r->env.cassandra.host, r->env.cassandra.port, r->cql.err.msg);
    bench_run_prefix(r->prefix);
    if (!r->o.via_cassandra) {
        const char *port = getenv("FEED_API_PORT"), *host = getenv("FEED_HOST");
        if (bench_secret_load(r->secret, sizeof r->secret, &r->secret_len, err, sizeof err) != 0)
            bench_fail("%s", err);
        hc_init(&r->api, host != NULL && host[0] ? host : "127.0.0.1", port != NULL && port[0] ? atoi(port) : 18080,
                10000);
    }
}

/* Allocate the run's arrays and create the largest F's readers. */
static void hot_create_readers(hot_run *r)
{
    size_t maxf = r->maxf;
    char err[1024];
    int64_t t;

    r->readers = malloc(maxf * sizeof *r->readers);
    r->fer = malloc(maxf * sizeof *r->fer);
    r->fee = malloc(maxf * sizeof *r->fee);
    r->perm = malloc(maxf * sizeof *r->perm);
    r->sample_ids = malloc(((size_t)r->o.samples) * sizeof *r->sample_ids);
    r->seen = malloc(((size_t)r->o.samples) * sizeof *r->seen);
    if (!r->readers || !r->fer || !r->fee || !r->perm || !r->sample_ids || !r->seen)
        bench_fail("out of memory");
    t = bench_mono_ns();
    if (bench_pg_create_users(r->pg, r->prefix, "r", maxf, r->readers, err, sizeof err) != 0)
        bench_fail("%s", err);
    printf("run prefix %s: %zu readers created in %.1f s\n", r->prefix, maxf, (double)(bench_mono_ns() - t) / 1e9);
    for (size_t i = 0; i < maxf; i++)
        r->perm[i] = (uint32_t)i;
}

/* Choose ns of the first F readers to poll: the first and last follower
 * (key order) and random others. */
static void hot_pick_samples(hot_run *r, size_t F, int ns)
{
    const int64_t *readers = r->readers;

    bench_sample_distinct(&r->rng, r->perm, F, (size_t)ns);
    for (int i = 0; i < ns; i++)
        r->sample_ids[i] = readers[r->perm[i]];
    r->sample_ids[0] = readers[0];
    r->sample_ids[ns - 1] = readers[F - 1];
    for (int i = 1; i < ns - 1; i++)
        if (r->sample_ids[i] == readers[0] || r->sample_ids[i] == readers[F - 1])
            r->sample_ids[i] = readers[(size_t)i % F];
}

/* A fresh author with a warm-up post, followed by the first F readers;
 * returns once the job has backfilled the warm-up into the ns sampled
 * homes and its delivered counter is quiet. */
static int64_t hot_setup_author(hot_run *r, size_t F, int ns)
{
    int64_t author, wid, wts, t;
    char err[1024], role[32], aid[32];
    int got;

    snprintf(role, sizeof role, "h%zux", F);
    if (bench_pg_create_users(r->pg, r->prefix, role, 1, &author, err, sizeof err) != 0 ||
        bench_pg_insert_post(r->pg, author, "warm-up", &wid, &wts, err, sizeof err) != 0)
        bench_fail("%s", err);
    for (size_t i = 0; i < F; i++) {
        r->fer[i] = r->readers[i];
        r->fee[i] = author;
    }
    t = bench_mono_ns();
    if (bench_pg_copy_follows(r->pg, r->fer, r->fee, F, 20000, r->o.follows_per_hour, err, sizeof err) != 0)
        bench_fail("%s", err);
    hot_pick_samples(r, F, ns);
    snprintf(aid, sizeof aid, "p:%lld", (long long)wid);
    got = hot_poll(r, r->sample_ids, ns, wts, aid, t, t + (int64_t)(r->o.timeout * 1e9), 50, r->seen);
    if (got < ns)
        bench_fail("F=%zu: the warm-up post reached only %d of %d sampled followers in %.0f s", F, got, ns,
                   r->o.timeout);
    bench_flink_wait_quiet(&r->flink, 2000, 300000);
    printf("# F=%zu: %zu follows loaded and taken in by the job (warm-up backfilled, counter quiet) in %.1f s\n", F, F,
           (double)(bench_mono_ns() - t) / 1e9);
    fflush(stdout);
    return author;
}

/* --author: the author's followers (in key order) are the readers; F. */
static size_t hot_load_followers(hot_run *r, int64_t author)
{
    char id[24];
    const char *params[1] = {id};
    PGresult *res;
    size_t n;

    snprintf(id, sizeof id, "%lld", (long long)author);
    res = PQexecParams(r->pg, "SELECT follower_id FROM follows WHERE followee_id = $1 ORDER BY follower_id", 1, NULL,
                       params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        bench_fail("the followers of %s: %s", id, PQerrorMessage(r->pg));
    n = (size_t)PQntuples(res);
    if (n < 2)
        bench_fail("author %s has %zu followers: set one up with --setup-only", id, n);
    r->maxf = n;
    r->readers = malloc(n * sizeof *r->readers);
    r->perm = malloc(n * sizeof *r->perm);
    r->sample_ids = malloc(((size_t)r->o.samples) * sizeof *r->sample_ids);
    r->seen = malloc(((size_t)r->o.samples) * sizeof *r->seen);
    if (!r->readers || !r->perm || !r->sample_ids || !r->seen)
        bench_fail("out of memory");
    for (size_t i = 0; i < n; i++) {
        r->readers[i] = strtoll(PQgetvalue(res, (int)i, 0), NULL, 10);
        r->perm[i] = (uint32_t)i;
    }
    PQclear(res);
    return n;
}

/* One line of the table: repeat rep of F, got of ns samples seen (r->seen),
 * cpbuf the checkpoint column. */
static void hot_print_row(const hot_run *r, size_t F, int rep, int ns, int got, const char *cpbuf)
{
    double sorted[4096];

    for (int i = 0; i < ns && i < 4096; i++)
        sorted[i] = r->seen[i] < 0 ? 1e18 : r->seen[i];
    qsort(sorted, (size_t)(ns < 4096 ? ns : 4096), sizeof *sorted, hot_cmp_double);
    if (got < ns) {
        printf("%8zu %3d %10.0f %10s %10s %10s %11s %s (%d of %d samples)\n", F, rep, sorted[0], "-", "-", cpbuf, "-",
               "TIMEOUT", got, ns);
    } else {
        printf("%8zu %3d %10.0f %10.0f %10.0f %10s %11.0f %s\n", F, rep, sorted[0], sorted[ns / 2], sorted[ns - 1],
               cpbuf, (double)(F + 2) / (sorted[ns - 1] / 1e3), sorted[ns - 1] <= r->o.limit_ms ? "ok" : "TOO SLOW");
    }
    fflush(stdout);
}

/* One repeat: author posts; poll the ns samples until each reads the post
 * while a thread notes the first checkpoint after the commit; print. */
static void hot_measure(hot_run *r, size_t F, int64_t author, int ns, int rep)
{
    hot_cp hc = {.flink = &r->flink};
    pthread_t th;
    int64_t pid, pts, t0, t0_wall_ms, trig;
    char cpbuf[32], err[1024], aid[32];
    int got;

    if (bench_pg_insert_post(r->pg, author, "hot post", &pid, &pts, err, sizeof err) != 0)
        bench_fail("%s", err);
    t0 = bench_mono_ns();
    t0_wall_ms = bench_wall_us() / 1000;
    hc.commit_wall_ms = t0_wall_ms;
    if (pthread_create(&th, NULL, hot_cp_main, &hc) != 0)
        bench_fail("pthread_create");
    snprintf(aid, sizeof aid, "p:%lld", (long long)pid);
    got = hot_poll(r, r->sample_ids, ns, pts, aid, t0, t0 + (int64_t)(r->o.timeout * 1e9), r->o.poll_ms, r->seen);
    /* the REST API caches checkpoint statistics for a few seconds */
    while (atomic_load(&hc.trigger_ms) == 0 && bench_mono_ns() < t0 + (int64_t)12e9)
        usleep(50000);
    atomic_store(&hc.stop, 1);
    pthread_join(th, NULL);
    trig = atomic_load(&hc.trigger_ms);
    if (trig)
        snprintf(cpbuf, sizeof cpbuf, "%.0f", (double)(trig - t0_wall_ms));
    else
        snprintf(cpbuf, sizeof cpbuf, "-");
    hot_print_row(r, F, rep, ns, got, cpbuf);
}

int main(int argc, char **argv)
{
    hot_run r = {0};
    char state[128];

    hot_parse(argc, argv, &r.o);
    int64_t start_wall_ms = bench_wall_us() / 1000;

    bench_print_header("bench-hot-account", argc, argv);
    bench_rng_seed(&r.rng, r.o.seed);
    for (int i = 0; i < r.o.nf; i++)
        if (r.o.f[i] > r.maxf)
            r.maxf = r.o.f[i];
    hot_connect(&r);
    if (r.o.author > 0) {
        r.o.f[0] = hot_load_followers(&r, r.o.author);
        r.o.nf = 1;
    } else
        hot_create_readers(&r);
    if (r.o.via_cassandra)
        printf("readable = present in Cassandra feed.home_feed of the follower (exact clustering key): the job's "
               "copies, so only for accounts below the job's hot threshold\n");
    else
        printf("readable = on the first page of the follower's home read through the API (GET "
               "/v1/users/<id>/home?limit=5, the follower's own token), as a user sees it: copied or merged\n");
    printf("columns: ms from commit until the first / median / last sampled follower could read the post; cp_ms: the\n"
           "first checkpoint triggered after the commit; items/s = (F + 2) / last\n");
    printf("%8s %3s %10s %10s %10s %10s %11s %s\n", "F", "rep", "first_ms", "median_ms", "last_ms", "cp_ms", "items/s",
           "verdict");
    fflush(stdout);
    for (int fi = 0; fi < r.o.nf; fi++) {
        size_t F = r.o.f[fi];
        int ns = r.o.samples < (int)F ? r.o.samples : (int)F;
        int64_t author;
        if (r.o.author > 0) {
            author = r.o.author;
            hot_pick_samples(&r, F, ns);
            bench_flink_wait_quiet(&r.flink, 2000, 300000);
            bench_machine_state(state, sizeof state);
            printf("# F=%zu: author %lld set up before; machine: %s\n", F, (long long)author, state);
        } else
            author = hot_setup_author(&r, F, ns);
        if (r.o.setup_only) {
            printf("# F=%zu: author %lld set up; measure with: bench-hot-account --author %lld\n", F, (long long)author,
                   (long long)author);
            continue;
        }
        for (int rep = 0; rep < r.o.repeat; rep++) {
            hot_measure(&r, F, author, ns, rep);
            bench_flink_wait_quiet(&r.flink, 1000, 60000);
        }
    }
    bench_machine_state(state, sizeof state);
    printf("# machine at the end: %s\n", state);
    bench_flink_print_job_check(&r.flink, start_wall_ms);
    cql_conn_close(&r.cql);
    if (!r.o.via_cassandra)
        hc_close(&r.api);
    PQfinish(r.pg);
    free(r.readers);
    free(r.fer);
    free(r.fee);
    free(r.perm);
    free(r.sample_ids);
    free(r.seen);
    return 0;
}
