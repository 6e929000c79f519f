/* bench-home-merge: the home read through the API when the reader follows
 * 0, 10 and 50 hot accounts (merged at read time, docs/DATA-MODEL.md "Hot
 * accounts"), against the plain read (0: everything copied), same run.
 *
 * Set-up, all by COPY into PostgreSQL, through the real pipeline:
 *  - 50 hot authors, each followed by a crowd of --hot readers (the job's
 *    hot threshold: they turn hot), and 50 cold authors;
 *  - one reader per size k: follows the first k hot authors and 50 - k
 *    cold ones, so every reader has 50 followees with the same posts;
 *  - every author posts --posts items (after the follows: the hot ones'
 *    are copied nowhere, the cold ones' into the readers' homes).
 * Then per reader: wrk (closed loop, --connections, --duration) on GET
 * /v1/users/<reader>/home?limit=20 with the reader's token (minted from
 * the stack's secret, bench_token.h): pages/s, p50, p99, and p99 as a
 * ratio to the plain read's. The first page is read once before wrk, so
 * both the merge sources and the heads are cached (the steady state).
 *
 * The first page carries the unseen counts after the reader's home marker
 * (api/README.md "Unseen counts"). --marker top (the default) marks the
 * home seen up to its newest item first, as a client that shows the feed
 * does: the page reaches the marker and the counts cost the marker's
 * lookup alone. --marker none leaves it unmarked: every first page then
 * also counts the whole served home in Cassandra.
 */
#include <getopt.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bench/bench_env.h"
#include "bench/bench_flink.h"
#include "bench/bench_pg.h"
#include "bench/bench_token.h"
#include "tools/chaos/api_client.h"

#define MERGE_AUTHORS 50
#define MERGE_MAX_SIZES 8

typedef struct merge_opts {
    size_t hot;
    int posts, connections, duration_s, threads, nsizes;
    int marker_top; /* --marker top: 1, none: 0 */
    int sizes[MERGE_MAX_SIZES];
} merge_opts;

static void merge_usage(FILE *out)
{
    fprintf(out, "usage: bench-home-merge [options]   (needs wrk, and the running stack)\n"
                 "  --hot N          followers that make an account hot: the job's --hot-followers\n"
                 "                   (default: $FEED_JOB_HOT_FOLLOWERS, else the job's default 1000)\n"
                 "  --sizes LIST     hot followees of the readers, comma-separated (0,10,50; at most 50)\n"
                 "  --posts N        posts per author (20)\n"
                 "  --connections N  wrk connections (16)\n"
                 "  --threads N      wrk threads (2)\n"
                 "  --duration S     seconds of wrk per reader (10)\n"
                 "  --marker top|none  mark each reader's home seen up to its newest item before wrk\n"
                 "                   (top, a client that shows the feed), or leave it unmarked (top)\n");
}

static void merge_parse(int argc, char **argv, merge_opts *o)
{
    static const struct option longs[] = {{"hot", 1, 0, 'H'},         {"sizes", 1, 0, 'S'},   {"posts", 1, 0, 'p'},
                                          {"connections", 1, 0, 'c'}, {"threads", 1, 0, 't'}, {"duration", 1, 0, 'd'},
                                          {"marker", 1, 0, 'm'},      {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
    const char *env = getenv("FEED_JOB_HOT_FOLLOWERS"), *list = "0,10,50";
    int c;

    o->hot = env != NULL && env[0] ? (size_t)strtoull(env, NULL, 10) : 1000;
    o->posts = 20;
    o->connections = 16;
    o->threads = 2;
    o->duration_s = 10;
    o->marker_top = 1;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'H': o->hot = (size_t)strtoull(optarg, NULL, 10); break;
        case 'S': list = optarg; break;
        case 'p': o->posts = atoi(optarg); break;
        case 'c': o->connections = atoi(optarg); break;
        case 't': o->threads = atoi(optarg); break;
        case 'd': o->duration_s = atoi(optarg); break;
        case 'm':
            if (strcmp(optarg, "top") != 0 && strcmp(optarg, "none") != 0)
                bench_fail("--marker: top or none, not '%s'", optarg);
            o->marker_top = strcmp(optarg, "top") == 0;
            break;
        case 'h': merge_usage(stdout); exit(0);
        default: merge_usage(stderr); exit(2);
        }
    }
    for (const char *p = list; *p != '\0' && o->nsizes < MERGE_MAX_SIZES;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p || v < 0 || v > MERGE_AUTHORS || (*end != ',' && *end != '\0'))
            bench_fail("--sizes: counts 0..%d, comma-separated, not '%s'", MERGE_AUTHORS, list);
        o->sizes[o->nsizes++] = (int)v;
        p = *end == ',' ? end + 1 : end;
    }
    if (o->hot < 1 || o->posts < 1 || o->connections < 1 || o->threads < 1 || o->duration_s < 1 || o->nsizes == 0)
        bench_fail("bad options (see --help)");
}

/* wrk's figures: Requests/sec and the 50% and 99% latencies (ms). */
typedef struct wrk_result {
    double rps, p50_ms, p99_ms;
    long non2xx;
} wrk_result;

static double wrk_ms(const char *s)
{
    char *end;
    double v = strtod(s, &end);

    if (strncmp(end, "us", 2) == 0)
        return v / 1000.0;
    if (strncmp(end, "ms", 2) == 0)
        return v;
    if (strncmp(end, "s", 1) == 0)
        return v * 1000.0;
    return -1;
}

static void wrk_run(const merge_opts *o, const char *url, const char *token, wrk_result *res)
{
    char cmd[2048], line[512];
    FILE *p;

    memset(res, 0, sizeof *res);
    res->p50_ms = res->p99_ms = -1;
    snprintf(cmd, sizeof cmd, "wrk -t%d -c%d -d%ds --latency -H 'Authorization: Bearer %s' '%s' 2>&1", o->threads,
             o->connections, o->duration_s, token, url);
    if ((p = popen(cmd, "r")) == NULL)
        bench_fail("cannot run wrk");
    while (fgets(line, sizeof line, p) != NULL) {
        char *s = line;
        while (*s == ' ')
            s++;
        if (strncmp(s, "Requests/sec:", 13) == 0)
            res->rps = strtod(s + 13, NULL);
        else if (strncmp(s, "50%", 3) == 0)
            res->p50_ms = wrk_ms(s + 3 + strspn(s + 3, " "));
        else if (strncmp(s, "99%", 3) == 0)
            res->p99_ms = wrk_ms(s + 3 + strspn(s + 3, " "));
        else if (strncmp(s, "Non-2xx", 7) == 0)
            res->non2xx = strtol(strchr(s, ':') ? strchr(s, ':') + 1 : s, NULL, 10);
    }
    if (pclose(p) != 0 || res->rps <= 0 || res->p99_ms < 0)
        bench_fail("wrk failed or printed no figures (is wrk installed? make install does)");
}

/* Read the reader's home through the API until it holds want items (all
 * pages), so every part is in the stores and cached. */
static void merge_wait_home(hc_conn *api, int64_t reader, const char *token, int want)
{
    int64_t deadline = bench_mono_ns() + (int64_t)300e9;
    char path[512], what[256];

    for (;;) {
        int n = 0;
        char *cursor = NULL;
        do {
            ac_result res;
            json_t *next;
            snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=100%s%s", reader, cursor ? "&cursor=" : "",
                     cursor ? cursor : "");
            ac_call(api, "GET", path, token, NULL, NULL, &res);
            if (res.status != 200)
                bench_fail("GET %s: %s (%s)", path, ac_describe(&res, what, sizeof what), res.detail);
            n += (int)json_array_size(json_object_get(res.json, "items"));
            next = json_object_get(res.json, "next_cursor");
            free(cursor);
            cursor = json_is_string(next) ? strdup(json_string_value(next)) : NULL;
            ac_result_free(&res);
        } while (cursor != NULL);
        if (n >= want)
            return;
        if (bench_mono_ns() > deadline)
            bench_fail("reader %" PRId64 ": %d of %d items in its home after 300 s", reader, n, want);
        usleep(200000);
    }
}

/* Mark reader's home seen up to its newest item (--marker top). */
static void merge_mark_top(hc_conn *api, int64_t reader, const char *token)
{
    char path[128], what[256];
    ac_result res;
    json_t *next, *body;

    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=1", reader);
    ac_call(api, "GET", path, token, NULL, NULL, &res);
    next = res.status == 200 ? json_object_get(res.json, "next_cursor") : NULL;
    if (!json_is_string(next))
        bench_fail("GET %s: %s, no next_cursor to mark", path, ac_describe(&res, what, sizeof what));
    body = json_pack("{s:s}", "cursor", json_string_value(next));
    ac_result_free(&res);
    snprintf(path, sizeof path, "/v1/users/%" PRId64 "/markers/home", reader);
    ac_call(api, "PUT", path, token, NULL, body, &res);
    json_decref(body);
    if (res.status != 200)
        bench_fail("PUT %s: %s (%s)", path, ac_describe(&res, what, sizeof what), res.detail);
    ac_result_free(&res);
}

int main(int argc, char **argv)
{
    merge_opts o = {0};
    bench_env env;
    bench_flink flink;
    char prefix[16], err[1024], secret[BENCH_SECRET_MAX], state[128];
    size_t secret_len, nf = 0;
    int64_t hot[MERGE_AUTHORS], cold[MERGE_AUTHORS], readers[MERGE_MAX_SIZES], *crowd, *fer, *fee,
        authors[2 * MERGE_AUTHORS], *post_authors;
    const char *port_env = getenv("FEED_API_PORT");
    int port = port_env != NULL && port_env[0] ? atoi(port_env) : 18080;
    double plain_p99 = -1;
    hc_conn api;
    PGconn *pg;

    merge_parse(argc, argv, &o);
    bench_print_header("bench-home-merge", argc, argv);
    if (bench_env_load(&env) != 0 || bench_flink_find(&flink, &env.flink) != 0)
        bench_fail("cannot find the stack (addresses in the environment, Flink's REST API)");
    if ((pg = bench_pg_connect(env.pg_conninfo, err, sizeof err)) == NULL ||
        bench_secret_load(secret, sizeof secret, &secret_len, err, sizeof err) != 0)
        bench_fail("%s", err);
    bench_run_prefix(prefix);
    hc_init(&api, "127.0.0.1", port, 30000);
    crowd = malloc(o.hot * sizeof *crowd);
    fer = malloc((o.hot * MERGE_AUTHORS + MERGE_MAX_SIZES * MERGE_AUTHORS) * sizeof *fer);
    fee = malloc((o.hot * MERGE_AUTHORS + MERGE_MAX_SIZES * MERGE_AUTHORS) * sizeof *fee);
    post_authors = malloc((size_t)o.posts * 2 * MERGE_AUTHORS * sizeof *post_authors);
    if (crowd == NULL || fer == NULL || fee == NULL || post_authors == NULL)
        bench_fail("out of memory");
    if (bench_pg_create_users(pg, prefix, "h", MERGE_AUTHORS, hot, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, prefix, "c", MERGE_AUTHORS, cold, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, prefix, "r", (size_t)o.nsizes, readers, err, sizeof err) != 0 ||
        bench_pg_create_users(pg, prefix, "x", o.hot, crowd, err, sizeof err) != 0)
        bench_fail("%s", err);
    printf("run prefix %s: %d hot and %d cold authors, %zu followers each hot one, readers following 50 each\n", prefix,
           MERGE_AUTHORS, MERGE_AUTHORS, o.hot);
    for (int a = 0; a < MERGE_AUTHORS; a++)
        for (size_t i = 0; i < o.hot; i++) {
            fer[nf] = crowd[i];
            fee[nf++] = hot[a];
        }
    if (bench_pg_copy_follows(pg, fer, fee, nf, 20000, 100, err, sizeof err) != 0)
        bench_fail("%s", err);
    bench_flink_wait_quiet(&flink, 3000, 900000);
    nf = 0;
    for (int k = 0; k < o.nsizes; k++)
        for (int a = 0; a < MERGE_AUTHORS; a++) {
            fer[nf] = readers[k];
            fee[nf++] = a < o.sizes[k] ? hot[a] : cold[a];
        }
    if (bench_pg_copy_follows(pg, fer, fee, nf, 20000, 100, err, sizeof err) != 0)
        bench_fail("%s", err);
    bench_flink_wait_quiet(&flink, 3000, 300000);
    memcpy(authors, hot, sizeof hot);
    memcpy(authors + MERGE_AUTHORS, cold, sizeof cold);
    for (int p = 0; p < o.posts; p++)
        for (int a = 0; a < 2 * MERGE_AUTHORS; a++)
            post_authors[p * 2 * MERGE_AUTHORS + a] = authors[a];
    if (bench_pg_copy_posts(pg, post_authors, (size_t)o.posts * 2 * MERGE_AUTHORS, 5000, "bench post", err,
                            sizeof err) != 0)
        bench_fail("%s", err);
    bench_flink_wait_quiet(&flink, 3000, 300000);
    bench_machine_state(state, sizeof state);
    printf("# set up; machine: %s\n", state);
    printf("# marker: %s\n", o.marker_top ? "top (each reader has seen its home: the first page's counts come from it)"
                                          : "none (never marked: each first page also counts the whole home)");
    printf("%12s %10s %10s %10s %12s %8s\n", "hot_followees", "pages/s", "p50_ms", "p99_ms", "p99/plain", "non2xx");
    for (int k = 0; k < o.nsizes; k++) {
        char token[BENCH_TOKEN_MAX], url[256];
        wrk_result w;
        if (bench_token_mint(secret, secret_len, readers[k], (int64_t)(bench_wall_us() / 1000000) + 86400, token,
                             sizeof token) != 0)
            bench_fail("cannot mint a token");
        merge_wait_home(&api, readers[k], token, MERGE_AUTHORS * o.posts);
        if (o.marker_top)
            merge_mark_top(&api, readers[k], token);
        snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/users/%" PRId64 "/home?limit=20", port, readers[k]);
        wrk_run(&o, url, token, &w);
        if (o.sizes[k] == 0)
            plain_p99 = w.p99_ms;
        if (plain_p99 > 0)
            printf("%12d %10.0f %10.2f %10.2f %12.2f %8ld\n", o.sizes[k], w.rps, w.p50_ms, w.p99_ms,
                   w.p99_ms / plain_p99, w.non2xx);
        else
            printf("%12d %10.0f %10.2f %10.2f %12s %8ld\n", o.sizes[k], w.rps, w.p50_ms, w.p99_ms, "-", w.non2xx);
        printf("FIGURE name=home_read_hot%d_pages_per_s value=%.0f unit=pages/s\n", o.sizes[k], w.rps);
        printf("FIGURE name=home_read_hot%d_p99 value=%.2f unit=ms\n", o.sizes[k], w.p99_ms);
        fflush(stdout);
    }
    bench_machine_state(state, sizeof state);
    printf("# machine at the end: %s\n", state);
    hc_close(&api);
    PQfinish(pg);
    free(crowd);
    free(fer);
    free(fee);
    free(post_authors);
    return 0;
}
