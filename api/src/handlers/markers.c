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
 * (read/unseen.h counts; the feed reads and streams use it too.)
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

#include "api/src/base/log.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/json_out.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/store_call.h"
#include "api/src/read/feed_order.h"
#include "api/src/read/unseen.h"
#include "api/src/wire/request_body.h"
#include "schema/redis/redis_keys.h"

/* The new marker, or the current one when it is not older. */
static const char mk_upsert_sql[] =
    "WITH up AS (INSERT INTO markers (user_id, timeline, ts_us, item_id) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (user_id, timeline) DO UPDATE SET ts_us = EXCLUDED.ts_us, item_id = EXCLUDED.item_id, "
    "updated_at = now() WHERE (markers.ts_us, markers.item_id) < (EXCLUDED.ts_us, EXCLUDED.item_id) "
    "RETURNING " UNSEEN_MARKER_COLUMNS ") "
    "SELECT * FROM up UNION ALL SELECT " UNSEEN_MARKER_COLUMNS " FROM markers "
    "WHERE user_id = $1 AND timeline = $2 AND NOT EXISTS (SELECT 1 FROM up)";

typedef struct mk_job {
    http_request *req;
    int put;
    unseen_req u; /* kind, uid, the marker, the counts */
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
    rc = cursor_decode(&j->u.w->shared->cursor_key, body.body, j->u.kind, j->u.uid, &c);
    if (rc != CURSOR_OK) {
        api_error_set(&e, rc == CURSOR_INTERNAL ? 500 : 400, rc == CURSOR_INTERNAL ? "internal" : "invalid_cursor",
                      SLICE_LIT("cursor"), "%s", cursor_strerror(rc));
        rs_fail(req, &e);
        return;
    }
    snprintf(uid, sizeof(uid), "%" PRId64, j->u.uid);
    snprintf(ts, sizeof(ts), "%" PRId64, c.ts_us);
    params[0] = uid;
    params[1] = unseen_timeline_name(j->u.kind);
    params[2] = ts;
    params[3] = pool_strndup(http_request_pool(req), c.id, c.id_len);
    if (params[3] == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    j->put = 1;
    store_call(req, j->u.w, 1, mk_upsert_sql, 4, params, mk_on_row, j);
}
