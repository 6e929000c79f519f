/* bench-freshness: time from an activity's commit in PostgreSQL to its
 * item being readable in a follower's home feed in Cassandra, at a steady
 * rate, through the whole running stack (Debezium, Kafka, the Flink job).
 *
 * Set-up (fresh users under a per-run prefix): A authors, R readers and K
 * observers. Author a is followed by observer a mod K and by F_a - 1
 * readers (F_a = --followers, or Zipf-like with that mean). Observers are
 * ordinary followers whose home feeds this program polls: each observer
 * sees only its own authors' items, so one range query per observer
 * (ts_us >= the oldest item still awaited) finds every new item, and a
 * full pass over the observers takes a few milliseconds whatever the rate.
 * Before the follows, every author posts once; the follows backfill that
 * post into each follower's home, so "the job has the graph" is visible.
 *
 * Steady phase: --writers connections insert posts (or likes, comments)
 * on an open-loop schedule of --rate per second for --duration seconds;
 * each records the client's monotonic time right after the INSERT's
 * implicit COMMIT returned, and the row's created_at. The poller records,
 * per item, the time the first query that returned it came back.
 *
 * --hot-followers N: one more author, followed by N fresh users (a hot
 * account once N passes the job's --hot-followers), posts every
 * --hot-every-ms during the steady phase, beside the load; its posts are
 * not measured: the figures stay the normal authors', so a run with and
 * one without say what a hot account's posting costs everybody else.
 *
 * What it prints: count, p50/p90/p99/max of commit -> readable, the rate
 * achieved, the poller's own resolution, and how many items became
 * readable inside a checkpoint's window (the job's Cassandra sink sends
 * early only past 5,000 buffered rows, otherwise at the checkpoint).
 */
#include <getopt.h>
#include <inttypes.h>
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

#define FR_MAX_CHECKPOINTS 4096
#define FR_RING 1024

enum { FR_EMPTY = 0, FR_COMMITTED = 1, FR_TAKEN = 2, FR_FAILED = 3 };

typedef struct fr_opts {
    double rate, duration, followers, zipf_s, drain_timeout;
    int authors, readers, observers, writers;
    int like_pct, comment_pct, poll_ms, trigger_ms;
    size_t follows_per_hour;
    size_t hot_followers;
    int hot_every_ms;
    double ceiling_rows_s; /* --ceiling-rows-s: Cassandra's best, from bench-cassandra-ceiling; 0: none */
    uint64_t seed;
} fr_opts;

typedef struct fr_item {
    _Atomic int state;
    int obs;           /* observer index */
    int64_t sched_ns;  /* when the schedule wanted it */
    int64_t start_ns;  /* INSERT sent */
    int64_t commit_ns; /* INSERT (autocommit) returned: committed */
    int64_t commit_wall_us;
    int64_t created_us; /* created_at: the feed's clustering time */
    int64_t seen_ns;    /* first poll that returned it came back; 0: not yet */
    int64_t seen_wall_us;
    char aid[24]; /* activity id, e.g. p:42 */
} fr_item;

typedef struct fr_post {
    int64_t id, author;
} fr_post;

typedef struct fr_run {
    fr_opts o;
    bench_env env;
    char prefix[16];
    int64_t *author_ids, *reader_ids, *observer_ids;
    fr_item *items;
    size_t total;             /* items scheduled */
    _Atomic size_t next_slot; /* next slot a writer claims */
    _Atomic int writers_left;
    int64_t t0_ns;
    int64_t start_wall_ms; /* when the program started */
    /* recent posts, for likes and comments */
    pthread_mutex_t ring_lock;
    fr_post ring[FR_RING];
    size_t ring_n;
    /* checkpoints seen by the REST thread */
    bench_flink flink;
    bench_flink_checkpoint cps[FR_MAX_CHECKPOINTS];
    size_t ncps;
    _Atomic int stop_rest;
    /* poller figures */
    bench_samples pass_ms;
    size_t queries;
    /* the hot account (--hot-followers) and its posts */
    int64_t hot_author;
    _Atomic size_t hot_posts, hot_failed;
} fr_run;

static void fr_usage(FILE *out)
{
    fprintf(out, "usage: bench-freshness [options]\n"
                 "  --rate N           activities per second (200)\n"
                 "  --duration S       seconds of steady load (60)\n"
                 "  --followers N      followers per author, mean (50)\n"
                 "  --zipf S           Zipf exponent of follower counts; 0 = every author N (0)\n"
                 "  --authors N        acting users (200)\n"
                 "  --readers N        following users (2000)\n"
                 "  --observers N      followers whose feeds are polled (4)\n"
                 "  --poll-ms N        least time between two passes over the observers (10)\n"
                 "  --trigger-checkpoint-ms N  also ask the job for a checkpoint every N ms during the\n"
                 "                     steady phase (REST), as --checkpoint-interval-ms N would (0: no)\n"
                 "  --writers N        PostgreSQL connections inserting (4)\n"
                 "  --like-pct P       percent of activities that are likes (0)\n"
                 "  --comment-pct P    percent that are comments (0)\n"
                 "  --drain-timeout S  wait this long after the last insert for stragglers (30)\n"
                 "  --follows-per-hour N  backdate the follows, at most N per hour of created_at, so no\n"
                 "                     notification group is large (see bench_pg.h); 0: all now (100)\n"
                 "  --hot-followers N  one more author, followed by N fresh users, posts every\n"
                 "                     --hot-every-ms during the steady phase (not measured: the figures\n"
                 "                     are the other authors'); 0: none (0)\n"
                 "  --hot-every-ms N   the hot account's posting interval (1000)\n"
                 "  --ceiling-rows-s R the most feed rows/s Cassandra takes here (bench-cassandra-ceiling's\n"
                 "                     best, same session): the job's rows/s is printed as a ratio to it\n"
                 "  --seed N           random seed (1)\n");
}

static void fr_parse(int argc, char **argv, fr_opts *o)
{
    static const struct option longs[] = {{"rate", 1, 0, 'r'},
                                          {"duration", 1, 0, 'd'},
                                          {"followers", 1, 0, 'f'},
                                          {"zipf", 1, 0, 'z'},
                                          {"authors", 1, 0, 'a'},
                                          {"readers", 1, 0, 'R'},
                                          {"observers", 1, 0, 'o'},
                                          {"writers", 1, 0, 'w'},
                                          {"like-pct", 1, 0, 'l'},
                                          {"comment-pct", 1, 0, 'c'},
                                          {"drain-timeout", 1, 0, 'D'},
                                          {"seed", 1, 0, 's'},
                                          {"poll-ms", 1, 0, 'p'},
                                          {"trigger-checkpoint-ms", 1, 0, 'T'},
                                          {"follows-per-hour", 1, 0, 'H'},
                                          {"hot-followers", 1, 0, 'X'},
                                          {"hot-every-ms", 1, 0, 'E'},
                                          {"ceiling-rows-s", 1, 0, 'C'},
                                          {"help", 0, 0, 'h'},
                                          {0, 0, 0, 0}};
    int ch;

    *o = (fr_opts){.rate = 200,
                   .duration = 60,
                   .followers = 50,
                   .zipf_s = 0,
                   .drain_timeout = 30,
                   .authors = 200,
                   .readers = 2000,
                   .observers = 4,
                   .writers = 4,
                   .seed = 1,
                   .poll_ms = 10,
                   .follows_per_hour = 100,
                   .hot_every_ms = 1000};
    while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (ch) {
        case 'r': o->rate = atof(optarg); break;
        case 'd': o->duration = atof(optarg); break;
        case 'f': o->followers = atof(optarg); break;
        case 'z': o->zipf_s = atof(optarg); break;
        case 'a': o->authors = atoi(optarg); break;
        case 'R': o->readers = atoi(optarg); break;
        case 'o': o->observers = atoi(optarg); break;
        case 'w': o->writers = atoi(optarg); break;
        case 'l': o->like_pct = atoi(optarg); break;
        case 'c': o->comment_pct = atoi(optarg); break;
        case 'D': o->drain_timeout = atof(optarg); break;
        case 's': o->seed = strtoull(optarg, NULL, 10); break;
        case 'p': o->poll_ms = atoi(optarg); break;
        case 'T': o->trigger_ms = atoi(optarg); break;
        case 'H': o->follows_per_hour = (size_t)strtoull(optarg, NULL, 10); break;
        case 'X': o->hot_followers = (size_t)strtoull(optarg, NULL, 10); break;
        case 'E': o->hot_every_ms = atoi(optarg); break;
        case 'C': o->ceiling_rows_s = atof(optarg); break;
        case 'h': fr_usage(stdout); exit(0);
        default: fr_usage(stderr); exit(2);
        }
    }
    if (o->rate <= 0 || o->duration <= 0 || o->followers < 1 || o->authors < 1 || o->readers < 0 || o->observers < 1 ||
        o->observers > o->authors || o->poll_ms < 0 || o->trigger_ms < 0 || o->writers < 1 || o->like_pct < 0 ||
        o->comment_pct < 0 || o->like_pct + o->comment_pct > 100 || o->zipf_s < 0 || o->hot_every_ms < 1 ||
        o->hot_followers > 10000000 || o->ceiling_rows_s < 0)
        bench_fail("bad options (see --help)");
}

/* --- set-up ------------------------------------------------------------ */

static void fr_setup_graph(fr_run *run, PGconn *pg)
{
    fr_opts *o = &run->o;
    size_t *counts = calloc((size_t)o->authors, sizeof *counts);
    uint32_t *perm = malloc(((size_t)o->readers + 1) * sizeof *perm);
    int64_t *fer, *fee, *warm;
    size_t nf = 0, cap;
    long long total;
    bench_rng rng;
    char err[1024];
    int64_t t;

    bench_rng_seed(&rng, o->seed);
    if (counts == NULL || perm == NULL)
        bench_fail("out of memory");
    total = bench_zipf_counts((size_t)o->authors, o->zipf_s, o->followers, (size_t)o->readers + 1, counts);
    if (total < 0)
        bench_fail("cannot give %d authors %.0f followers on average from %d readers", o->authors, o->followers,
                   o->readers);
    cap = (size_t)total + (size_t)o->authors;
    fer = malloc(cap * sizeof *fer);
    fee = malloc(cap * sizeof *fee);
    warm = malloc((size_t)o->authors * sizeof *warm);
    if (fer == NULL || fee == NULL || warm == NULL)
        bench_fail("out of memory");
    for (int i = 0; i < o->readers; i++)
        perm[i] = (uint32_t)i;

    t = bench_mono_ns();
    run->author_ids = malloc((size_t)o->authors * sizeof(int64_t));
    run->reader_ids = malloc(((size_t)o->readers + 1) * sizeof(int64_t));
    run->observer_ids = malloc((size_t)o->observers * sizeof(int64_t));
    if (run->author_ids == NULL || run->reader_ids == NULL || run->observer_ids == NULL)
        bench_fail("out of memory");
    if (bench_pg_create_users(pg, run->prefix, "a", (size_t)o->authors, run->author_ids, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, run->prefix, "r", (size_t)o->readers, run->reader_ids, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, run->prefix, "o", (size_t)o->observers, run->observer_ids, err, sizeof err) != 0)
        bench_fail("%s", err);
    /* one warm-up post per author, before the follows: their backfill shows
     * that the job has taken in the graph */
    for (int a = 0; a < o->authors; a++)
        warm[a] = run->author_ids[a];
    if (bench_pg_copy_posts(pg, warm, (size_t)o->authors, 10000, "warm-up", err, sizeof err) != 0)
        bench_fail("%s", err);
    /* readers first, observers last: when the observers' follows are in,
     * the readers' (earlier in the same partitions' order) mostly are too */
    for (int a = 0; a < o->authors; a++) {
        size_t k = counts[a] > 0 ? counts[a] - 1 : 0;
        bench_sample_distinct(&rng, perm, (size_t)o->readers, k);
        for (size_t i = 0; i < k; i++) {
            fer[nf] = run->reader_ids[perm[i]];
            fee[nf++] = run->author_ids[a];
        }
    }
    for (int a = 0; a < o->authors; a++) {
        fer[nf] = run->observer_ids[a % o->observers];
        fee[nf++] = run->author_ids[a];
    }
    if (bench_pg_copy_follows(pg, fer, fee, nf, 20000, run->o.follows_per_hour, err, sizeof err) != 0)
        bench_fail("%s", err);
    printf("graph: %d authors, %d readers, %d observers; %zu follows (mean %.1f followers per author, max %zu, %s)"
           "; loaded in %.1f s\n",
           o->authors, o->readers, o->observers, nf, (double)nf / o->authors, counts[0] ? counts[0] : 1,
           o->zipf_s > 0 ? "Zipf-like" : "fixed", (double)(bench_mono_ns() - t) / 1e9);
    free(counts);
    free(perm);
    free(fer);
    free(fee);
    free(warm);
}

/* --hot-followers: the hot account and its N followers (fresh users), in
 * before the steady phase (main waits for the job to be quiet after). */
static void fr_setup_hot(fr_run *run, PGconn *pg)
{
    size_t n = run->o.hot_followers;
    int64_t *fer, *fee, t = bench_mono_ns();
    char err[1024];

    fer = malloc(n * sizeof *fer);
    fee = malloc(n * sizeof *fee);
    if (fer == NULL || fee == NULL)
        bench_fail("out of memory");
    if (bench_pg_create_users(pg, run->prefix, "x", 1, &run->hot_author, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, run->prefix, "xf", n, fer, err, sizeof err) != 0)
        bench_fail("%s", err);
    for (size_t i = 0; i < n; i++)
        fee[i] = run->hot_author;
    if (bench_pg_copy_follows(pg, fer, fee, n, 20000, run->o.follows_per_hour, err, sizeof err) != 0)
        bench_fail("%s", err);
    printf("hot account: user %lld, %zu followers loaded in %.1f s; posts every %d ms during the steady phase\n",
           (long long)run->hot_author, n, (double)(bench_mono_ns() - t) / 1e9, run->o.hot_every_ms);
    free(fer);
    free(fee);
}

/* The hot account's poster: one post every --hot-every-ms while the
 * writers run. */
static void *fr_hot_main(void *arg)
{
    fr_run *run = arg;
    char err[1024];
    PGconn *pg = bench_pg_connect(run->env.pg_conninfo, err, sizeof err);
    int64_t next = run->t0_ns, id, ts;

    if (pg == NULL)
        bench_fail("%s", err);
    while (atomic_load(&run->writers_left) > 0) {
        bench_sleep_until(next);
        if (bench_pg_insert_post(pg, run->hot_author, "hot account post", &id, &ts, err, sizeof err) != 0) {
            fprintf(stderr, "bench-freshness: hot account: %s\n", err);
            atomic_fetch_add(&run->hot_failed, 1);
        } else
            atomic_fetch_add(&run->hot_posts, 1);
        next += (int64_t)run->o.hot_every_ms * 1000000;
    }
    PQfinish(pg);
    return NULL;
}

/* Wait until each observer's home holds its follows and the backfilled
 * warm-up posts (2 rows per author it follows). */
static void fr_wait_graph(fr_run *run, cql_conn *cql)
{
    int64_t t = bench_mono_ns(), deadline = t + (int64_t)180e9;

    for (;;) {
        int done = 1;
        for (int k = 0; k < run->o.observers && done; k++) {
            int64_t n, want = 2 * ((run->o.authors - k + run->o.observers - 1) / run->o.observers);
            if (bench_cql_count(cql, "home_feed", run->observer_ids[k], &n) != 0)
                bench_fail("cassandra: %s", cql->err.msg);
            if (n < want)
                done = 0;
        }
        if (done)
            break;
        if (bench_mono_ns() > deadline)
            bench_fail("the job did not take in the follow graph within 180 s (is it running? bin/feedctl status)");
        usleep(200000);
    }
    printf("graph in the job's state after %.1f s (observers' homes hold their follows and backfills)\n",
           (double)(bench_mono_ns() - t) / 1e9);
}

/* --- writers ----------------------------------------------------------- */

typedef struct fr_writer {
    fr_run *run;
    int index;
} fr_writer;

/* Insert a like or comment on a recent post by someone else; 0 and the
 * item filled, 1 when there is no suitable post (caller posts instead). */
static int fr_insert_reaction(fr_run *run, PGconn *pg, bench_rng *rng, int64_t actor, int comment, fr_item *it)
{
    fr_post p = {0, 0};
    char a[24], pid[24], pa[24];
    const char *params[4] = {a, pid, pa, "nice"};
    PGresult *res;
    int ok;

    pthread_mutex_lock(&run->ring_lock);
    for (int tries = 0; tries < 4 && run->ring_n > 0; tries++) {
        size_t n = run->ring_n < FR_RING ? run->ring_n : FR_RING;
        p = run->ring[bench_rng_below(rng, n)];
        if (p.author != actor)
            break;
        p.id = 0;
    }
    pthread_mutex_unlock(&run->ring_lock);
    if (p.id == 0)
        return 1;
    snprintf(a, sizeof a, "%lld", (long long)actor);
    snprintf(pid, sizeof pid, "%lld", (long long)p.id);
    snprintf(pa, sizeof pa, "%lld", (long long)p.author);
    res = PQexecParams(pg,
                       comment
                           ? "INSERT INTO comments (author_id, post_id, post_author_id, body) VALUES ($1, $2, $3, $4) "
                             "RETURNING id, (extract(epoch FROM created_at) * 1000000)::bigint"
                           : "INSERT INTO likes (user_id, post_id, post_author_id) VALUES ($1, $2, $3) "
                             "ON CONFLICT DO NOTHING "
                             "RETURNING id, (extract(epoch FROM created_at) * 1000000)::bigint",
                       comment ? 4 : 3, NULL, params, NULL, NULL, 0);
    it->commit_ns = bench_mono_ns();
    it->commit_wall_us = bench_wall_us();
    ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1;
    if (ok) {
        snprintf(it->aid, sizeof it->aid, "%c:%s", comment ? 'c' : 'l', PQgetvalue(res, 0, 0));
        it->created_us = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    } else if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "bench-freshness: %s: %s", comment ? "comment" : "like", PQresultErrorMessage(res));
    }
    PQclear(res);
    return ok ? 0 : 1;
}

static void *fr_writer_main(void *arg)
{
    fr_writer *w = arg;
    fr_run *run = w->run;
    char err[1024];
    PGconn *pg = bench_pg_connect(run->env.pg_conninfo, err, sizeof err);
    bench_rng rng;

    if (pg == NULL)
        bench_fail("%s", err);
    bench_rng_seed(&rng, run->o.seed * 7919 + (uint64_t)w->index + 1);
    for (;;) {
        size_t slot = atomic_fetch_add(&run->next_slot, 1);
        fr_item *it;
        int a, roll, done = 0;
        int64_t id, ts;

        if (slot >= run->total)
            break;
        it = &run->items[slot];
        it->sched_ns = run->t0_ns + (int64_t)((double)slot * 1e9 / run->o.rate);
        bench_sleep_until(it->sched_ns);
        a = (int)bench_rng_below(&rng, (uint64_t)run->o.authors);
        it->obs = a % run->o.observers;
        roll = (int)bench_rng_below(&rng, 100);
        it->start_ns = bench_mono_ns();
        if (roll < run->o.like_pct + run->o.comment_pct)
            done = fr_insert_reaction(run, pg, &rng, run->author_ids[a], roll >= run->o.like_pct, it) == 0;
        if (!done) {
            if (bench_pg_insert_post(pg, run->author_ids[a], "bench post", &id, &ts, err, sizeof err) != 0) {
                fprintf(stderr, "bench-freshness: %s\n", err);
                atomic_store_explicit(&it->state, FR_FAILED, memory_order_release);
                continue;
            }
            it->commit_ns = bench_mono_ns();
            it->commit_wall_us = bench_wall_us();
            it->created_us = ts;
            snprintf(it->aid, sizeof it->aid, "p:%lld", (long long)id);
            pthread_mutex_lock(&run->ring_lock);
            run->ring[run->ring_n++ % FR_RING] = (fr_post){id, run->author_ids[a]};
            pthread_mutex_unlock(&run->ring_lock);
        }
        atomic_store_explicit(&it->state, FR_COMMITTED, memory_order_release);
    }
    PQfinish(pg);
    atomic_fetch_sub(&run->writers_left, 1);
    return NULL;
}

/* --- REST thread: checkpoints ------------------------------------------ */

static void *fr_rest_main(void *arg)
{
    fr_run *run = arg;
    int64_t next_trigger = bench_mono_ns();

    while (!atomic_load(&run->stop_rest)) {
        if (run->o.trigger_ms > 0 && bench_mono_ns() >= next_trigger && atomic_load(&run->writers_left) > 0) {
            if (bench_flink_checkpoint_trigger(&run->flink) != 0)
                fprintf(stderr, "bench-freshness: %s\n", run->flink.err);
            next_trigger += (int64_t)run->o.trigger_ms * 1000000;
        }
        bench_flink_checkpoint c;
        if (bench_flink_checkpoint_get(&run->flink, &c) == 0 && c.id >= 0 &&
            (run->ncps == 0 || run->cps[run->ncps - 1].id != c.id) && run->ncps < FR_MAX_CHECKPOINTS)
            run->cps[run->ncps++] = c;
        usleep(run->o.trigger_ms > 0 && run->o.trigger_ms < 100 ? (useconds_t)run->o.trigger_ms * 1000 : 100000);
    }
    return NULL;
}

/* --- poller ------------------------------------------------------------ */

typedef struct fr_pending {
    size_t *idx;
    size_t n, cap;
} fr_pending;

typedef struct fr_match {
    fr_run *run;
    fr_pending *p;
    int64_t now_ns, now_wall_us;
} fr_match;

static void fr_on_row(void *arg, int64_t ts_us, cql_slice aid)
{
    fr_match *m = arg;

    for (size_t i = 0; i < m->p->n; i++) {
        fr_item *it = &m->run->items[m->p->idx[i]];
        if (it->created_us == ts_us && cql_slice_eq_cstr(aid, it->aid)) {
            if (m->now_ns == 0) {
                /* rows are decoded right after the answer came back */
                m->now_ns = bench_mono_ns();
                m->now_wall_us = bench_wall_us();
            }
            it->seen_ns = m->now_ns;
            it->seen_wall_us = m->now_wall_us;
            m->p->idx[i] = m->p->idx[--m->p->n];
            return;
        }
    }
}

/* Poll the observers' homes until every committed item was seen, or the
 * drain timeout after the last writer finished. The time an answer came
 * back is when an item is known to be readable: an upper bound, late by
 * at most one pass (whose length is recorded as the resolution). */
static void fr_poll(fr_run *run, cql_conn *cql)
{
    fr_pending *pend = calloc((size_t)run->o.observers, sizeof *pend);
    bench_prep since;
    size_t scan = 0, waiting = 0;
    int64_t drain_deadline = 0;

    if (pend == NULL)
        bench_fail("out of memory");
    if (bench_cql_prepare(cql, BENCH_CQL_HOME_SINCE, &since) != 0)
        bench_fail("cassandra: %s", cql->err.msg);
    for (;;) {
        size_t claimed = atomic_load(&run->next_slot);
        int64_t pass_start = bench_mono_ns();
        int queried = 0;

        if (claimed > run->total)
            claimed = run->total;
        /* take in what the writers committed since the last pass */
        for (size_t i = scan; i < claimed; i++) {
            fr_item *it = &run->items[i];
            int st = atomic_load_explicit(&it->state, memory_order_acquire);
            if (st == FR_COMMITTED) {
                fr_pending *p = &pend[it->obs];
                if (p->n == p->cap) {
                    p->cap = p->cap ? p->cap * 2 : 256;
                    p->idx = realloc(p->idx, p->cap * sizeof *p->idx);
                    if (p->idx == NULL)
                        bench_fail("out of memory");
                }
                p->idx[p->n++] = i;
                atomic_store(&it->state, FR_TAKEN);
                st = FR_TAKEN;
            }
            if (i == scan && st >= FR_TAKEN)
                scan++;
        }
        waiting = 0;
        for (int k = 0; k < run->o.observers; k++) {
            fr_pending *p = &pend[k];
            int64_t oldest = INT64_MAX;
            fr_match m = {run, p, 0, 0};
            if (p->n == 0)
                continue;
            for (size_t i = 0; i < p->n; i++)
                if (run->items[p->idx[i]].created_us < oldest)
                    oldest = run->items[p->idx[i]].created_us;
            if (bench_cql_home_since(cql, &since, run->observer_ids[k], oldest, fr_on_row, &m) != 0)
                bench_fail("cassandra: %s", cql->err.msg);
            run->queries++;
            queried = 1;
            waiting += p->n;
        }
        if (queried)
            bench_samples_add(&run->pass_ms, (double)(bench_mono_ns() - pass_start) / 1e6);
        if (atomic_load(&run->writers_left) == 0 && scan >= run->total) {
            if (waiting == 0)
                break;
            if (drain_deadline == 0)
                drain_deadline = bench_mono_ns() + (int64_t)(run->o.drain_timeout * 1e9);
            else if (bench_mono_ns() > drain_deadline)
                break;
        }
        /* a pass at most every poll_ms: polling must not load Cassandra,
         * which is also the job's sink */
        bench_sleep_until(pass_start + (int64_t)(queried ? run->o.poll_ms : 1) * 1000000);
    }
    for (int k = 0; k < run->o.observers; k++)
        free(pend[k].idx);
    free(pend);
}

/* --- report ------------------------------------------------------------ */

static void fr_print_summary(const char *what, bench_samples *s)
{
    bench_summary sum;

    bench_summarize(s, &sum);
    printf("%-26s n=%zu  p50=%.0f  p90=%.0f  p99=%.0f  max=%.0f  mean=%.0f  (min %.0f) ms\n", what, sum.n, sum.p50,
           sum.p90, sum.p99, sum.max, sum.mean, sum.min);
}

/* What fr_report counts over the items. */
typedef struct fr_tally {
    bench_samples lat, created, insert, lag; /* ms: commit -> readable, created_at -> readable,
                                              * send -> commit, plan -> send */
    size_t committed, failed, missing, at_cp;
    int64_t first, last; /* commit times, monotonic ns */
    int64_t last_seen;   /* when the last item became readable, monotonic ns */
    size_t hist[7];      /* commit -> readable, by fr_edges */
} fr_tally;

static const double fr_edges[7] = {100, 250, 500, 1000, 2000, 5000, 1e18};

/* Whether item it became readable inside a checkpoint's window: the sink's
 * flush before the barrier released it (committed before the trigger, seen
 * between the trigger and the ack plus one poll pass, p99_pass_ms). */
static int fr_at_checkpoint(const fr_run *run, const fr_item *it, double p99_pass_ms)
{
    for (size_t c = 0; c < run->ncps; c++) {
        int64_t trig = run->cps[c].trigger_ms * 1000, ack = run->cps[c].ack_ms * 1000;
        if (it->commit_wall_us < trig && it->seen_wall_us >= trig &&
            it->seen_wall_us <= ack + (int64_t)(p99_pass_ms * 1000) + 20000)
            return 1;
    }
    return 0;
}

/* Count every item into *t (initialised here; the caller frees its samples). */
static void fr_tally_items(const fr_run *run, double p99_pass_ms, fr_tally *t)
{
    *t = (fr_tally){.first = INT64_MAX};
    bench_samples_init(&t->lat);
    bench_samples_init(&t->created);
    bench_samples_init(&t->insert);
    bench_samples_init(&t->lag);
    for (size_t i = 0; i < run->total; i++) {
        const fr_item *it = &run->items[i];
        int st = atomic_load(&it->state);
        if (st == FR_FAILED || st == FR_EMPTY) {
            t->failed++;
            continue;
        }
        t->committed++;
        if (it->commit_ns < t->first)
            t->first = it->commit_ns;
        if (it->commit_ns > t->last)
            t->last = it->commit_ns;
        bench_samples_add(&t->insert, (double)(it->commit_ns - it->start_ns) / 1e6);
        bench_samples_add(&t->lag, (double)(it->start_ns - it->sched_ns) / 1e6);
        if (it->seen_ns == 0) {
            t->missing++;
            continue;
        }
        double ms = (double)(it->seen_ns - it->commit_ns) / 1e6;
        if (it->seen_ns > t->last_seen)
            t->last_seen = it->seen_ns;
        bench_samples_add(&t->lat, ms);
        bench_samples_add(&t->created, (double)(it->seen_wall_us - it->created_us) / 1e3);
        for (int b = 0; b < 7; b++)
            if (ms < fr_edges[b]) {
                t->hist[b]++;
                break;
            }
        if (fr_at_checkpoint(run, it, p99_pass_ms))
            t->at_cp++;
    }
}

/* p50 / p99 of commit -> readable for each 10 s of the run (commit time
 * in [first, last]): a backlog grows latency over the run; a flush policy
 * keeps it flat. */
static void fr_print_by_10s(const fr_run *run, int64_t first, int64_t last)
{
    printf("  p50 / p99 by 10 s of the run (commit time):");
    for (int64_t from = first; from <= last; from += 10000000000LL) {
        bench_samples b;
        bench_summary bs;
        bench_samples_init(&b);
        for (size_t i = 0; i < run->total; i++) {
            const fr_item *it = &run->items[i];
            if (it->seen_ns != 0 && it->commit_ns >= from && it->commit_ns < from + 10000000000LL)
                bench_samples_add(&b, (double)(it->seen_ns - it->commit_ns) / 1e6);
        }
        bench_summarize(&b, &bs);
        printf(" %.0f/%.0f", bs.p50, bs.p99);
        bench_samples_free(&b);
    }
    printf(" ms\n");
}

/* The job's feed rows/s while the load ran, against what the load asks
 * for and, given --ceiling-rows-s, against Cassandra's best.
 *
 * Measured here: every activity of the run is delivered (rows = activities
 * x (followers + 2): the followers' homes, the author's home and profile)
 * between the first commit and the moment the last one became readable,
 * so rows / that time is the rate the job sustained (at least: it may have
 * been done a poll pass earlier). When the job keeps up that is the
 * load's own rate; when it falls behind, the job's.
 *
 * Not Flink's counter of acknowledged rows: read through the REST API at
 * the steady phase's two ends it gave the same value in every run on
 * 2026-12-07. The JobManager refreshes its metric store only when asked
 * (at most every 10 s) and answers the asking request from the store as
 * it was, so a read after a long silence returns the value fetched after
 * the previous read. The bench measures what it can see instead. */
static void fr_print_job_rate(const fr_run *run, const fr_tally *t)
{
    double secs, rows, rate, demand, per = run->o.followers + 2;

    demand = run->o.rate * per;
    if (t->committed == 0 || t->missing > 0 || t->last_seen <= t->first) {
        printf("job rows/s: not measured (items are missing)\n");
        return;
    }
    secs = (double)(t->last_seen - t->first) / 1e9;
    rows = (double)t->committed * per;
    rate = rows / secs;
    printf("job: %.0f feed rows (%zu activities x %.0f) delivered between the first commit and the last item "
           "readable, %.1f s = %.0f rows/s (the load asks %.0f rows/s: %.2f of it)",
           rows, t->committed, per, secs, rate, demand, rate / demand);
    if (run->o.ceiling_rows_s > 0)
        printf("; Cassandra's ceiling %.0f rows/s: ratio %.3f", run->o.ceiling_rows_s, rate / run->o.ceiling_rows_s);
    printf("\n");
    if (run->o.ceiling_rows_s > 0)
        printf("FIGURE freshness.job_rows_ratio %.3f x\n", rate / run->o.ceiling_rows_s);
}

static void fr_report(fr_run *run)
{
    fr_tally t;
    bench_summary lsum, psum;
    char state[128];

    bench_summarize(&run->pass_ms, &psum);
    fr_tally_items(run, psum.p99, &t);
    bench_machine_state(state, sizeof state);
    printf("\nsteady load: target %.0f/s for %.0f s; %zu committed (%zu failed) in %.2f s = %.1f/s achieved\n",
           run->o.rate, run->o.duration, t.committed, t.failed, (double)(t.last - t.first) / 1e9,
           t.last > t.first ? (double)(t.committed - 1) / ((double)(t.last - t.first) / 1e9) : 0.0);
    fr_print_summary("insert (send -> commit)", &t.insert);
    fr_print_summary("schedule lag (plan -> send)", &t.lag);
    printf("readable = present in Cassandra feed.home_feed of a follower of the actor (one of %d observer users,\n"
           "  each following ~%d authors); the API reads Cassandra past its Redis head, so this is when the API can\n"
           "  serve it. Latency = first poll answer holding the row - client time right after COMMIT returned.\n",
           run->o.observers, run->o.authors / run->o.observers);
    fr_print_summary("commit -> readable", &t.lat);
    fr_print_summary("created_at -> readable", &t.created);
    printf("  histogram: <100 ms %zu | <250 %zu | <500 %zu | <1 s %zu | <2 s %zu | <5 s %zu | >=5 s %zu\n", t.hist[0],
           t.hist[1], t.hist[2], t.hist[3], t.hist[4], t.hist[5], t.hist[6]);
    printf("  not readable %.0f s after the last commit: %zu\n", run->o.drain_timeout, t.missing);
    fr_print_by_10s(run, t.first, t.last);
    printf("poll resolution: a pass over the observers every %d ms at most; a pass took p50 %.1f ms, p99 %.1f ms, "
           "max %.1f ms; %zu range queries (%.0f/s)\n",
           run->o.poll_ms, psum.p50, psum.p99, psum.max, run->queries,
           (double)run->queries / ((double)(bench_mono_ns() - run->t0_ns) / 1e9));
    if (run->ncps > 1)
        printf("checkpoints seen: %zu, every %.1f s on average; items made readable inside a checkpoint's window: %zu "
               "(%.0f%%)\n",
               run->ncps,
               (double)(run->cps[run->ncps - 1].trigger_ms - run->cps[0].trigger_ms) / 1e3 / (double)(run->ncps - 1),
               t.at_cp, t.lat.n ? 100.0 * (double)t.at_cp / (double)t.lat.n : 0.0);
    fr_print_job_rate(run, &t);
    bench_summarize(&t.lat, &lsum);
    printf("goal p99 < 1000 ms at %.0f/s with %.0f followers on average: %s (p99 %.0f ms); machine at the end: %s\n",
           run->o.rate, run->o.followers, lsum.n > 0 && t.missing == 0 && lsum.p99 < 1000 ? "MET" : "MISSED", lsum.p99,
           state);
    /* for bench-report (bench_report.h) */
    printf("FIGURE freshness.rate %.0f activities/s\n", run->o.rate);
    if (lsum.n > 0)
        printf("FIGURE freshness.p50_ms %.1f ms\nFIGURE freshness.p99_ms %.1f ms\n", lsum.p50, lsum.p99);
    printf("FIGURE freshness.missing %zu items\n", t.missing);
    bench_samples_free(&t.lat);
    bench_samples_free(&t.created);
    bench_samples_free(&t.insert);
    bench_samples_free(&t.lag);
}

/* The steady phase: the REST thread and the writers run while this thread
 * polls; returns once all have stopped. */
static void fr_steady(fr_run *run, cql_conn *cql)
{
    fr_writer *writers;
    pthread_t *wt, rest, hot;

    run->total = (size_t)(run->o.rate * run->o.duration);
    run->items = calloc(run->total, sizeof *run->items);
    writers = calloc((size_t)run->o.writers, sizeof *writers);
    wt = calloc((size_t)run->o.writers, sizeof *wt);
    if (run->items == NULL || writers == NULL || wt == NULL)
        bench_fail("out of memory");
    atomic_store(&run->writers_left, run->o.writers);
    run->t0_ns = bench_mono_ns() + 100000000;
    if (pthread_create(&rest, NULL, fr_rest_main, run) != 0)
        bench_fail("pthread_create");
    for (int i = 0; i < run->o.writers; i++) {
        writers[i] = (fr_writer){run, i};
        if (pthread_create(&wt[i], NULL, fr_writer_main, &writers[i]) != 0)
            bench_fail("pthread_create");
    }
    if (run->o.hot_followers > 0 && pthread_create(&hot, NULL, fr_hot_main, run) != 0)
        bench_fail("pthread_create");
    printf("steady phase: %zu activities at %.0f/s over %d connections ...\n", run->total, run->o.rate, run->o.writers);
    fflush(stdout);
    fr_poll(run, cql);
    for (int i = 0; i < run->o.writers; i++)
        pthread_join(wt[i], NULL);
    if (run->o.hot_followers > 0) {
        pthread_join(hot, NULL);
        printf("hot account: %zu posts (%zu failed) by an account with %zu followers during the steady phase\n",
               atomic_load(&run->hot_posts), atomic_load(&run->hot_failed), run->o.hot_followers);
    }
    atomic_store(&run->stop_rest, 1);
    pthread_join(rest, NULL);
    free(writers);
    free(wt);
}

int main(int argc, char **argv)
{
    static fr_run run;
    PGconn *pg;
    cql_conn cql;
    char err[1024];

    fr_parse(argc, argv, &run.o);
    bench_print_header("bench-freshness", argc, argv);
    if (bench_env_load(&run.env) != 0)
        bench_fail("bad addresses in the environment");
    run.start_wall_ms = bench_wall_us() / 1000;
    bench_run_prefix(run.prefix);
    printf("run prefix: %s (handles %s_a*, %s_r*, %s_o*)\n", run.prefix, run.prefix, run.prefix, run.prefix);
    pthread_mutex_init(&run.ring_lock, NULL);
    bench_samples_init(&run.pass_ms);
    if (bench_flink_find(&run.flink, &run.env.flink) != 0)
        bench_fail("flink: %s", run.flink.err);
    pg = bench_pg_connect(run.env.pg_conninfo, err, sizeof err);
    if (pg == NULL)
        bench_fail("%s", err);
    if (bench_cql_open(&cql, &run.env.cassandra) != 0)
        bench_fail("cassandra %s:%d: %s", run.env.cassandra.host, run.env.cassandra.port, cql.err.msg);

    fr_setup_graph(&run, pg);
    if (run.o.hot_followers > 0)
        fr_setup_hot(&run, pg);
    fr_wait_graph(&run, &cql);
    /* a hot account's follows each deliver a row (the follow itself, into
     * the follower's own home): quiet means they are in */
    if (run.o.hot_followers > 0)
        bench_flink_wait_quiet(&run.flink, 5000, 900000);
    else
        bench_flink_wait_quiet(&run.flink, 1500, 60000);
    fr_steady(&run, &cql);
    fr_report(&run);
    bench_flink_print_job_check(&run.flink, run.start_wall_ms);

    cql_conn_close(&cql);
    PQfinish(pg);
    free(run.items);
    free(run.author_ids);
    free(run.reader_ids);
    free(run.observer_ids);
    bench_samples_free(&run.pass_ms);
    return 0;
}
