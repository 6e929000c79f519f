/* markers.c: read markers (handlers.h), Mastodon's model.
 *
 *   GET /v1/users/{id}/markers/{timeline}
 *   PUT /v1/users/{id}/markers/{timeline}   {"cursor":"<cursor>"}
 *
 * timeline: home or notifications; the token's own user only. A marker is
 * the position the user has seen up to: a cursor of that feed (from a
 * stream's event id or a page's next_cursor). A PUT only moves it forward
 * (newer): an older position leaves it where it is, so two devices
 * marking concurrently never move it back; one statement decides
 * (INSERT ... ON CONFLICT DO UPDATE ... WHERE newer).
 *
 * Both answer the marker and the exact unseen counts, read from
 * Cassandra after the marker:
 *
 *   {"marker":{"timeline":"notifications","cursor":"..."|null,"ts_us":...|null,
 *              "updated_at":"..."|null},
 *    "unseen":{"items":N,"activities":M}}
 *
 * items: feed items newer than the marker (notification groups for
 * notifications); activities: the activities in them (the groups'
 * actor_count summed; for home, one per item). Counted by COUNT(*) and
 * SUM over the feed's partition after the position: exact, with no cap.
 * A group that grows below the marker (a new like on an old post's
 * group) is not counted as unseen: its position is its window start.
 */
#include "api/src/handlers/handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/json_out.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/store_call.h"
#include "api/src/read/feed_order.h"
#include "api/src/wire/request_body.h"

#define MK_ROW "ts_us, item_id, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

static const char mk_select_sql[] = "SELECT " MK_ROW " FROM markers WHERE user_id = $1 AND timeline = $2";

/* The new marker, or the current one when it is not older. */
static const char mk_upsert_sql[] =
    "WITH up AS (INSERT INTO markers (user_id, timeline, ts_us, item_id) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (user_id, timeline) DO UPDATE SET ts_us = EXCLUDED.ts_us, item_id = EXCLUDED.item_id, "
    "updated_at = now() WHERE (markers.ts_us, markers.item_id) < (EXCLUDED.ts_us, EXCLUDED.item_id) "
    "RETURNING " MK_ROW ") "
    "SELECT * FROM up UNION ALL SELECT " MK_ROW " FROM markers "
    "WHERE user_id = $1 AND timeline = $2 AND NOT EXISTS (SELECT 1 FROM up)";

typedef struct mk_job {
    http_request *req;
    worker *w;
    feed_kind kind;
    int64_t uid;
    int has; /* a marker exists */
    feed_ref pos;
    char updated[40];
} mk_job;

static const char *mk_timeline_name(feed_kind kind)
{
    return kind == FEED_HOME ? "home" : "notifications";
}

static const char *mk_count_cql(feed_kind kind, int after)
{
    if (kind == FEED_HOME)
        return after ? "SELECT COUNT(*) FROM home_feed WHERE user_id = ? AND (ts_us, activity_id) > (?, ?)"
                     : "SELECT COUNT(*) FROM home_feed WHERE user_id = ?";
    return after
               ? "SELECT COUNT(*), SUM(actor_count) FROM notifications WHERE user_id = ? AND (ts_us, group_id) > (?, ?)"
               : "SELECT COUNT(*), SUM(actor_count) FROM notifications WHERE user_id = ?";
}

static void mk_answer(mk_job *j, int64_t items, int64_t activities)
{
    char cur[CURSOR_TEXT_MAX + 1], num[32];
    size_t cur_len = 0;
    cursor c;
    buf b;
    int rc = 0;

    if (j->has && (cursor_set(&c, j->kind, j->uid, j->pos.ts_us, slice_make(j->pos.id, j->pos.id_len)) != CURSOR_OK ||
                   cursor_encode(&j->w->shared->cursor_key, &c, cur, sizeof(cur), &cur_len) != CURSOR_OK)) {
        http_request_respond_error(j->req, 500, "internal", "cannot make the marker's cursor");
        return;
    }
    buf_init(&b, 0);
    rc |= buf_append_cstr(&b, "{\"marker\":{\"timeline\":\"");
    rc |= buf_append_cstr(&b, mk_timeline_name(j->kind));
    rc |= buf_append_cstr(&b, "\",\"cursor\":");
    if (j->has) {
        rc |= buf_append(&b, "\"", 1) | buf_append(&b, cur, cur_len) | buf_append(&b, "\",\"ts_us\":", 10);
        snprintf(num, sizeof(num), "%" PRId64, j->pos.ts_us);
        rc |= buf_append_cstr(&b, num) | buf_append_cstr(&b, ",\"updated_at\":\"") | buf_append_cstr(&b, j->updated) |
              buf_append(&b, "\"", 1);
    } else {
        rc |= buf_append_cstr(&b, "null,\"ts_us\":null,\"updated_at\":null");
    }
    snprintf(num, sizeof(num), "%" PRId64, items);
    rc |= buf_append_cstr(&b, "},\"unseen\":{\"items\":") | buf_append_cstr(&b, num);
    snprintf(num, sizeof(num), "%" PRId64, activities);
    rc |= buf_append_cstr(&b, ",\"activities\":") | buf_append_cstr(&b, num) | buf_append_cstr(&b, "}}");
    if (rc != 0)
        http_request_respond_error(j->req, 500, "internal", "out of memory");
    else
        http_request_respond_json(j->req, 200, slice_make(b.data, b.len));
    buf_dispose(&b);
}

static void mk_on_count(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    mk_job *j = privdata;
    cql_row_iter it;
    cql_value v[2];
    int64_t items = 0, activities = 0;
    int32_t sum32 = 0;
    size_t ncols = j->kind == FEED_HOME ? 1 : 2;

    (void)c;
    if (status != CQL_CLIENT_OK || resp == NULL || resp->header.opcode != CQL_OP_RESULT ||
        resp->result.kind != CQL_RESULT_ROWS || resp->result.rows.meta.column_count != (int32_t)ncols) {
        endpoint_unavailable(j->req, j->w, METRIC_STORE_CASSANDRA, "store_unavailable",
                             "Cassandra is unavailable: the unseen counts cannot be read");
        return;
    }
    cql_row_iter_init(&it, &resp->result.rows);
    if (cql_row_iter_next(&it, v, ncols) != 1 || cql_value_as_int64(&v[0], &items, NULL) != CQL_OK ||
        (ncols == 2 && !cql_value_is_null(&v[1]) && cql_value_as_int32(&v[1], &sum32, NULL) != CQL_OK)) {
        http_request_respond_error(j->req, 500, "internal", "cannot read the unseen counts");
        return;
    }
    activities = ncols == 2 ? sum32 : items;
    mk_answer(j, items, activities);
}

static void mk_count(mk_job *j)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_client *c = j->w->stores.cql;
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    if (c == NULL) {
        endpoint_unavailable(j->req, j->w, METRIC_STORE_CASSANDRA, "store_unavailable",
                             "Cassandra is not configured: the unseen counts cannot be read");
        return;
    }
    cql_values_init(&v);
    cql_values_add_int64(&v, j->uid);
    if (j->has) {
        cql_values_add_int64(&v, j->pos.ts_us);
        cql_values_add_text(&v, cql_slice_make(j->pos.id, j->pos.id_len));
    }
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        rc = cql_client_execute(c, mk_count_cql(j->kind, j->has), &p, mk_on_count, j);
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK)
        endpoint_unavailable(j->req, j->w, METRIC_STORE_CASSANDRA, "store_unavailable",
                             "Cassandra is unavailable: the unseen counts cannot be read");
}

/* The marker row (none: no marker yet), then the counts. */
static void mk_on_row(http_request *req, void *data, const PGresult *res)
{
    mk_job *j = data;

    (void)req;
    j->has = PQntuples(res) == 1;
    if (j->has) {
        int64_t ts = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        if (feed_ref_set(&j->pos, ts, slice_make(PQgetvalue(res, 0, 1), (size_t)PQgetlength(res, 0, 1))) != 0) {
            http_request_respond_error(j->req, 500, "internal", "a stored marker is not a position");
            return;
        }
        snprintf(j->updated, sizeof(j->updated), "%s", PQgetvalue(res, 0, 2));
    }
    mk_count(j);
}

/* Path, token, owner, timeline: the job, or NULL after answering. */
static mk_job *mk_start(http_request *req)
{
    slice tl = http_request_param(req, "timeline");
    mk_job *j;
    rs_ids ids;

    if (rs_start(req, "id", &ids) != 0)
        return NULL;
    if (ids.user != ids.id) {
        http_request_respond_error(req, 403, "forbidden", "these markers belong to another user");
        return NULL;
    }
    j = pool_alloc(http_request_pool(req), sizeof(*j));
    if (j == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return NULL;
    }
    memset(j, 0, sizeof(*j));
    if (slice_eq_cstr(tl, "home")) {
        j->kind = FEED_HOME;
    } else if (slice_eq_cstr(tl, "notifications")) {
        j->kind = FEED_NOTIFICATIONS;
    } else {
        api_error e;
        api_error_set(&e, 404, "not_found", SLICE_LIT("timeline"), "timeline must be home or notifications");
        rs_fail(req, &e);
        return NULL;
    }
    j->req = req;
    j->w = ids.w;
    j->uid = ids.user;
    return j;
}

void markers_get(http_request *req, void *data)
{
    char uid[24];
    const char *params[2];
    mk_job *j = mk_start(req);

    (void)data;
    if (j == NULL)
        return;
    snprintf(uid, sizeof(uid), "%" PRId64, j->uid);
    params[0] = uid;
    params[1] = mk_timeline_name(j->kind);
    store_call(req, j->w, 0, mk_select_sql, 2, params, mk_on_row, j);
}

void markers_put(http_request *req, void *data)
{
    char uid[24], ts[24];
    const char *params[4];
    mk_job *j = mk_start(req);
    req_text body;
    api_error e;
    cursor c;
    int rc;

    (void)data;
    if (j == NULL)
        return;
    if (req_parse_marker(http_request_pool(req), http_request_body(req), &body, &e) != 0) {
        rs_fail(req, &e);
        return;
    }
    rc = cursor_decode(&j->w->shared->cursor_key, body.body, j->kind, j->uid, &c);
    if (rc != CURSOR_OK) {
        api_error_set(&e, rc == CURSOR_INTERNAL ? 500 : 400, rc == CURSOR_INTERNAL ? "internal" : "invalid_cursor",
                      SLICE_LIT("cursor"), "%s", cursor_strerror(rc));
        rs_fail(req, &e);
        return;
    }
    snprintf(uid, sizeof(uid), "%" PRId64, j->uid);
    snprintf(ts, sizeof(ts), "%" PRId64, c.ts_us);
    params[0] = uid;
    params[1] = mk_timeline_name(j->kind);
    params[2] = ts;
    params[3] = pool_strndup(http_request_pool(req), c.id, c.id_len);
    if (params[3] == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    store_call(req, j->w, 1, mk_upsert_sql, 4, params, mk_on_row, j);
}
