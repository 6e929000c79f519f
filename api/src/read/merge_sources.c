/* merge_sources.c: see merge_sources.h. */
#include "api/src/read/merge_sources.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/src/read/feed_cql.h"
#include "api/src/read/redis_script.h"
#include "schema/redis/redis_keys.h"
#include "schema/redis/redis_scripts.h"

static redis_script merge_sources_store_script = {redis_lua_merge_sources_store, {0}};
static pthread_once_t merge_sources_once = PTHREAD_ONCE_INIT;
static int merge_sources_init_rc = -1;

static void merge_sources_do_init(void)
{
    merge_sources_init_rc = redis_script_init(&merge_sources_store_script);
}

typedef struct ms_job {
    worker *w;
    pool *p;
    int64_t uid;
    merge_sources_cb *cb;
    void *data;
    char key[48], gen_key[48];
    char gen[24]; /* the generation read before Cassandra; "0": none */
    int redis_ok;
    merge_source *src;
    int32_t *backfill;
    size_t n;
    size_t pending; /* boundary reads in flight */
    int failed;
} ms_job;

static void ms_done(ms_job *j, merge_sources_status st)
{
    if (st == MERGE_SOURCES_OK)
        j->cb(st, j->src, j->n, j->data);
    else
        j->cb(st, NULL, 0, j->data);
}

/* Store the list (fire and forget: its answer changes nothing here). */
static void ms_store(ms_job *j)
{
    buf text;
    char ttl[16];
    const char *argv[5];
    size_t lens[5];

    if (!j->redis_ok || j->w->stores.redis == NULL || merge_sources_init_rc != 0)
        return;
    buf_init(&text, 0);
    if (merge_sources_format(&text, j->src, j->n) == 0) {
        snprintf(ttl, sizeof(ttl), "%d", MERGE_SOURCES_TTL_MS);
        argv[0] = j->key;
        argv[1] = j->gen_key;
        argv[2] = j->gen;
        argv[3] = text.data;
        argv[4] = ttl;
        lens[0] = strlen(j->key);
        lens[1] = strlen(j->gen_key);
        lens[2] = strlen(j->gen);
        lens[3] = text.len;
        lens[4] = strlen(ttl);
        (void)redis_script_call(j->w->stores.redis, &merge_sources_store_script, 2, 5, argv, lens, NULL, NULL);
    }
    buf_dispose(&text);
}

static void ms_on_backfill(cql_client *c, int status, const cql_response *resp, void *privdata);

/* One source's backfill start: refs of its profile at or before the follow. */
typedef struct ms_bound {
    ms_job *j;
    size_t k;
} ms_bound;

static void ms_finish_if_done(ms_job *j)
{
    if (j->pending > 0)
        return;
    if (j->failed) {
        ms_done(j, MERGE_SOURCES_UNAVAILABLE);
        return;
    }
    ms_store(j);
    ms_done(j, MERGE_SOURCES_OK);
}

static void ms_on_backfill(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    ms_bound *b = privdata;
    ms_job *j = b->j;
    merge_source *s = &j->src[b->k];
    int32_t want = j->backfill[b->k];
    feed_ref *refs;
    size_t got = 0;

    j->pending--;
    refs = pool_alloc(j->p, (size_t)want * sizeof(*refs));
    if (status != CQL_CLIENT_OK || refs == NULL || feed_cql_parse_refs(resp, refs, (size_t)want, &got) != 0) {
        if (status != CQL_CLIENT_ECLOSED)
            feed_cql_log_failure(c, status, resp, "merge source backfill");
        j->failed = 1;
    } else if (got < (size_t)want) {
        s->before = MERGE_BEFORE_ALL;
    } else {
        s->before = MERGE_BEFORE_FROM;
        s->from = refs[got - 1];
    }
    ms_finish_if_done(j);
}

static int ms_read_backfill(ms_job *j, size_t k)
{
    static const char text[] = "SELECT ts_us, activity_id FROM profile_feed WHERE user_id = ? AND ts_us <= ? LIMIT ?";
    cql_client *c = j->w->stores.cql;
    cql_query_params qp = {.consistency = c->consistency};
    ms_bound *b = pool_alloc(j->p, sizeof(*b));
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    if (b == NULL)
        return -1;
    b->j = j;
    b->k = k;
    cql_values_init(&v);
    cql_values_add_int64(&v, j->src[k].followee_id);
    cql_values_add_int64(&v, j->src[k].follow_ts_us);
    cql_values_add_int32(&v, j->backfill[k]);
    if (cql_values_finish(&v) == CQL_OK) {
        qp.values = &v;
        rc = cql_client_execute(c, text, &qp, ms_on_backfill, b);
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK)
        return -1;
    j->pending++;
    return 0;
}

static void ms_on_sources(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    ms_job *j = privdata;
    cql_row_iter it;
    cql_value v[3];
    size_t k;
    int rc;

    if (status != CQL_CLIENT_OK || !cql_response_is_rows(resp, 3)) {
        if (status != CQL_CLIENT_ECLOSED)
            feed_cql_log_failure(c, status, resp, "merge sources");
        ms_done(j, MERGE_SOURCES_UNAVAILABLE);
        return;
    }
    j->src = pool_alloc(j->p, (MERGE_SOURCES_MAX + 1) * sizeof(*j->src));
    j->backfill = pool_alloc(j->p, (MERGE_SOURCES_MAX + 1) * sizeof(*j->backfill));
    if (j->src == NULL || j->backfill == NULL) {
        ms_done(j, MERGE_SOURCES_INTERNAL);
        return;
    }
    cql_row_iter_init(&it, &resp->result.rows);
    while ((rc = cql_row_iter_next(&it, v, 3)) == 1) {
        merge_source *s;
        int32_t backfill;
        if (j->n > MERGE_SOURCES_MAX) {
            ms_done(j, MERGE_SOURCES_TOO_MANY);
            return;
        }
        s = &j->src[j->n];
        memset(s, 0, sizeof(*s));
        if (cql_value_as_int64(&v[0], &s->followee_id, NULL) != CQL_OK ||
            cql_value_as_int64(&v[1], &s->follow_ts_us, NULL) != CQL_OK ||
            cql_value_as_int32(&v[2], &backfill, NULL) != CQL_OK) {
            ms_done(j, MERGE_SOURCES_UNAVAILABLE);
            return;
        }
        if (backfill < 0)
            backfill = 0;
        if (backfill > MERGE_SOURCES_MAX_BACKFILL)
            backfill = MERGE_SOURCES_MAX_BACKFILL;
        j->backfill[j->n] = backfill;
        s->before = MERGE_BEFORE_NONE;
        j->n++;
    }
    if (rc != 0) {
        ms_done(j, MERGE_SOURCES_UNAVAILABLE);
        return;
    }
    if (j->n > MERGE_SOURCES_MAX) {
        ms_done(j, MERGE_SOURCES_TOO_MANY);
        return;
    }
    j->pending = 1; /* held while the reads are sent: a callback cannot finish early */
    for (k = 0; k < j->n; k++) {
        if (j->backfill[k] > 0 && ms_read_backfill(j, k) != 0)
            j->failed = 1;
    }
    j->pending--;
    ms_finish_if_done(j);
}

static void ms_read_cassandra(ms_job *j)
{
    static const char text[] = "SELECT followee_id, follow_ts_us, backfill FROM home_merge WHERE user_id = ? LIMIT ?";
    cql_client *c = j->w->stores.cql;
    cql_query_params qp;
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    if (c == NULL) {
        ms_done(j, MERGE_SOURCES_UNAVAILABLE);
        return;
    }
    memset(&qp, 0, sizeof(qp));
    qp.consistency = c->consistency;
    cql_values_init(&v);
    cql_values_add_int64(&v, j->uid);
    cql_values_add_int32(&v, MERGE_SOURCES_MAX + 1);
    if (cql_values_finish(&v) == CQL_OK) {
        qp.values = &v;
        rc = cql_client_execute(c, text, &qp, ms_on_sources, j);
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK) {
        feed_cql_log_failure(c, c->err, NULL, "merge sources (refused)");
        ms_done(j, MERGE_SOURCES_UNAVAILABLE);
    }
}

static void ms_on_cache(redis_client *c, int status, redisReply *reply, void *privdata)
{
    ms_job *j = privdata;

    (void)c;
    if (status == REDIS_CLIENT_OK && reply != NULL && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2) {
        const redisReply *text = reply->element[0], *gen = reply->element[1];
        j->redis_ok = 1;
        if (gen->type == REDIS_REPLY_STRING && gen->len < sizeof(j->gen)) {
            memcpy(j->gen, gen->str, gen->len);
            j->gen[gen->len] = '\0';
        }
        if (text->type == REDIS_REPLY_STRING &&
            merge_sources_parse(slice_make(text->str, text->len), j->p, &j->src, &j->n) == 0) {
            ms_done(j, MERGE_SOURCES_OK);
            return;
        }
        j->src = NULL; /* a miss, or a text we cannot read: read Cassandra, store it again */
        j->n = 0;
    }
    ms_read_cassandra(j);
}

void merge_sources_get(worker *w, pool *p, int64_t reader_id, merge_sources_cb *cb, void *data)
{
    ms_job *j = pool_alloc(p, sizeof(*j));
    redis_client *rc = w->stores.redis;

    if (j == NULL || pthread_once(&merge_sources_once, merge_sources_do_init) != 0) {
        cb(MERGE_SOURCES_INTERNAL, NULL, 0, data);
        return;
    }
    memset(j, 0, sizeof(*j));
    j->w = w;
    j->p = p;
    j->uid = reader_id;
    j->cb = cb;
    j->data = data;
    strcpy(j->gen, "0");
    snprintf(j->key, sizeof(j->key), REDIS_KEY_MERGE_SOURCES "%" PRId64, reader_id);
    snprintf(j->gen_key, sizeof(j->gen_key), REDIS_KEY_MERGE_SOURCES_GEN "%" PRId64, reader_id);
    if (rc == NULL || redis_client_command(rc, ms_on_cache, j, "MGET %s %s", j->key, j->gen_key) != REDIS_CLIENT_OK)
        ms_read_cassandra(j);
}
