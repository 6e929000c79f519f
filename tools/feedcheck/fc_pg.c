/* fc_pg.c: PostgreSQL's rows into an fc_model.
 *
 * One REPEATABLE READ, READ ONLY transaction, so the five tables are one
 * snapshot (every comment's post and every follow's users exist). Each
 * table is read with COPY (SELECT ...) TO STDOUT (FORMAT binary): one
 * streamed result with no per-row protocol overhead and no result set held
 * by libpq, which keeps millions of rows fast and memory-sane. Every column
 * is an integer; created_at arrives as timestamptz's own int64 (µs since
 * 2000-01-01, integer datetimes being the only kind since PostgreSQL 10),
 * exact and with no conversion on the server (EXTRACT(EPOCH ...) in numeric
 * cost the server more than the whole read). Bodies travel as octet_length.
 */
#include "tools/feedcheck/feedcheck.h"

#include <errno.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

/* Microseconds from 1970-01-01 to 2000-01-01, PostgreSQL's timestamp epoch. */
#define FC_PG_EPOCH_US 946684800000000LL

static int64_t fc_be(const unsigned char *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    if (n == 2)
        return (int16_t)(uint16_t)v;
    return (int64_t)v;
}

/* Parse one binary COPY tuple of integer fields (int2/int4/int8 and
 * timestamptz, which is int8 µs since 2000) into f; NULL becomes -1.
 * *skip_header: the first message also carries the file header. Returns
 * the number of fields, 0 for the trailer, -1 if malformed. */
static int fc_pg_tuple(const char *msg, int len, int64_t *f, int max, int *skip_header)
{
    const unsigned char *p = (const unsigned char *)msg, *end = p + len;
    int n;

    if (*skip_header) {
        if (len < 19 || memcmp(p, "PGCOPY\n\377\r\n\0", 11) != 0)
            return -1;
        p += 15;
        p += 4 + fc_be(p, 4);
        *skip_header = 0;
    }
    if (end - p < 2)
        return -1;
    n = (int)fc_be(p, 2);
    p += 2;
    if (n == -1)
        return 0;
    if (n < 0 || n > max)
        return -1;
    for (int i = 0; i < n; i++) {
        int32_t flen;
        if (end - p < 4)
            return -1;
        flen = (int32_t)fc_be(p, 4);
        p += 4;
        if (flen == -1) {
            f[i] = -1;
            continue;
        }
        if ((flen != 2 && flen != 4 && flen != 8) || end - p < flen)
            return -1;
        f[i] = fc_be(p, flen);
        p += flen;
    }
    return n;
}

typedef int (*fc_pg_row_fn)(fc_model *m, const int64_t *f);

static int fc_pg_user(fc_model *m, const int64_t *f)
{
    return fc_model_add_user(m, f[0]);
}

static int fc_pg_follow(fc_model *m, const int64_t *f)
{
    fc_follow fw = {.id = f[0], .follower = f[1], .followee = f[2], .ts_us = f[3]};
    return fc_model_add_follow(m, &fw);
}

static int fc_pg_post(fc_model *m, const int64_t *f)
{
    fc_act a = {
        .id = f[0], .actor = f[1], .ts_us = f[2], .object = f[0], .target = 0, .body_len = (int32_t)f[3], .kind = 'p'};
    return fc_model_add_act(m, &a);
}

static int fc_pg_comment(fc_model *m, const int64_t *f)
{
    fc_act a = {.id = f[0],
                .actor = f[1],
                .object = f[2],
                .target = f[3],
                .ts_us = f[4],
                .body_len = (int32_t)f[5],
                .kind = 'c'};
    return fc_model_add_act(m, &a);
}

static int fc_pg_like(fc_model *m, const int64_t *f)
{
    fc_act a = {.id = f[0], .actor = f[1], .object = f[2], .target = f[3], .ts_us = f[4], .body_len = -1, .kind = 'l'};
    return fc_model_add_act(m, &a);
}

/* Run one binary COPY ... TO STDOUT of nf integer columns, column ts_col
 * a timestamptz (-1: none), each row to fn. */
static int fc_pg_copy(PGconn *pg, const char *sql, int nf, int ts_col, fc_pg_row_fn fn, fc_model *m, uint64_t *rows,
                      FILE *err)
{
    PGresult *res = PQexec(pg, sql);
    char *line;
    int len, rc = 0, header = 1, got;
    int64_t f[8];

    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        fprintf(err, "feedcheck: PostgreSQL: %s: %s", sql, PQerrorMessage(pg));
        PQclear(res);
        return -1;
    }
    PQclear(res);
    while ((len = PQgetCopyData(pg, &line, 0)) > 0) {
        if (rc == 0) {
            got = fc_pg_tuple(line, len, f, 8, &header);
            if (got == 0) {
                /* the trailer */
            } else if (got != nf) {
                fprintf(err, "feedcheck: PostgreSQL: unexpected row in %s\n", sql);
                rc = -1;
            } else {
                if (ts_col >= 0)
                    f[ts_col] += FC_PG_EPOCH_US;
                if (fn(m, f) != 0) {
                    fprintf(err, "feedcheck: out of memory reading PostgreSQL\n");
                    rc = -1;
                }
                (*rows)++;
            }
        }
        PQfreemem(line);
    }
    if (len == -2) {
        fprintf(err, "feedcheck: PostgreSQL: COPY failed: %s", PQerrorMessage(pg));
        rc = -1;
    }
    while ((res = PQgetResult(pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
            fprintf(err, "feedcheck: PostgreSQL: %s", PQresultErrorMessage(res));
            rc = -1;
        }
        PQclear(res);
    }
    return rc;
}

static int fc_pg_exec(PGconn *pg, const char *sql, FILE *err)
{
    PGresult *res = PQexec(pg, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK;

    if (!ok)
        fprintf(err, "feedcheck: PostgreSQL: %s: %s", sql, PQerrorMessage(pg));
    PQclear(res);
    return ok ? 0 : -1;
}

int fc_pg_load(const char *dsn, fc_model *m, fc_pg_stats *st, FILE *err)
{
    PGconn *pg = PQconnectdb(dsn);
    int rc = -1;

    memset(st, 0, sizeof *st);
    if (PQstatus(pg) != CONNECTION_OK) {
        fprintf(err, "feedcheck: cannot connect to PostgreSQL: %s", PQerrorMessage(pg));
        goto done;
    }
    if (fc_pg_exec(pg, "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", err) != 0)
        goto done;
    if (fc_pg_copy(pg, "COPY (SELECT id FROM users) TO STDOUT (FORMAT binary)", 1, -1, fc_pg_user, m, &st->users,
                   err) != 0 ||
        fc_pg_copy(pg, "COPY (SELECT id, follower_id, followee_id, created_at FROM follows) TO STDOUT (FORMAT binary)",
                   4, 3, fc_pg_follow, m, &st->follows, err) != 0 ||
        fc_pg_copy(pg,
                   "COPY (SELECT id, author_id, created_at, octet_length(body) FROM posts) TO STDOUT (FORMAT binary)",
                   4, 2, fc_pg_post, m, &st->posts, err) != 0 ||
        fc_pg_copy(pg,
                   "COPY (SELECT id, author_id, post_id, post_author_id, created_at, octet_length(body) FROM comments) "
                   "TO STDOUT (FORMAT binary)",
                   6, 4, fc_pg_comment, m, &st->comments, err) != 0 ||
        fc_pg_copy(
            pg, "COPY (SELECT id, user_id, post_id, post_author_id, created_at FROM likes) TO STDOUT (FORMAT binary)",
            5, 4, fc_pg_like, m, &st->likes, err) != 0)
        goto done;
    if (fc_pg_exec(pg, "COMMIT", err) != 0)
        goto done;
    if (fc_model_index(m) != 0) {
        fprintf(err, "feedcheck: out of memory indexing PostgreSQL's rows\n");
        goto done;
    }
    rc = 0;
done:
    PQfinish(pg);
    return rc;
}
