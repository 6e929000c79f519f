/* bench_report.c: results file parsing and the report (bench_report.h).
 *
 * The figure names the report reads are bench/run's contract with the
 * programs it runs (bench/README.md "make bench" lists them). A missing
 * figure is shown as "n/a" and its target as "not measured", never as
 * met: a part that failed or was skipped must show in the report.
 */
#include "bench/bench_report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void br_results_init(br_results *r)
{
    memset(r, 0, sizeof(*r));
}

void br_results_free(br_results *r)
{
    size_t i;

    for (i = 0; i < r->nser; i++)
        free(r->ser[i].v);
    for (i = 0; i < r->nmeta; i++)
        free(r->meta[i].text);
    free(r->fig);
    free(r->ser);
    free(r->meta);
    br_results_init(r);
}

/* Make room for one more element of size sz in *v (n used, *cap). */
static int br_grow(void **v, size_t *cap, size_t n, size_t sz)
{
    void *p;
    size_t c;

    if (n < *cap)
        return 0;
    c = *cap ? *cap * 2 : 16;
    p = realloc(*v, c * sz);
    if (p == NULL)
        return -1;
    *v = p;
    *cap = c;
    return 0;
}

static int br_fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int br_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The next space-separated token of *s into out (cap bytes); 0, or -1
 * when there is none or it does not fit. */
static int br_token(const char **s, char *out, size_t cap)
{
    const char *p = *s, *b;

    while (*p == ' ' || *p == '\t')
        p++;
    b = p;
    while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
        p++;
    if (p == b || (size_t)(p - b) >= cap)
        return -1;
    memcpy(out, b, (size_t)(p - b));
    out[p - b] = '\0';
    *s = p;
    return 0;
}

static int br_name_ok(const char *n)
{
    for (; *n != '\0'; n++)
        if (!isalnum((unsigned char)*n) && strchr("_.:-", *n) == NULL)
            return 0;
    return 1;
}

static int br_number(const char *t, double *out)
{
    char *end;

    errno = 0;
    *out = strtod(t, &end);
    return errno == 0 && end != t && *end == '\0' && isfinite(*out) ? 0 : -1;
}

/* Nothing but blanks and a line end left in s. */
static int br_at_end(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

static int br_put_figure(br_results *r, const char *name, double v, const char *unit)
{
    br_figure *f = (br_figure *)br_get(r, name);

    if (f == NULL) {
        if (br_grow((void **)&r->fig, &r->capfig, r->nfig, sizeof(*r->fig)) != 0)
            return -2;
        f = &r->fig[r->nfig++];
        snprintf(f->name, sizeof(f->name), "%s", name);
    }
    f->value = v;
    memcpy(f->unit, unit, strlen(unit) + 1); /* the caller checked: < BR_UNIT_MAX */
    return 0;
}

static int br_put_point(br_results *r, const char *name, double x, double y)
{
    br_series *s = (br_series *)br_get_series(r, name);

    if (s == NULL) {
        if (br_grow((void **)&r->ser, &r->capser, r->nser, sizeof(*r->ser)) != 0)
            return -2;
        s = &r->ser[r->nser++];
        memset(s, 0, sizeof(*s));
        snprintf(s->name, sizeof(s->name), "%s", name);
    }
    if (br_grow((void **)&s->v, &s->cap, s->n, sizeof(*s->v)) != 0)
        return -2;
    s->v[s->n].x = x;
    s->v[s->n].y = y;
    s->n++;
    return 0;
}

static int br_put_meta(br_results *r, const char *key, const char *text)
{
    size_t n = strlen(text), i;
    char *t;

    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
        n--;
    t = malloc(n + 1);
    if (t == NULL)
        return -2;
    memcpy(t, text, n);
    t[n] = '\0';
    for (i = 0; i < r->nmeta; i++) {
        if (strcmp(r->meta[i].key, key) == 0) {
            free(r->meta[i].text);
            r->meta[i].text = t;
            return 0;
        }
    }
    if (br_grow((void **)&r->meta, &r->capmeta, r->nmeta, sizeof(*r->meta)) != 0) {
        free(t);
        return -2;
    }
    snprintf(r->meta[r->nmeta].key, sizeof(r->meta[r->nmeta].key), "%s", key);
    r->meta[r->nmeta++].text = t;
    return 0;
}

int br_parse_line(br_results *r, const char *line, char *err, size_t errlen)
{
    char kind[8], name[BR_NAME_MAX], a[64], b[64];
    const char *s = line;
    double x, y;

    if (strncmp(line, "FIGURE ", 7) != 0 && strncmp(line, "SERIES ", 7) != 0 && strncmp(line, "META ", 5) != 0)
        return 0;
    if (br_token(&s, kind, sizeof(kind)) != 0 || br_token(&s, name, sizeof(name)) != 0 || !br_name_ok(name))
        return br_fail(err, errlen, "bad or too long name");
    if (strcmp(kind, "META") == 0) {
        while (*s == ' ' || *s == '\t')
            s++;
        return br_put_meta(r, name, s);
    }
    if (br_token(&s, a, sizeof(a)) != 0 || br_token(&s, b, sizeof(b)) != 0 || !br_at_end(s))
        return br_fail(err, errlen, "%s %s: expected two fields", kind, name);
    if (strcmp(kind, "FIGURE") == 0) {
        if (br_number(a, &x) != 0 || strlen(b) >= BR_UNIT_MAX)
            return br_fail(err, errlen, "FIGURE %s: '%s' is not a number or '%s' not a unit", name, a, b);
        return br_put_figure(r, name, x, b);
    }
    if (br_number(a, &x) != 0 || br_number(b, &y) != 0)
        return br_fail(err, errlen, "SERIES %s: '%s %s' are not two numbers", name, a, b);
    return br_put_point(r, name, x, y);
}

int br_load(br_results *r, FILE *f, char *err, size_t errlen)
{
    char line[4096], why[256];
    unsigned n = 0;
    int rc;

    while (fgets(line, sizeof(line), f) != NULL) {
        n++;
        rc = br_parse_line(r, line, why, sizeof(why));
        if (rc == -2)
            return br_fail(err, errlen, "line %u: out of memory", n);
        if (rc != 0)
            return br_fail(err, errlen, "line %u: %s", n, why);
    }
    return ferror(f) ? br_fail(err, errlen, "read error after line %u", n) : 0;
}

const br_figure *br_get(const br_results *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->nfig; i++)
        if (strcmp(r->fig[i].name, name) == 0)
            return &r->fig[i];
    return NULL;
}

const br_series *br_get_series(const br_results *r, const char *name)
{
    size_t i;

    for (i = 0; i < r->nser; i++)
        if (strcmp(r->ser[i].name, name) == 0)
            return &r->ser[i];
    return NULL;
}

const char *br_meta_get(const br_results *r, const char *key)
{
    size_t i;

    for (i = 0; i < r->nmeta; i++)
        if (strcmp(r->meta[i].key, key) == 0)
            return r->meta[i].text;
    return NULL;
}

double br_value(const br_results *r, const char *name)
{
    const br_figure *f = br_get(r, name);

    return f != NULL ? f->value : NAN;
}

void br_fmt(char *out, size_t cap, double v)
{
    char digits[32];
    double a = fabs(v);
    size_t len, i, o = 0;

    if (isnan(v)) {
        snprintf(out, cap, "n/a");
        return;
    }
    if (a < 1000) {
        /* three significant digits, at most two decimals from 10 up */
        snprintf(out, cap, "%.*f", a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3, v);
        return;
    }
    snprintf(digits, sizeof(digits), "%.0f", a);
    len = strlen(digits);
    if (v < 0 && o + 1 < cap)
        out[o++] = '-';
    for (i = 0; i < len && o + 2 < cap; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

void br_fmt_ratio(char *out, size_t cap, double a, double b)
{
    if (isnan(a) || isnan(b) || b == 0)
        snprintf(out, cap, "n/a");
    else
        snprintf(out, cap, "%.2f", a / b);
}

/* ---- the report ---------------------------------------------------- */

typedef struct br_out {
    FILE *f;
    const br_results *r;
} br_out;

static const char *br_meta_or(const br_results *r, const char *key, const char *dflt)
{
    const char *t = br_meta_get(r, key);

    return t != NULL && t[0] != '\0' ? t : dflt;
}

/* A figure formatted, "n/a" when missing. */
static const char *br_v(char *buf, size_t cap, const br_results *r, const char *name)
{
    br_fmt(buf, cap, br_value(r, name));
    return buf;
}

static void br_cmd(br_out *o, const char *part)
{
    char key[BR_NAME_MAX];
    const char *c;

    snprintf(key, sizeof(key), "cmd.%s", part);
    c = br_meta_get(o->r, key);
    if (c != NULL)
        fprintf(o->f, "\nReproduce: `%s`\n", c);
}

/* A latency row: label | rate | p50 | p99 | p99.9 | ratio to ref rate. */
static void br_latency_row(br_out *o, const char *label, const char *prefix, const char *ref_rps)
{
    char n[BR_NAME_MAX + 16], a[32], b[32], c[32], d[32], ratio[32];

    snprintf(n, sizeof(n), "%s.rps", prefix);
    br_v(a, sizeof(a), o->r, n);
    br_fmt_ratio(ratio, sizeof(ratio), br_value(o->r, n), ref_rps != NULL ? br_value(o->r, ref_rps) : NAN);
    snprintf(n, sizeof(n), "%s.p50_ms", prefix);
    br_v(b, sizeof(b), o->r, n);
    snprintf(n, sizeof(n), "%s.p99_ms", prefix);
    br_v(c, sizeof(c), o->r, n);
    snprintf(n, sizeof(n), "%s.p999_ms", prefix);
    br_v(d, sizeof(d), o->r, n);
    snprintf(n, sizeof(n), "%s.errors", prefix);
    if (br_value(o->r, n) > 0) /* wrk counted failed requests: the rate is not of pages served */
        fprintf(o->f, "| %s (**%.0f failed requests**) | %s | %s | %s | %s | %s |\n", label, br_value(o->r, n), a, b, c,
                d, ref_rps != NULL ? ratio : "");
    else
        fprintf(o->f, "| %s | %s | %s | %s | %s | %s |\n", label, a, b, c, d, ref_rps != NULL ? ratio : "");
}

static void br_load_table(br_out *o)
{
    static const char *parts[] = {"stack", "load", "drain", "read", "readceil", "write", "ceiling", "freshness"};
    char a[32], b[32], c[32], key[BR_NAME_MAX];
    size_t i;

    fprintf(o->f, "| part (main size) | seconds | load average at start | at end |\n|---|---|---|---|\n");
    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        snprintf(key, sizeof(key), "load.%s.start", parts[i]);
        br_v(a, sizeof(a), o->r, key);
        snprintf(key, sizeof(key), "load.%s.end", parts[i]);
        br_v(b, sizeof(b), o->r, key);
        snprintf(key, sizeof(key), "time.%s.seconds", parts[i]);
        br_v(c, sizeof(c), o->r, key);
        if (strcmp(a, "n/a") != 0 || strcmp(b, "n/a") != 0)
            fprintf(o->f, "| %s | %s | %s | %s |\n", parts[i], c, a, b);
    }
}

/* One target: met when cmp(value, limit) holds; "not measured" when the
 * value is missing. */
static void br_target(br_out *o, const char *what, double v, int at_least, double limit, const char *shown)
{
    const char *verdict = isnan(v) ? "not measured" : (at_least ? v >= limit : v <= limit) ? "**met**" : "**missed**";

    fprintf(o->f, "| %s | %s | %s |\n", what, shown, verdict);
}

/* The growth sizes present (growth.<users>.read_p99_ms), ascending. */
static size_t br_growth_sizes(const br_results *r, double *sizes, size_t max)
{
    size_t i, j, n = 0;

    for (i = 0; i < r->nfig && n < max; i++) {
        const char *name = r->fig[i].name, *dot;
        double u;
        char num[32];

        if (strncmp(name, "growth.", 7) != 0 || (dot = strchr(name + 7, '.')) == NULL ||
            strcmp(dot, ".read_p99_ms") != 0 || (size_t)(dot - name - 7) >= sizeof(num))
            continue;
        memcpy(num, name + 7, (size_t)(dot - name - 7));
        num[dot - name - 7] = '\0';
        if (br_number(num, &u) != 0)
            continue;
        for (j = n; j > 0 && sizes[j - 1] > u; j--)
            sizes[j] = sizes[j - 1];
        sizes[j] = u;
        n++;
    }
    return n;
}

static double br_growth(const br_results *r, double users, const char *what)
{
    char n[BR_NAME_MAX];

    snprintf(n, sizeof(n), "growth.%.0f.%s", users, what);
    return br_value(r, n);
}

static void br_targets(br_out *o)
{
    const br_results *r = o->r;
    double sizes[16], lo = NAN, hi = NAN, flat;
    char shown[160], x[32], y[32], z[32];
    size_t n = br_growth_sizes(r, sizes, 16), i;
    double users = br_value(r, "data.users");
    double rr = br_value(r, "readceil.api.rps") / br_value(r, "readceil.evalsha.rps");
    double wr = br_value(r, "write.api.rps") / br_value(r, "write.pgbench.rps");
    double wri = br_value(r, "write.api_idem.rps") / br_value(r, "write.pgbench.rps");
    double nr = br_value(r, "read.hot.rps") / br_value(r, "read.sql.rps");
    double np = br_value(r, "read.sql.p99_ms") / br_value(r, "read.hot.p99_ms");

    fprintf(o->f, "| target (issue 14) | this run | verdict |\n|---|---|---|\n");
    br_fmt_ratio(x, sizeof(x), br_value(r, "readceil.api.rps"), br_value(r, "readceil.evalsha.rps"));
    snprintf(shown, sizeof(shown), "%s", x);
    br_target(o, "reads >= 0.8x the honest Redis ceiling (EVALSHA of the head script)", rr, 1, 0.8, shown);
    br_v(x, sizeof(x), r, "readceil.api_half.p99_ms");
    snprintf(shown, sizeof(shown), "%s ms", x);
    br_target(o, "read p99 <= 2 ms at half the peak rate", br_value(r, "readceil.api_half.p99_ms"), 0, 2.0, shown);
    br_fmt_ratio(x, sizeof(x), br_value(r, "write.api.rps"), br_value(r, "write.pgbench.rps"));
    snprintf(shown, sizeof(shown), "%s", x);
    br_target(o, "writes >= 0.5x pgbench (no Idempotency-Key)", wr, 1, 0.5, shown);
    br_fmt_ratio(x, sizeof(x), br_value(r, "write.api_idem.rps"), br_value(r, "write.pgbench.rps"));
    snprintf(shown, sizeof(shown), "%s", x);
    br_target(o, "writes >= 0.5x pgbench (with Idempotency-Key)", wri, 1, 0.5, shown);
    br_fmt(z, sizeof(z), users);
    br_fmt_ratio(x, sizeof(x), br_value(r, "read.hot.rps"), br_value(r, "read.sql.rps"));
    br_fmt_ratio(y, sizeof(y), br_value(r, "read.sql.p99_ms"), br_value(r, "read.hot.p99_ms"));
    snprintf(shown, sizeof(shown), "%sx throughput at %s users", x, z);
    br_target(o, "reads >= 10x the naive baseline in throughput (at 100k users)", nr, 1, 10, shown);
    snprintf(shown, sizeof(shown), "%sx lower p99 at %s users", y, z);
    br_target(o, "reads >= 10x the naive baseline in p99 (at 100k users)", np, 1, 10, shown);
    for (i = 0; i < n; i++) {
        double p = br_growth(r, sizes[i], "read_p99_ms");
        if (isnan(p))
            continue;
        lo = isnan(lo) || p < lo ? p : lo;
        hi = isnan(hi) || p > hi ? p : hi;
    }
    flat = n >= 2 ? hi / lo : NAN;
    br_fmt(x, sizeof(x), n > 0 ? sizes[0] : NAN);
    br_fmt(y, sizeof(y), n > 0 ? sizes[n - 1] : NAN);
    br_fmt_ratio(z, sizeof(z), hi, lo);
    snprintf(shown, sizeof(shown), "largest / smallest p99 = %s over %zu sizes (%s .. %s users)", z, n, x, y);
    br_target(o, "read p99 flat from 10k to 1M users (largest / smallest <= 1.5)", flat, 0, 1.5, shown);
    if (users != 100000) {
        br_fmt(z, sizeof(z), users);
        fprintf(o->f, "\nThe issue's targets are at 100k users (1M for growth); this run's main size was %s users.\n",
                z);
    }
}

int br_write_markdown(FILE *f, const br_results *r, const char *plots)
{
    br_out o = {f, r};
    char a[32], b[32], c[32], d[32];
    double sizes[16];
    size_t n, i;

    fprintf(f, "# Benchmarks\n\n");
    fprintf(f, "Written by `make bench` (bench/run, then `build/bin/bench-report`) from the figures of one run; "
               "bench/README.md says what each part measures and how.\n\n");
    fprintf(f, "| | |\n|---|---|\n");
    fprintf(f, "| date | %s |\n", br_meta_or(r, "date", "?"));
    fprintf(f, "| commit | %s |\n", br_meta_or(r, "commit", "?"));
    fprintf(f, "| machine | %s |\n", br_meta_or(r, "machine", "?"));
    fprintf(f, "| cores, RAM | %s cores, %s GiB |\n", br_v(a, sizeof(a), r, "machine.cores"),
            br_v(b, sizeof(b), r, "machine.ram_gib"));
    fprintf(f, "| data | %s users, %s follows, %s activities (bench-datagen) |\n", br_v(a, sizeof(a), r, "data.users"),
            br_v(b, sizeof(b), r, "data.follows"), br_v(c, sizeof(c), r, "data.activities"));
    fprintf(f, "| command | `%s` |\n", br_meta_or(r, "cmd.all", "make bench"));
    fprintf(f, "| whole run | %s s |\n\n", br_v(a, sizeof(a), r, "run.seconds"));
    br_load_table(&o);

    fprintf(f, "\n## Targets\n\n");
    br_targets(&o);
    fprintf(f, "\nWhat holds each missed target back, measured, and what would fix it: bench/README.md, "
               "\"What holds the targets back\".\n");

    fprintf(f, "\n## 1. Data and the feeds' build\n\n| what | figure |\n|---|---|\n");
    fprintf(f, "| load: rows COPY'd (bench-datagen) | %s in %s s = %s rows/s |\n", br_v(a, sizeof(a), r, "load.rows"),
            br_v(b, sizeof(b), r, "load.seconds"), br_v(c, sizeof(c), r, "load.rows_per_s"));
    fprintf(f, "| drain: feed rows the job wrote until it was quiet (or the wait ended) | %s in %s s = %s rows/s |\n",
            br_v(a, sizeof(a), r, "drain.items"), br_v(b, sizeof(b), r, "drain.seconds"),
            br_v(c, sizeof(c), r, "drain.items_per_s"));
    if (br_value(r, "drain.complete") == 0) {
        double done = br_value(r, "drain.items"), expect = br_value(r, "drain.expected");
        char pct[32];

        br_fmt(pct, sizeof(pct), isnan(expect) || expect <= 0 ? NAN : 100.0 * done / expect);
        fprintf(f,
                "| **partial drain**: the wait ended first (BENCH_DRAIN_MAX_S), the job was cancelled | %s of "
                "about %s home rows expected (%s %%; bench-datagen's estimate, a lower bound) |\n",
                br_v(a, sizeof(a), r, "drain.items"), br_v(b, sizeof(b), r, "drain.expected"), pct);
        fprintf(f, "| the whole drain at this rate | about %s s |\n", br_v(c, sizeof(c), r, "drain.projected_s"));
    }
    br_cmd(&o, "load");
    br_cmd(&o, "drain");

    fprintf(f, "\n## 2. Read path against the Redis ceiling\n\n");
    fprintf(f, "One user's cached head, the same keys and concurrency for the API (wrk) and redis-benchmark. "
               "The reader has marked its newest item (a reader who keeps up), so its first page carries the "
               "unseen counts at no cost (api/README.md \"Unseen counts\").\n\n");
    fprintf(f, "| what | pages/s | p50 ms | p99 ms | p99.9 ms | ratio to the EVALSHA ceiling |\n"
               "|---|---|---|---|---|---|\n");
    br_latency_row(&o, "redis-benchmark EVALSHA of the API's head script (the honest ceiling)", "readceil.evalsha",
                   "readceil.evalsha.rps");
    br_latency_row(&o, "redis-benchmark ZREVRANGEBYSCORE + MGET (one of each per page)", "readceil.zrev_mget",
                   "readceil.evalsha.rps");
    br_latency_row(&o, "redis-benchmark of the page's three commands (EVALSHA, GET marker, MGET sources)",
                   "readceil.page3", "readceil.evalsha.rps");
    br_latency_row(&o, "API, closed loop (wrk)", "readceil.api", "readceil.evalsha.rps");
    br_latency_row(&o, "API at half the peak (paced)", "readceil.api_half", NULL);
    fprintf(f, "\nOn the generated data (random users among the sampled ones, same wrk run for each source):\n\n");
    fprintf(f, "| source | pages/s | p50 ms | p99 ms | p99.9 ms | ratio to hot |\n|---|---|---|---|---|---|\n");
    br_latency_row(&o, "hot: Redis heads cached", "read.hot", "read.hot.rps");
    br_latency_row(&o, "cold: Cassandra (feed-api without Redis)", "read.cold", "read.hot.rps");
    br_cmd(&o, "readceil");
    br_cmd(&o, "read");

    fprintf(f, "\n## 3. Write path against pgbench\n\n");
    fprintf(f, "| what | writes/s | p50 ms | p99 ms | p99.9 ms | ratio to pgbench |\n|---|---|---|---|---|---|\n");
    br_latency_row(&o, "pgbench, the same INSERT (bench/sql/pgbench-post.sql)", "write.pgbench", "write.pgbench.rps");
    br_latency_row(&o, "API POST /v1/posts", "write.api", "write.pgbench.rps");
    br_latency_row(&o, "API POST /v1/posts with Idempotency-Key", "write.api_idem", "write.pgbench.rps");
    br_cmd(&o, "write");

    fprintf(f, "\n## 4. Fan-out and freshness\n\n| what | figure | ratio |\n|---|---|---|\n");
    br_fmt_ratio(c, sizeof(c), br_value(r, "drain.items_per_s"), br_value(r, "ceiling.rows_per_s"));
    fprintf(f, "| fan-out while the backlog drains | %s rows/s | %s of the ceiling |\n",
            br_v(a, sizeof(a), r, "drain.items_per_s"), c);
    fprintf(f, "| Cassandra ceiling (bench-cassandra-ceiling, best shape) | %s rows/s | 1.00 |\n",
            br_v(a, sizeof(a), r, "ceiling.rows_per_s"));
    fprintf(f, "| commit -> readable at %s activities/s: p50 / p99 | %s ms / %s ms | |\n",
            br_v(a, sizeof(a), r, "freshness.rate"), br_v(b, sizeof(b), r, "freshness.p50_ms"),
            br_v(d, sizeof(d), r, "freshness.p99_ms"));
    br_cmd(&o, "ceiling");
    br_cmd(&o, "freshness");

    fprintf(f, "\n## 5. The naive baseline: one SQL query at read time\n\n");
    fprintf(f, "feed-api --home-source=sql (api/README.md), the indexes of bench/sql/naive-indexes.sql, the same wrk "
               "run on the same users.\n\n");
    fprintf(f, "| source | pages/s | p50 ms | p99 ms | p99.9 ms | ratio to SQL |\n|---|---|---|---|---|---|\n");
    br_latency_row(&o, "SQL at read time", "read.sql", "read.sql.rps");
    br_latency_row(&o, "our feeds, hot", "read.hot", "read.sql.rps");
    br_latency_row(&o, "our feeds, cold", "read.cold", "read.sql.rps");
    br_fmt_ratio(a, sizeof(a), br_value(r, "read.sql.p99_ms"), br_value(r, "read.hot.p99_ms"));
    fprintf(f, "\np99 of SQL / p99 of hot: %s.\n", a);

    fprintf(f, "\n## 6. Growth\n\n| users | read p99 ms (hot) | read p99 ms (SQL) | pages/s (hot) | fan-out rows/s | "
               "feeds built when read (%% of the expected rows) |\n"
               "|---|---|---|---|---|---|\n");
    n = br_growth_sizes(r, sizes, 16);
    for (i = 0; i < n; i++) {
        char u[32], e[32], g[32];
        br_fmt(u, sizeof(u), sizes[i]);
        br_fmt(a, sizeof(a), br_growth(r, sizes[i], "read_p99_ms"));
        br_fmt(b, sizeof(b), br_growth(r, sizes[i], "sql_p99_ms"));
        br_fmt(c, sizeof(c), br_growth(r, sizes[i], "read_rps"));
        br_fmt(e, sizeof(e), br_growth(r, sizes[i], "drain_items_per_s"));
        br_fmt(g, sizeof(g), br_growth(r, sizes[i], "built_pct"));
        fprintf(f, "| %s | %s | %s | %s | %s | %s |\n", u, a, b, c, e, g);
    }
    if (br_meta_get(r, "growth.limit") != NULL)
        fprintf(f, "\nNot measured: %s\n", br_meta_get(r, "growth.limit"));
    br_cmd(&o, "growth");

    fprintf(f, "\n## Plots\n\n");
    if (plots == NULL) {
        fprintf(f, "No plots: gnuplot was not available when the report was written.\n");
    } else {
        if (br_get_series(r, "lat.hot") != NULL || br_get_series(r, "lat.sql") != NULL)
            fprintf(f, "Read latency distributions (hot, cold, SQL):\n\n![read latency](%s/latency.png)\n\n", plots);
        if (br_get_series(r, "drain.items_per_s") != NULL)
            fprintf(f, "Feed rows written per second while the backlog drains:\n\n![drain](%s/drain.png)\n\n", plots);
        if (n > 0)
            fprintf(f, "Read p99 against data size:\n\n![growth](%s/growth.png)\n", plots);
    }
    return ferror(f) ? -1 : 0;
}

/* ---- plots ----------------------------------------------------------- */

static int br_dat(const char *dir, const char *name, const br_series *s)
{
    char path[4096];
    FILE *f;
    size_t i;

    snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
    f = fopen(path, "w");
    if (f == NULL)
        return -1;
    for (i = 0; i < s->n; i++)
        fprintf(f, "%.6g %.6g\n", s->v[i].x, s->v[i].y);
    return fclose(f) == 0 ? 0 : -1;
}

static FILE *br_gp(const char *dir, const char *name, const char *title, const char *xl, const char *yl)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s.gp", dir, name);
    f = fopen(path, "w");
    if (f == NULL)
        return NULL;
    fprintf(f,
            "set terminal pngcairo size 900,500 noenhanced\nset output '%s.png'\nset title '%s'\n"
            "set xlabel '%s'\nset ylabel '%s'\nset grid\nset key left top\n",
            name, title, xl, yl);
    return f;
}

int br_write_plots(const br_results *r, const char *dir, const char **names, int max)
{
    static const char *src[] = {"hot", "cold", "sql"};
    const br_series *s;
    double sizes[16];
    size_t n, i;
    int k = 0, any = 0;
    FILE *f;

    /* latency distributions: percentile -> ms, log y */
    for (i = 0; i < 3; i++) {
        char nm[32];
        snprintf(nm, sizeof(nm), "lat.%s", src[i]);
        s = br_get_series(r, nm);
        if (s != NULL && br_dat(dir, nm, s) == 0)
            any |= 1 << i;
    }
    if (any != 0 && k < max) {
        f = br_gp(dir, "latency", "home-feed page latency by source (wrk, same users and concurrency)", "percentile",
                  "latency ms");
        if (f == NULL)
            return -1;
        fprintf(f, "set logscale y\nset xrange [0:100]\nplot ");
        for (i = 0; i < 3; i++)
            if (any & (1 << i))
                fprintf(f, "%s'lat.%s.dat' using 1:2 with lines lw 2 title '%s'", (any & ((1 << i) - 1)) ? ", " : "",
                        src[i], src[i]);
        fprintf(f, "\n");
        if (fclose(f) != 0)
            return -1;
        names[k++] = "latency";
    }
    s = br_get_series(r, "drain.items_per_s");
    if (s != NULL && k < max) {
        if (br_dat(dir, "drain", s) != 0 ||
            (f = br_gp(dir, "drain", "feed rows written per second while the backlog drains",
                       "seconds since the load began", "rows/s")) == NULL)
            return -1;
        fprintf(f, "set yrange [0:*]\nset offsets 0, 0, graph 0.1, 0\n"
                   "plot 'drain.dat' using 1:2 with linespoints lw 2 title 'job (Flink counters)'");
        if (!isnan(br_value(r, "ceiling.rows_per_s")))
            fprintf(f, ", %.6g with lines dt 2 title 'Cassandra ceiling (same run)'",
                    br_value(r, "ceiling.rows_per_s"));
        fprintf(f, "\n");
        if (fclose(f) != 0)
            return -1;
        names[k++] = "drain";
    }
    n = br_growth_sizes(r, sizes, 16);
    if (n > 0 && k < max) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/growth.dat", dir);
        f = fopen(path, "w");
        if (f == NULL)
            return -1;
        for (i = 0; i < n; i++)
            fprintf(f, "%.0f %.6g %.6g\n", sizes[i], br_growth(r, sizes[i], "read_p99_ms"),
                    br_growth(r, sizes[i], "sql_p99_ms"));
        if (fclose(f) != 0)
            return -1;
        f = br_gp(dir, "growth", "read p99 against data size", "users", "p99 ms");
        if (f == NULL)
            return -1;
        fprintf(f, "set logscale x\nset logscale y\nplot 'growth.dat' using 1:2 with linespoints lw 2 title 'our "
                   "feeds (hot)', 'growth.dat' using 1:3 with linespoints lw 2 title 'SQL at read time'\n");
        if (fclose(f) != 0)
            return -1;
        names[k++] = "growth";
    }
    return k;
}
