/* catch_up.c: the three-step catch-up wait (see catch_up.h). */
#include "tools/chaos/catch_up.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <libpq-fe.h>

#include "schema/redis/redis_keys.h"
#include "tools/chaos/kafka_offsets.h"

#define CU_MARKER_HANDLE "zz_catchup_marker"
#define CU_POLL_US (100 * 1000)

static const char *const cu_tables[] = {"users", "follows", "posts", "comments", "likes"};

int64_t cu_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cu_env_port(const char *name, int def)
{
    const char *v = getenv(name);
    int p = v != NULL ? atoi(v) : 0;
    return p > 0 && p < 65536 ? p : def;
}

void cu_config_from_env(cu_config *cfg)
{
    static char pg[512], kafka[128];
    const char *dsn = getenv("FEED_PG_DSN"), *boot = getenv("FEED_KAFKA_BOOTSTRAP");

    memset(cfg, 0, sizeof *cfg);
    if (dsn != NULL && *dsn != '\0')
        snprintf(pg, sizeof pg, "%s", dsn);
    else
        snprintf(pg, sizeof pg, "hostaddr=127.0.0.1 port=%d dbname=feed user=feed password=feed connect_timeout=5",
                 cu_env_port("FEED_PG_PORT", 15432));
    if (boot != NULL && *boot != '\0')
        snprintf(kafka, sizeof kafka, "%s", boot);
    else if (getenv("FEED_NODES") != NULL && atoi(getenv("FEED_NODES")) >= 3)
        /* A cluster's three brokers (stack/config.env's FEED_NODE_ADDRS):
         * any one of them up will do. */
        snprintf(kafka, sizeof kafka, "127.0.0.1:%d,127.0.0.2:%d,127.0.0.3:%d", cu_env_port("FEED_KAFKA_PORT", 19092),
                 cu_env_port("FEED_KAFKA_PORT", 19092), cu_env_port("FEED_KAFKA_PORT", 19092));
    else
        snprintf(kafka, sizeof kafka, "127.0.0.1:%d", cu_env_port("FEED_KAFKA_PORT", 19092));
    cfg->pg_conninfo = pg;
    cfg->redis_host = "127.0.0.1";
    cfg->redis_port = cu_env_port("FEED_REDIS_PORT", 16379);
    cfg->kafka_bootstrap = kafka;
    cfg->group = "feed-fanout";
    cfg->topic_prefix = "feed";
    cfg->deadline_ms = 180000;
}

static void cu_sleep(void)
{
    usleep(CU_POLL_US);
}

/* Step 1: write the marker; *lsn = B. 0, -1 (retry), with err. */
static int cu_marker(const cu_config *cfg, uint64_t *lsn, char *err, size_t errlen)
{
    PGconn *pg = PQconnectdb(cfg->pg_conninfo);
    PGresult *res = NULL;
    uint32_t hi, lo;
    int rc = -1;

    if (PQstatus(pg) != CONNECTION_OK) {
        snprintf(err, errlen, "postgres: %s", PQerrorMessage(pg));
        goto out;
    }
    res = PQexec(pg, "INSERT INTO users (handle, display_name) VALUES ('" CU_MARKER_HANDLE "', 'catch-up marker')"
                     " ON CONFLICT (handle) DO NOTHING");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        goto sqlerr;
    PQclear(res);
    res = PQexec(pg, "SELECT pg_current_wal_lsn()::text");
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
        goto sqlerr;
    if (sscanf(PQgetvalue(res, 0, 0), "%" SCNx32 "/%" SCNx32, &hi, &lo) != 2)
        goto sqlerr;
    *lsn = ((uint64_t)hi << 32) | lo;
    PQclear(res);
    res = PQexec(pg, "UPDATE users SET display_name = 'catch-up ' || to_char(clock_timestamp(), 'HH24:MI:SS.US')"
                     " WHERE handle = '" CU_MARKER_HANDLE "'");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        goto sqlerr;
    rc = 0;
    goto out;
sqlerr:
    snprintf(err, errlen, "postgres: marker: %s", PQresultErrorMessage(res));
out:
    PQclear(res);
    PQfinish(pg);
    return rc;
}

/* The job's progress LSN for table, 0 if none; -1 on a Redis error. */
static int cu_progress(redisContext **redis, const cu_config *cfg, const char *table, uint64_t *lsn, char *err,
                       size_t errlen)
{
    struct timeval tv = {2, 0};
    redisReply *reply;
    json_t *doc;

    *lsn = 0;
    if (*redis == NULL || (*redis)->err) {
        if (*redis != NULL)
            redisFree(*redis);
        *redis = redisConnectWithTimeout(cfg->redis_host, cfg->redis_port, tv);
        if (*redis == NULL || (*redis)->err) {
            snprintf(err, errlen, "redis: %s", *redis ? (*redis)->errstr : "out of memory");
            return -1;
        }
        redisSetTimeout(*redis, tv);
    }
    reply = redisCommand(*redis, "HGET %s %s", REDIS_KEY_PROGRESS, table);
    if (reply == NULL) {
        snprintf(err, errlen, "redis: %s", (*redis)->errstr);
        return -1;
    }
    if (reply->type == REDIS_REPLY_STRING && (doc = json_loadb(reply->str, reply->len, 0, NULL)) != NULL) {
        *lsn = (uint64_t)json_integer_value(json_object_get(doc, "lsn"));
        json_decref(doc);
    }
    freeReplyObject(reply);
    return 0;
}

static int cu_offsets(const cu_config *cfg, ko_offsets *o, char *err, size_t errlen)
{
    char names[5][96];
    const char *topics[5];
    for (int i = 0; i < 5; i++) {
        snprintf(names[i], sizeof names[i], "%s.public.%s", cfg->topic_prefix, cu_tables[i]);
        topics[i] = names[i];
    }
    return ko_fetch(cfg->kafka_bootstrap, topics, 5, cfg->group, 5000, o, err, errlen);
}

/* Records the group still has to commit past, given the ends in snap. */
static int64_t cu_lag(const ko_offsets *snap, const ko_offsets *now)
{
    int64_t lag = 0;
    for (size_t i = 0; i < snap->n; i++) {
        int64_t end = snap->p[i].end, committed = -1;
        for (size_t k = 0; k < now->n; k++)
            if (now->p[k].partition == snap->p[i].partition && strcmp(now->p[k].topic, snap->p[i].topic) == 0)
                committed = now->p[k].committed;
        if (end > 0 && committed < end - 1)
            lag += end - 1 - (committed < 0 ? 0 : committed);
    }
    return lag;
}

int cu_wait(const cu_config *cfg, cu_report *rep)
{
    int64_t start = cu_now_ms(), deadline = start + cfg->deadline_ms;
    redisContext *redis = NULL;
    ko_offsets *snap = calloc(1, sizeof *snap), *now = calloc(1, sizeof *now);
    uint64_t seen = 0;
    int rc = -1;

    memset(rep, 0, sizeof *rep);
    if (snap == NULL || now == NULL) {
        snprintf(rep->err, sizeof rep->err, "out of memory");
        goto out;
    }
    while (cu_marker(cfg, &rep->marker_lsn, rep->err, sizeof rep->err) != 0) {
        if (cu_now_ms() > deadline)
            goto late;
        cu_sleep();
    }
    for (;;) {
        if (cu_progress(&redis, cfg, "users", &seen, rep->err, sizeof rep->err) == 0 && seen >= rep->marker_lsn)
            break;
        if (cu_now_ms() > deadline) {
            if (rep->err[0] == '\0')
                snprintf(rep->err, sizeof rep->err,
                         "the job's progress for users stayed at %" PRIx64 " < marker %" PRIx64, seen, rep->marker_lsn);
            goto late;
        }
        cu_sleep();
    }
    rep->marker_ms = cu_now_ms() - start;
    while (cu_offsets(cfg, snap, rep->err, sizeof rep->err) != 0) {
        if (cu_now_ms() > deadline)
            goto late;
        cu_sleep();
    }
    rep->lag_at_marker = cu_lag(snap, snap);
    for (;;) {
        if (cu_offsets(cfg, now, rep->err, sizeof rep->err) == 0) {
            int64_t lag = cu_lag(snap, now);
            if (lag == 0)
                break;
            snprintf(rep->err, sizeof rep->err, "the job's consumer group is %" PRId64 " records behind", lag);
        }
        if (cu_now_ms() > deadline)
            goto late;
        cu_sleep();
    }
    rep->err[0] = '\0';
    rep->total_ms = cu_now_ms() - start;
    rc = 0;
    goto out;
late : {
    char why[sizeof rep->err];
    memcpy(why, rep->err, sizeof why);
    why[160] = '\0';
    snprintf(rep->err, sizeof rep->err, "not caught up within %d ms: %.160s", cfg->deadline_ms, why);
}
out:
    if (redis != NULL)
        redisFree(redis);
    free(snap);
    free(now);
    return rc;
}
