/* bench-datagen: a realistic social graph, loaded into PostgreSQL by COPY.
 *
 * 1. Generate (bench_datagen.h): users, follows with power-law follower
 *    counts, posts, comments and likes, some of each marked undone; print
 *    its shape and a checksum (the same for the same options and seed).
 * 2. Load: ids are explicit (a block reserved in each table's identity
 *    sequence, so later INSERTs get others), rows in time order, COPY in
 *    batches of --batch rows, tables in foreign-key order: users, follows,
 *    posts, comments, likes. PostgreSQL checks a foreign key with one
 *    query per row (an RI trigger) and inserts into every index row by
 *    row, which made COPY 2-3x slower here; so by default all batches are
 *    one transaction that drops the five tables' foreign keys and their
 *    indexes that back no constraint, and puts them back (definitions
 *    read from the catalog) before COMMIT: ADD CONSTRAINT validates the
 *    whole table in one join, CREATE INDEX sorts once. Primary keys,
 *    unique and CHECK constraints stay in place and check every row.
 *    Nothing is committed unless every row passes, and the tables are
 *    locked (ACCESS EXCLUSIVE) until COMMIT: meant for a database being
 *    set up for a benchmark. --per-batch commits each batch into the
 *    tables as they are, for a database in use or a small addition to a
 *    big one (the rebuild costs as much as the tables are big).
 * 3. Undo. Undoing an activity deletes its row (docs/DATA-MODEL.md), so
 *    the final state alone does not show an undo to change capture. By
 *    default every row is inserted and the undone ones are then deleted
 *    (likes, comments, posts, follows; a deleted post takes its comments
 *    and likes with it), so a running pipeline sees the inserts and the
 *    deletes. --final-only loads only the rows that survive: the same
 *    final state, faster, with no deletes for the pipeline.
 * 4. ANALYZE the five tables, so query plans see the new sizes.
 * Prints the time and rows/s of each step and the load average at start
 * and end: figures of a loaded machine are rough.
 */
#include <errno.h>
#include <getopt.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/bench_datagen.h"
#include "bench/bench_env.h"
#include "bench/bench_pg.h"

typedef struct dg_opts {
    bench_dg_config cfg;
    int final_only, truncate, dry_run, per_batch;
    size_t batch;
    size_t job_hot_from; /* the job's --hot-followers, for the printed hybrid fan-out only */
    int64_t end;
    char prefix[24];
} dg_opts;

static void dg_usage(FILE *out)
{
    fprintf(out, "usage: bench-datagen [options]\n"
                 "Generate a social graph (users, follows, posts, comments, likes) and load it into\n"
                 "PostgreSQL (FEED_PG_DSN, or FEED_PG_PORT as feedctl) with COPY. Same options and seed,\n"
                 "same graph (the printed checksum). See bench/README.md.\n"
                 "\n"
                 "Sizes\n"
                 "  --users N           users (100000)\n"
                 "  --follows N         FOLLOW rows, unfollowed ones included (20 per user: 2000000)\n"
                 "  --activities N      SHARD + COMMENT + LIKE rows, undone ones included\n"
                 "                      (10 per user: 1000000)\n"
                 "  --mix P:C:L         shares of posts, comments and likes in the activities (20:20:60)\n"
                 "Shape\n"
                 "  --hot N             top accounts with pinned follower counts (3)\n"
                 "  --hot-followers N   followers of the top account; hot account k gets N/k\n"
                 "                      (half the users: 50000)\n"
                 "  --zipf S            exponent of the other accounts' follower counts, 0 = all equal (0.7)\n"
                 "  --undo F:P:C:L      fraction undone: unfollows, deleted posts, deleted comments,\n"
                 "                      unlikes (0.05:0.01:0.02:0.03)\n"
                 "  --days N            created_at spread over the N days before --end (30)\n"
                 "  --end T             end of that window, Unix seconds (now)\n"
                 "  --seed N            random seed (1)\n"
                 "  --job-hot-from N    the job's --hot-followers, for the printed fan-out only: the\n"
                 "                      rows copied when accounts with N followers or more are merged\n"
                 "                      at read time (1000, the job's default)\n"
                 "Load\n"
                 "  --final-only        load only the rows that survive the undos (no DELETEs); by default\n"
                 "                      every row is inserted and the undone ones deleted afterwards, so\n"
                 "                      change capture sees the undos\n"
                 "  --prefix P          handles are P_<index>: [a-z0-9_], 1-20 characters (g)\n"
                 "  --batch N           rows per COPY (50000)\n"
                 "  --per-batch         each COPY its own transaction, into the tables as they are (foreign\n"
                 "                      keys checked row by row, every index updated; 2-3x slower here);\n"
                 "                      by default all COPYs are one transaction that drops the five\n"
                 "                      tables' foreign keys and secondary indexes and puts them back\n"
                 "                      (checked once, over the whole load) before COMMIT: all or\n"
                 "                      nothing, and the tables are locked until then\n"
                 "  --truncate          empty users, follows, posts, comments and likes first\n"
                 "                      (TRUNCATE ... RESTART IDENTITY CASCADE)\n"
                 "  --dry-run           generate and print the shape and checksum only; no database\n"
                 "  -h, --help          this text\n");
}

static void dg_bad(const char *opt, const char *want, const char *got)
{
    fprintf(stderr, "bench-datagen: --%s: expected %s, got '%s' (see --help)\n", opt, want, got);
    exit(2);
}

static uint64_t dg_whole(const char *opt, const char *s, uint64_t min, uint64_t max)
{
    char *end, want[96];
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[strspn(s, " ")] == '-' || v < min || v > max) {
        snprintf(want, sizeof want, "a whole number in [%llu, %llu]", (unsigned long long)min, (unsigned long long)max);
        dg_bad(opt, want, s);
    }
    return v;
}

static double dg_real(const char *opt, const char *s, double min, double max)
{
    char *end, want[96];
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= min && v <= max)) {
        snprintf(want, sizeof want, "a number in [%g, %g]", min, max);
        dg_bad(opt, want, s);
    }
    return v;
}

/* n numbers separated by ':' into out[0..n). */
static void dg_list(const char *opt, const char *s, int n, double max, double *out)
{
    char buf[128], *save = NULL, *tok, want[96];
    int i = 0;

    snprintf(want, sizeof want, "%d numbers in [0, %g] separated by ':'", n, max);
    if (strlen(s) >= sizeof buf)
        dg_bad(opt, want, s);
    strcpy(buf, s);
    for (tok = strtok_r(buf, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
        char *end;
        errno = 0;
        if (i == n || (out[i] = strtod(tok, &end), errno != 0 || end == tok || *end != '\0') ||
            !(out[i] >= 0 && out[i] <= max))
            dg_bad(opt, want, s);
        i++;
    }
    if (i != n)
        dg_bad(opt, want, s);
}

static void dg_parse(int argc, char **argv, dg_opts *o)
{
    static const struct option longs[] = {
        {"users", 1, 0, 'u'},      {"follows", 1, 0, 'f'},       {"activities", 1, 0, 'a'}, {"mix", 1, 0, 'm'},
        {"hot", 1, 0, 'H'},        {"hot-followers", 1, 0, 'F'}, {"zipf", 1, 0, 'z'},       {"undo", 1, 0, 'U'},
        {"days", 1, 0, 'd'},       {"end", 1, 0, 'e'},           {"seed", 1, 0, 's'},       {"job-hot-from", 1, 0, 'J'},
        {"final-only", 0, 0, 'o'}, {"prefix", 1, 0, 'p'},        {"batch", 1, 0, 'b'},      {"truncate", 0, 0, 'T'},
        {"dry-run", 0, 0, 'n'},    {"per-batch", 0, 0, 'P'},     {"help", 0, 0, 'h'},       {0, 0, 0, 0}};
    double mix[3];
    int ch, follows_set = 0, activities_set = 0, hot_set = 0;

    *o = (dg_opts){.batch = 50000, .job_hot_from = BENCH_JOB_HOT_FOLLOWERS, .end = (int64_t)time(NULL), .prefix = "g"};
    bench_dg_defaults(&o->cfg);
    while ((ch = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        const char *name = ch == '?' ? "" : NULL;
        for (const struct option *l = longs; name == NULL && l->name != NULL; l++)
            if (l->val == ch)
                name = l->name;
        switch (ch) {
        case 'u': o->cfg.users = dg_whole(name, optarg, 2, UINT32_MAX); break;
        case 'f': o->cfg.follows = dg_whole(name, optarg, 0, UINT32_MAX), follows_set = 1; break;
        case 'a': o->cfg.activities = dg_whole(name, optarg, 0, UINT32_MAX), activities_set = 1; break;
        case 'm':
            dg_list(name, optarg, 3, 1000000, mix);
            for (int i = 0; i < 3; i++)
                o->cfg.mix[i] = (unsigned)mix[i];
            break;
        case 'H': o->cfg.hot = dg_whole(name, optarg, 0, UINT32_MAX); break;
        case 'F': o->cfg.hot_followers = dg_whole(name, optarg, 0, UINT32_MAX), hot_set = 1; break;
        case 'z': o->cfg.zipf = dg_real(name, optarg, 0, 10); break;
        case 'U': dg_list(name, optarg, BENCH_DG_VERBS, 1, o->cfg.undo); break;
        case 'd': o->cfg.window_s = (uint32_t)(86400 * dg_real(name, optarg, 1.0 / 86400, 49000)); break;
        case 'e': o->end = (int64_t)dg_whole(name, optarg, 0, 253402300799); break; /* < year 10000 */
        case 's': o->cfg.seed = dg_whole(name, optarg, 0, UINT64_MAX); break;
        case 'J': o->job_hot_from = dg_whole(name, optarg, 1, UINT32_MAX); break;
        case 'o': o->final_only = 1; break;
        case 'p':
            if (strlen(optarg) < 1 || strlen(optarg) > 20 ||
                optarg[strspn(optarg, "abcdefghijklmnopqrstuvwxyz0123456789_")])
                dg_bad(name, "1-20 characters of [a-z0-9_]", optarg);
            strcpy(o->prefix, optarg);
            break;
        case 'b': o->batch = dg_whole(name, optarg, 1, 100000000); break;
        case 'T': o->truncate = 1; break;
        case 'P': o->per_batch = 1; break;
        case 'n': o->dry_run = 1; break;
        case 'h': dg_usage(stdout); exit(0);
        default: dg_usage(stderr); exit(2);
        }
    }
    /* sizes not given scale with --users, as the defaults do at 100k */
    if (!follows_set)
        o->cfg.follows = o->cfg.users * 20 > UINT32_MAX ? UINT32_MAX : o->cfg.users * 20;
    if (!activities_set)
        o->cfg.activities = o->cfg.users * 10 > UINT32_MAX ? UINT32_MAX : o->cfg.users * 10;
    if (!hot_set)
        o->cfg.hot_followers = o->cfg.users / 2;
    if (optind < argc) {
        fprintf(stderr, "bench-datagen: unexpected argument '%s' (see --help)\n", argv[optind]);
        exit(2);
    }
    if (o->end < (int64_t)o->cfg.window_s * 2) {
        fprintf(stderr, "bench-datagen: --end must be at least two windows (--days) after 1970: users are "
                        "created in the window before the activities' one\n");
        exit(2);
    }
}

/* --- the shape ------------------------------------------------------------- */

/* Home-feed rows the activities fan out to: each goes to its actor's
 * followers (docs/DATA-MODEL.md); undos and follow backfills aside. With
 * hot_from > 0, the job's hybrid: an actor with that many followers or
 * more is hot, merged at read time, and copies nothing (its final follower
 * count stands for the count at each activity). */
static size_t dg_copies(const bench_dg_graph *g, size_t actor, size_t hot_from)
{
    return hot_from > 0 && g->followers[actor] >= hot_from ? 0 : g->followers[actor];
}

static unsigned long long dg_fanout(const bench_dg_graph *g, size_t hot_from)
{
    unsigned long long n = 0;

    for (size_t i = 0; i < g->nfollows; i++)
        n += dg_copies(g, g->follows[i].follower, hot_from);
    for (size_t i = 0; i < g->nposts; i++)
        n += dg_copies(g, g->posts[i].author, hot_from);
    for (size_t i = 0; i < g->ncomments; i++)
        n += dg_copies(g, g->comments[i].user, hot_from);
    for (size_t i = 0; i < g->nlikes; i++)
        n += dg_copies(g, g->likes[i].user, hot_from);
    return n;
}

/* Accounts with at least min followers. */
static size_t dg_accounts_from(const bench_dg_graph *g, size_t min)
{
    size_t n = 0;

    for (size_t u = 0; u < g->nusers; u++)
        n += g->followers[u] >= min;
    return n;
}

static void dg_print_shape(const bench_dg_graph *g, size_t hot_from, uint64_t sum, double secs)
{
    size_t top = g->nusers < 5 ? g->nusers : 5;

    printf("generated in %.2f s, checksum %016llx\n", secs, (unsigned long long)sum);
    printf("  %zu users\n", g->nusers);
    printf("  %zu follows (%zu unfollowed)\n", g->nfollows, bench_dg_undone(g, BENCH_DG_FOLLOW));
    printf("  %zu posts (%zu deleted)\n", g->nposts, bench_dg_undone(g, BENCH_DG_POST));
    printf("  %zu comments (%zu deleted)\n", g->ncomments, bench_dg_undone(g, BENCH_DG_COMMENT));
    printf("  %zu likes (%zu unliked)\n", g->nlikes, bench_dg_undone(g, BENCH_DG_LIKE));
    printf("followers: top");
    for (size_t k = 0; k < top; k++)
        printf(" %zu", g->followers[g->by_rank[k]]);
    printf("; top 1%% >= %zu, top 10%% >= %zu, median %zu, mean %.1f, least %zu\n", bench_dg_followers_at(g, 10),
           bench_dg_followers_at(g, 100), bench_dg_followers_at(g, 500),
           g->nusers ? (double)g->nfollows / (double)g->nusers : 0.0, bench_dg_followers_at(g, 1000));
    printf("fan-out: %llu rows into followers' homes (each activity to its actor's followers; before undos, "
           "without follow backfills)\n",
           dg_fanout(g, 0));
    printf("fan-out with hot accounts (%zu followers or more: %zu accounts, merged at read time): %llu rows\n",
           hot_from, dg_accounts_from(g, hot_from), dg_fanout(g, hot_from));
    fflush(stdout);
}

/* --- loading ------------------------------------------------------------------ */

typedef struct dg_load {
    const dg_opts *o;
    const bench_dg_graph *g;
    PGconn *pg;
    int64_t start; /* the window's start, Unix seconds */
    int64_t base_user, base_follow, base_post, base_comment, base_like;
    int64_t cached_day;
    char day[16];
} dg_load;

/* "YYYY-MM-DD HH:MM:SS+00" for Unix time t; rows come in time order, so
 * the date part is cached. */
static void dg_ts(dg_load *L, int64_t t, char out[32])
{
    int64_t day = t / 86400, s = t % 86400;

    if (day != L->cached_day) {
        time_t at = (time_t)(day * 86400);
        struct tm tm;
        gmtime_r(&at, &tm);
        strftime(L->day, sizeof L->day, "%Y-%m-%d", &tm);
        L->cached_day = day;
    }
    snprintf(out, 32, "%s %02d:%02d:%02d+00", L->day, (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

/* A body of 20..199 characters, the same for the same (kind, index). */
static const char *dg_body(char *buf, size_t len, const char *kind, size_t i)
{
    static const char words[] = "the feed shows what the people you follow share and like and say about it, "
                                "newest first, one page at a time, as fast as a cache can serve it; ";
    uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
    int n = snprintf(buf, len, "%s %zu: ", kind, i);
    size_t want = 20 + (size_t)((h >> 33) % 180);

    for (size_t k = 0; (size_t)n < want && (size_t)n + 1 < len; k++)
        buf[n++] = words[(h + k) % (sizeof words - 1)];
    buf[n] = '\0';
    return buf;
}

/* Write row i of a table into t: 1 written, 0 left out (--final-only), -1 out of memory. */
typedef int (*dg_row_fn)(dg_load *L, bench_pg_text *t, size_t i);

static int dg_row_user(dg_load *L, bench_pg_text *t, size_t i)
{
    char ts[32];

    dg_ts(L, L->start - L->g->user_age[i], ts);
    return bench_pg_text_printf(t, "%lld\t%s_%zu\tUser %zu\t%s\n", (long long)(L->base_user + 1 + (int64_t)i),
                                L->o->prefix, i, i, ts) == 0
               ? 1
               : -1;
}

static int dg_row_follow(dg_load *L, bench_pg_text *t, size_t i)
{
    const bench_dg_follow *f = &L->g->follows[i];
    char ts[32];

    if (L->o->final_only && f->undone)
        return 0;
    dg_ts(L, L->start + f->t, ts);
    return bench_pg_text_printf(t, "%lld\t%lld\t%lld\t%s\n", (long long)(L->base_follow + 1 + (int64_t)i),
                                (long long)(L->base_user + 1 + f->follower),
                                (long long)(L->base_user + 1 + f->followee), ts) == 0
               ? 1
               : -1;
}

static int dg_row_post(dg_load *L, bench_pg_text *t, size_t i)
{
    const bench_dg_post *p = &L->g->posts[i];
    char ts[32], body[224];

    if (L->o->final_only && p->undone)
        return 0;
    dg_ts(L, L->start + p->t, ts);
    return bench_pg_text_printf(t, "%lld\t%lld\t%s\t%s\n", (long long)(L->base_post + 1 + (int64_t)i),
                                (long long)(L->base_user + 1 + p->author), dg_body(body, sizeof body, "post", i),
                                ts) == 0
               ? 1
               : -1;
}

static int dg_row_comment(dg_load *L, bench_pg_text *t, size_t i)
{
    const bench_dg_reply *c = &L->g->comments[i];
    const bench_dg_post *p = &L->g->posts[c->post];
    char ts[32], body[224];

    if (L->o->final_only && (c->undone || p->undone))
        return 0;
    dg_ts(L, L->start + c->t, ts);
    return bench_pg_text_printf(t, "%lld\t%lld\t%lld\t%lld\t%s\t%s\n", (long long)(L->base_comment + 1 + (int64_t)i),
                                (long long)(L->base_post + 1 + c->post), (long long)(L->base_user + 1 + p->author),
                                (long long)(L->base_user + 1 + c->user), dg_body(body, sizeof body, "comment", i),
                                ts) == 0
               ? 1
               : -1;
}

static int dg_row_like(dg_load *L, bench_pg_text *t, size_t i)
{
    const bench_dg_reply *l = &L->g->likes[i];
    const bench_dg_post *p = &L->g->posts[l->post];
    char ts[32];

    if (L->o->final_only && (l->undone || p->undone))
        return 0;
    dg_ts(L, L->start + l->t, ts);
    return bench_pg_text_printf(t, "%lld\t%lld\t%lld\t%lld\t%s\n", (long long)(L->base_like + 1 + (int64_t)i),
                                (long long)(L->base_user + 1 + l->user), (long long)(L->base_post + 1 + l->post),
                                (long long)(L->base_user + 1 + p->author), ts) == 0
               ? 1
               : -1;
}

static void dg_report(const char *step, size_t rows, int64_t t0)
{
    double s = (double)(bench_mono_ns() - t0) / 1e9;

    printf("  %-18s %10zu rows %8.2f s %10.0f rows/s\n", step, rows, s, s > 0 ? (double)rows / s : 0.0);
    fflush(stdout);
}

/* COPY rows 0..n of a table in batches of --batch rows written. */
static size_t dg_copy_table(dg_load *L, const char *name, const char *copy_sql, size_t n, dg_row_fn row)
{
    bench_pg_text t = {0};
    size_t rows = 0, in_batch = 0;
    int64_t t0 = bench_mono_ns();
    char err[1024];

    for (size_t i = 0; i <= n; i++) {
        if (in_batch > 0 && (i == n || in_batch == L->o->batch)) {
            if (bench_pg_copy_text(L->pg, copy_sql, t.p, t.len, err, sizeof err) != 0)
                bench_fail("%s (rows of %s up to %zu; was the database changed while loading?)", err, name, i);
            rows += in_batch;
            in_batch = 0;
            t.len = 0;
        }
        if (i == n)
            break;
        int w = row(L, &t, i);
        if (w < 0)
            bench_fail("out of memory formatting %s", name);
        in_batch += (size_t)w;
    }
    free(t.p);
    dg_report(name, rows, t0);
    return rows;
}

static void dg_reserve(dg_load *L)
{
    const bench_dg_graph *g = L->g;
    char err[1024];

    if (bench_pg_reserve_ids(L->pg, "users", g->nusers, &L->base_user, err, sizeof err) != 0 ||
        bench_pg_reserve_ids(L->pg, "follows", g->nfollows, &L->base_follow, err, sizeof err) != 0 ||
        bench_pg_reserve_ids(L->pg, "posts", g->nposts, &L->base_post, err, sizeof err) != 0 ||
        bench_pg_reserve_ids(L->pg, "comments", g->ncomments, &L->base_comment, err, sizeof err) != 0 ||
        bench_pg_reserve_ids(L->pg, "likes", g->nlikes, &L->base_like, err, sizeof err) != 0)
        bench_fail("%s", err);
}

/* The ids of the undone rows of one table, deleted in batches. */
static size_t dg_undo_table(dg_load *L, const char *name, size_t n, size_t stride, const uint8_t *undone, int64_t base)
{
    int64_t *ids = malloc((n ? n : 1) * sizeof *ids), t0 = bench_mono_ns();
    size_t k = 0;
    char err[1024], step[32];

    if (ids == NULL)
        bench_fail("out of memory");
    for (size_t i = 0; i < n; i++)
        if (undone[i * stride])
            ids[k++] = base + 1 + (int64_t)i;
    if (bench_pg_delete_ids(L->pg, name, ids, k, 10000, err, sizeof err) != 0)
        bench_fail("%s", err);
    free(ids);
    snprintf(step, sizeof step, "delete %s", name);
    dg_report(step, k, t0);
    return k;
}

/* What is dropped for the load and put back before COMMIT (see the top):
 * the five tables' foreign keys, and their indexes that back no
 * constraint (a CREATE INDEX sorts once; a COPY into an index inserts row
 * by row). Primary keys and unique constraints stay: they are the checks
 * the generator must pass. Definitions are read from the catalog, so a
 * changed schema is put back as it was. */
#define DG_MAX_DDL 64
typedef struct dg_ddl {
    int n, nfks;
    char *drop[DG_MAX_DDL], *add[DG_MAX_DDL];
} dg_ddl;

#define DG_TABLES "('{users,follows,posts,comments,likes}'::regclass[])"

static void dg_ddl_read(dg_load *L, dg_ddl *d, const char *sql, int is_fk)
{
    PGresult *res = PQexec(L->pg, sql);
    char err[1024];

    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        bench_fail("reading the schema: %s", PQresultErrorMessage(res));
    for (int i = 0; i < PQntuples(res); i++) {
        if (d->n == DG_MAX_DDL)
            bench_fail("more than %d foreign keys and indexes on the five tables", DG_MAX_DDL);
        d->drop[d->n] = strdup(PQgetvalue(res, i, 0));
        d->add[d->n] = strdup(PQgetvalue(res, i, 1));
        if (d->drop[d->n] == NULL || d->add[d->n] == NULL)
            bench_fail("out of memory");
        if (bench_pg_exec(L->pg, d->drop[d->n], err, sizeof err) != 0)
            bench_fail("%s", err);
        d->n++;
        d->nfks += is_fk;
    }
    PQclear(res);
}

/* Drop the foreign keys, then the indexes (a DROP and an ADD statement each). */
static void dg_ddl_drop(dg_load *L, dg_ddl *d)
{
    dg_ddl_read(L, d,
                "SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', c.relname, k.conname), "
                "format('ALTER TABLE %I ADD CONSTRAINT %I %s', c.relname, k.conname, pg_get_constraintdef(k.oid)) "
                "FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "WHERE k.contype = 'f' AND k.conrelid = ANY " DG_TABLES " ORDER BY 1",
                1);
    dg_ddl_read(L, d,
                "SELECT format('DROP INDEX %I.%I', n.nspname, i.relname), pg_get_indexdef(x.indexrelid) "
                "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_namespace n ON n.oid = i.relnamespace "
                "WHERE x.indrelid = ANY " DG_TABLES " AND NOT EXISTS (SELECT 1 FROM pg_constraint k "
                "WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY 1",
                0);
}

/* Put back in reverse: the indexes, then the foreign keys (validated here). */
static void dg_ddl_add(dg_load *L, dg_ddl *d)
{
    int64_t t0 = bench_mono_ns(), t1 = t0;
    char err[1024];

    for (int i = d->n; i-- > 0;) {
        if (bench_pg_exec(L->pg, d->add[i], err, sizeof err) != 0)
            bench_fail("%s (the load is rolled back)", err);
        if (i == d->nfks)
            t1 = bench_mono_ns();
        free(d->drop[i]);
        free(d->add[i]);
    }
    printf("  %-18s %10d     %8.2f s\n", "create indexes", d->n - d->nfks, (double)(t1 - t0) / 1e9);
    printf("  %-18s %10d     %8.2f s\n", "add foreign keys", d->nfks, (double)(bench_mono_ns() - t1) / 1e9);
}

static void dg_prepare(dg_load *L)
{
    char err[1024], sql[160];
    PGresult *res;

    if (L->o->truncate) {
        if (bench_pg_exec(L->pg, "TRUNCATE users, follows, posts, comments, likes RESTART IDENTITY CASCADE", err,
                          sizeof err) != 0)
            bench_fail("%s", err);
        printf("  truncated users, follows, posts, comments, likes\n");
    }
    snprintf(sql, sizeof sql, "SELECT handle FROM users WHERE starts_with(handle, '%s_') LIMIT 1", L->o->prefix);
    res = PQexec(L->pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK)
        bench_fail("%s: %s", sql, PQresultErrorMessage(res));
    if (PQntuples(res) > 0)
        bench_fail("users with handles %s_* exist already (e.g. %s): choose another --prefix, or --truncate",
                   L->o->prefix, PQgetvalue(res, 0, 0));
    PQclear(res);
}

static void dg_load_all(const dg_opts *o, const bench_dg_graph *g)
{
    dg_load L = {.o = o, .g = g, .start = o->end - (int64_t)o->cfg.window_s, .cached_day = -1};
    bench_env env;
    dg_ddl ddl = {0};
    size_t total = 0;
    int64_t t0;
    char err[1024], state[128];

    if (bench_env_load(&env) != 0)
        exit(2);
    if ((L.pg = bench_pg_connect(env.pg_conninfo, err, sizeof err)) == NULL)
        bench_fail("%s", err);
    bench_machine_state(state, sizeof state);
    printf("loading (%s; %s) at %s\n", o->final_only ? "final state only" : "insert all, then delete the undone",
           o->per_batch ? "a transaction per batch" : "one transaction, keys and indexes put back at the end", state);
    dg_prepare(&L);
    t0 = bench_mono_ns();
    dg_reserve(&L);
    if (!o->per_batch) {
        if (bench_pg_exec(L.pg, "BEGIN", err, sizeof err) != 0)
            bench_fail("%s", err);
        dg_ddl_drop(&L, &ddl);
    }
    total += dg_copy_table(&L, "users", "COPY users (id, handle, display_name, created_at) FROM STDIN", g->nusers,
                           dg_row_user);
    total += dg_copy_table(&L, "follows", "COPY follows (id, follower_id, followee_id, created_at) FROM STDIN",
                           g->nfollows, dg_row_follow);
    total +=
        dg_copy_table(&L, "posts", "COPY posts (id, author_id, body, created_at) FROM STDIN", g->nposts, dg_row_post);
    total += dg_copy_table(&L, "comments",
                           "COPY comments (id, post_id, post_author_id, author_id, body, created_at) FROM STDIN",
                           g->ncomments, dg_row_comment);
    total += dg_copy_table(&L, "likes", "COPY likes (id, user_id, post_id, post_author_id, created_at) FROM STDIN",
                           g->nlikes, dg_row_like);
    if (!o->per_batch) {
        dg_ddl_add(&L, &ddl);
        if (bench_pg_exec(L.pg, "COMMIT", err, sizeof err) != 0)
            bench_fail("%s", err);
    }
    dg_report("all COPY", total, t0);
    if (!o->final_only) {
        int64_t t1 = bench_mono_ns();
        size_t del = 0;
        del += dg_undo_table(&L, "likes", g->nlikes, sizeof *g->likes, &g->likes->undone, L.base_like);
        del += dg_undo_table(&L, "comments", g->ncomments, sizeof *g->comments, &g->comments->undone, L.base_comment);
        del += dg_undo_table(&L, "posts", g->nposts, sizeof *g->posts, &g->posts->undone, L.base_post);
        del += dg_undo_table(&L, "follows", g->nfollows, sizeof *g->follows, &g->follows->undone, L.base_follow);
        dg_report("all deletes", del, t1);
    }
    int64_t t2 = bench_mono_ns();
    if (bench_pg_exec(L.pg, "ANALYZE users, follows, posts, comments, likes", err, sizeof err) != 0)
        bench_fail("%s", err);
    dg_report("analyze", 0, t2);
    double load_s = (double)(bench_mono_ns() - t0) / 1e9;
    printf("loaded in %.2f s; ids: users %lld.., follows %lld.., posts %lld.., comments %lld.., likes %lld..\n", load_s,
           (long long)L.base_user + 1, (long long)L.base_follow + 1, (long long)L.base_post + 1,
           (long long)L.base_comment + 1, (long long)L.base_like + 1);
    printf("top accounts (id followers):");
    for (size_t k = 0; k < g->nusers && k < 5; k++)
        printf("%s %lld %zu", k ? "," : "", (long long)(L.base_user + 1 + g->by_rank[k]), g->followers[g->by_rank[k]]);
    printf("\n");
    bench_machine_state(state, sizeof state);
    printf("end: %s\n", state);
    /* for bench-report (bench_report.h): the whole load, COPY to ANALYZE */
    printf("FIGURE data.users %zu users\nFIGURE data.follows %zu follows\nFIGURE data.activities %zu activities\n",
           g->nusers, g->nfollows, g->nposts + g->ncomments + g->nlikes);
    printf("FIGURE load.rows %zu rows\nFIGURE load.seconds %.2f s\nFIGURE load.rows_per_s %.0f rows/s\n", total, load_s,
           load_s > 0 ? (double)total / load_s : 0.0);
    PQfinish(L.pg);
}

int main(int argc, char **argv)
{
    dg_opts o;
    bench_dg_graph g;
    char err[512];
    int64_t t0;

    dg_parse(argc, argv, &o);
    bench_print_header("bench-datagen", argc, argv);
    t0 = bench_mono_ns();
    if (bench_dg_generate(&o.cfg, &g, err, sizeof err) != 0)
        bench_fail("%s", err);
    dg_print_shape(&g, o.job_hot_from, bench_dg_checksum(&g), (double)(bench_mono_ns() - t0) / 1e9);
    if (!o.dry_run)
        dg_load_all(&o, &g);
    bench_dg_free(&g);
    return 0;
}
