/* bench_datagen.c: the social graph of bench-datagen (bench_datagen.h).
 *
 * One splitmix64 stream drives everything, in a fixed order (users,
 * follower counts, followers, posts, comments, likes), so the graph is a
 * function of the config alone. Weighted choices (an author, a post) use a
 * cumulative table and a binary search: O(log n) a pick, which keeps a
 * million activities well under a second. The only rejection loop is the
 * one for likes (a duplicate (user, post) or one's own post is drawn
 * again), bounded by an attempt budget that only a graph with almost no
 * room left for likes can exhaust; it then fails instead of spinning.
 */
#include "bench/bench_datagen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench_graph.h"

/* Share of comments and likes written by a follower of the post's author. */
#define DG_FOLLOWER_SHARE 0.8
/* Mean delay from a post to a comment or like on it: half a day. */
#define DG_REPLY_MEAN_S (12 * 3600.0)
/* Draws per like before the generator gives up (see the file comment). */
#define DG_LIKE_ATTEMPTS 1000

void bench_dg_defaults(bench_dg_config *c)
{
    *c = (bench_dg_config){
        .users = 100000,
        .follows = 2000000,
        .activities = 1000000,
        .hot = 3,
        .hot_followers = 50000,
        .zipf = 0.7,
        .mix = {20, 20, 60},
        .undo = {0.05, 0.01, 0.02, 0.03},
        .window_s = 30 * 86400,
        .seed = 1,
    };
}

static int dg_check(const bench_dg_config *c, char *err, size_t errlen)
{
    if (c->users < 2 || c->users > UINT32_MAX)
        snprintf(err, errlen, "users must be in [2, %u], not %zu", UINT32_MAX, c->users);
    else if (c->follows > UINT32_MAX || c->activities > UINT32_MAX)
        snprintf(err, errlen, "follows and activities must be at most %u", UINT32_MAX);
    else if (c->hot > c->users)
        snprintf(err, errlen, "hot accounts (%zu) cannot exceed users (%zu)", c->hot, c->users);
    else if (c->hot > 0 && c->hot_followers > c->users - 1)
        snprintf(err, errlen, "hot followers (%zu) must be below users (%zu): nobody follows itself", c->hot_followers,
                 c->users);
    else if (!(c->zipf >= 0) || !isfinite(c->zipf))
        snprintf(err, errlen, "zipf exponent must be >= 0");
    else if (c->mix[0] + c->mix[1] + c->mix[2] == 0 && c->activities > 0)
        snprintf(err, errlen, "the activity mix is all zero");
    else if (c->activities > 0 && c->mix[0] == 0 && c->mix[1] + c->mix[2] > 0)
        snprintf(err, errlen, "comments and likes need posts: the mix gives posts 0");
    else if (c->window_s == 0)
        snprintf(err, errlen, "the time window must be at least 1 second");
    else {
        for (int v = 0; v < BENCH_DG_VERBS; v++)
            if (!(c->undo[v] >= 0 && c->undo[v] <= 1)) {
                snprintf(err, errlen, "undo rates must be in [0, 1]");
                return -1;
            }
        return 0;
    }
    return -1;
}

/* Follower counts by rank into cnt[0..users): the hot accounts, then the
 * Zipf-like rest, summing to exactly c->follows. */
static int dg_counts(const bench_dg_config *c, size_t *cnt, char *err, size_t errlen)
{
    size_t n = c->users, hot_sum = 0, rest, m = c->users - c->hot, cap = c->users - 1;
    long long got;

    for (size_t k = 0; k < c->hot; k++) {
        cnt[k] = c->hot_followers / (k + 1);
        hot_sum += cnt[k];
    }
    if (hot_sum > c->follows) {
        snprintf(err, errlen, "the %zu hot accounts alone take %zu follows, more than the %zu asked for", c->hot,
                 hot_sum, c->follows);
        return -1;
    }
    rest = c->follows - hot_sum;
    if (c->hot > 0 && cnt[c->hot - 1] < cap)
        cap = cnt[c->hot - 1];
    if (m == 0) {
        if (rest == 0)
            return 0;
        snprintf(err, errlen, "every user is hot: no one left to take the other %zu follows", rest);
        return -1;
    }
    got = bench_zipf_counts(m, c->zipf, (double)rest / (double)m, cap, cnt + c->hot);
    if (got < 0) {
        snprintf(err, errlen, "%zu follows do not fit: %zu users with at most %zu followers each", rest, m, cap);
        return -1;
    }
    /* llround(m * (rest / m)) may miss rest by one: settle it where the
     * counts stay non-increasing (the last non-zero, the first under cap) */
    while (got > (long long)rest) {
        size_t k = n;
        while (k > c->hot && cnt[k - 1] == 0)
            k--;
        if (k == c->hot)
            break;
        cnt[k - 1]--;
        got--;
    }
    while (got < (long long)rest) {
        size_t k = c->hot;
        while (k < n && cnt[k] >= cap)
            k++;
        if (k == n)
            break;
        cnt[k]++;
        got++;
    }
    if (got != (long long)rest) {
        snprintf(err, errlen, "%zu follows do not fit: %zu users with at most %zu followers each", rest, m, cap);
        return -1;
    }
    return 0;
}

static int dg_cmp_follow(const void *a, const void *b)
{
    const bench_dg_follow *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->followee != y->followee)
        return x->followee < y->followee ? -1 : 1;
    return x->follower < y->follower ? -1 : x->follower > y->follower;
}

static int dg_cmp_post(const void *a, const void *b)
{
    const bench_dg_post *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->author != y->author)
        return x->author < y->author ? -1 : 1;
    return x->undone < y->undone ? -1 : x->undone > y->undone;
}

static int dg_cmp_reply(const void *a, const void *b)
{
    const bench_dg_reply *x = a, *y = b;

    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    if (x->post != y->post)
        return x->post < y->post ? -1 : 1;
    if (x->user != y->user)
        return x->user < y->user ? -1 : 1;
    return x->undone < y->undone ? -1 : x->undone > y->undone;
}

/* Users (ages, a random order of popularity) and the follows. */
static int dg_follows(const bench_dg_config *c, bench_rng *r, bench_dg_graph *g, char *err, size_t errlen)
{
    size_t n = c->users, *cnt = malloc(n * sizeof *cnt), at = 0;
    uint32_t *perm = malloc(n * sizeof *perm);
    int rc = -1;

    g->user_age = malloc(n * sizeof *g->user_age);
    g->followers = calloc(n, sizeof *g->followers);
    g->by_rank = malloc(n * sizeof *g->by_rank);
    g->follows = malloc((c->follows ? c->follows : 1) * sizeof *g->follows);
    if (cnt == NULL || perm == NULL || !g->user_age || !g->followers || !g->by_rank || !g->follows) {
        snprintf(err, errlen, "out of memory for %zu users and %zu follows", n, c->follows);
        goto out;
    }
    g->nusers = n;
    for (size_t i = 0; i < n; i++) {
        g->user_age[i] = (uint32_t)bench_rng_below(r, (uint64_t)c->window_s + 1);
        perm[i] = (uint32_t)i;
    }
    if (dg_counts(c, cnt, err, errlen) != 0)
        goto out;
    bench_sample_distinct(r, perm, n, n); /* popularity is not tied to the id */
    memcpy(g->by_rank, perm, n * sizeof *perm);
    for (size_t k = 0; k < n; k++) {
        uint32_t u = g->by_rank[k];
        size_t want = cnt[k], take = want < n - 1 ? want + 1 : n;
        bench_sample_distinct(r, perm, n, take); /* one spare in case u draws itself */
        for (size_t i = 0; i < take && want > 0; i++) {
            if (perm[i] == u)
                continue;
            g->follows[at++] = (bench_dg_follow){.follower = perm[i],
                                                 .followee = u,
                                                 .t = (uint32_t)bench_rng_below(r, (uint64_t)c->window_s + 1),
                                                 .undone = bench_rng_unit(r) < c->undo[BENCH_DG_FOLLOW]};
            want--;
        }
        g->followers[u] = cnt[k];
    }
    g->nfollows = at;
    qsort(g->follows, at, sizeof *g->follows, dg_cmp_follow);
    rc = 0;
out:
    free(cnt);
    free(perm);
    return rc;
}

/* Index of the first cum[i] > x in cum[0..n) (non-decreasing, cum[n-1] > x). */
static size_t dg_pick(const double *cum, size_t n, double x)
{
    size_t lo = 0, hi = n - 1;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static int dg_posts(const bench_dg_config *c, bench_rng *r, bench_dg_graph *g, size_t nposts, char *err, size_t errlen)
{
    double *cum = malloc(g->nusers * sizeof *cum), total = 0;

    g->posts = malloc((nposts ? nposts : 1) * sizeof *g->posts);
    if (cum == NULL || g->posts == NULL) {
        free(cum);
        snprintf(err, errlen, "out of memory for %zu posts", nposts);
        return -1;
    }
    for (size_t u = 0; u < g->nusers; u++)
        cum[u] = total += 1 + sqrt((double)g->followers[u]);
    for (size_t i = 0; i < nposts; i++)
        g->posts[i] = (bench_dg_post){.author = (uint32_t)dg_pick(cum, g->nusers, bench_rng_unit(r) * total),
                                      .t = (uint32_t)bench_rng_below(r, (uint64_t)c->window_s + 1),
                                      .undone = bench_rng_unit(r) < c->undo[BENCH_DG_POST]};
    g->nposts = nposts;
    qsort(g->posts, nposts, sizeof *g->posts, dg_cmp_post);
    free(cum);
    return 0;
}

/* What comments and likes are drawn from: post weights and, per user,
 * its followers (CSR: fol[off[u]..off[u+1])). */
typedef struct dg_pool {
    double *cum, total;
    size_t *off;
    uint32_t *fol;
} dg_pool;

static int dg_pool_init(dg_pool *p, const bench_dg_graph *g)
{
    size_t *fill;

    p->total = 0;
    p->cum = malloc((g->nposts ? g->nposts : 1) * sizeof *p->cum);
    p->off = calloc(g->nusers + 1, sizeof *p->off);
    p->fol = malloc((g->nfollows ? g->nfollows : 1) * sizeof *p->fol);
    fill = calloc(g->nusers, sizeof *fill);
    if (p->cum == NULL || p->off == NULL || p->fol == NULL || fill == NULL) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < g->nposts; i++)
        p->cum[i] = p->total += 1 + (double)g->followers[g->posts[i].author];
    for (size_t i = 0; i < g->nfollows; i++)
        p->off[g->follows[i].followee + 1]++;
    for (size_t u = 0; u < g->nusers; u++)
        p->off[u + 1] += p->off[u];
    for (size_t i = 0; i < g->nfollows; i++) {
        uint32_t u = g->follows[i].followee;
        p->fol[p->off[u] + fill[u]++] = g->follows[i].follower;
    }
    free(fill);
    return 0;
}

static void dg_pool_free(dg_pool *p)
{
    free(p->cum);
    free(p->off);
    free(p->fol);
}

/* A post by weight, and a user replying to it: mostly a follower of its
 * author. */
static void dg_draw(bench_rng *r, const bench_dg_graph *g, const dg_pool *p, uint32_t *post, uint32_t *user)
{
    uint32_t a;
    size_t nf;

    *post = (uint32_t)dg_pick(p->cum, g->nposts, bench_rng_unit(r) * p->total);
    a = g->posts[*post].author;
    nf = p->off[a + 1] - p->off[a];
    if (nf > 0 && bench_rng_unit(r) < DG_FOLLOWER_SHARE)
        *user = p->fol[p->off[a] + bench_rng_below(r, nf)];
    else
        *user = (uint32_t)bench_rng_below(r, g->nusers);
}

/* When a reply to post p happens: after it by an exponential delay (mean
 * DG_REPLY_MEAN_S), wrapped into what is left of the window when it would
 * fall past the end, so the last posts still get their replies in time. */
static uint32_t dg_reply_time(const bench_dg_config *c, bench_rng *r, const bench_dg_post *p)
{
    double left = (double)(c->window_s - p->t) + 1, delay = -log(1 - bench_rng_unit(r)) * DG_REPLY_MEAN_S;

    return p->t + (uint32_t)fmod(delay, left);
}

/* An open-addressing set of (user, post) pairs, keys stored + 1 (0 is empty). */
typedef struct dg_set {
    uint64_t *k;
    size_t mask;
} dg_set;

/* Add key; 1 if it was new, 0 if already there. */
static int dg_set_add(dg_set *s, uint64_t key)
{
    uint64_t h = key + 1, z = h * 0x9e3779b97f4a7c15ULL;
    size_t i = (size_t)(z ^ (z >> 29)) & s->mask;

    while (s->k[i] != 0) {
        if (s->k[i] == h)
            return 0;
        i = (i + 1) & s->mask;
    }
    s->k[i] = h;
    return 1;
}

static int dg_replies(const bench_dg_config *c, bench_rng *r, bench_dg_graph *g, size_t ncomments, size_t nlikes,
                      char *err, size_t errlen)
{
    dg_pool p = {0};
    dg_set set = {0};
    size_t cap = 16;
    int rc = -1;

    while (cap < 2 * nlikes)
        cap *= 2;
    set.k = calloc(cap, sizeof *set.k);
    set.mask = cap - 1;
    g->comments = malloc((ncomments ? ncomments : 1) * sizeof *g->comments);
    g->likes = malloc((nlikes ? nlikes : 1) * sizeof *g->likes);
    if (set.k == NULL || g->comments == NULL || g->likes == NULL || dg_pool_init(&p, g) != 0) {
        snprintf(err, errlen, "out of memory for %zu comments and %zu likes", ncomments, nlikes);
        goto out;
    }
    for (size_t i = 0; i < ncomments; i++) {
        bench_dg_reply *x = &g->comments[i];
        dg_draw(r, g, &p, &x->post, &x->user);
        x->t = dg_reply_time(c, r, &g->posts[x->post]);
        x->undone = bench_rng_unit(r) < c->undo[BENCH_DG_COMMENT];
    }
    g->ncomments = ncomments;
    for (size_t i = 0; i < nlikes; i++) {
        bench_dg_reply *x = &g->likes[i];
        int tries = 0;
        do {
            if (++tries > DG_LIKE_ATTEMPTS) {
                snprintf(err, errlen, "no room for %zu likes: like %zu found no new (user, post) pair in %d draws",
                         nlikes, i, DG_LIKE_ATTEMPTS);
                goto out;
            }
            dg_draw(r, g, &p, &x->post, &x->user);
        } while (x->user == g->posts[x->post].author || !dg_set_add(&set, (uint64_t)x->post << 32 | x->user));
        x->t = dg_reply_time(c, r, &g->posts[x->post]);
        x->undone = bench_rng_unit(r) < c->undo[BENCH_DG_LIKE];
    }
    g->nlikes = nlikes;
    qsort(g->comments, ncomments, sizeof *g->comments, dg_cmp_reply);
    qsort(g->likes, nlikes, sizeof *g->likes, dg_cmp_reply);
    rc = 0;
out:
    dg_pool_free(&p);
    free(set.k);
    return rc;
}

int bench_dg_generate(const bench_dg_config *c, bench_dg_graph *g, char *err, size_t errlen)
{
    bench_rng r;
    size_t shares, nposts = 0, ncomments = 0, nlikes = 0;

    memset(g, 0, sizeof *g);
    if (dg_check(c, err, errlen) != 0)
        return -1;
    shares = (size_t)c->mix[0] + c->mix[1] + c->mix[2];
    if (c->activities > 0) {
        nposts = (size_t)((double)c->activities * c->mix[0] / (double)shares);
        ncomments = (size_t)((double)c->activities * c->mix[1] / (double)shares);
        nlikes = c->activities - nposts - ncomments;
        if (nposts == 0 && ncomments + nlikes > 0) { /* tiny totals: the rounding left no post */
            nposts = 1;
            if (nlikes > 0)
                nlikes--;
            else
                ncomments--;
        }
    }
    bench_rng_seed(&r, c->seed);
    if (dg_follows(c, &r, g, err, errlen) != 0 || dg_posts(c, &r, g, nposts, err, errlen) != 0 ||
        dg_replies(c, &r, g, ncomments, nlikes, err, errlen) != 0) {
        bench_dg_free(g);
        return -1;
    }
    return 0;
}

void bench_dg_free(bench_dg_graph *g)
{
    free(g->user_age);
    free(g->followers);
    free(g->by_rank);
    free(g->follows);
    free(g->posts);
    free(g->comments);
    free(g->likes);
    memset(g, 0, sizeof *g);
}

static uint64_t dg_fnv(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t bench_dg_checksum(const bench_dg_graph *g)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    h = dg_fnv(h, g->nusers);
    for (size_t i = 0; i < g->nusers; i++)
        h = dg_fnv(dg_fnv(dg_fnv(h, g->user_age[i]), g->followers[i]), g->by_rank[i]);
    h = dg_fnv(h, g->nfollows);
    for (size_t i = 0; i < g->nfollows; i++) {
        const bench_dg_follow *f = &g->follows[i];
        h = dg_fnv(dg_fnv(dg_fnv(dg_fnv(h, f->follower), f->followee), f->t), f->undone);
    }
    h = dg_fnv(h, g->nposts);
    for (size_t i = 0; i < g->nposts; i++)
        h = dg_fnv(dg_fnv(dg_fnv(h, g->posts[i].author), g->posts[i].t), g->posts[i].undone);
    for (int which = 0; which < 2; which++) {
        const bench_dg_reply *x = which ? g->likes : g->comments;
        size_t n = which ? g->nlikes : g->ncomments;
        h = dg_fnv(h, n);
        for (size_t i = 0; i < n; i++)
            h = dg_fnv(dg_fnv(dg_fnv(dg_fnv(h, x[i].post), x[i].user), x[i].t), x[i].undone);
    }
    return h;
}

size_t bench_dg_undone(const bench_dg_graph *g, int verb)
{
    size_t n = 0;

    switch (verb) {
    case BENCH_DG_FOLLOW:
        for (size_t i = 0; i < g->nfollows; i++)
            n += g->follows[i].undone;
        break;
    case BENCH_DG_POST:
        for (size_t i = 0; i < g->nposts; i++)
            n += g->posts[i].undone;
        break;
    case BENCH_DG_COMMENT:
        for (size_t i = 0; i < g->ncomments; i++)
            n += g->comments[i].undone;
        break;
    case BENCH_DG_LIKE:
        for (size_t i = 0; i < g->nlikes; i++)
            n += g->likes[i].undone;
        break;
    default: break;
    }
    return n;
}

size_t bench_dg_followers_at(const bench_dg_graph *g, unsigned q)
{
    size_t k;

    if (g->nusers == 0)
        return 0;
    k = (size_t)((double)(q > 1000 ? 1000 : q) / 1000.0 * (double)(g->nusers - 1) + 0.5);
    return g->followers[g->by_rank[k]];
}
