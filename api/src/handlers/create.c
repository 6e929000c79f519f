/* create.c: a POST's transaction and its Idempotency-Key (see create.h
 * and idempotency.h). */
#include "api/src/handlers/create.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/handlers/idempotency.h"
#include "api/src/handlers/pg_errors.h"
#include "api/src/handlers/store_call.h"

typedef struct create_ctx {
    http_request *req;
    const worker *w;
    int has_key;
    char owner[24];  /* key_owner in decimal */
    const char *key; /* pool copy, NUL-terminated */
    char hash[IDEM_HASH_HEX + 1];
    char ttl_s[16];  /* idempotency_ttl_s in decimal */
    int write_index; /* the write's statement in the transaction */
    int empty_status;
    const char *empty_code;
    const char *empty_message;
    create_finish *finish;
} create_ctx;

/* Send the stored answer, through the finish hook if there is one. */
static void create_send(create_ctx *ctx, int status, const PGresult *r, int col, const http_request_header_out *headers,
                        size_t nheaders)
{
    slice stored = slice_make(PQgetvalue(r, 0, col), (size_t)PQgetlength(r, 0, col));
    buf out;

    if (ctx->finish == NULL) {
        http_request_respond_headers(ctx->req, status, "application/json", stored, headers, nheaders);
        return;
    }
    buf_init(&out, 0);
    if (ctx->finish(ctx->w, stored, &out) != 0)
        http_request_respond_error(ctx->req, 500, "internal", "cannot finish the answer");
    else
        http_request_respond_headers(ctx->req, status, "application/json", slice_make(out.data, out.len), headers,
                                     nheaders);
    buf_dispose(&out);
}

static void create_replayed(pg_client *c, const pg_reply *reply, void *privdata)
{
    static const http_request_header_out replayed[] = {{IDEM_REPLAYED_HEADER, "true"}};
    create_ctx *ctx = privdata;
    const PGresult *r;
    int status;

    (void)c;
    if (reply->status != PG_CLIENT_ENONE) {
        store_call_fail(ctx->req, ctx->w, reply, 1);
        return;
    }
    r = reply->results[0];
    status = PQntuples(r) == 1 ? atoi(PQgetvalue(r, 0, 1)) : 0;
    if (status < 200 || status > 599) {
        /* The claim vanished or was never completed: only an outside
         * DELETE of the row can do that. The client may retry. */
        http_request_respond_error(ctx->req, 409, "idempotency_key_in_progress",
                                   "this Idempotency-Key is being used by another request; retry");
        return;
    }
    if (strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
        http_request_respond_error(ctx->req, 422, "idempotency_key_reused",
                                   "this Idempotency-Key was used for a different request");
        return;
    }
    create_send(ctx, status, r, 2, replayed, 1);
}

/* The key is taken (23505 on its primary key): answer from its row. */
static void create_replay(create_ctx *ctx)
{
    const char *params[3] = {ctx->owner, ctx->key, ctx->hash};
    pg_client *pg = ctx->w->stores.pg;

    if (pg_client_query(pg, IDEM_SQL_LOOKUP, 3, params, create_replayed, ctx) != PG_CLIENT_OK)
        store_call_refused(ctx->req, ctx->w, pg);
}

static void create_done(pg_client *c, const pg_reply *reply, void *privdata)
{
    create_ctx *ctx = privdata;
    const PGresult *r;
    const char *constraint;

    (void)c;
    if (reply->status == PG_CLIENT_ESERVER && ctx->has_key && reply->sqlstate != NULL &&
        strcmp(reply->sqlstate, "23505") == 0 && (constraint = pg_errors_constraint(reply)) != NULL &&
        strcmp(constraint, "idempotency_keys_pkey") == 0) {
        create_replay(ctx);
        return;
    }
    if (reply->status != PG_CLIENT_ENONE) {
        store_call_fail(ctx->req, ctx->w, reply, 1);
        return;
    }
    r = reply->nresults > ctx->write_index ? reply->results[ctx->write_index] : NULL;
    if (r == NULL || PQresultStatus(r) != PGRES_TUPLES_OK) {
        http_request_respond_error(ctx->req, 500, "internal", "unexpected database answer");
        return;
    }
    if (PQntuples(r) != 1) {
        http_request_respond_error(ctx->req, ctx->empty_status, ctx->empty_code, ctx->empty_message);
        return;
    }
    create_send(ctx, 201, r, 0, NULL, 0);
}

/* Read and check the Idempotency-Key of req into ctx. 0, or -1 after
 * answering a 400. */
static int create_read_key(http_request *req, create_ctx *ctx)
{
    slice key = http_request_header(req, IDEM_HEADER);

    ctx->has_key = key.base != NULL;
    if (!ctx->has_key)
        return 0;
    if (!idem_key_valid(key)) {
        http_request_respond_error(req, 400, "invalid_value",
                                   "Idempotency-Key must be 1..255 printable ASCII characters");
        return -1;
    }
    ctx->key = pool_strndup(http_request_pool(req), key.base, key.len);
    if (ctx->key == NULL ||
        idem_request_hash(http_request_method(req), http_request_path(req), http_request_body(req), ctx->hash) != 0) {
        http_request_respond_error(req, 500, "internal", "cannot digest the request");
        return -1;
    }
    return 0;
}

void create_run(http_request *req, const worker *w, const create_spec *spec)
{
    create_ctx *ctx = pool_alloc(http_request_pool(req), sizeof(*ctx));
    const char *wparams[CREATE_MAX_PARAMS + 2], *kparams[3], *eparams[3];
    pg_stmt stmts[5];
    pg_client *pg = w != NULL ? w->stores.pg : NULL;
    char *sql;
    int n = 0, i;

    if (ctx == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    memset(ctx, 0, sizeof(*ctx));
    ctx->req = req;
    ctx->w = w;
    ctx->empty_status = spec->empty_status;
    ctx->empty_code = spec->empty_code;
    ctx->empty_message = spec->empty_message;
    ctx->finish = spec->finish;
    snprintf(ctx->owner, sizeof(ctx->owner), "%" PRId64, spec->key_owner);
    if (create_read_key(req, ctx) != 0)
        return;
    if (pg == NULL) {
        store_call_refused(req, w, NULL);
        return;
    }
    sql = idem_compose_sql(http_request_pool(req), spec->cte, spec->nparams, ctx->has_key, 201);
    if (sql == NULL || spec->nparams > CREATE_MAX_PARAMS) {
        http_request_respond_error(req, 500, "internal", "cannot build the statement");
        return;
    }
    for (i = 0; i < spec->nparams; i++)
        wparams[i] = spec->params[i];
    wparams[spec->nparams] = ctx->owner;
    wparams[spec->nparams + 1] = ctx->key;
    kparams[0] = ctx->owner;
    kparams[1] = ctx->key;
    kparams[2] = ctx->hash;
    snprintf(ctx->ttl_s, sizeof(ctx->ttl_s), "%" PRIu32,
             w != NULL && w->shared != NULL ? w->shared->cfg->idempotency_ttl_s : IDEM_TTL_DEFAULT_S);
    eparams[0] = ctx->owner;
    eparams[1] = ctx->key;
    eparams[2] = ctx->ttl_s;
    if (ctx->has_key) {
        stmts[n++] = (pg_stmt){IDEM_SQL_EXPIRE, 3, eparams};
        stmts[n++] = (pg_stmt){IDEM_SQL_SWEEP, 1, &eparams[2]};
        stmts[n++] = (pg_stmt){IDEM_SQL_CLAIM, 3, kparams};
    }
    ctx->write_index = n;
    stmts[n++] = (pg_stmt){sql, spec->nparams + (ctx->has_key ? 2 : 0), wparams};
    if (ctx->has_key)
        stmts[n++] = (pg_stmt){IDEM_SQL_RELEASE, 2, kparams};
    if (pg_client_transaction(pg, stmts, n, create_done, ctx) != PG_CLIENT_OK)
        store_call_refused(req, w, pg);
}
