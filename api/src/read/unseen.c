/* unseen.c: the exact unseen counts after a read marker (see unseen.h).
 *
 * Cassandra counts the rows itself: COUNT(*) (and SUM(actor_count)) over
 * one partition, clustering range past the marker. That reads every row
 * past the marker on the replica, so the cost grows with what is unseen,
 * not with the feed; a user with a million unseen items pays for a
 * million rows, which is the price of "no cap" (GetStream and
 * Stream-Framework stop at 100 instead).
 */
#include "api/src/read/unseen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char unseen_marker_select_sql[] =
    "SELECT " UNSEEN_MARKER_COLUMNS " FROM markers WHERE user_id = $1 AND timeline = $2";

const char *unseen_timeline_name(feed_kind kind)
{
    return kind == FEED_HOME ? "home" : "notifications";
}

static const char *unseen_cql(feed_kind kind, int after)
{
    if (kind == FEED_HOME)
        return after ? "SELECT COUNT(*) FROM home_feed WHERE user_id = ? AND (ts_us, activity_id) > (?, ?)"
                     : "SELECT COUNT(*) FROM home_feed WHERE user_id = ?";
    return after
               ? "SELECT COUNT(*), SUM(actor_count) FROM notifications WHERE user_id = ? AND (ts_us, group_id) > (?, ?)"
               : "SELECT COUNT(*), SUM(actor_count) FROM notifications WHERE user_id = ?";
}

static void unseen_finish(unseen_req *r, unseen_status status, metric_store store, const char *message)
{
    r->status = status;
    r->store = store;
    r->message = message;
    r->done(r);
}

int unseen_marker_from_row(unseen_req *r, const PGresult *res, int row)
{
    int64_t ts = strtoll(PQgetvalue(res, row, 0), NULL, 10);

    if (feed_ref_set(&r->marker, ts, slice_make(PQgetvalue(res, row, 1), (size_t)PQgetlength(res, row, 1))) != 0)
        return -1;
    r->has_marker = 1;
    snprintf(r->updated_at, sizeof(r->updated_at), "%s", PQgetvalue(res, row, 2));
    return 0;
}

static void unseen_on_count(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    unseen_req *r = privdata;
    size_t ncols = r->kind == FEED_HOME ? 1 : 2;
    cql_row_iter it;
    cql_value v[2];
    int64_t items = 0;
    int32_t sum = 0;

    (void)c;
    if (status != CQL_CLIENT_OK || resp == NULL || resp->header.opcode != CQL_OP_RESULT ||
        resp->result.kind != CQL_RESULT_ROWS || resp->result.rows.meta.column_count != (int32_t)ncols) {
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is unavailable: the unseen counts cannot be read");
        return;
    }
    cql_row_iter_init(&it, &resp->result.rows);
    if (cql_row_iter_next(&it, v, ncols) != 1 || cql_value_as_int64(&v[0], &items, NULL) != CQL_OK ||
        (ncols == 2 && !cql_value_is_null(&v[1]) && cql_value_as_int32(&v[1], &sum, NULL) != CQL_OK)) {
        unseen_finish(r, UNSEEN_INTERNAL, METRIC_STORE_CASSANDRA, "cannot read the unseen counts");
        return;
    }
    r->counts.items = items;
    r->counts.activities = ncols == 2 ? sum : items;
    unseen_finish(r, UNSEEN_OK, METRIC_STORE_CASSANDRA, NULL);
}

void unseen_count(unseen_req *r)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_client *c = r->w->stores.cql;
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    if (c == NULL) {
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is not configured: the unseen counts cannot be read");
        return;
    }
    cql_values_init(&v);
    cql_values_add_int64(&v, r->uid);
    if (r->has_marker) {
        cql_values_add_int64(&v, r->marker.ts_us);
        cql_values_add_text(&v, cql_slice_make(r->marker.id, r->marker.id_len));
    }
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        rc = cql_client_execute(c, unseen_cql(r->kind, r->has_marker), &p, unseen_on_count, r);
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK)
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is unavailable: the unseen counts cannot be read");
}

static void unseen_on_marker(pg_client *c, const pg_reply *reply, void *privdata)
{
    unseen_req *r = privdata;
    const PGresult *res;

    (void)c;
    if (reply->status != PG_CLIENT_ENONE || reply->nresults < 1 ||
        PQresultStatus(reply->results[0]) != PGRES_TUPLES_OK) {
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_POSTGRES,
                      "PostgreSQL is unavailable: the read marker cannot be read");
        return;
    }
    res = reply->results[0];
    if (PQntuples(res) == 1 && unseen_marker_from_row(r, res, 0) != 0) {
        unseen_finish(r, UNSEEN_INTERNAL, METRIC_STORE_POSTGRES, "a stored marker is not a position");
        return;
    }
    unseen_count(r);
}

void unseen_read(unseen_req *r)
{
    pg_client *pg = r->w->stores.pg;
    char uid[24];
    const char *params[2];

    r->has_marker = 0;
    r->updated_at[0] = '\0';
    if (pg == NULL) {
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_POSTGRES,
                      "PostgreSQL is not configured: the read marker cannot be read");
        return;
    }
    snprintf(uid, sizeof(uid), "%" PRId64, r->uid);
    params[0] = uid;
    params[1] = unseen_timeline_name(r->kind);
    if (pg_client_query(pg, unseen_marker_select_sql, 2, params, unseen_on_marker, r) != PG_CLIENT_OK)
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_POSTGRES,
                      "PostgreSQL is unavailable: the read marker cannot be read");
}

int unseen_json(buf *out, const unseen_counts *c)
{
    char text[64];
    int n = snprintf(text, sizeof(text), "{\"items\":%" PRId64 ",\"activities\":%" PRId64 "}", c->items, c->activities);

    if (n < 0 || (size_t)n >= sizeof(text))
        return -1;
    return buf_append(out, text, (size_t)n) != 0 ? -1 : 0;
}

int unseen_json_member(buf *out, const unseen_req *r)
{
    if (buf_append_cstr(out, "\"unseen\":") != 0)
        return -1;
    if (r->status != UNSEEN_OK)
        return buf_append_cstr(out, "null") != 0 ? -1 : 0;
    return unseen_json(out, &r->counts);
}
