/* bench-fanout: feed items delivered per second while a backlog drains,
 * against what this machine's Cassandra takes from a plain client (the
 * ceiling), measured in the same run.
 *
 * 1. Graph (fresh users under a per-run prefix): --authors authors with
 *    Zipf-like follower counts (mean --followers, exponent --zipf) drawn
 *    from --readers readers, bulk-loaded with COPY. Bipartite, see
 *    bench_graph.h: each follow costs two feed rows (the FOLLOW in the
 *    reader's home and profile), and the job's drain of those is timed too.
 * 2. Backlog: --activities posts by uniformly chosen authors, COPY'd in
 *    transactions of --chunk rows as fast as PostgreSQL takes them. The
 *    job starts on them at once; the drain is timed from the first COPY.
 *    Expected feed rows = sum over posts of (author's followers + 2): every
 *    follower's home, the author's home and profile; a hot author's post
 *    (--hot-from followers or more, as the job's --hot-followers) only the 2,
 *    since the job merges it into its followers' homes at read time.
 * 3. Progress is read from Cassandra itself: every --poll-s seconds the
 *    row count of --sample random readers' homes, against what each must
 *    end with (its follows + the posts of the authors it follows). The
 *    sampled fraction delivered stands for the whole; the drain ends when
 *    every sampled home is complete. (Flink's REST metrics are cached for
 *    metrics.fetcher.update-interval, 10 s by default: too coarse to time
 *    an end, they are printed only as a cross-check.)
 * 4. Ceiling: the same rows, in the same order, grouped the way the job's
 *    sink groups them (unlogged batch per partition within a window of
 *    5,000 buffered rows, at most 100 per batch), written by this program
 *    over --ceiling-conns connections into scratch tables of the same
 *    schema (keyspace feed_bench, dropped afterwards).
 */
#include <getopt.h>
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

typedef struct fo_opts {
    int authors, readers, sample, chunk, ceiling_conns, ceiling_buffer, ceiling;
    size_t activities, follows_per_hour;
    size_t hot_from; /* the job's --hot-followers: authors with this many followers copy nothing; 0: none */
    double followers, zipf_s, poll_s, timeout;
    uint64_t seed;
} fo_opts;

typedef struct fo_graph {
    size_t *counts; /* followers per author */
    size_t *off;    /* CSR: followers of author a are fol[off[a]..off[a+1]) (reader indexes) */
    uint32_t *fol;
    size_t nfollows;
    int64_t *author_ids, *reader_ids;
} fo_graph;

static void fo_usage(FILE *out)
{
    fprintf(out, "usage: bench-fanout [options]\n"
                 "  --authors N         users who are followed and post (2000)\n"
                 "  --readers N         users who follow (18000)\n"
                 "  --followers N       mean followers per author (50)\n"
                 "  --zipf S            exponent of the follower counts, 0 = all equal (1.0)\n"
                 "  --activities N      posts in the backlog (100000)\n"
                 "  --chunk N           posts per COPY transaction (1000)\n"
                 "  --sample N          readers whose homes are counted (100)\n"
                 "  --poll-s S          seconds between two counts (1)\n"
                 "  --timeout S         give up on the drain after S seconds (1800)\n"
                 "  --ceiling-conns N   connections writing the ceiling, 64 batches in flight each (2)\n"
                 "  --ceiling-buffer N  rows grouped per window, as the job's sink (5000)\n"
                 "  --no-ceiling        skip the ceiling\n"
                 "  --follows-per-hour N  backdate the follows, at most N per hour of created_at, so no\n"
                 "                      notification group is large (see bench_pg.h); 0: all now (100)\n"
                 "  --hot-from N        the stack's hot-account threshold (the job's --hot-followers,\n"
                 "                      1000 by default): an author with N followers or more is merged\n"
                 "                      at read time, so its posts are copied into no reader's home and\n"
                 "                      are not expected there (nor written by the ceiling); 0: no\n"
                 "                      account is hot\n"
                 "  --seed N            random seed (1)\n");
}

static void fo_parse(int argc, char **argv, fo_opts *o)
{
    static const struct option longs[] = {{"authors", 1, 0, 'a'},
                                          {"readers", 1, 0, 'R'},
                                          {"followers", 1, 0, 'f'},
                                          {"zipf", 1, 0, 'z'},
                                          {"activities", 1, 0, 'n'},
                                          {"chunk", 1, 0, 'c'},
                                          {"sample", 1, 0, 'S'},
                                          {"poll-s", 1, 0, 'p'},
                                          {"timeout", 1, 0, 't'},
                                          {"ceiling-conns", 1, 0, 'C'},
                                          {"ceiling-buffer", 1, 0, 'B'},
                                          {"no-ceiling", 0, 0, 'N'},
                                          {"seed", 1, 0, 's'},
                                          {"help", 0, 0, 'h'},
                                          {"follows-per-hour", 1, 0, 'H'},
                                          {"hot-from", 1, 0, 'O'},
                                          {0, 0, 0, 0}};
    int ch;

    *o = (fo_opts){.authors = 2000,
                   .readers = 18000,
                   .sample = 100,
                   .chunk = 1000,
                   .ceiling_conns = 2,
                   .ceiling_buffer = 5000,
                   .ceiling = 1,
                   .activities = 100000,
                   .followers = 50,
                   .zipf_s = 1.0,
                   .poll_s = 1,
                   .timeout = 1800,
                   .seed = 1,
                   .follows_per_hour = 100,
                   .hot_from = BENCH_JOB_HOT_FOLLOWERS};
    while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (ch) {
        case 'a': o->authors = atoi(optarg); break;
        case 'R': o->readers = atoi(optarg); break;
        case 'f': o->followers = atof(optarg); break;
        case 'z': o->zipf_s = atof(optarg); break;
        case 'n': o->activities = (size_t)strtoull(optarg, NULL, 10); break;
        case 'c': o->chunk = atoi(optarg); break;
        case 'S': o->sample = atoi(optarg); break;
        case 'p': o->poll_s = atof(optarg); break;
        case 't': o->timeout = atof(optarg); break;
        case 'C': o->ceiling_conns = atoi(optarg); break;
        case 'B': o->ceiling_buffer = atoi(optarg); break;
        case 'N': o->ceiling = 0; break;
        case 'H': o->follows_per_hour = (size_t)strtoull(optarg, NULL, 10); break;
        case 'O': o->hot_from = (size_t)strtoull(optarg, NULL, 10); break;
        case 's': o->seed = strtoull(optarg, NULL, 10); break;
        case 'h': fo_usage(stdout); exit(0);
        default: fo_usage(stderr); exit(2);
        }
    }
    if (o->authors < 1 || o->readers < 1 || o->followers < 0 || o->zipf_s < 0 || o->activities < 1 || o->chunk < 1 ||
        o->sample < 1 || o->sample > o->readers || o->poll_s <= 0 || o->ceiling_conns < 1 || o->ceiling_buffer < 1)
        bench_fail("bad options (see --help)");
}

/* --- graph ------------------------------------------------------------- */

/* Is author a hot for the job (docs/DATA-MODEL.md "Hot accounts"): its
 * posts go to its own feeds only, merged into its followers' homes at
 * read time. Its follower count is final before the backlog, so the job's
 * hysteresis (cold again below 3/4 of the threshold) plays no part. */
static int fo_hot(const fo_opts *o, const fo_graph *g, int a)
{
    return o->hot_from > 0 && g->counts[a] >= o->hot_from;
}

/* Hot authors in the graph. */
static int fo_hot_authors(const fo_opts *o, const fo_graph *g)
{
    int n = 0;

    for (int a = 0; a < o->authors; a++)
        n += fo_hot(o, g, a);
    return n;
}

static void fo_build_graph(const fo_opts *o, bench_rng *rng, fo_graph *g)
{
    uint32_t *perm = malloc((size_t)o->readers * sizeof *perm);
    long long total;

    g->counts = malloc((size_t)o->authors * sizeof *g->counts);
    g->off = malloc(((size_t)o->authors + 1) * sizeof *g->off);
    if (perm == NULL || g->counts == NULL || g->off == NULL)
        bench_fail("out of memory");
    total = bench_zipf_counts((size_t)o->authors, o->zipf_s, o->followers, (size_t)o->readers, g->counts);
    if (total < 0)
        bench_fail("cannot give %d authors %.1f followers on average from %d readers", o->authors, o->followers,
                   o->readers);
    g->nfollows = (size_t)total;
    g->fol = malloc(g->nfollows * sizeof *g->fol);
    if (g->fol == NULL)
        bench_fail("out of memory");
    for (int i = 0; i < o->readers; i++)
        perm[i] = (uint32_t)i;
    g->off[0] = 0;
    for (int a = 0; a < o->authors; a++) {
        bench_sample_distinct(rng, perm, (size_t)o->readers, g->counts[a]);
        memcpy(g->fol + g->off[a], perm, g->counts[a] * sizeof *perm);
        g->off[a + 1] = g->off[a] + g->counts[a];
    }
    free(perm);
}

static void fo_load_graph(PGconn *pg, const fo_opts *o, const char *prefix, fo_graph *g)
{
    int64_t *fer = malloc(g->nfollows * sizeof *fer), *fee = malloc(g->nfollows * sizeof *fee);
    char err[1024];

    g->author_ids = malloc((size_t)o->authors * sizeof *g->author_ids);
    g->reader_ids = malloc((size_t)o->readers * sizeof *g->reader_ids);
    if (fer == NULL || fee == NULL || g->author_ids == NULL || g->reader_ids == NULL)
        bench_fail("out of memory");
    if (bench_pg_create_users(pg, prefix, "a", (size_t)o->authors, g->author_ids, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, prefix, "r", (size_t)o->readers, g->reader_ids, err, sizeof err) != 0)
        bench_fail("%s", err);
    for (int a = 0; a < o->authors; a++)
        for (size_t i = g->off[a]; i < g->off[a + 1]; i++) {
            fer[i] = g->reader_ids[g->fol[i]];
            fee[i] = g->author_ids[a];
        }
    if (bench_pg_copy_follows(pg, fer, fee, g->nfollows, 20000, o->follows_per_hour, err, sizeof err) != 0)
        bench_fail("%s", err);
    free(fer);
    free(fee);
}

/* --- progress from Cassandra ------------------------------------------- */

typedef struct fo_sample {
    int n;
    int *reader;   /* reader index */
    int64_t *base; /* rows its home must hold before the backlog: its follows */
    int64_t *want; /* rows the backlog adds */
} fo_sample;

/* Rows in the sampled homes minus their bases, capped at want: how much
 * of the sample's backlog is delivered. *complete = every home is full. */
static int64_t fo_count(cql_conn *cql, const fo_graph *g, const fo_sample *s, int with_backlog, int *complete,
                        int64_t *over)
{
    int64_t got = 0;

    *complete = 1;
    *over = 0;
    for (int i = 0; i < s->n; i++) {
        int64_t n, want = s->base[i] + (with_backlog ? s->want[i] : 0);
        if (bench_cql_count(cql, "home_feed", g->reader_ids[s->reader[i]], &n) != 0)
            bench_fail("cassandra: %s", cql->err.msg);
        if (n < want)
            *complete = 0;
        if (n > want)
            *over += n - want;
        n -= with_backlog ? s->base[i] : 0;
        if (n < 0)
            n = 0;
        got += n;
    }
    return got;
}

/* --- ceiling ------------------------------------------------------------ */

#define CL_BATCH 100
#define CL_QUEUE 512
#define CL_WINDOW 64

typedef struct cl_batch {
    int table; /* 0 home, 1 profile */
    size_t n;
    bench_feed_row rows[CL_BATCH];
} cl_batch;

typedef struct cl_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_empty, not_full;
    cl_batch *q[CL_QUEUE];
    size_t head, n;
    int closed;
    const bench_addr *cass;
    const char *prefix;
    _Atomic long long rows_written;
    _Atomic int failed;
} cl_queue;

static void cl_push(cl_queue *q, cl_batch *b)
{
    pthread_mutex_lock(&q->lock);
    while (q->n == CL_QUEUE)
        pthread_cond_wait(&q->not_full, &q->lock);
    q->q[(q->head + q->n++) % CL_QUEUE] = b;
    pthread_cond_signal(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

/* Next batch; NULL once the queue is closed and empty, or (wait = 0) when
 * it is empty for now. */
static cl_batch *cl_pop(cl_queue *q, int wait)
{
    cl_batch *b = NULL;

    pthread_mutex_lock(&q->lock);
    while (wait && q->n == 0 && !q->closed)
        pthread_cond_wait(&q->not_empty, &q->lock);
    if (q->n > 0) {
        b = q->q[q->head];
        q->head = (q->head + 1) % CL_QUEUE;
        q->n--;
        pthread_cond_signal(&q->not_full);
    }
    pthread_mutex_unlock(&q->lock);
    return b;
}

static void *cl_worker(void *arg)
{
    cl_queue *q = arg;
    cql_conn c;
    bench_prep home, profile;
    char sql[512];
    cl_batch *b;

    if (bench_cql_open(&c, q->cass) != 0)
        bench_fail("ceiling: cassandra: %s", c.err.msg);
    snprintf(
        sql, sizeof sql,
        "INSERT INTO feed_bench.home_%s (user_id, ts_us, activity_id, actor_id) VALUES (?, ?, ?, ?) USING TIMESTAMP ?",
        q->prefix);
    if (bench_cql_prepare(&c, sql, &home) != 0)
        bench_fail("ceiling: %s", c.err.msg);
    snprintf(sql, sizeof sql,
             "INSERT INTO feed_bench.profile_%s (user_id, ts_us, activity_id) VALUES (?, ?, ?) USING TIMESTAMP ?",
             q->prefix);
    if (bench_cql_prepare(&c, sql, &profile) != 0)
        bench_fail("ceiling: %s", c.err.msg);
    /* up to CL_WINDOW batches in flight on this connection, like the
     * job's driver (its sink allows 64 per writer) */
    {
        int16_t free_streams[CL_WINDOW];
        size_t rows_of[CL_WINDOW + 1], nfree = CL_WINDOW, inflight = 0;
        for (int i = 0; i < CL_WINDOW; i++)
            free_streams[i] = (int16_t)(i + 1);
        for (;;) {
            int16_t st;
            while (nfree > 0 && (b = cl_pop(q, inflight == 0)) != NULL) {
                st = free_streams[--nfree];
                rows_of[st] = b->n;
                if (bench_cql_pipe_send(&c, st, b->table == 0 ? &home : &profile, b->table == 0, b->rows, b->n) != 0)
                    bench_fail("ceiling: %s", c.err.msg);
                free(b);
                inflight++;
            }
            if (inflight == 0)
                break;
            if (bench_cql_pipe_recv(&c, &st) != 0) {
                fprintf(stderr, "bench-fanout: ceiling batch: %s\n", c.err.msg);
                atomic_store(&q->failed, 1);
                if (c.err.code != CQL_ERR_SERVER)
                    bench_fail("ceiling: connection lost");
            } else if (st >= 1 && st <= CL_WINDOW) {
                atomic_fetch_add(&q->rows_written, (long long)rows_of[st]);
            }
            if (st >= 1 && st <= CL_WINDOW) {
                free_streams[nfree++] = st;
                inflight--;
            }
        }
    }
    cql_conn_close(&c);
    return NULL;
}

typedef struct cl_row {
    int table;
    bench_feed_row r;
} cl_row;

static int cl_cmp(const void *a, const void *b)
{
    const cl_row *x = a, *y = b;

    if (x->table != y->table)
        return x->table - y->table;
    return (x->r.user_id > y->r.user_id) - (x->r.user_id < y->r.user_id);
}

/* Send one window of rows, grouped per partition, split at CL_BATCH. */
static void cl_flush(cl_queue *q, cl_row *w, size_t n)
{
    qsort(w, n, sizeof *w, cl_cmp);
    for (size_t i = 0; i < n;) {
        cl_batch *b = malloc(sizeof *b);
        if (b == NULL)
            bench_fail("out of memory");
        b->table = w[i].table;
        b->n = 0;
        do
            b->rows[b->n++] = w[i++].r;
        while (i < n && b->n < CL_BATCH && w[i].table == b->table && w[i].r.user_id == b->rows[0].user_id);
        cl_push(q, b);
    }
}

/* Write the backlog's rows into scratch tables; rows per second. */
static double fo_ceiling(const fo_opts *o, const fo_graph *g, const int *post_author, const bench_env *env,
                         const char *prefix, cql_conn *cql, long long *rows_out)
{
    cl_queue q = {.cass = &env->cassandra, .prefix = prefix};
    pthread_t *th = calloc((size_t)o->ceiling_conns, sizeof *th);
    cl_row *w = malloc(((size_t)o->ceiling_buffer + 200000) * sizeof *w);
    size_t wn = 0;
    char sql[512];
    int64_t t0, t1;

    if (th == NULL || w == NULL)
        bench_fail("out of memory");
    if (bench_cql_run(cql, "CREATE KEYSPACE IF NOT EXISTS feed_bench WITH replication = "
                           "{'class': 'SimpleStrategy', 'replication_factor': 1}") != 0)
        bench_fail("ceiling: %s", cql->err.msg);
    snprintf(sql, sizeof sql,
             "CREATE TABLE feed_bench.home_%s (user_id bigint, ts_us bigint, activity_id text, actor_id bigint, "
             "PRIMARY KEY ((user_id), ts_us, activity_id)) WITH CLUSTERING ORDER BY (ts_us DESC, activity_id DESC)",
             prefix);
    if (bench_cql_run(cql, sql) != 0)
        bench_fail("ceiling: %s", cql->err.msg);
    snprintf(sql, sizeof sql,
             "CREATE TABLE feed_bench.profile_%s (user_id bigint, ts_us bigint, activity_id text, "
             "PRIMARY KEY ((user_id), ts_us, activity_id)) WITH CLUSTERING ORDER BY (ts_us DESC, activity_id DESC)",
             prefix);
    if (bench_cql_run(cql, sql) != 0)
        bench_fail("ceiling: %s", cql->err.msg);
    pthread_mutex_init(&q.lock, NULL);
    pthread_cond_init(&q.not_empty, NULL);
    pthread_cond_init(&q.not_full, NULL);
    for (int i = 0; i < o->ceiling_conns; i++)
        if (pthread_create(&th[i], NULL, cl_worker, &q) != 0)
            bench_fail("pthread_create");
    sleep(1); /* let the workers connect and prepare before the clock starts */
    t0 = bench_mono_ns();
    for (size_t i = 0; i < o->activities; i++) {
        int a = post_author[i];
        int64_t actor = g->author_ids[a];
        bench_feed_row r = {.ts_us = 1700000000000000LL + (int64_t)i, .actor_id = actor, .write_ts = (int64_t)i + 1};
        snprintf(r.activity_id, sizeof r.activity_id, "p:%zu", i);
        r.user_id = actor;
        w[wn++] = (cl_row){1, r};
        w[wn++] = (cl_row){0, r};
        /* a hot author's post goes to its own feeds only */
        size_t fol_end = fo_hot(o, g, a) ? g->off[a] : g->off[a + 1];
        for (size_t k = g->off[a]; k < fol_end; k++) {
            r.user_id = g->reader_ids[g->fol[k]];
            w[wn++] = (cl_row){0, r};
        }
        /* the job's sink sends once 5,000 rows are buffered, after the
         * element that crossed the mark: the window can overshoot by one fan-out */
        if (wn >= (size_t)o->ceiling_buffer) {
            cl_flush(&q, w, wn);
            wn = 0;
        }
    }
    cl_flush(&q, w, wn);
    pthread_mutex_lock(&q.lock);
    q.closed = 1;
    pthread_cond_broadcast(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
    for (int i = 0; i < o->ceiling_conns; i++)
        pthread_join(th[i], NULL);
    t1 = bench_mono_ns();
    *rows_out = atomic_load(&q.rows_written);
    if (atomic_load(&q.failed))
        printf("ceiling: some batches failed (see stderr)\n");
    snprintf(sql, sizeof sql, "DROP TABLE feed_bench.home_%s", prefix);
    if (bench_cql_run(cql, sql) != 0)
        fprintf(stderr, "bench-fanout: %s: %s\n", sql, cql->err.msg);
    snprintf(sql, sizeof sql, "DROP TABLE feed_bench.profile_%s", prefix);
    if (bench_cql_run(cql, sql) != 0)
        fprintf(stderr, "bench-fanout: %s: %s\n", sql, cql->err.msg);
    free(th);
    free(w);
    return (double)*rows_out / ((double)(t1 - t0) / 1e9);
}

/* --- main --------------------------------------------------------------- */

/* One run's state, shared by the steps of main(). */
typedef struct fo_run {
    fo_opts o;
    bench_env env;
    bench_flink flink;
    bench_rng rng;
    char prefix[16];
    PGconn *pg;
    cql_conn cql;
    fo_graph g;
    fo_sample s;
    int *post_author;                  /* author index of each backlog post */
    long long expected;                /* feed rows the backlog must produce */
    long long sample_want;             /* of which in the sampled homes */
    int64_t t0, t_end, t10, t90, over; /* drain clock (t_end 0: did not finish) */
} fo_run;

/* Connect to PostgreSQL, Cassandra and Flink's REST API; pick the prefix. */
static void fo_connect(fo_run *r)
{
    char err[1024];

    if (bench_env_load(&r->env) != 0)
        bench_fail("bad addresses in the environment");
    if (bench_flink_find(&r->flink, &r->env.flink) != 0)
        bench_fail("flink: %s", r->flink.err);
    r->pg = bench_pg_connect(r->env.pg_conninfo, err, sizeof err);
    if (r->pg == NULL)
        bench_fail("%s", err);
    if (bench_cql_open(&r->cql, &r->env.cassandra) != 0)
        bench_fail("cassandra %s:%d: %s", r->env.cassandra.host, r->env.cassandra.port, r->cql.err.msg);
    bench_run_prefix(r->prefix);
}

/* Draw the sampled readers (is_sampled[reader] = its index in the sample,
 * or -1). */
static void fo_pick_sample(fo_run *r, int *is_sampled)
{
    uint32_t *perm = malloc((size_t)r->o.readers * sizeof *perm);

    if (perm == NULL)
        bench_fail("out of memory");
    for (int i = 0; i < r->o.readers; i++) {
        perm[i] = (uint32_t)i;
        is_sampled[i] = -1;
    }
    bench_sample_distinct(&r->rng, perm, (size_t)r->o.readers, (size_t)r->s.n);
    for (int i = 0; i < r->s.n; i++) {
        r->s.reader[i] = (int)perm[i];
        is_sampled[perm[i]] = i;
    }
    free(perm);
}

/* Draw the sample and the backlog's authors, then what the backlog must
 * produce: in all (r->expected) and in each sampled home (base, want). */
static void fo_plan(fo_run *r)
{
    const fo_opts *o = &r->o;
    fo_sample *s = &r->s;
    int *is_sampled;
    int64_t *posts_per_author;

    s->n = o->sample;
    s->reader = malloc((size_t)s->n * sizeof *s->reader);
    s->base = calloc((size_t)s->n, sizeof *s->base);
    s->want = calloc((size_t)s->n, sizeof *s->want);
    is_sampled = malloc((size_t)o->readers * sizeof *is_sampled);
    r->post_author = malloc(o->activities * sizeof *r->post_author);
    posts_per_author = calloc((size_t)o->authors, sizeof *posts_per_author);
    if (!s->reader || !s->base || !s->want || !is_sampled || !r->post_author || !posts_per_author)
        bench_fail("out of memory");
    fo_pick_sample(r, is_sampled);
    for (size_t i = 0; i < o->activities; i++) {
        int a = (int)bench_rng_below(&r->rng, (uint64_t)o->authors);
        r->post_author[i] = a;
        if (fo_hot(o, &r->g, a)) {
            r->expected += 2; /* its own home and profile */
        } else {
            posts_per_author[a]++;
            r->expected += (long long)r->g.counts[a] + 2;
        }
    }
    for (int a = 0; a < o->authors; a++)
        for (size_t k = r->g.off[a]; k < r->g.off[a + 1]; k++) {
            int si = is_sampled[r->g.fol[k]];
            if (si >= 0) {
                s->base[si]++;
                s->want[si] += posts_per_author[a];
            }
        }
    for (int i = 0; i < s->n; i++)
        r->sample_want += s->want[i];
    free(is_sampled);
    free(posts_per_author);
}

/* COPY the graph in and wait until the sampled homes hold their follows. */
static void fo_drain_graph(fo_run *r)
{
    int complete = 0;
    int64_t over, t = bench_mono_ns();

    fo_load_graph(r->pg, &r->o, r->prefix, &r->g);
    printf("graph loaded (COPY) in %.1f s; waiting for the job to take it in ...\n",
           (double)(bench_mono_ns() - t) / 1e9);
    fflush(stdout);
    for (;;) {
        fo_count(&r->cql, &r->g, &r->s, 0, &complete, &over);
        if (complete)
            break;
        if (bench_mono_ns() - t > (int64_t)(r->o.timeout * 1e9))
            bench_fail("the follows did not reach the sampled readers' homes within %.0f s", r->o.timeout);
        usleep((useconds_t)(r->o.poll_s * 1e6));
    }
    printf("graph drained: %zu follows (%zu feed rows) in the sampled homes after %.1f s from the first COPY = "
           "%.0f follows/s\n",
           r->g.nfollows, 2 * r->g.nfollows, (double)(bench_mono_ns() - t) / 1e9,
           (double)r->g.nfollows / ((double)(bench_mono_ns() - t) / 1e9));
    sleep(3); /* the sink's last follow rows may still be waiting for a checkpoint */
}

/* COPY the backlog's posts in; the drain's clock (r->t0) starts here. */
static void fo_insert_backlog(fo_run *r)
{
    int64_t *authors_of_posts = malloc(r->o.activities * sizeof *authors_of_posts), t_ins;
    char err[1024];

    if (authors_of_posts == NULL)
        bench_fail("out of memory");
    for (size_t i = 0; i < r->o.activities; i++)
        authors_of_posts[i] = r->g.author_ids[r->post_author[i]];
    printf("backlog: %zu posts, expected %lld feed rows (mean fan-out %.1f + 2); sample: %d readers expecting %lld\n",
           r->o.activities, r->expected, (double)r->expected / (double)r->o.activities - 2, r->s.n, r->sample_want);
    fflush(stdout);
    r->t0 = bench_mono_ns();
    if (bench_pg_copy_posts(r->pg, authors_of_posts, r->o.activities, (size_t)r->o.chunk, "bench backlog post", err,
                            sizeof err) != 0)
        bench_fail("%s", err);
    t_ins = bench_mono_ns();
    printf("inserted in %.1f s (%.0f posts/s, COPY, %d per transaction)\n", (double)(t_ins - r->t0) / 1e9,
           (double)r->o.activities / ((double)(t_ins - r->t0) / 1e9), r->o.chunk);
    free(authors_of_posts);
}

/* Count the sampled homes every --poll-s until they are complete (sets
 * r->t_end) or --timeout passes; note when 10% and 90% were reached. */
static void fo_watch_drain(fo_run *r)
{
    int complete = 0;

    printf("%8s %10s %8s\n", "t_s", "sample_rows", "done_%");
    fflush(stdout);
    for (;;) {
        int64_t got = fo_count(&r->cql, &r->g, &r->s, 1, &complete, &r->over);
        int64_t now = bench_mono_ns();
        double frac = r->sample_want ? (double)got / (double)r->sample_want : 1;
        if (r->t10 == 0 && frac >= 0.10)
            r->t10 = now;
        if (r->t90 == 0 && frac >= 0.90)
            r->t90 = now;
        printf("%8.1f %10lld %8.1f\n", (double)(now - r->t0) / 1e9, (long long)got, 100 * frac);
        fflush(stdout);
        if (complete) {
            r->t_end = now;
            break;
        }
        if (now - r->t0 > (int64_t)(r->o.timeout * 1e9)) {
            printf("TIMEOUT: the drain did not finish within %.0f s\n", r->o.timeout);
            break;
        }
        bench_sleep_until(now + (int64_t)(r->o.poll_s * 1e9));
    }
}

/* The drain's figures, Flink's counters as a cross-check (c0: before the
 * backlog, if have_counts) and the machine's state. */
static void fo_report_drain(fo_run *r, int have_counts, const bench_flink_counts *c0)
{
    bench_flink_counts c1;
    char state[128];

    bench_machine_state(state, sizeof state);
    if (r->t_end) {
        double secs = (double)(r->t_end - r->t0) / 1e9;
        printf("\ndrain: %lld feed rows for %zu posts in %.1f s from the first COPY (poll %.1f s): %.0f items/s, "
               "%.0f activities/s\n",
               r->expected, r->o.activities, secs, r->o.poll_s, (double)r->expected / secs,
               (double)r->o.activities / secs);
        if (r->t90 > r->t10)
            printf("  between 10%% and 90%% of the sample: %.0f items/s\n",
                   0.8 * (double)r->expected / ((double)(r->t90 - r->t10) / 1e9));
        if (r->over > 0)
            printf("  WARNING: sampled homes hold %lld rows more than expected\n", (long long)r->over);
    }
    if (have_counts && bench_flink_counts_get(&r->flink, &c1) == 0)
        printf("  Flink counters over the drain (cached up to 10 s, other users included): feeds-cassandra rows sent "
               "+%.0f, fanout writes emitted +%.0f, activities +%.0f\n",
               c1.delivered - c0->delivered, c1.emitted - c0->emitted, c1.activities - c0->activities);
    printf("  machine at the end of the drain: %s\n", state);
    fflush(stdout);
}

/* The ceiling, printed against the job's drain rate. */
static void fo_report_ceiling(fo_run *r)
{
    long long rows;
    char state[128];
    double rate = fo_ceiling(&r->o, &r->g, r->post_author, &r->env, r->prefix, &r->cql, &rows);
    double job = (double)r->expected / ((double)(r->t_end - r->t0) / 1e9);

    bench_machine_state(state, sizeof state);
    printf("ceiling: this program wrote the same %lld rows (unlogged batch per partition per %d-row window, "
           "%d connections x 64 in flight) at %.0f rows/s\n",
           rows, r->o.ceiling_buffer, r->o.ceiling_conns, rate);
    printf("ratio: job %.0f items/s / ceiling %.0f rows/s = %.2f; machine: %s\n", job, rate, job / rate, state);
}

int main(int argc, char **argv)
{
    fo_run r = {0};
    bench_flink_counts c0;
    int have_counts;

    fo_parse(argc, argv, &r.o);
    int64_t start_wall_ms = bench_wall_us() / 1000;

    bench_print_header("bench-fanout", argc, argv);
    bench_rng_seed(&r.rng, r.o.seed);
    fo_connect(&r);
    fo_build_graph(&r.o, &r.rng, &r.g);
    printf("graph: prefix %s, %d authors, %d readers, %zu follows; followers per author: mean %.1f, max %zu, "
           "median %zu, min %zu (Zipf-like, s = %.2f)\n",
           r.prefix, r.o.authors, r.o.readers, r.g.nfollows, (double)r.g.nfollows / r.o.authors, r.g.counts[0],
           r.g.counts[r.o.authors / 2], r.g.counts[r.o.authors - 1], r.o.zipf_s);
    if (r.o.hot_from > 0)
        printf("hot authors (%zu followers or more, --hot-from; the job's --hot-followers must match): %d, their "
               "posts copied into no home\n",
               r.o.hot_from, fo_hot_authors(&r.o, &r.g));
    fo_plan(&r);
    fo_drain_graph(&r);
    have_counts = bench_flink_counts_get(&r.flink, &c0) == 0;
    fo_insert_backlog(&r);
    fo_watch_drain(&r);
    fo_report_drain(&r, have_counts, &c0);
    if (r.o.ceiling && r.t_end)
        fo_report_ceiling(&r);
    bench_flink_print_job_check(&r.flink, start_wall_ms);
    cql_conn_close(&r.cql);
    PQfinish(r.pg);
    return 0;
}
