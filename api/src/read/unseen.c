/* unseen.c: the exact unseen counts after a read marker (see unseen.h).
 *
 * Cassandra counts the rows itself: COUNT(*) (and SUM(actor_count)) over
 * one partition, clustering range past the marker. That reads every row
 * past the marker on the replica, so the cost grows with what is unseen,
 * not with the feed; a user with a million unseen items pays for a
 * million rows, which is the price of "no cap" (GetStream and
 * Stream-Framework stop at 100 instead).
 *
 * The home read asks for these only when its first page does not reach
 * the marker (handlers/feeds.c): a reader who keeps up pays for the
 * marker lookup alone.
 */
#include "api/src/read/unseen.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/read/marker_cache.h"
#include "api/src/read/merge_sources.h"
#include "api/src/read/notif_seen.h"
#include "api/src/read/unseen_range.h"

const char unseen_marker_select_sql[] =
    "SELECT " UNSEEN_MARKER_COLUMNS " FROM markers WHERE user_id = $1 AND timeline = $2";

const char *unseen_timeline_name(feed_kind kind)
{
    return kind == FEED_HOME ? "home" : "notifications";
}

static const char *unseen_cql(int after)
{
    return after
               ? "SELECT COUNT(*), SUM(actor_count) FROM notifications WHERE user_id = ? AND (ts_us, group_id) > (?, ?)"
               : "SELECT COUNT(*), SUM(actor_count) FROM notifications WHERE user_id = ?";
}

void unseen_marker_forget(unseen_req *r)
{
    free(r->seen_ids);
    r->seen_ids = NULL;
    r->has_seen_range = 0;
}

static void unseen_finish(unseen_req *r, unseen_status status, metric_store store, const char *message)
{
    unseen_marker_forget(r);
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
    unseen_marker_forget(r);
    if (PQnfields(res) >= 6 && !PQgetisnull(res, row, 3) && !PQgetisnull(res, row, 4) && !PQgetisnull(res, row, 5)) {
        /* the lower bound's id may be "" (the default bound: a time) */
        size_t id_len = (size_t)PQgetlength(res, row, 4);

        if (id_len > CURSOR_MAX_ID || (r->seen_ids = strdup(PQgetvalue(res, row, 5))) == NULL)
            return -1;
        r->seen_lower.ts_us = strtoll(PQgetvalue(res, row, 3), NULL, 10);
        r->seen_lower.id_len = (uint8_t)id_len;
        memcpy(r->seen_lower.id, PQgetvalue(res, row, 4), id_len);
        r->seen_lower.id[id_len] = '\0';
        r->has_seen_range = 1;
    }
    return 0;
}

/* The answer of a `COUNT(*), SUM(actor_count)` statement into *out: 0;
 * -1 when Cassandra did not answer with rows (unavailable); -2 when the
 * row is not two numbers. */
static int unseen_count_row(int status, const cql_response *resp, unseen_counts *out)
{
    cql_row_iter it;
    cql_value v[2];
    int64_t items = 0;
    int32_t sum = 0;

    if (status != CQL_CLIENT_OK || !cql_response_is_rows(resp, 2))
        return -1;
    cql_row_iter_init(&it, &resp->result.rows);
    if (cql_row_iter_next(&it, v, 2) != 1 || cql_value_as_int64(&v[0], &items, NULL) != CQL_OK ||
        (!cql_value_is_null(&v[1]) && cql_value_as_int32(&v[1], &sum, NULL) != CQL_OK))
        return -2;
    out->items = items;
    out->activities = sum;
    return 0;
}

static void unseen_on_count(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    unseen_req *r = privdata;
    int rc = unseen_count_row(status, resp, &r->counts);

    (void)c;
    if (rc == -1)
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is unavailable: the unseen counts cannot be read");
    else if (rc != 0)
        unseen_finish(r, UNSEEN_INTERNAL, METRIC_STORE_CASSANDRA, "cannot read the unseen counts");
    else
        unseen_finish(r, UNSEEN_OK, METRIC_STORE_CASSANDRA, NULL);
}

/* Notifications with a seen range (notif_seen.h): the groups after the
 * marker (COUNT, SUM) and the rows of the seen range whose ids the marker
 * did not have, both in flight; the last answer finishes. */
static void notif_count_settle(unseen_req *r)
{
    if (--r->pending > 0)
        return;
    if (r->failed)
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is unavailable: the unseen counts cannot be read");
    else
        unseen_finish(r, UNSEEN_OK, METRIC_STORE_CASSANDRA, NULL);
}

static void notif_count_on_after(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    unseen_req *r = privdata;
    unseen_counts after;

    (void)c;
    if (unseen_count_row(status, resp, &after) != 0)
        r->failed = 1;
    else {
        r->counts.items += after.items;
        r->counts.activities += after.activities;
    }
    notif_count_settle(r);
}

static void notif_count_on_range(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    unseen_req *r = privdata;
    cql_row_iter it;
    cql_value v[2];
    int rc;

    (void)c;
    if (status != CQL_CLIENT_OK || !cql_response_is_rows(resp, 2)) {
        r->failed = 1;
        notif_count_settle(r);
        return;
    }
    cql_row_iter_init(&it, &resp->result.rows);
    while ((rc = cql_row_iter_next(&it, v, 2)) == 1) {
        int32_t actors = 0;

        if (cql_value_is_null(&v[0]) ||
            (!cql_value_is_null(&v[1]) && cql_value_as_int32(&v[1], &actors, NULL) != CQL_OK)) {
            r->failed = 1;
            break;
        }
        if (!notif_seen_has(r->seen_ids, slice_make(v[0].bytes.base, v[0].bytes.len))) {
            r->counts.items++;
            r->counts.activities += actors;
        }
    }
    if (rc < 0)
        r->failed = 1;
    notif_count_settle(r);
}

static int notif_count_send(unseen_req *r, const char *cql, const feed_ref *lower, cql_client_cb *cb)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    cql_values_init(&v);
    cql_values_add_int64(&v, r->uid);
    if (lower != NULL) {
        cql_values_add_int64(&v, lower->ts_us);
        cql_values_add_text(&v, cql_slice_make(lower->id, lower->id_len));
    }
    cql_values_add_int64(&v, r->marker.ts_us);
    cql_values_add_text(&v, cql_slice_make(r->marker.id, r->marker.id_len));
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        r->pending++;
        rc = cql_client_execute(r->w->stores.cql, cql, &p, cb, r);
        if (rc != CQL_CLIENT_OK)
            r->pending--;
    }
    cql_values_dispose(&v);
    return rc;
}

static void unseen_count_notifications(unseen_req *r)
{
    r->counts = (unseen_counts){0, 0};
    r->failed = 0;
    r->pending = 1; /* held while sending */
    if (notif_count_send(r, unseen_cql(1), NULL, notif_count_on_after) != CQL_CLIENT_OK ||
        notif_count_send(r,
                         "SELECT group_id, actor_count FROM notifications WHERE user_id = ? AND (ts_us, group_id) > "
                         "(?, ?) AND (ts_us, group_id) <= (?, ?)",
                         &r->seen_lower, notif_count_on_range) != CQL_CLIENT_OK)
        r->failed = 1;
    notif_count_settle(r);
}

/* Notifications: one statement counts groups and activities. */
static void unseen_count_one(unseen_req *r)
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
        rc = cql_client_execute(c, unseen_cql(r->has_marker), &p, unseen_on_count, r);
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK)
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is unavailable: the unseen counts cannot be read");
}

/* The home feed as served: the stored rows after the marker, and for
 * each merge source its merged rows after it less its copied ones
 * (unseen_range.h), every count in flight at once; the last answer
 * finishes. */
typedef struct home_count {
    unseen_req *r;
    int sign; /* +1 counted in, -1 counted out (copied and merged) */
} home_count;

static void home_count_settle(unseen_req *r)
{
    if (--r->pending > 0)
        return;
    pool_dispose(&r->pool);
    if (r->failed) {
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is unavailable: the unseen counts cannot be read");
        return;
    }
    r->counts.activities = r->counts.items;
    unseen_finish(r, UNSEEN_OK, METRIC_STORE_CASSANDRA, NULL);
}

static void home_count_on_rows(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    home_count *hc = privdata;
    unseen_req *r = hc->r;
    cql_row_iter it;
    cql_value v;
    int64_t n = 0;

    (void)c;
    if (status != CQL_CLIENT_OK || !cql_response_is_rows(resp, 1))
        r->failed = 1;
    else {
        cql_row_iter_init(&it, &resp->result.rows);
        if (cql_row_iter_next(&it, &v, 1) != 1 || cql_value_as_int64(&v, &n, NULL) != CQL_OK)
            r->failed = 1;
        else
            r->counts.items += hc->sign * n;
    }
    home_count_settle(r);
}

/* Send one count: table's partition `owner` in range, by actor when
 * actor is not 0 (the copies of one merge source). */
static void home_count_send(unseen_req *r, const char *table, int64_t owner, const unseen_range *range, int64_t actor,
                            int sign)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    home_count *hc = pool_alloc(&r->pool, sizeof(*hc));
    char cql[256];
    cql_values v;
    int n, rc = CQL_CLIENT_ERR;

    n = snprintf(cql, sizeof(cql), "SELECT COUNT(*) FROM %s WHERE user_id = ?%s%s", table, unseen_range_cql(range),
                 actor != 0 ? " AND actor_id = ? ALLOW FILTERING" : "");
    if (hc == NULL || n < 0 || (size_t)n >= sizeof(cql)) {
        r->failed = 1;
        return;
    }
    hc->r = r;
    hc->sign = sign;
    cql_values_init(&v);
    cql_values_add_int64(&v, owner);
    if (range->bound != UNSEEN_BOUND_NONE)
        cql_values_add_int64(&v, range->at.ts_us);
    if (range->bound == UNSEEN_BOUND_AFTER || range->bound == UNSEEN_BOUND_FROM)
        cql_values_add_text(&v, cql_slice_make(range->at.id, range->at.id_len));
    if (actor != 0)
        cql_values_add_int64(&v, actor);
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        r->pending++;
        rc = cql_client_execute(r->w->stores.cql, cql, &p, home_count_on_rows, hc);
        if (rc != CQL_CLIENT_OK)
            r->pending--;
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK)
        r->failed = 1;
}

static void home_count_on_sources(merge_sources_status status, const merge_source *src, size_t n, void *data)
{
    unseen_req *r = data;
    const feed_ref *marker = r->has_marker ? &r->marker : NULL;
    unseen_range range;
    size_t i;

    if (status != MERGE_SOURCES_OK) {
        pool_dispose(&r->pool);
        if (status == MERGE_SOURCES_UNAVAILABLE)
            unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                          "Cassandra is unavailable: the hot accounts followed cannot be read");
        else
            unseen_finish(r, UNSEEN_INTERNAL, METRIC_STORE_CASSANDRA, "cannot read the hot accounts followed");
        return;
    }
    r->pending = 1; /* held while sending, so no answer finishes early */
    unseen_range_after(marker, &range);
    home_count_send(r, "home_feed", r->uid, &range, 0, +1);
    for (i = 0; i < n && !r->failed; i++) {
        unseen_range_source(&src[i], marker, &range);
        home_count_send(r, "profile_feed", src[i].followee_id, &range, 0, +1);
        home_count_send(r, "home_feed", r->uid, &range, src[i].followee_id, -1);
    }
    home_count_settle(r);
}

static void unseen_count_home(unseen_req *r)
{
    r->counts.items = 0;
    r->failed = 0;
    r->pending = 0;
    pool_init(&r->pool, 0);
    merge_sources_get(r->w, &r->pool, r->uid, home_count_on_sources, r);
}

void unseen_count(unseen_req *r)
{
    if (r->w->stores.cql == NULL) {
        unseen_finish(r, UNSEEN_UNAVAILABLE, METRIC_STORE_CASSANDRA,
                      "Cassandra is not configured: the unseen counts cannot be read");
        return;
    }
    if (r->kind == FEED_HOME)
        unseen_count_home(r);
    else if (r->has_marker && r->has_seen_range && r->seen_ids != NULL &&
             feed_ref_cmp(&r->marker, &r->seen_lower) < 0) /* the range is not empty */
        unseen_count_notifications(r);
    else
        unseen_count_one(r);
}

/* The marker is known (from store): count after it, or done. */
static void unseen_marker_known(unseen_req *r, metric_store store)
{
    if (r->count_after_marker)
        unseen_count(r);
    else
        unseen_finish(r, UNSEEN_OK, store, NULL);
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
    if (r->cache_fill) /* the cache had no copy: this row is one (it only moves forward) */
        marker_cache_set(r->w, r->uid, r->has_marker, &r->marker, NULL, NULL);
    unseen_marker_known(r, METRIC_STORE_POSTGRES);
}

/* The marker's row in PostgreSQL. */
static void unseen_read_row(unseen_req *r)
{
    pg_client *pg = r->w->stores.pg;
    char uid[24];
    const char *params[2];

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

static void unseen_on_cached_marker(marker_cache_result res, int has_marker, const feed_ref *marker, void *data)
{
    unseen_req *r = data;

    if (res == MARKER_CACHE_HIT) {
        r->has_marker = has_marker;
        if (has_marker)
            r->marker = *marker;
        unseen_marker_known(r, METRIC_STORE_REDIS);
        return;
    }
    r->cache_fill = res == MARKER_CACHE_MISS;
    unseen_read_row(r);
}

static void unseen_read_then(unseen_req *r, int count)
{
    r->has_marker = 0;
    r->updated_at[0] = '\0';
    r->count_after_marker = count;
    r->cache_fill = 0;
    if (r->kind == FEED_HOME) /* cached: a home page reads no PostgreSQL (marker_cache.h) */
        marker_cache_get(r->w, r->uid, unseen_on_cached_marker, r);
    else
        unseen_read_row(r);
}

void unseen_read(unseen_req *r)
{
    unseen_read_then(r, 1);
}

void unseen_read_marker(unseen_req *r)
{
    unseen_read_then(r, 0);
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
