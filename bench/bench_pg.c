/* bench_pg.c: libpq helpers: COPY loads, single-row inserts. */
#include "bench/bench_pg.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

PGconn *bench_pg_connect(const char *conninfo, char *err, size_t errlen)
{
    PGconn *pg = PQconnectdb(conninfo);

    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(err, errlen, "postgres: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return NULL;
    }
    return pg;
}

int bench_pg_exec(PGconn *pg, const char *sql, char *err, size_t errlen)
{
    PGresult *res = PQexec(pg, sql);
    int st = PQresultStatus(res), rc = 0;

    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        snprintf(err, errlen, "%.80s: %s", sql, PQresultErrorMessage(res));
        rc = -1;
    }
    PQclear(res);
    return rc;
}

int bench_pg_copy_text(PGconn *pg, const char *copy_sql, const char *data, size_t len, char *err, size_t errlen)
{
    PGresult *res = PQexec(pg, copy_sql);
    int rc = 0;

    if (PQresultStatus(res) != PGRES_COPY_IN) {
        snprintf(err, errlen, "%s: %s", copy_sql, PQresultErrorMessage(res));
        PQclear(res);
        return -1;
    }
    PQclear(res);
    if (PQputCopyData(pg, data, (int)len) != 1 || PQputCopyEnd(pg, NULL) != 1) {
        snprintf(err, errlen, "%s: %s", copy_sql, PQerrorMessage(pg));
        return -1;
    }
    while ((res = PQgetResult(pg)) != NULL) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
            snprintf(err, errlen, "%s: %s", copy_sql, PQresultErrorMessage(res));
            rc = -1;
        }
        PQclear(res);
    }
    return rc;
}

int bench_pg_text_printf(bench_pg_text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? t->cap - t->len : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if (t->p != NULL && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return 0;
        }
        size_t cap = t->cap ? t->cap * 2 : 1 << 20;
        while (cap < t->len + (size_t)n + 1)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (p == NULL)
            return -1;
        t->p = p;
        t->cap = cap;
    }
}

int bench_pg_create_users(PGconn *pg, const char *prefix, const char *role, size_t n, int64_t *ids, char *err,
                          size_t errlen)
{
    bench_pg_text t = {0};
    char sql[256];
    PGresult *res;
    size_t plen;
    int rc = -1;

    for (size_t i = 0; i < n; i++)
        if (bench_pg_text_printf(&t, "%s_%s%zu\t%s %s %zu\n", prefix, role, i, prefix, role, i) != 0) {
            snprintf(err, errlen, "out of memory");
            goto out;
        }
    if (n > 0 && bench_pg_copy_text(pg, "COPY users (handle, display_name) FROM STDIN", t.p, t.len, err, errlen) != 0)
        goto out;
    snprintf(sql, sizeof sql, "SELECT id, handle FROM users WHERE handle LIKE '%s\\_%s%%'", prefix, role);
    res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || (size_t)PQntuples(res) != n) {
        snprintf(err, errlen, "%s: %d rows, expected %zu: %s", sql, PQntuples(res), n, PQresultErrorMessage(res));
        PQclear(res);
        goto out;
    }
    plen = strlen(prefix) + 1 + strlen(role);
    for (int r = 0; r < PQntuples(res); r++) {
        size_t i = (size_t)strtoull(PQgetvalue(res, r, 1) + plen, NULL, 10);
        if (i < n)
            ids[i] = strtoll(PQgetvalue(res, r, 0), NULL, 10);
    }
    PQclear(res);
    rc = 0;
out:
    free(t.p);
    return rc;
}

int bench_pg_copy_follows(PGconn *pg, const int64_t *follower, const int64_t *followee, size_t n, size_t chunk,
                          size_t per_hour, char *err, size_t errlen)
{
    bench_pg_text t = {0};
    int rc = 0;
    time_t now = time(NULL);

    for (size_t from = 0; from < n && rc == 0; from += chunk) {
        size_t to = from + chunk < n ? from + chunk : n;
        t.len = 0;
        for (size_t i = from; i < to && rc == 0; i++) {
            char when[64] = "";
            if (per_hour > 0) {
                time_t at = now - (time_t)(1 + i / per_hour) * 3600;
                struct tm tm;
                gmtime_r(&at, &tm);
                strftime(when, sizeof when, "\t%Y-%m-%d %H:%M:%S+00", &tm);
            }
            if (bench_pg_text_printf(&t, "%lld\t%lld%s\n", (long long)follower[i], (long long)followee[i], when) != 0) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
            }
        }
        if (rc == 0)
            rc = bench_pg_copy_text(pg,
                                    per_hour > 0 ? "COPY follows (follower_id, followee_id, created_at) FROM STDIN"
                                                 : "COPY follows (follower_id, followee_id) FROM STDIN",
                                    t.p, t.len, err, errlen);
    }
    free(t.p);
    return rc;
}

int bench_pg_copy_posts(PGconn *pg, const int64_t *author, size_t n, size_t chunk, const char *body, char *err,
                        size_t errlen)
{
    bench_pg_text t = {0};
    int rc = 0;

    for (size_t from = 0; from < n && rc == 0; from += chunk) {
        size_t to = from + chunk < n ? from + chunk : n;
        t.len = 0;
        for (size_t i = from; i < to; i++)
            if (bench_pg_text_printf(&t, "%lld\t%s\n", (long long)author[i], body) != 0) {
                snprintf(err, errlen, "out of memory");
                rc = -1;
                break;
            }
        if (rc == 0)
            rc = bench_pg_copy_text(pg, "COPY posts (author_id, body) FROM STDIN", t.p, t.len, err, errlen);
    }
    free(t.p);
    return rc;
}

int bench_pg_insert_post(PGconn *pg, int64_t author, const char *body, int64_t *id, int64_t *ts_us, char *err,
                         size_t errlen)
{
    char a[24];
    const char *params[2] = {a, body};
    PGresult *res;
    int rc = 0;

    snprintf(a, sizeof a, "%lld", (long long)author);
    res = PQexecParams(pg,
                       "INSERT INTO posts (author_id, body) VALUES ($1, $2) "
                       "RETURNING id, (extract(epoch FROM created_at) * 1000000)::bigint",
                       2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        snprintf(err, errlen, "insert post: %s", PQresultErrorMessage(res));
        rc = -1;
    } else {
        *id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        *ts_us = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int bench_pg_reserve_ids(PGconn *pg, const char *table, size_t n, int64_t *base, char *err, size_t errlen)
{
    char sql[512];
    PGresult *res;
    int rc = 0;

    if (n == 0) {
        *base = 0;
        return 0;
    }
    /* pg_sequence_last_value is NULL before the first nextval */
    snprintf(sql, sizeof sql,
             "SELECT setval(s, greatest(coalesce(pg_sequence_last_value(s), 0), "
             "(SELECT coalesce(max(id), 0) FROM %s)) + %zu) - %zu "
             "FROM (SELECT pg_get_serial_sequence('%s', 'id')::regclass AS s) q",
             table, n, n, table);
    res = PQexec(pg, sql);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
        snprintf(err, errlen, "reserving %zu ids of %s: %s", n, table, PQresultErrorMessage(res));
        rc = -1;
    } else {
        *base = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    }
    PQclear(res);
    return rc;
}

int bench_pg_delete_ids(PGconn *pg, const char *table, const int64_t *ids, size_t n, size_t chunk, char *err,
                        size_t errlen)
{
    bench_pg_text t = {0};
    char sql[128];
    int rc = 0;

    snprintf(sql, sizeof sql, "DELETE FROM %s WHERE id = ANY($1::bigint[])", table);
    for (size_t from = 0; from < n && rc == 0; from += chunk) {
        size_t to = from + chunk < n ? from + chunk : n;
        const char *param;
        PGresult *res;
        t.len = 0;
        for (size_t i = from; i < to && rc == 0; i++)
            rc = bench_pg_text_printf(&t, "%c%lld", i == from ? '{' : ',', (long long)ids[i]);
        if (rc == 0)
            rc = bench_pg_text_printf(&t, "}");
        if (rc != 0) {
            snprintf(err, errlen, "out of memory");
            break;
        }
        param = t.p;
        res = PQexecParams(pg, sql, 1, NULL, &param, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            snprintf(err, errlen, "%s: %s", sql, PQresultErrorMessage(res));
            rc = -1;
        }
        PQclear(res);
    }
    free(t.p);
    return rc;
}
