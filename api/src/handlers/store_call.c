/* store_call.c: a statement for a request, failures answered (see
 * store_call.h). */
#include "api/src/handlers/store_call.h"

#include "api/src/base/log.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/json_out.h"
#include "api/src/handlers/pg_errors.h"

typedef struct store_call_ctx {
    http_request *req;
    const worker *w;
    int tx;
    store_call_done *done;
    void *data;
} store_call_ctx;

void store_call_refused(http_request *req, const worker *w, const pg_client *c)
{
    if (c != NULL && (c->err == PG_CLIENT_ENOMEM || c->err == PG_CLIENT_EARG)) {
        log_simple(LOG_ERROR, "postgres request refused", c->errstr);
        http_request_respond_error(req, 500, "internal", "cannot send the query");
        return;
    }
    endpoint_unavailable(req, w, METRIC_STORE_POSTGRES, "store_unavailable", STORE_CALL_PG_DOWN);
}

void store_call_fail(http_request *req, const worker *w, const pg_reply *reply, int write)
{
    api_error e;
    log_line l;

    if (write && reply->sent && (reply->status == PG_CLIENT_ETIMEOUT || reply->status == PG_CLIENT_EDISCONNECTED)) {
        endpoint_unavailable(req, w, METRIC_STORE_POSTGRES, "outcome_unknown", STORE_CALL_PG_UNKNOWN);
        return;
    }
    if (reply->status != PG_CLIENT_ESERVER) {
        endpoint_unavailable(req, w, METRIC_STORE_POSTGRES, "store_unavailable", STORE_CALL_PG_DOWN);
        return;
    }
    switch (pg_errors_map(reply->sqlstate, pg_errors_constraint(reply), &e)) {
    case PG_ERR_CLIENT: json_out_respond_error(req, &e); return;
    case PG_ERR_UNAVAILABLE:
        endpoint_unavailable(req, w, METRIC_STORE_POSTGRES, "store_unavailable", "PostgreSQL is busy; retry");
        return;
    default:
        metrics_store_error(w != NULL ? w->metrics : NULL, METRIC_STORE_POSTGRES);
        log_begin(&l, LOG_ERROR, "postgres statement failed");
        log_str(&l, "sqlstate", reply->sqlstate != NULL ? reply->sqlstate : "");
        log_str(&l, "error", reply->errstr != NULL ? reply->errstr : "");
        log_uint(&l, "req_id", http_request_id(req));
        log_end(&l);
        http_request_respond_error(req, 500, "internal", "the database refused the request");
        return;
    }
}

static void store_call_cb(pg_client *c, const pg_reply *reply, void *privdata)
{
    store_call_ctx *ctx = privdata;

    (void)c;
    if (reply->status != PG_CLIENT_ENONE) {
        store_call_fail(ctx->req, ctx->w, reply, ctx->tx);
        return;
    }
    if (reply->nresults < 1 || PQresultStatus(reply->results[0]) != PGRES_TUPLES_OK) {
        http_request_respond_error(ctx->req, 500, "internal", "unexpected database answer");
        return;
    }
    ctx->done(ctx->req, ctx->data, reply->results[0]);
}

void store_call(http_request *req, const worker *w, int tx, const char *sql, int nparams, const char *const *params,
                store_call_done *done, void *data)
{
    pg_client *pg = w != NULL ? w->stores.pg : NULL;
    store_call_ctx *ctx;
    pg_stmt st = {sql, nparams, params};
    int rc;

    if (pg == NULL) {
        store_call_refused(req, w, NULL);
        return;
    }
    ctx = pool_alloc(http_request_pool(req), sizeof(*ctx));
    if (ctx == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    ctx->req = req;
    ctx->w = w;
    ctx->tx = tx;
    ctx->done = done;
    ctx->data = data;
    rc = tx ? pg_client_transaction(pg, &st, 1, store_call_cb, ctx)
            : pg_client_query(pg, sql, nparams, params, store_call_cb, ctx);
    if (rc != PG_CLIENT_OK)
        store_call_refused(req, w, pg);
}
