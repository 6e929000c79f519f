/* load.c: the writer threads of the steady load (load.h). */
#include "tools/chaos/load.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools/chaos/api_client.h"
#include "tools/chaos/catch_up.h"

/* ---- small helpers ------------------------------------------------------- */

static int ld_rand(ld_writer *w, int n)
{
    return n > 0 ? (int)(rand_r(&w->rng) % (unsigned)n) : 0;
}

/* ld_grow: make room for one more element of size sz in *arr. */
static int ld_grow(void **arr, int *cap, int n, size_t sz)
{
    void *na;
    int ncap;
    if (n < *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 64;
    if ((na = realloc(*arr, (size_t)ncap * sz)) == NULL)
        return -1;
    memset((char *)na + (size_t)*cap * sz, 0, (size_t)(ncap - *cap) * sz);
    *arr = na;
    *cap = ncap;
    return 0;
}
#define LD_GROW(w, arr, n, cap) ld_grow((void **)&(w)->arr, &(w)->cap, (w)->n, sizeof *(w)->arr)

static int ld_classify(const ac_result *r)
{
    switch (r->fate) {
    case AC_ACCEPTED: return LD_ACCEPTED;
    case AC_NOT_SENT: return LD_NOT_SENT;
    case AC_UNKNOWN: return LD_UNKNOWN;
    default: break;
    }
    if (!r->clear)
        return LD_REFUSED_UNCLEAR;
    return r->status >= 500 ? LD_REFUSED_5XX : LD_REFUSED_4XX;
}

/* ---- effects --------------------------------------------------------------- */

/* ld_apply: what an accepted write (kind, target) did to the writer's
 * picture; res is its answer (ids). */
static void ld_apply(ld_writer *w, int kind, int target, const ac_result *res)
{
    switch (kind) {
    case LD_POST:
        w->posts[target].id = ac_get_id(res, "post", "id");
        w->posts[target].state = LD_ALIVE;
        break;
    case LD_COMMENT:
        w->comments[target].id = ac_get_id(res, "comment", "id");
        w->comments[target].state = LD_ALIVE;
        break;
    case LD_LIKE: w->likes[target].on = 1; break;
    case LD_UNLIKE: w->likes[target].on = 0; break;
    case LD_FOLLOW: w->follows[target].on = 1; break;
    case LD_UNFOLLOW: w->follows[target].on = 0; break;
    case LD_DEL_COMMENT: w->comments[target].state = LD_GONE; break;
    case LD_DEL_POST:
        w->posts[target].state = LD_GONE;
        /* The database cascades to the post's comments and likes. */
        for (int i = 0; i < w->ncomments; i++)
            if (w->comments[i].post == target && w->comments[i].state == LD_ALIVE)
                w->comments[i].state = LD_GONE;
        for (int i = 0; i < w->nlikes; i++)
            if (w->likes[i].other == target)
                w->likes[i].on = 0;
        break;
    default: break;
    }
}

static int *ld_busy_of(ld_writer *w, int kind, int target)
{
    switch (kind) {
    case LD_POST:
    case LD_DEL_POST: return &w->posts[target].busy;
    case LD_COMMENT:
    case LD_DEL_COMMENT: return &w->comments[target].busy;
    case LD_LIKE:
    case LD_UNLIKE: return &w->likes[target].busy;
    default: return &w->follows[target].busy;
    }
}

/* ---- one write --------------------------------------------------------------- */

/* ld_send: make one write, count it, apply it when accepted, queue it when
 * its fate is unknown. body is stolen. Returns the outcome (LD_*). */
static int ld_send(ld_writer *w, int kind, int user, const char *method, const char *path, json_t *body, int target)
{
    ld_load *l = w->load;
    int phase = l->phase;
    ld_counts *c = &w->counts[phase];
    char key[64];
    ac_result res;
    int out;
    int64_t t;

    snprintf(key, sizeof key, "%s-w%d-%" PRIu64, l->run, w->index, ++w->seq);
    ac_call(&w->conn, method, path, w->users[user].token, strcmp(method, "POST") == 0 ? key : NULL, body, &res);
    out = ld_classify(&res);
    t = cu_now_ms();
    c->writes++;
    c->outcome[out]++;
    if (out != LD_ACCEPTED && out != LD_REFUSED_4XX) {
        if (c->first_fail_ms == 0)
            c->first_fail_ms = t;
        c->last_fail_ms = t;
    }
    if (out == LD_ACCEPTED)
        ld_apply(w, kind, target, &res);
    if (out == LD_UNKNOWN && LD_GROW(w, pending, npending, cappending) == 0) {
        ld_pending *p = &w->pending[w->npending++];
        p->kind = kind;
        p->phase = phase;
        p->target = target;
        p->user = user;
        snprintf(p->method, sizeof p->method, "%s", method);
        snprintf(p->path, sizeof p->path, "%s", path);
        snprintf(p->key, sizeof p->key, "%s", key);
        p->body = body;
        body = NULL;
        *ld_busy_of(w, kind, target) = 1;
    }
    json_decref(body);
    ac_result_free(&res);
    return out;
}

/* ---- choosing a write ----------------------------------------------------------- */

static int ld_pick_post(ld_writer *w)
{
    for (int tries = 0; tries < 8 && w->nposts > 0; tries++) {
        int p = w->nposts - 1 - ld_rand(w, w->nposts < 64 ? w->nposts : 64); /* recent ones */
        if (w->posts[p].state == LD_ALIVE && !w->posts[p].busy)
            return p;
    }
    return -1;
}

static int ld_find_pair(ld_pair *pairs, int n, int user, int64_t other)
{
    for (int i = n - 1; i >= 0; i--)
        if (pairs[i].user == user && pairs[i].other == other)
            return i;
    return -1;
}

static int ld_do_post(ld_writer *w)
{
    int u = ld_rand(w, LD_USERS_PER_WRITER), p;
    char body[128];
    if (LD_GROW(w, posts, nposts, capposts) != 0)
        return -1;
    p = w->nposts++;
    w->posts[p] = (ld_post){.author = u, .state = LD_NONE, .phase = w->load->phase};
    snprintf(body, sizeof body, "chaos %s w%d p%d", w->load->run, w->index, p);
    w->posts[p].first = ld_send(w, LD_POST, u, "POST", "/v1/posts", json_pack("{s:s}", "body", body), p);
    return 0;
}

static int ld_do_comment(ld_writer *w)
{
    int u = ld_rand(w, LD_USERS_PER_WRITER), p = ld_pick_post(w), c;
    char body[128], path[96];
    if (p < 0 || LD_GROW(w, comments, ncomments, capcomments) != 0)
        return -1;
    c = w->ncomments++;
    w->comments[c] = (ld_comment){.author = u, .post = p, .state = LD_NONE, .phase = w->load->phase};
    snprintf(body, sizeof body, "chaos %s w%d c%d", w->load->run, w->index, c);
    snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/comments", w->posts[p].id);
    w->comments[c].first = ld_send(w, LD_COMMENT, u, "POST", path, json_pack("{s:s}", "body", body), c);
    return 0;
}

/* Like/unlike (likes) and follow/unfollow (follows) share this shape. */
static int ld_do_pair(ld_writer *w, int kind)
{
    int like = kind == LD_LIKE || kind == LD_UNLIKE, on = kind == LD_LIKE || kind == LD_FOLLOW;
    ld_pair **pairs = like ? &w->likes : &w->follows;
    int *n = like ? &w->nlikes : &w->nfollows, *cap = like ? &w->caplikes : &w->capfollows;
    int u, i;
    int64_t other;
    char path[96];

    if (on) {
        u = ld_rand(w, LD_USERS_PER_WRITER);
        if (like) {
            if ((i = ld_pick_post(w)) < 0)
                return -1;
            other = i;
        } else {
            /* Half the follows go to the first user of the run, so that it
             * becomes a hot account (tests/chaos/run sets a low threshold)
             * and posts while it is hot, during every fault; unfollows
             * turn it cold now and then (docs/DATA-MODEL.md "Hot accounts"). */
            other = w->load->all_user_ids[ld_rand(w, 2) == 0 ? 0 : ld_rand(w, w->load->nall)];
            if (other == w->users[u].id)
                return -1;
        }
        i = ld_find_pair(*pairs, *n, u, other);
        if (i >= 0 && ((*pairs)[i].on || (*pairs)[i].busy))
            return -1;
        if (i < 0) {
            if (ld_grow((void **)pairs, cap, *n, sizeof **pairs) != 0)
                return -1;
            i = (*n)++;
            (*pairs)[i] = (ld_pair){.user = u, .other = other};
        }
    } else {
        if (*n == 0)
            return -1;
        i = ld_rand(w, *n);
        if (!(*pairs)[i].on || (*pairs)[i].busy)
            return -1;
        if (like && (w->posts[(*pairs)[i].other].state != LD_ALIVE || w->posts[(*pairs)[i].other].busy))
            return -1;
        u = (*pairs)[i].user;
        other = (*pairs)[i].other;
    }
    if (like)
        snprintf(path, sizeof path, "/v1/posts/%" PRId64 "/like", w->posts[other].id);
    else
        snprintf(path, sizeof path, "/v1/users/%" PRId64 "/follow", other);
    (*pairs)[i].phase = w->load->phase;
    (*pairs)[i].first = ld_send(w, kind, u, on ? "POST" : "DELETE", path, on ? json_object() : NULL, i);
    return 0;
}

static int ld_do_del_comment(ld_writer *w)
{
    char path[64];
    int c;
    if (w->ncomments == 0)
        return -1;
    c = w->ncomments - 1 - ld_rand(w, w->ncomments < 64 ? w->ncomments : 64);
    if (w->comments[c].state != LD_ALIVE || w->comments[c].busy || w->posts[w->comments[c].post].busy)
        return -1;
    snprintf(path, sizeof path, "/v1/comments/%" PRId64, w->comments[c].id);
    w->comments[c].phase = w->load->phase;
    w->comments[c].first = ld_send(w, LD_DEL_COMMENT, w->comments[c].author, "DELETE", path, NULL, c);
    return 0;
}

static int ld_do_del_post(ld_writer *w)
{
    char path[64];
    int p = ld_pick_post(w);
    if (p < 0)
        return -1;
    /* Not while a write to one of its comments or likes is unresolved. */
    for (int i = 0; i < w->ncomments; i++)
        if (w->comments[i].post == p && w->comments[i].busy)
            return -1;
    for (int i = 0; i < w->nlikes; i++)
        if (w->likes[i].other == p && w->likes[i].busy)
            return -1;
    snprintf(path, sizeof path, "/v1/posts/%" PRId64, w->posts[p].id);
    w->posts[p].phase = w->load->phase;
    w->posts[p].first = ld_send(w, LD_DEL_POST, w->posts[p].author, "DELETE", path, NULL, p);
    return 0;
}

/* One write of a kind drawn by weight; a kind that has nothing to act on
 * falls back to a new post. */
static void ld_one(ld_writer *w)
{
    static const int weights[LD_KINDS] = {30, 20, 18, 6, 10, 4, 6, 6};
    int r = ld_rand(w, 100), kind = 0, rc;
    while (r >= weights[kind])
        r -= weights[kind++];
    switch (kind) {
    case LD_COMMENT: rc = ld_do_comment(w); break;
    case LD_LIKE:
    case LD_UNLIKE:
    case LD_FOLLOW:
    case LD_UNFOLLOW: rc = ld_do_pair(w, kind); break;
    case LD_DEL_POST: rc = ld_do_del_post(w); break;
    case LD_DEL_COMMENT: rc = ld_do_del_comment(w); break;
    default: rc = -1; break;
    }
    if (rc != 0)
        ld_do_post(w);
    /* A read now and then: the API fills the Redis head of a feed it
     * reads, and the job keeps existing heads up to date, so the cache
     * path is exercised (and checked by feedcheck) too. */
    if (ld_rand(w, 4) == 0) {
        int u = ld_rand(w, LD_USERS_PER_WRITER);
        ld_counts *c = &w->counts[w->load->phase];
        char path[96];
        ac_result res;
        snprintf(path, sizeof path, "/v1/users/%" PRId64 "/home?limit=20", w->users[u].id);
        ac_call(&w->conn, "GET", path, w->users[u].token, NULL, NULL, &res);
        c->reads++;
        if (res.fate != AC_ACCEPTED) {
            int64_t t = cu_now_ms();
            c->reads_failed++;
            if (c->first_read_fail_ms == 0)
                c->first_read_fail_ms = t;
            c->last_read_fail_ms = t;
        }
        ac_result_free(&res);
    }
}

static void *ld_thread(void *arg)
{
    ld_writer *w = arg;
    ld_load *l = w->load;
    int64_t interval_us = (int64_t)(1e6 * l->nwriters / l->rate), next = cu_now_ms() * 1000;

    while (!l->stop) {
        int64_t now = cu_now_ms() * 1000;
        if (now < next) {
            usleep((useconds_t)(next - now < 100000 ? next - now : 100000));
            continue;
        }
        ld_one(w);
        /* A steady rate: slots missed while a write hung are skipped, not
         * made up in a burst. */
        next += interval_us;
        if (next < cu_now_ms() * 1000)
            next = cu_now_ms() * 1000;
    }
    return NULL;
}

/* ---- set-up ---------------------------------------------------------------------- */

static int ld_make_user(ld_writer *w, int u, int deadline_ms)
{
    int64_t end = cu_now_ms() + deadline_ms;
    char handle[40], key[64], what[128];
    ac_result res;

    snprintf(handle, sizeof handle, "c%s_w%d_%d", w->load->run, w->index, u);
    snprintf(key, sizeof key, "%s-user-%d-%d", w->load->run, w->index, u);
    for (;;) {
        json_t *body = json_pack("{s:s,s:s}", "handle", handle, "display_name", "chaos writer");
        ac_call(&w->conn, "POST", "/v1/users", NULL, key, body, &res);
        json_decref(body);
        if (res.fate == AC_ACCEPTED && ac_get_str(&res, NULL, "token") != NULL) {
            w->users[u].id = ac_get_id(&res, "user", "id");
            snprintf(w->users[u].token, sizeof w->users[u].token, "%s", ac_get_str(&res, NULL, "token"));
            ac_result_free(&res);
            return w->users[u].id > 0 ? 0 : -1;
        }
        ac_describe(&res, what, sizeof what);
        ac_result_free(&res);
        if (cu_now_ms() > end) {
            fprintf(stderr, "feed-chaos: cannot create user %s: %s\n", handle, what);
            return -1;
        }
        usleep(500000);
    }
}

int ld_init(ld_load *l, const char *api_url, int nwriters, double rate, int deadline_ms)
{
    static unsigned cohorts; /* one run id per load made by this process */
    memset(l, 0, sizeof *l);
    snprintf(l->run, sizeof l->run, "%08x%u", (unsigned)(time(NULL) ^ ((unsigned)getpid() << 16)), cohorts++);
    if (hc_parse_url(api_url, l->api_host, sizeof l->api_host, &l->api_port) != 0) {
        fprintf(stderr, "feed-chaos: bad API URL %s\n", api_url);
        return -1;
    }
    l->nwriters = nwriters;
    l->rate = rate;
    l->timeout_ms = 5000;
    l->w = calloc((size_t)nwriters, sizeof *l->w);
    l->all_user_ids = calloc((size_t)nwriters * LD_USERS_PER_WRITER, sizeof *l->all_user_ids);
    l->threads = calloc((size_t)nwriters, sizeof *l->threads);
    if (l->w == NULL || l->all_user_ids == NULL || l->threads == NULL)
        return -1;
    for (int i = 0; i < nwriters; i++) {
        ld_writer *w = &l->w[i];
        w->load = l;
        w->index = i;
        w->rng = (unsigned)(i * 7919 + 17) ^ (unsigned)time(NULL);
        hc_init(&w->conn, l->api_host, l->api_port, l->timeout_ms);
        for (int u = 0; u < LD_USERS_PER_WRITER; u++) {
            if (ld_make_user(w, u, deadline_ms) != 0)
                return -1;
            l->all_user_ids[l->nall++] = w->users[u].id;
        }
    }
    return 0;
}

int ld_start(ld_load *l, int phase)
{
    l->stop = 0;
    l->phase = phase;
    l->fault_ms = 0;
    for (int i = 0; i < l->nwriters; i++)
        if (pthread_create(&l->threads[i], NULL, ld_thread, &l->w[i]) != 0) {
            l->stop = 1;
            for (int k = 0; k < i; k++)
                pthread_join(l->threads[k], NULL);
            return -1;
        }
    return 0;
}

void ld_stop(ld_load *l)
{
    l->stop = 1;
    for (int i = 0; i < l->nwriters; i++)
        pthread_join(l->threads[i], NULL);
}

/* ---- resolving unknown fates ----------------------------------------------------------- */

/* ld_settle: one retry of p; 1 when its fate is now known (and applied). */
static int ld_settle(ld_writer *w, ld_pending *p)
{
    ld_counts *c = &w->counts[p->phase];
    int is_post = strcmp(p->method, "POST") == 0, done = 1;
    ac_result res;

    ac_call(&w->conn, p->method, p->path, w->users[p->user].token, is_post ? p->key : NULL, p->body, &res);
    if (res.fate == AC_ACCEPTED) {
        /* A POST replayed: the first attempt had written. A DELETE that
         * deletes now: the first attempt had not. */
        if (is_post && res.replayed)
            c->resolved_written++;
        else
            c->resolved_not_written++;
        ld_apply(w, p->kind, p->target, &res);
    } else if (res.fate == AC_REFUSED && res.status == 404 && !is_post) {
        c->resolved_written++; /* already gone: the first attempt deleted it */
        ld_apply(w, p->kind, p->target, &res);
    } else if (res.fate == AC_REFUSED && res.status < 500 && res.clear) {
        c->resolved_not_written++; /* refused now, so the first did nothing either */
    } else {
        done = 0;
    }
    if (done && p->counted)
        c->unresolved--;
    ac_result_free(&res);
    return done;
}

int ld_resolve(ld_load *l, int deadline_ms)
{
    int64_t end = cu_now_ms() + deadline_ms;
    int left;

    do {
        left = 0;
        for (int i = 0; i < l->nwriters; i++) {
            ld_writer *w = &l->w[i];
            for (int k = 0; k < w->npending; k++) {
                ld_pending *p = &w->pending[k];
                if (p->kind < 0)
                    continue;
                if (ld_settle(w, p)) {
                    *ld_busy_of(w, p->kind, p->target) = 0;
                    json_decref(p->body);
                    p->body = NULL;
                    p->kind = -1;
                } else {
                    left++;
                }
            }
        }
        if (left > 0)
            usleep(250000);
    } while (left > 0 && cu_now_ms() < end);
    for (int i = 0; i < l->nwriters; i++) {
        ld_writer *w = &l->w[i];
        int keep = 0;
        for (int k = 0; k < w->npending; k++) {
            if (w->pending[k].kind < 0)
                continue;
            if (!w->pending[k].counted)
                w->counts[w->pending[k].phase].unresolved++;
            w->pending[k].counted = 1;
            w->pending[keep++] = w->pending[k];
        }
        w->npending = keep;
    }
    return left == 0 ? 0 : -1;
}

void ld_totals(const ld_load *l, int phase, ld_counts *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < l->nwriters; i++) {
        const ld_counts *c = &l->w[i].counts[phase];
        out->writes += c->writes;
        for (int k = 0; k < LD_OUTCOMES; k++)
            out->outcome[k] += c->outcome[k];
        out->resolved_written += c->resolved_written;
        out->resolved_not_written += c->resolved_not_written;
        out->unresolved += c->unresolved;
        out->reads += c->reads;
        out->reads_failed += c->reads_failed;
        if (c->first_fail_ms != 0 && (out->first_fail_ms == 0 || c->first_fail_ms < out->first_fail_ms))
            out->first_fail_ms = c->first_fail_ms;
        if (c->last_fail_ms > out->last_fail_ms)
            out->last_fail_ms = c->last_fail_ms;
        if (c->first_read_fail_ms != 0 &&
            (out->first_read_fail_ms == 0 || c->first_read_fail_ms < out->first_read_fail_ms))
            out->first_read_fail_ms = c->first_read_fail_ms;
        if (c->last_read_fail_ms > out->last_read_fail_ms)
            out->last_read_fail_ms = c->last_read_fail_ms;
    }
}

void ld_free(ld_load *l)
{
    for (int i = 0; l->w != NULL && i < l->nwriters; i++) {
        ld_writer *w = &l->w[i];
        hc_close(&w->conn);
        for (int k = 0; k < w->npending; k++)
            json_decref(w->pending[k].body);
        free(w->pending);
        free(w->posts);
        free(w->comments);
        free(w->likes);
        free(w->follows);
    }
    free(l->w);
    free(l->all_user_ids);
    free(l->threads);
    memset(l, 0, sizeof *l);
}
