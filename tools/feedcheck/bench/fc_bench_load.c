/* fc_bench_load.c: fill a scratch keyspace with the feeds of a PostgreSQL
 * schema, so that feedcheck can be timed on a big, correct dataset.
 *
 *   feedcheck-bench-load --pg DSN --keyspace fc_bench [--cassandra H:P] [--backfill N] [--jobs N]
 *                        [--redis H:P --redis-db N --heads-every K] [--no-cassandra]
 *
 * It writes what feedcheck's own model expects (fc_model.h), so it proves
 * nothing about correctness (the integration test does that, from
 * hand-written feeds); it only makes a dataset of realistic shape and size.
 * It creates the keyspace (schema/cql/001_feeds.cql's tables plus
 * notifications.latest_us) and refuses the keyspace "feed". Rows go in
 * unlogged batches of prepared INSERTs, one partition per batch for the
 * feeds, from --jobs threads with a connection each. With --redis, the
 * heads (newest 500) of every K-th user's three feeds are also written,
 * pipelined, into that Redis database (never db 0, the stack's).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"
#include "schema/redis/redis_keys.h"
#include "tools/feedcheck/feedcheck.h"

enum { BL_BATCH = 100, BL_STMTS = 4 };

typedef struct bl_job {
    const fc_model *m;
    const fc_rules *r;
    const char *host;
    uint16_t port;
    const char *ks;
    int index, jobs;
    cql_conn c;
    char ids[BL_STMTS][64]; /* prepared ids: home, profile, notif, activity */
    size_t id_len[BL_STMTS];
    uint64_t rows;
    int rc;
} bl_job;

static int bl_query(cql_conn *c, const char *q)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;

    if (cql_conn_query(c, cql_slice_from_cstr(q), &p, &resp) != CQL_OK) {
        fprintf(stderr, "feedcheck-bench-load: %s: %s\n", q, c->err.msg);
        return -1;
    }
    return 0;
}

static int bl_prepare(bl_job *j, int k, const char *q)
{
    cql_response resp;

    if (cql_conn_prepare(&j->c, cql_slice_from_cstr(q), &resp) != CQL_OK ||
        resp.result.prepared.id.len > sizeof j->ids[k]) {
        fprintf(stderr, "feedcheck-bench-load: prepare %s: %s\n", q, j->c.err.msg);
        return -1;
    }
    memcpy(j->ids[k], resp.result.prepared.id.base, resp.result.prepared.id.len);
    j->id_len[k] = resp.result.prepared.id.len;
    return 0;
}

/* Send one unlogged batch of n statements of prepared id k. */
static int bl_batch(bl_job *j, int k, cql_values *vals, size_t n)
{
    cql_batch_stmt st[BL_BATCH];
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;
    int16_t stream;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        st[i].query = cql_slice_make(NULL, 0);
        st[i].prepared_id = cql_slice_make(j->ids[k], j->id_len[k]);
        st[i].values = &vals[i];
    }
    stream = cql_conn_next_stream(&j->c);
    if (cql_request_batch(&j->c.out, stream, CQL_BATCH_UNLOGGED, st, (uint16_t)n, &p) != CQL_OK ||
        cql_conn_roundtrip(&j->c, &resp) != CQL_OK) {
        fprintf(stderr, "feedcheck-bench-load: batch: %s\n", j->c.err.msg[0] ? j->c.err.msg : "cannot build");
        return -1;
    }
    j->rows += n;
    return 0;
}

static int bl_items(bl_job *j, int k, int64_t user, const fc_items *l, cql_values *vals)
{
    size_t n = 0;

    for (size_t i = 0; i < l->n; i++) {
        cql_values *v = &vals[n++];
        cql_values_reset(v);
        cql_values_add_int64(v, user);
        cql_values_add_int64(v, l->v[i].ts);
        cql_values_add_text(v, cql_slice_from_cstr(l->v[i].id));
        if (k == 0)
            cql_values_add_int64(v, l->v[i].actor);
        if (cql_values_finish(v) != CQL_OK)
            return -1;
        if (n == BL_BATCH) {
            if (bl_batch(j, k, vals, n) != 0)
                return -1;
            n = 0;
        }
    }
    return bl_batch(j, k, vals, n);
}

static int bl_groups(bl_job *j, int64_t user, const fc_groups *g, cql_values *vals)
{
    size_t n = 0;

    for (size_t i = 0; i < g->n; i++) {
        const fc_group *x = &g->v[i];
        cql_values *v = &vals[n++];
        cql_values_reset(v);
        cql_values_add_int64(v, user);
        cql_values_add_int64(v, x->window_us);
        cql_values_add_text(v, cql_slice_from_cstr(x->id));
        cql_values_add_text(v, cql_slice_from_cstr(x->verb));
        cql_values_add_text(v, cql_slice_from_cstr(x->object));
        cql_values_open(v, CQL_COLL_LIST);
        for (int a = 0; a < x->n_ids; a++)
            cql_values_add_int64(v, x->actor_ids[a]);
        cql_values_close(v);
        cql_values_add_int32(v, x->actor_count);
        cql_values_add_int64(v, x->latest_us);
        if (cql_values_finish(v) != CQL_OK)
            return -1;
        if (n == BL_BATCH) {
            if (bl_batch(j, 2, vals, n) != 0)
                return -1;
            n = 0;
        }
    }
    return bl_batch(j, 2, vals, n);
}

static int bl_bodies(bl_job *j, cql_values *vals)
{
    const fc_model *m = j->m;
    size_t n = 0;

    for (size_t i = (size_t)j->index; i < m->n_acts; i += (size_t)j->jobs) {
        const fc_act *a = &m->acts[i];
        char id[FC_ID_MAX], obj[32], tgt[32], body[64];
        const char *verb = a->kind == 'f' ? "FOLLOW" : a->kind == 'p' ? "SHARD" : a->kind == 'c' ? "COMMENT" : "LIKE";
        cql_values *v = &vals[n++];

        fc_act_id(a, id);
        snprintf(obj, sizeof obj, "%c:%" PRId64, a->kind == 'f' ? 'u' : 'p', a->object);
        snprintf(tgt, sizeof tgt, "u:%" PRId64, a->target);
        memset(body, 'x', sizeof body);
        cql_values_reset(v);
        cql_values_add_text(v, cql_slice_from_cstr(id));
        cql_values_add_text(v, cql_slice_from_cstr(verb));
        cql_values_add_int64(v, a->actor);
        cql_values_add_text(v, cql_slice_from_cstr(obj));
        if (a->target != 0)
            cql_values_add_text(v, cql_slice_from_cstr(tgt));
        else
            cql_values_add_null(v);
        if (a->body_len >= 0 && a->body_len <= (int)sizeof body) /* only the length is checked */
            cql_values_add_text(v, cql_slice_make(body, (size_t)a->body_len));
        else
            cql_values_add_null(v);
        cql_values_add_int64(v, a->ts_us);
        if (cql_values_finish(v) != CQL_OK)
            return -1;
        if (n == BL_BATCH) {
            if (bl_batch(j, 3, vals, n) != 0)
                return -1;
            n = 0;
        }
    }
    return bl_batch(j, 3, vals, n);
}

static void *bl_run(void *arg)
{
    bl_job *j = arg;
    char q[512];
    cql_values vals[BL_BATCH];
    fc_items e = {0};
    fc_groups g = {0};

    j->rc = -1;
    for (int i = 0; i < BL_BATCH; i++)
        cql_values_init(&vals[i]);
    cql_conn_init(&j->c, 0);
    if (cql_conn_connect(&j->c, j->host, j->port, 5000, 120000) != CQL_OK || cql_conn_startup(&j->c) != CQL_OK) {
        fprintf(stderr, "feedcheck-bench-load: Cassandra: %s\n", j->c.err.msg);
        goto done;
    }
    snprintf(q, sizeof q, "INSERT INTO %s.home_feed (user_id, ts_us, activity_id, actor_id) VALUES (?, ?, ?, ?)",
             j->ks);
    if (bl_prepare(j, 0, q) != 0)
        goto done;
    snprintf(q, sizeof q, "INSERT INTO %s.profile_feed (user_id, ts_us, activity_id) VALUES (?, ?, ?)", j->ks);
    if (bl_prepare(j, 1, q) != 0)
        goto done;
    snprintf(q, sizeof q,
             "INSERT INTO %s.notifications (user_id, ts_us, group_id, verb, object_id, actor_ids, actor_count, "
             "latest_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             j->ks);
    if (bl_prepare(j, 2, q) != 0)
        goto done;
    snprintf(q, sizeof q,
             "INSERT INTO %s.activities (activity_id, verb, actor_id, object_id, target_id, body, ts_us) "
             "VALUES (?, ?, ?, ?, ?, ?, ?)",
             j->ks);
    if (bl_prepare(j, 3, q) != 0)
        goto done;
    for (size_t u = (size_t)j->index; u < j->m->n_users; u += (size_t)j->jobs) {
        int64_t user = j->m->users[u];
        if (fc_expect_home(j->m, u, j->r, &e) != 0 || bl_items(j, 0, user, &e, vals) != 0 ||
            fc_expect_profile(j->m, u, &e) != 0 || bl_items(j, 1, user, &e, vals) != 0 ||
            fc_expect_notifications(j->m, u, &g) != 0 || bl_groups(j, user, &g, vals) != 0)
            goto done;
    }
    if (bl_bodies(j, vals) != 0)
        goto done;
    j->rc = 0;
done:
    for (int i = 0; i < BL_BATCH; i++)
        cql_values_dispose(&vals[i]);
    fc_items_free(&e);
    fc_groups_free(&g);
    cql_conn_close(&j->c);
    return NULL;
}

/* Heads of every k-th user in Redis db, pipelined per user. */
static int bl_redis(const fc_model *m, const fc_rules *r, const char *host, uint16_t port, int db, int k,
                    uint64_t *rows)
{
    redisContext *c = redisConnect(host, port);
    fc_items e = {0};
    fc_groups g = {0};
    redisReply *rep;
    int rc = -1, pending = 0;

    if (c == NULL || c->err) {
        fprintf(stderr, "feedcheck-bench-load: Redis: %s\n", c ? c->errstr : "out of memory");
        goto done;
    }
    rep = redisCommand(c, "SELECT %d", db);
    if (rep == NULL || rep->type != REDIS_REPLY_STATUS)
        goto done;
    freeReplyObject(rep);
    for (size_t u = 0; u < m->n_users; u += (size_t)k) {
        int64_t user = m->users[u];
        const char *kinds[3] = {REDIS_KEY_HOME_FEED, REDIS_KEY_PROFILE_FEED, REDIS_KEY_NOTIF_FEED};
        for (int f = 0; f < 3; f++) {
            if ((f == 0   ? fc_expect_home(m, u, r, &e)
                 : f == 1 ? fc_expect_profile(m, u, &e)
                          : fc_expect_notifications(m, u, &g) || fc_groups_as_items(&g, &e)) != 0)
                goto done;
            for (size_t i = 0; i < e.n && i < 500; i++) {
                redisAppendCommand(c, "ZADD %s%lld %lld %s", kinds[f], (long long)user, (long long)e.v[i].ts,
                                   e.v[i].id);
                pending++;
            }
            if (e.n > 0 && e.n <= 500) { /* the whole feed: mark it complete as the API does */
                redisAppendCommand(c, "ZADD %s%lld -1 " REDIS_MEMBER_END, kinds[f], (long long)user);
                pending++;
            }
            *rows += e.n < 500 ? e.n : 500;
        }
        if (pending > 10000 || u + (size_t)k >= m->n_users) {
            for (; pending > 0; pending--) {
                if (redisGetReply(c, (void **)&rep) != REDIS_OK)
                    goto done;
                freeReplyObject(rep);
            }
        }
    }
    rc = 0;
done:
    fc_items_free(&e);
    fc_groups_free(&g);
    if (c != NULL)
        redisFree(c);
    return rc;
}

/* The keyspace and its tables. */
static int bl_schema(const char *host, uint16_t port, const char *ks)
{
    cql_conn c;
    char q[1024];
    int rc = -1;

    cql_conn_init(&c, 0);
    if (cql_conn_connect(&c, host, port, 5000, 120000) != CQL_OK || cql_conn_startup(&c) != CQL_OK) {
        fprintf(stderr, "feedcheck-bench-load: Cassandra: %s\n", c.err.msg);
        goto done;
    }
    snprintf(q, sizeof q, "DROP KEYSPACE IF EXISTS %s", ks);
    if (bl_query(&c, q) != 0)
        goto done;
    snprintf(q, sizeof q, "CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
             ks);
    if (bl_query(&c, q) != 0)
        goto done;
    snprintf(q, sizeof q,
             "CREATE TABLE %s.activities (activity_id text PRIMARY KEY, verb text, actor_id bigint, object_id text, "
             "target_id text, body text, ts_us bigint)",
             ks);
    if (bl_query(&c, q) != 0)
        goto done;
    snprintf(q, sizeof q,
             "CREATE TABLE %s.home_feed (user_id bigint, ts_us bigint, activity_id text, actor_id bigint, "
             "PRIMARY KEY ((user_id), ts_us, activity_id)) WITH CLUSTERING ORDER BY (ts_us DESC, activity_id DESC)",
             ks);
    if (bl_query(&c, q) != 0)
        goto done;
    snprintf(q, sizeof q,
             "CREATE TABLE %s.profile_feed (user_id bigint, ts_us bigint, activity_id text, "
             "PRIMARY KEY ((user_id), ts_us, activity_id)) WITH CLUSTERING ORDER BY (ts_us DESC, activity_id DESC)",
             ks);
    if (bl_query(&c, q) != 0)
        goto done;
    snprintf(q, sizeof q,
             "CREATE TABLE %s.notifications (user_id bigint, ts_us bigint, group_id text, verb text, object_id text, "
             "actor_ids list<bigint>, actor_count int, latest_us bigint, PRIMARY KEY ((user_id), ts_us, group_id)) "
             "WITH CLUSTERING ORDER BY (ts_us DESC, group_id DESC)",
             ks);
    if (bl_query(&c, q) != 0)
        goto done;
    /* hot accounts' merge sources (schema/cql/004): none loaded, but feedcheck reads the table */
    snprintf(q, sizeof q,
             "CREATE TABLE %s.home_merge (user_id bigint, followee_id bigint, follow_ts_us bigint, backfill int, "
             "PRIMARY KEY ((user_id), followee_id))",
             ks);
    if (bl_query(&c, q) != 0)
        goto done;
    rc = 0;
done:
    cql_conn_close(&c);
    return rc;
}

int main(int argc, char **argv)
{
    const char *dsn = NULL, *ks = NULL;
    char host[256] = "127.0.0.1";
    uint16_t port = FC_DEFAULT_CASSANDRA_PORT;
    int jobs = 4, redis_db = 0, every = 10, no_cassandra = 0;
    char rhost[256] = "";
    uint16_t rport = FC_DEFAULT_REDIS_PORT;
    fc_rules rules = {.backfill = 100, .skew_us = 0};
    fc_model m;
    fc_pg_stats st;
    bl_job *j;
    pthread_t *t;
    struct timespec t0, t1;
    uint64_t rows = 0;
    int rc = 0;

    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--no-cassandra") == 0)
            no_cassandra = 1, i--;
        else if (i + 1 == argc)
            dsn = NULL;
        else if (strcmp(argv[i], "--redis") == 0 && fc_parse_hostport(argv[i + 1], rhost, sizeof rhost, &rport) == 0)
            ;
        else if (strcmp(argv[i], "--redis-db") == 0)
            redis_db = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--heads-every") == 0)
            every = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--pg") == 0)
            dsn = argv[i + 1];
        else if (strcmp(argv[i], "--keyspace") == 0)
            ks = argv[i + 1];
        else if (strcmp(argv[i], "--cassandra") == 0 && fc_parse_hostport(argv[i + 1], host, sizeof host, &port) == 0)
            ;
        else if (strcmp(argv[i], "--backfill") == 0)
            rules.backfill = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--jobs") == 0)
            jobs = atoi(argv[i + 1]);
        else
            dsn = NULL, i = argc;
    }
    if (dsn == NULL || ks == NULL || strcmp(ks, "feed") == 0 || jobs < 1 || jobs > 64 || every < 1 ||
        (rhost[0] != '\0' && redis_db <= 0) || strspn(ks, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(ks)) {
        fprintf(stderr, "usage: feedcheck-bench-load --pg DSN --keyspace KS (not feed) [--cassandra HOST:PORT] "
                        "[--backfill N] [--jobs N] [--redis HOST:PORT --redis-db N>0 [--heads-every K]] "
                        "[--no-cassandra]\n");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    fc_model_init(&m);
    if (fc_pg_load(dsn, &m, &st, stderr) != 0 || (!no_cassandra && bl_schema(host, port, ks) != 0))
        return 2;
    if (rhost[0] != '\0') {
        uint64_t heads = 0;
        if (bl_redis(&m, &rules, rhost, rport, redis_db, every, &heads) != 0) {
            fprintf(stderr, "feedcheck-bench-load: writing the Redis heads failed\n");
            return 1;
        }
        printf("feedcheck-bench-load: %" PRIu64 " head members into Redis db %d\n", heads, redis_db);
    }
    if (no_cassandra) {
        fc_model_free(&m);
        return 0;
    }
    j = calloc((size_t)jobs, sizeof *j);
    t = calloc((size_t)jobs, sizeof *t);
    if (j == NULL || t == NULL)
        return 2;
    for (int i = 0; i < jobs; i++) {
        j[i] = (bl_job){.m = &m, .r = &rules, .host = host, .port = port, .ks = ks, .index = i, .jobs = jobs};
        pthread_create(&t[i], NULL, bl_run, &j[i]);
    }
    for (int i = 0; i < jobs; i++) {
        pthread_join(t[i], NULL);
        rows += j[i].rows;
        rc |= j[i].rc;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("feedcheck-bench-load: %" PRIu64 " rows into %s in %.1f s\n", rows, ks,
           (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    free(j);
    free(t);
    fc_model_free(&m);
    return rc != 0 ? 1 : 0;
}
