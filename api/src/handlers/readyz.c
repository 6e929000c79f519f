/* readyz.c: three store checks in parallel under one deadline. */
#include "api/src/handlers/readyz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/app/worker.h"
#include "api/src/http/http_error.h"

enum { RZ_PG, RZ_REDIS, RZ_CQL, RZ_COUNT };

static const char *const rz_names[RZ_COUNT] = {"postgres", "redis", "cassandra"};

typedef struct readyz_ctx {
    http_request *req; /* NULL once answered */
    worker *w;
    unsigned refs; /* the answer + each check in flight */
    loop_timer timer;
    char result[RZ_COUNT][112]; /* "" while pending, "ok", "down: ..." */
} readyz_ctx;

static void rz_unref(readyz_ctx *z)
{
    if (--z->refs == 0)
        free(z);
}

static void rz_answer(readyz_ctx *z)
{
    static const http_request_header_out retry[] = {{"Retry-After", "1"}};
    int i, ready = 1, rc = 0;
    buf body;

    if (z->req == NULL)
        return;
    loop_timer_stop(&z->w->loop, &z->timer);
    buf_init(&body, 0);
    for (i = 0; i < RZ_COUNT; i++) {
        if (z->result[i][0] == '\0')
            snprintf(z->result[i], sizeof(z->result[i]), "down: no answer within %d ms", READYZ_DEADLINE_MS);
        ready &= strcmp(z->result[i], "ok") == 0;
    }
    rc |=
        buf_append_cstr(&body, ready ? "{\"status\":\"ready\",\"checks\":{" : "{\"status\":\"not_ready\",\"checks\":{");
    for (i = 0; i < RZ_COUNT; i++) {
        rc |= buf_append_cstr(&body, i > 0 ? ",\"" : "\"");
        rc |= buf_append_cstr(&body, rz_names[i]);
        rc |= buf_append_cstr(&body, "\":\"");
        rc |= http_json_escape(&body, z->result[i], strlen(z->result[i]));
        rc |= buf_append_cstr(&body, "\"");
    }
    rc |= buf_append_cstr(&body, "}}");
    if (rc != 0)
        http_request_respond_error(z->req, 500, "internal", "out of memory");
    else
        http_request_respond_headers(z->req, ready ? 200 : 503, "application/json", slice_make(body.data, body.len),
                                     ready ? NULL : retry, ready ? 0 : 1);
    buf_dispose(&body);
    z->req = NULL;
    rz_unref(z);
}

/* Record check i; answer when it was the last one pending. */
static void rz_set(readyz_ctx *z, int i, const char *down)
{
    int j, all = 1;

    if (z->req != NULL && z->result[i][0] == '\0') {
        if (down == NULL)
            snprintf(z->result[i], sizeof(z->result[i]), "ok");
        else
            snprintf(z->result[i], sizeof(z->result[i]), "down: %.100s", down);
        for (j = 0; j < RZ_COUNT; j++)
            all &= z->result[j][0] != '\0';
        if (all)
            rz_answer(z);
    }
}

static void rz_on_timer(loop *l, loop_timer *t)
{
    (void)l;
    rz_answer(t->data);
}

static void rz_on_pg(pg_client *c, const pg_reply *reply, void *privdata)
{
    (void)c;
    rz_set(privdata, RZ_PG,
           reply->status == PG_CLIENT_ENONE ? NULL
           : reply->errstr != NULL          ? reply->errstr
                                            : pg_client_strerror(reply->status));
    rz_unref(privdata);
}

static void rz_on_redis(redis_client *c, int status, redisReply *reply, void *privdata)
{
    const char *down = NULL;

    if (status != REDIS_CLIENT_OK)
        down = c->errstr[0] != '\0' ? c->errstr : redis_client_strerror(status);
    else if (reply == NULL || reply->type == REDIS_REPLY_ERROR)
        down = reply != NULL ? reply->str : "no reply";
    rz_set(privdata, RZ_REDIS, down);
    rz_unref(privdata);
}

static void rz_on_cql(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    (void)resp;
    rz_set(privdata, RZ_CQL,
           status == CQL_CLIENT_OK ? NULL
           : c->errstr[0] != '\0'  ? c->errstr
                                   : cql_client_strerror(status));
    rz_unref(privdata);
}

/* Submit the checks; those refused at once are recorded down now. */
static void rz_start(readyz_ctx *z)
{
    stores *s = &z->w->stores;
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};

    z->refs += 3;
    if (s->pg == NULL || pg_client_query(s->pg, "SELECT 1", 0, NULL, rz_on_pg, z) != PG_CLIENT_OK) {
        rz_set(z, RZ_PG, s->pg == NULL ? "not configured" : pg_client_strerror(s->pg->err));
        z->refs--;
    }
    if (s->redis == NULL || redis_client_command(s->redis, rz_on_redis, z, "PING") != REDIS_CLIENT_OK) {
        rz_set(z, RZ_REDIS, s->redis == NULL ? "not configured" : redis_client_strerror(s->redis->err));
        z->refs--;
    }
    if (s->cql == NULL ||
        cql_client_query(s->cql, "SELECT release_version FROM system.local", &p, rz_on_cql, z) != CQL_CLIENT_OK) {
        rz_set(z, RZ_CQL, s->cql == NULL ? "not configured" : cql_client_strerror(s->cql->err));
        z->refs--;
    }
}

void readyz_handle(http_request *req, void *data)
{
    worker *w = http_request_context(req);
    readyz_ctx *z;

    (void)data;
    z = calloc(1, sizeof(*z));
    if (z == NULL || w == NULL) {
        free(z);
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    z->req = req;
    z->w = w;
    z->refs = 2; /* the answer, and rz_start's own hold */
    loop_timer_init(&z->timer, rz_on_timer, z);
    if (loop_timer_start(&w->loop, &z->timer, READYZ_DEADLINE_MS) != LOOP_OK) {
        free(z);
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    rz_start(z);
    rz_unref(z); /* rz_start's hold: the answer may already have been given */
}
