/* bench_pg.h: PostgreSQL helpers for the benchmarks (libpq, blocking).
 *
 * Bulk loads go through COPY, one transaction per call (or per chunk),
 * so a graph of 100k follows loads in about a second. Every function
 * returns 0 or -1 with a message in err; the caller owns the connection.
 */
#ifndef BENCH_PG_H
#define BENCH_PG_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

PGconn *bench_pg_connect(const char *conninfo, char *err, size_t errlen);

/* A growable buffer of COPY text rows; the caller frees p. */
typedef struct bench_pg_text {
    char *p;
    size_t len, cap;
} bench_pg_text;

/* Append printf output to t (doubling from 1 MiB). 0, or -1 out of memory. */
int bench_pg_text_printf(bench_pg_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One COPY, one transaction: copy_sql ("COPY t (cols) FROM STDIN", text
 * format) fed data[0..len), whole rows. */
int bench_pg_copy_text(PGconn *pg, const char *copy_sql, const char *data, size_t len, char *err, size_t errlen);

/* Reserve n values of table's identity column "id" for explicit ids: the
 * sequence is moved past them (and past any id already in the table), so
 * ids *base + 1 .. *base + n are the caller's and later INSERTs get
 * others. table is a trusted identifier. n == 0: nothing, *base = 0.
 * Not atomic against concurrent inserts between the read and the setval:
 * load into a quiet table. */
int bench_pg_reserve_ids(PGconn *pg, const char *table, size_t n, int64_t *base, char *err, size_t errlen);

/* DELETE FROM table WHERE id = ANY(ids[0..n)), in transactions of at most
 * chunk ids. table is a trusted identifier. */
int bench_pg_delete_ids(PGconn *pg, const char *table, const int64_t *ids, size_t n, size_t chunk, char *err,
                        size_t errlen);

/* Run sql expecting no rows or any rows (the result is dropped). */
int bench_pg_exec(PGconn *pg, const char *sql, char *err, size_t errlen);

/* Create n users with handles "<prefix>_<role><i>" (i = 0..n-1) by COPY,
 * and their ids in ids[i]. */
int bench_pg_create_users(PGconn *pg, const char *prefix, const char *role, size_t n, int64_t *ids, char *err,
                          size_t errlen);

/* COPY n follows (follower[i] follows followee[i]) in transactions of at
 * most chunk rows. per_hour > 0 backdates them: follow i gets created_at =
 * now - (1 + i / per_hour) hours, so that no notification group (one per
 * followee and hour of created_at, docs/DATA-MODEL.md) gets more than
 * per_hour of them. Why: the job's Notifications operator recomputes a
 * group from all its live activities on every change, O(n) per event, so
 * 50,000 follows of one user within one hour cost it ~10^9 steps and stall
 * the whole job (measured: README). per_hour 0: created_at = now(). */
int bench_pg_copy_follows(PGconn *pg, const int64_t *follower, const int64_t *followee, size_t n, size_t chunk,
                          size_t per_hour, char *err, size_t errlen);

/* COPY n posts by author[i] with body, in transactions of at most chunk rows. */
int bench_pg_copy_posts(PGconn *pg, const int64_t *author, size_t n, size_t chunk, const char *body, char *err,
                        size_t errlen);

/* INSERT one post (its own transaction); *id and *ts_us (created_at in µs,
 * the feed's clustering time) from RETURNING. */
int bench_pg_insert_post(PGconn *pg, int64_t author, const char *body, int64_t *id, int64_t *ts_us, char *err,
                         size_t errlen);

#endif
