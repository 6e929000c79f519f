/* markers.c: read markers (handlers.h), Mastodon's model.
 *
 *   GET /v1/users/{id}/markers/{timeline}
 *   PUT /v1/users/{id}/markers/{timeline}   {"cursor":"<cursor>"}
 *
 * timeline: home or notifications; the token's own user only. A marker is
 * the position the user has seen up to: a cursor of that feed (from a
 * stream's event id or a page's next_cursor). A PUT only moves it forward
 * (newer, or the same again): an older position leaves it where it is,
 * so two devices marking concurrently never move it back; one statement
 * decides (INSERT ... ON CONFLICT DO UPDATE ... WHERE not older). A
 * notifications PUT first reads, from Cassandra, the groups between the
 * marker and an hour before now and stores their ids with it
 * (read/notif_seen.h): a group that appears later below the marker, in
 * its hour, is then counted as unseen.
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
 * group) is not counted as unseen: its position is its window start; a
 * group that appeared below it after the PUT is.
 * (read/unseen.h counts; the feed reads and streams use it too.)
 *
 * A home PUT also sets the marker's Redis copy (read/marker_cache.h),
 * which the home page reads instead of the row, and answers 503 when
 * Redis does not take it: the row moved, and the same PUT again sets the
 * copy (a PUT is idempotent). Redis not configured: no copy anywhere.
 *
 * A PUT also publishes the marker on the user's live-event channel
 * (feed:events:<uid>, "- <timeline> seen <ts_us> <id>", never logged:
 * stream/feed_event.h),
 * so the streams of every device re-count and send the new counts. The
 * publish is best effort: lost (Redis down), a stream's counts catch up
 * at its next event or reconnection.
 */
#include "api/src/handlers/handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/src/base/log.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/json_out.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/store_call.h"
#include "api/src/read/feed_order.h"
#include "api/src/read/marker_cache.h"
#include "api/src/read/notif_seen.h"
#include "api/src/read/unseen.h"
#include "api/src/wire/request_body.h"
#include "schema/redis/redis_keys.h"

/* The new marker, or the current one when it is newer. The same
 * position again is taken: it records the groups below it anew (a
 * notifications client that saw a new group sort below its marker marks
 * the same top item again). $5..$7: the seen range (NULL for home). */
static const char mk_upsert_sql[] =
    "WITH up AS (INSERT INTO markers (user_id, timeline, ts_us, item_id, seen_lower_ts, seen_lower_id, seen_ids) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::text[]) "
    "ON CONFLICT (user_id, timeline) DO UPDATE SET ts_us = EXCLUDED.ts_us, item_id = EXCLUDED.item_id, "
    "seen_lower_ts = EXCLUDED.seen_lower_ts, seen_lower_id = EXCLUDED.seen_lower_id, seen_ids = EXCLUDED.seen_ids, "
    "updated_at = now() WHERE (markers.ts_us, markers.item_id) <= (EXCLUDED.ts_us, EXCLUDED.item_id) "
    "RETURNING " UNSEEN_MARKER_COLUMNS ") "
    "SELECT * FROM up UNION ALL SELECT " UNSEEN_MARKER_COLUMNS " FROM markers "
    "WHERE user_id = $1 AND timeline = $2 AND NOT EXISTS (SELECT 1 FROM up)";

/* A notifications PUT first reads the groups of its seen range, newest
 * first (notif_seen.h): one more than are kept, so a full range moves
 * its lower bound. */
#define MK_SEEN_READ_CQL                                                                              \
    "SELECT ts_us, group_id FROM notifications WHERE user_id = ? AND (ts_us, group_id) > (?, ?) AND " \
    "(ts_us, group_id) <= (?, ?) LIMIT 1001"

typedef struct mk_job {
    http_request *req;
    int put;
    unseen_req u; /* kind, uid, the marker, the counts */
    /* a PUT's statement parameters; the seen range's (notifications) */
    const char *params[7];
    char uid[24], ts[24], lower_ts[24];
    notif_seen_builder seen;
    int has_seen;
} mk_job;

static void mk_answer(mk_job *j)
{
    const unseen_req *u = &j->u;
    char cur[CURSOR_TEXT_MAX + 1], num[32];
    size_t cur_len = 0;
    cursor c;
    buf b;
    int rc = 0;

    if (u->has_marker &&
        (cursor_set(&c, u->kind, u->uid, u->marker.ts_us, slice_make(u->marker.id, u->marker.id_len)) != CURSOR_OK ||
         cursor_encode(&u->w->shared->cursor_key, &c, cur, sizeof(cur), &cur_len) != CURSOR_OK)) {
        http_request_respond_error(j->req, 500, "internal", "cannot make the marker's cursor");
        return;
    }
    buf_init(&b, 0);
    rc |= buf_append_cstr(&b, "{\"marker\":{\"timeline\":\"");
    rc |= buf_append_cstr(&b, unseen_timeline_name(u->kind));
    rc |= buf_append_cstr(&b, "\",\"cursor\":");
    if (u->has_marker) {
        rc |= buf_append(&b, "\"", 1) | buf_append(&b, cur, cur_len) | buf_append(&b, "\",\"ts_us\":", 10);
        snprintf(num, sizeof(num), "%" PRId64, u->marker.ts_us);
        rc |= buf_append_cstr(&b, num) | buf_append_cstr(&b, ",\"updated_at\":\"") |
              buf_append_cstr(&b, u->updated_at) | buf_append(&b, "\"", 1);
    } else {
        rc |= buf_append_cstr(&b, "null,\"ts_us\":null,\"updated_at\":null");
    }
    rc |= buf_append_cstr(&b, "},") | unseen_json_member(&b, u) | buf_append_cstr(&b, "}");
    if (rc != 0)
        http_request_respond_error(j->req, 500, "internal", "out of memory");
    else
        http_request_respond_json(j->req, 200, slice_make(b.data, b.len));
    buf_dispose(&b);
}

static void mk_on_count(unseen_req *u)
{
    mk_job *j = u->data;

    if (u->status == UNSEEN_UNAVAILABLE)
        endpoint_unavailable(j->req, u->w, u->store, "store_unavailable", u->message);
    else if (u->status != UNSEEN_OK)
        http_request_respond_error(j->req, 500, "internal", u->message);
    else
        mk_answer(j);
}

static void mk_on_published(redis_client *c, int status, redisReply *reply, void *privdata)
{
    (void)c;
    (void)privdata;
    if (status != REDIS_CLIENT_OK || reply == NULL || reply->type == REDIS_REPLY_ERROR)
        log_simple(LOG_WARN, "cannot publish a marker to the streams", redis_client_strerror(status));
}

/* Tell the user's streams (every device's) that the marker moved. */
static void mk_publish(const unseen_req *u)
{
    redis_client *rc = u->w->stores.redis;
    char channel[48], payload[96];

    if (rc == NULL)
        return;
    snprintf(channel, sizeof(channel), REDIS_CHANNEL_FEED_EVENTS "%" PRId64, u->uid);
    snprintf(payload, sizeof(payload), "- %s seen %" PRId64 " %s", unseen_timeline_name(u->kind), u->marker.ts_us,
             u->marker.id); /* an id is [A-Za-z0-9:_] (cursor_id_valid): one word */
    if (redis_client_command(rc, mk_on_published, NULL, "PUBLISH %s %s", channel, payload) != REDIS_CLIENT_OK)
        log_simple(LOG_WARN, "cannot publish a marker to the streams", rc->errstr);
}

/* A home PUT's cache write is in (read/marker_cache.h): publish and count,
 * or 503 (the stored marker moved; the same PUT again heals the cache). */
static void mk_on_cached(int ok, void *data)
{
    mk_job *j = data;

    if (!ok) {
        endpoint_unavailable(j->req, j->u.w, METRIC_STORE_REDIS, "store_unavailable",
                             "Redis is unavailable: the marker is stored but its cached copy is not; retry the PUT");
        return;
    }
    if (j->u.has_marker)
        mk_publish(&j->u);
    unseen_count(&j->u);
}

/* The marker row (none: no marker yet), then the counts. */
static void mk_on_row(http_request *req, void *data, const PGresult *res)
{
    mk_job *j = data;

    (void)req;
    j->u.has_marker = 0;
    if (PQntuples(res) == 1 && unseen_marker_from_row(&j->u, res, 0) != 0) {
        http_request_respond_error(j->req, 500, "internal", "a stored marker is not a position");
        return;
    }
    if (j->put && j->u.kind == FEED_HOME && j->u.w->stores.redis != NULL) {
        /* the home page reads the Redis copy: answer once it has the new position */
        marker_cache_set(j->u.w, j->u.uid, j->u.has_marker, &j->u.marker, mk_on_cached, j);
        return;
    }
    if (j->put && j->u.has_marker)
        mk_publish(&j->u);
    unseen_count(&j->u);
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
        j->u.kind = FEED_HOME;
    } else if (slice_eq_cstr(tl, "notifications")) {
        j->u.kind = FEED_NOTIFICATIONS;
    } else {
        api_error e;
        api_error_set(&e, 404, "not_found", SLICE_LIT("timeline"), "timeline must be home or notifications");
        rs_fail(req, &e);
        return NULL;
    }
    j->req = req;
    j->u.w = ids.w;
    j->u.uid = ids.user;
    j->u.done = mk_on_count;
    j->u.data = j;
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
    snprintf(uid, sizeof(uid), "%" PRId64, j->u.uid);
    params[0] = uid;
    params[1] = unseen_timeline_name(j->u.kind);
    store_call(req, j->u.w, 0, unseen_marker_select_sql, 2, params, mk_on_row, j);
}

static void mk_upsert(mk_job *j)
{
    store_call(j->req, j->u.w, 1, mk_upsert_sql, 7, j->params, mk_on_row, j);
}

static void mk_seen_upsert(mk_job *j);

static void mk_on_seen_range(cql_client *c, int status, const cql_response *resp, void *privdata)
{
    mk_job *j = privdata;
    cql_row_iter it;
    cql_value v[2];
    int rc;

    (void)c;
    if (status != CQL_CLIENT_OK || !cql_response_is_rows(resp, 2)) {
        notif_seen_builder_dispose(&j->seen);
        endpoint_unavailable(j->req, j->u.w, METRIC_STORE_CASSANDRA, "store_unavailable",
                             "Cassandra is unavailable: the notifications cannot be marked");
        return;
    }
    cql_row_iter_init(&it, &resp->result.rows);
    while ((rc = cql_row_iter_next(&it, v, 2)) == 1) {
        int64_t ts = 0;

        if (cql_value_as_int64(&v[0], &ts, NULL) != CQL_OK || cql_value_is_null(&v[1])) {
            rc = -1;
            break;
        }
        notif_seen_builder_add(&j->seen, ts, slice_make(v[1].bytes.base, v[1].bytes.len));
    }
    if (rc < 0) {
        notif_seen_builder_dispose(&j->seen);
        http_request_respond_error(j->req, 500, "internal", "cannot read the notification groups below the marker");
        return;
    }
    mk_seen_upsert(j);
}

/* The seen range collected in j->seen into $5..$7, then the upsert. */
static void mk_seen_upsert(mk_job *j)
{
    if (notif_seen_builder_finish(&j->seen) != 0) {
        notif_seen_builder_dispose(&j->seen);
        http_request_respond_error(j->req, 500, "internal", "cannot record the notification groups below the marker");
        return;
    }
    /* the statement's text parameters live as long as the request */
    snprintf(j->lower_ts, sizeof(j->lower_ts), "%" PRId64, j->seen.lower.ts_us);
    j->params[4] = j->lower_ts;
    j->params[5] = pool_strndup(http_request_pool(j->req), j->seen.lower.id, j->seen.lower.id_len);
    j->params[6] = pool_strndup(http_request_pool(j->req), j->seen.array.data, j->seen.array.len);
    notif_seen_builder_dispose(&j->seen);
    if (j->params[5] == NULL || j->params[6] == NULL) {
        http_request_respond_error(j->req, 500, "internal", "out of memory");
        return;
    }
    mk_upsert(j);
}

/* Read the groups of the seen range below the new marker (c), then
 * upsert; a marker older than the range records no group. */
static void mk_read_seen_range(mk_job *j, const cursor *c)
{
    cql_query_params p = {0};
    cql_client *cql = j->u.w->stores.cql;
    struct timespec now;
    feed_ref marker;
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    clock_gettime(CLOCK_REALTIME, &now);
    notif_seen_builder_init(&j->seen, (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000);
    if (feed_ref_set(&marker, c->ts_us, slice_make(c->id, c->id_len)) != 0 ||
        feed_ref_cmp(&marker, &j->seen.lower) >= 0) { /* older than the range: nothing to record */
        mk_seen_upsert(j);
        return;
    }
    if (cql == NULL) {
        notif_seen_builder_dispose(&j->seen);
        endpoint_unavailable(j->req, j->u.w, METRIC_STORE_CASSANDRA, "store_unavailable",
                             "Cassandra is not configured: the notifications cannot be marked");
        return;
    }
    /* the configured level: a group a replica missed would later count as unseen */
    p.consistency = cql->consistency;
    cql_values_init(&v);
    cql_values_add_int64(&v, j->u.uid);
    cql_values_add_int64(&v, j->seen.lower.ts_us);
    cql_values_add_text(&v, cql_slice_make(j->seen.lower.id, j->seen.lower.id_len));
    cql_values_add_int64(&v, marker.ts_us);
    cql_values_add_text(&v, cql_slice_make(marker.id, marker.id_len));
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        rc = cql_client_execute(cql, MK_SEEN_READ_CQL, &p, mk_on_seen_range, j);
    }
    cql_values_dispose(&v);
    if (rc != CQL_CLIENT_OK) {
        notif_seen_builder_dispose(&j->seen);
        endpoint_unavailable(j->req, j->u.w, METRIC_STORE_CASSANDRA, "store_unavailable",
                             "Cassandra is unavailable: the notifications cannot be marked");
    }
}

void markers_put(http_request *req, void *data)
{
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
    rc = cursor_decode(&j->u.w->shared->cursor_key, body.body, j->u.kind, j->u.uid, &c);
    if (rc != CURSOR_OK) {
        api_error_set(&e, rc == CURSOR_INTERNAL ? 500 : 400, rc == CURSOR_INTERNAL ? "internal" : "invalid_cursor",
                      SLICE_LIT("cursor"), "%s", cursor_strerror(rc));
        rs_fail(req, &e);
        return;
    }
    snprintf(j->uid, sizeof(j->uid), "%" PRId64, j->u.uid);
    snprintf(j->ts, sizeof(j->ts), "%" PRId64, c.ts_us);
    j->params[0] = j->uid;
    j->params[1] = unseen_timeline_name(j->u.kind);
    j->params[2] = j->ts;
    j->params[3] = pool_strndup(http_request_pool(req), c.id, c.id_len);
    if (j->params[3] == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    j->put = 1;
    if (j->u.kind == FEED_NOTIFICATIONS)
        mk_read_seen_range(j, &c); /* then upserts */
    else
        mk_upsert(j); /* home: no seen range ($5..$7 NULL) */
}
