/* ledger.c: the writes of a load checked against PostgreSQL (ld_verify).
 *
 * For every object a writer touched, what the writer knows it should be
 * (from accepted writes and resolved unknown ones) is compared with the
 * rows: posts and comments by their unique body, likes and follows by
 * their pair. A difference is charged to the phase of the write that
 * decided the object:
 *   lost          an accepted write whose effect is missing
 *   doubled       an object present twice
 *   half_written  a refused (or never sent) write whose effect is there
 * (a create's row, or a delete's absence).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tools/chaos/load.h"

static void ld_note(ld_verdict *v, const char *what, int w, int i, long long got, long long want)
{
    if (v->first_problem[0] == '\0')
        snprintf(v->first_problem, sizeof v->first_problem, "%s w%d #%d: %lld rows in PostgreSQL, %lld expected", what,
                 w, i, got, want);
}

/* Charge a difference between got and want rows for an object decided by
 * a write with outcome first in phase. */
static void ld_charge(ld_verdict *v, int phase, int first, long long got, long long want, const char *what, int w,
                      int i)
{
    if (got == want)
        return;
    if (got > 1)
        v->doubled[phase]++;
    else if (first != LD_ACCEPTED && first != LD_UNKNOWN)
        v->half_written[phase]++; /* the refused write took effect */
    else
        v->lost[phase]++;
    ld_note(v, what, w, i, got, want);
}

/* Rows by body for this run's posts or comments: counts[w][i]. */
static int ld_body_counts(PGconn *pg, const ld_load *l, const char *table, char tag, int ***counts)
{
    char sql[256], like[64];
    const char *params[1] = {like};
    PGresult *res;
    int **c = calloc((size_t)l->nwriters, sizeof *c);

    if (c == NULL)
        return -1;
    for (int w = 0; w < l->nwriters; w++) {
        int n = tag == 'p' ? l->w[w].nposts : l->w[w].ncomments;
        if ((c[w] = calloc((size_t)n + 1, sizeof **c)) == NULL)
            return -1;
    }
    *counts = c;
    snprintf(like, sizeof like, "chaos %s w%%", l->run);
    snprintf(sql, sizeof sql, "SELECT body, count(*) FROM %s WHERE body LIKE $1 GROUP BY body", table);
    res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "feed-chaos: %s: %s", table, PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    for (int r = 0; r < PQntuples(res); r++) {
        char run[24], t;
        int w, i;
        if (sscanf(PQgetvalue(res, r, 0), "chaos %23s w%d %c%d", run, &w, &t, &i) != 4 || t != tag || w < 0 ||
            w >= l->nwriters || i < 0 || i >= (tag == 'p' ? l->w[w].nposts : l->w[w].ncomments))
            continue;
        c[w][i] = atoi(PQgetvalue(res, r, 1));
    }
    PQclear(res);
    return 0;
}

static void ld_free_counts(int **c, int n)
{
    for (int w = 0; c != NULL && w < n; w++)
        free(c[w]);
    free(c);
}

/* Pairs (a, b) present in PostgreSQL for this run's users: a query with
 * the user ids as $1. Returns a PGresult the caller clears, or NULL. */
static PGresult *ld_pairs(PGconn *pg, const ld_load *l, const char *sql)
{
    size_t cap = (size_t)l->nall * 21 + 3, used = 0;
    char *arr = malloc(cap);
    const char *params[1];
    PGresult *res;

    if (arr == NULL)
        return NULL;
    arr[used++] = '{';
    for (int i = 0; i < l->nall; i++)
        used += (size_t)snprintf(arr + used, cap - used, "%s%" PRId64, i ? "," : "", l->all_user_ids[i]);
    snprintf(arr + used, cap - used, "}");
    params[0] = arr;
    res = PQexecParams(pg, sql, 1, NULL, params, NULL, NULL, 0);
    free(arr);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        fprintf(stderr, "feed-chaos: %s", PQresultErrorMessage(res));
        PQclear(res);
        return NULL;
    }
    return res;
}

/* Does the result hold (a, b)? Linear: a chaos run makes a few thousand. */
static int ld_has(PGresult *res, int64_t a, int64_t b)
{
    for (int r = 0; r < PQntuples(res); r++)
        if (strtoll(PQgetvalue(res, r, 0), NULL, 10) == a && strtoll(PQgetvalue(res, r, 1), NULL, 10) == b)
            return 1;
    return 0;
}

static void ld_check_pairs(const ld_load *l, PGresult *likes, PGresult *follows, ld_verdict *v)
{
    for (int w = 0; w < l->nwriters; w++) {
        const ld_writer *wr = &l->w[w];
        for (int i = 0; i < wr->nlikes; i++) {
            const ld_pair *p = &wr->likes[i];
            const ld_post *post = &wr->posts[p->other];
            int want = p->on && post->state == LD_ALIVE;
            int got = post->id > 0 && ld_has(likes, wr->users[p->user].id, post->id);
            if (p->busy)
                continue; /* unresolved: counted as such */
            ld_charge(v, p->phase, p->first, got, want, "like", w, i);
            v->checked++;
        }
        for (int i = 0; i < wr->nfollows; i++) {
            const ld_pair *p = &wr->follows[i];
            int got = ld_has(follows, wr->users[p->user].id, p->other);
            if (p->busy)
                continue;
            ld_charge(v, p->phase, p->first, got, p->on, "follow", w, i);
            v->checked++;
        }
    }
}

int ld_verify(const ld_load *l, const char *pg_conninfo, ld_verdict *v)
{
    PGconn *pg = PQconnectdb(pg_conninfo);
    PGresult *likes = NULL, *follows = NULL;
    int **posts = NULL, **comments = NULL, rc = -1;

    memset(v, 0, sizeof *v);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(stderr, "feed-chaos: postgres: %s", PQerrorMessage(pg));
        goto out;
    }
    if (ld_body_counts(pg, l, "posts", 'p', &posts) != 0 || ld_body_counts(pg, l, "comments", 'c', &comments) != 0)
        goto out;
    likes = ld_pairs(pg, l, "SELECT user_id, post_id FROM likes WHERE user_id = ANY($1::bigint[])");
    follows = ld_pairs(pg, l, "SELECT follower_id, followee_id FROM follows WHERE follower_id = ANY($1::bigint[])");
    if (likes == NULL || follows == NULL)
        goto out;
    for (int w = 0; w < l->nwriters; w++) {
        const ld_writer *wr = &l->w[w];
        for (int i = 0; i < wr->nposts; i++) {
            if (wr->posts[i].busy)
                continue;
            ld_charge(v, wr->posts[i].phase, wr->posts[i].first, posts[w][i], wr->posts[i].state == LD_ALIVE, "post", w,
                      i);
            v->checked++;
        }
        for (int i = 0; i < wr->ncomments; i++) {
            if (wr->comments[i].busy)
                continue;
            ld_charge(v, wr->comments[i].phase, wr->comments[i].first, comments[w][i],
                      wr->comments[i].state == LD_ALIVE, "comment", w, i);
            v->checked++;
        }
    }
    ld_check_pairs(l, likes, follows, v);
    rc = 0;
out:
    PQclear(likes);
    PQclear(follows);
    ld_free_counts(posts, l->nwriters);
    ld_free_counts(comments, l->nwriters);
    PQfinish(pg);
    return rc;
}
