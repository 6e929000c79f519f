/* feedcheck.h: the oracle. Options, the store readers and the run.
 *
 * feedcheck computes every feed from PostgreSQL alone (fc_model.h) and
 * compares it with Cassandra and with the heads Redis caches
 * (fc_compare.h). The readers here are thin: fc_pg.c (libpq, COPY),
 * fc_cql.c (the project's blocking CQL connection, paged), fc_redis.c
 * (hiredis, pipelined); fc_run.c wires them and prints the report.
 */
#ifndef FEEDCHECK_H
#define FEEDCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "tools/feedcheck/fc_compare.h"
#include "tools/feedcheck/fc_merge.h"
#include "tools/feedcheck/fc_model.h"

#define FC_DEFAULT_PG_DSN "hostaddr=127.0.0.1 port=15432 dbname=feed user=feed password=feed"
#define FC_DEFAULT_CASSANDRA_HOST "127.0.0.1"
#define FC_DEFAULT_CASSANDRA_PORT 19042
#define FC_DEFAULT_REDIS_HOST "127.0.0.1"
#define FC_DEFAULT_REDIS_PORT 16379

/* Exit codes. */
enum {
    FC_EXIT_EQUAL = 0, /* every checked feed is what PostgreSQL implies */
    FC_EXIT_DIFF = 1,  /* at least one difference */
    FC_EXIT_ERROR = 2  /* usage, connection or read error */
};

typedef struct fc_opts {
    const char *pg_dsn;
    char cass_host[256];
    uint16_t cass_port;
    const char *keyspace;
    uint16_t consistency; /* of every Cassandra read (cql_consistency) */
    char redis_host[256];
    uint16_t redis_port;
    int redis_db; /* SELECTed after connecting */
    int no_redis;
    int no_cassandra;
    int no_notifications;
    int no_latest;  /* do not read notifications.latest_us */
    int strict;     /* ambiguous feeds count as differences */
    long details;   /* differences printed in full */
    int64_t *users; /* --users (owned), NULL: all (or --sample) */
    size_t n_users;
    long sample; /* --sample N: N users picked at random, 0: all */
    unsigned seed;
    int backfill;
    long skew_ms;
    int jobs; /* Cassandra connections read in parallel */
    int page_size;
    int quiet;
} fc_opts;

/* Fill o from argv and the environment values (each may be NULL):
 * FEED_PG_DSN, FEED_CASSANDRA_CONTACT_POINTS (first "host[:port]" used),
 * FEED_REDIS_ADDR ("host:port"). Options win over the environment.
 * Returns 0 to go on, -1 after printing --help to out (exit 0), or
 * FC_EXIT_ERROR after printing the problem to err. Resets optind. */
int fc_opts_parse(fc_opts *o, int argc, char **argv, const char *env_pg, const char *env_cass, const char *env_redis,
                  FILE *out, FILE *err);
void fc_opts_free(fc_opts *o);
void fc_usage(FILE *out);

/* Parse "host[:port]" (first of a comma-separated list) into host/port,
 * keeping *port when none is given. 0, or -1 when malformed. */
int fc_parse_hostport(const char *s, char *host, size_t host_cap, uint16_t *port);

/* --- PostgreSQL ---------------------------------------------------------- */

typedef struct fc_pg_stats {
    uint64_t users, follows, posts, comments, likes;
} fc_pg_stats;

/* Read users, follows, posts, comments and likes (one REPEATABLE READ
 * snapshot, COPY) into m and index it. 0, or -1 with a message on err. */
int fc_pg_load(const char *dsn, fc_model *m, fc_pg_stats *st, FILE *err);

/* --- Cassandra ----------------------------------------------------------- */

struct fc_cql;
typedef struct fc_cql fc_cql;

/* Connect and start a session. NULL with a message on err. */
fc_cql *fc_cql_open(const char *host, uint16_t port, const char *keyspace, uint16_t consistency, int page_size,
                    FILE *err);
void fc_cql_close(fc_cql *c);
const char *fc_cql_error(const fc_cql *c);

/* Does keyspace.notifications have the column latest_us? 1, 0, or -1. */
int fc_cql_has_latest(fc_cql *c);

enum { FC_FEED_HOME = 0, FC_FEED_PROFILE = 1, FC_FEED_NOTIF = 2, FC_FEEDS = 3 };

/* One partition read: the user and its rows in clustering order. For
 * notifications, groups is filled and items holds the same entries. */
typedef int (*fc_partition_fn)(void *ctx, int64_t user, const fc_items *items, const fc_groups *groups);

/* Read every partition of feed table `feed` whose token lies in
 * (tok_lo, tok_hi], calling fn per partition. latest: read latest_us.
 * 0, or -1 (connection error or fn failed). */
int fc_cql_scan_feed(fc_cql *c, int feed, int latest, int64_t tok_lo, int64_t tok_hi, fc_partition_fn fn, void *ctx);

/* Read one user's partition of feed table `feed` into items (and groups). */
int fc_cql_read_feed(fc_cql *c, int feed, int latest, int64_t user, fc_items *items, fc_groups *groups);

/* Every row of home_merge, and the profile partition of each followee
 * it names (fc_merge.h). 0, or -1 (connection error, out of memory). */
int fc_cql_read_merges(fc_cql *c, fc_merges *mg);

/* A row of the activities table. */
typedef struct fc_body {
    const char *id;   /* activity_id, NUL-terminated (valid during the call) */
    const char *verb; /* NULL when null */
    const char *object;
    const char *target;
    int64_t actor;    /* INT64_MIN when null */
    int64_t ts_us;    /* INT64_MIN when null */
    int64_t body_len; /* -1 when null */
} fc_body;

typedef int (*fc_body_fn)(void *ctx, const fc_body *b);

/* Every row of activities with token(activity_id) in (tok_lo, tok_hi]. */
int fc_cql_scan_bodies(fc_cql *c, int64_t tok_lo, int64_t tok_hi, fc_body_fn fn, void *ctx);

/* The rows of the given activity ids (NUL-terminated strings). */
int fc_cql_read_bodies(fc_cql *c, const char *const *ids, size_t n, fc_body_fn fn, void *ctx);

/* --- Redis ---------------------------------------------------------------- */

struct fc_redis;
typedef struct fc_redis fc_redis;

/* Connect and SELECT db. NULL with a message on err. */
fc_redis *fc_redis_open(const char *host, uint16_t port, int db, FILE *err);
void fc_redis_close(fc_redis *r);
const char *fc_redis_error(const fc_redis *r);

/* What fc_redis_heads found of a key (bits). The API's marker members
 * (api/src/read/feed_head.h) sit at score -1 and are not returned:
 * "~fill:<token>", a fill in progress (not a head yet), and "~end", the
 * head holds the whole feed. */
enum { FC_HEAD_EXISTS = 1, FC_HEAD_FILLING = 2, FC_HEAD_COMPLETE = 4 };

/* Heads of n users' feed `feed`, pipelined: heads[i] gets user i's members
 * newest first (ZREVRANGE 0 -1 WITHSCORES) without markers, state[i] the
 * FC_HEAD_* bits (0: no key). 0, or -1 on a connection error. */
int fc_redis_heads(fc_redis *r, int feed, const int64_t *users, size_t n, fc_items *heads, int *state);

/* GET each key, pipelined: values[i] is a malloc'd string or NULL when the
 * key does not exist (caller frees). 0, or -1. */
int fc_redis_get(fc_redis *r, char *const *keys, size_t n, char **values);

/* Parse an act:<id> value: fields into *b (strings point into scratch,
 * caller-owned, FC_ID_MAX * 4 bytes). 0, or -1 when it is not the JSON the
 * job writes. */
int fc_redis_parse_act(const char *json, fc_body *b, char *scratch);

/* Parse a notif:<uid>:<gid> value into *g. 0, or -1. */
int fc_redis_parse_group(const char *json, fc_group *g);

/* --- the run -------------------------------------------------------------- */

/* Everything o asks for; the report goes to out, diagnostics to err.
 * Returns an FC_EXIT_* code. */
int fc_run(const fc_opts *o, FILE *out, FILE *err);

/* Compare a body (Cassandra row or cached JSON) with its PostgreSQL row;
 * 0 when consistent, else 1 with what differs in detail. Pure. */
int fc_body_check(const fc_act *a, const fc_body *b, char *detail, size_t cap);

#endif
