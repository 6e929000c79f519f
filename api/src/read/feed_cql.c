/* feed_cql.c: statements and row decoding of the feed reads. */
#include "api/src/read/feed_cql.h"

#include <string.h>

#include "api/src/base/log.h"
#include "api/src/read/feed_json.h"

static const char *feed_cql_refs_text(feed_kind kind, int after)
{
    switch (kind) {
    case FEED_HOME:
        return after
                   ? "SELECT ts_us, activity_id FROM home_feed WHERE user_id = ? AND (ts_us, activity_id) < (?, ?) LIMIT ?"
                   : "SELECT ts_us, activity_id FROM home_feed WHERE user_id = ? LIMIT ?";
    case FEED_PROFILE:
        return after
                   ? "SELECT ts_us, activity_id FROM profile_feed WHERE user_id = ? AND (ts_us, activity_id) < (?, ?) LIMIT ?"
                   : "SELECT ts_us, activity_id FROM profile_feed WHERE user_id = ? LIMIT ?";
    default:
        return after
                   ? "SELECT ts_us, group_id FROM notifications WHERE user_id = ? AND (ts_us, group_id) < (?, ?) LIMIT ?"
                   : "SELECT ts_us, group_id FROM notifications WHERE user_id = ? LIMIT ?";
    }
}

int feed_cql_refs(cql_client *c, feed_kind kind, int64_t user_id, const feed_ref *pos, int32_t limit, cql_client_cb *cb,
                  void *privdata)
{
    cql_query_params p = {.consistency = c->consistency};
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    cql_values_init(&v);
    cql_values_add_int64(&v, user_id);
    if (pos != NULL) {
        cql_values_add_int64(&v, pos->ts_us);
        cql_values_add_text(&v, cql_slice_make(pos->id, pos->id_len));
    }
    cql_values_add_int32(&v, limit);
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        rc = cql_client_execute(c, feed_cql_refs_text(kind, pos != NULL), &p, cb, privdata);
    } else {
        c->err = CQL_CLIENT_ENOMEM;
    }
    cql_values_dispose(&v);
    return rc;
}

void feed_cql_log_failure(const cql_client *c, int status, const cql_response *resp, const char *what)
{
    log_line l;

    log_begin(&l, LOG_WARN, "cassandra read failed");
    log_str(&l, "read", what);
    log_str(&l, "status", cql_client_strerror(status));
    if (status == CQL_CLIENT_ESERVER && resp != NULL) {
        log_int(&l, "code", resp->error.code);
        log_slice(&l, "error", slice_make(resp->error.message.base, resp->error.message.len));
    } else if (c != NULL && c->errstr[0] != '\0') {
        log_str(&l, "error", c->errstr);
    }
    log_end(&l);
}

int feed_cql_parse_refs(const cql_response *resp, feed_ref *out, size_t cap, size_t *n)
{
    cql_row_iter it;
    cql_value v[2];
    int rc;

    *n = 0;
    if (!cql_response_is_rows(resp, 2))
        return -1;
    cql_row_iter_init(&it, &resp->result.rows);
    while ((rc = cql_row_iter_next(&it, v, 2)) == 1) {
        int64_t ts;
        cql_slice id;
        if (*n >= cap || cql_value_as_int64(&v[0], &ts, NULL) != CQL_OK ||
            cql_value_as_text(&v[1], &id, NULL) != CQL_OK ||
            feed_ref_set(&out[*n], ts, slice_make(id.base, id.len)) != 0)
            return -1;
        (*n)++;
    }
    return rc == 0 ? 0 : -1;
}

int feed_cql_body(cql_client *c, feed_kind kind, int64_t user_id, const feed_ref *ref, cql_client_cb *cb,
                  void *privdata)
{
    cql_query_params p = {.consistency = c->consistency};
    const char *text;
    cql_values v;
    int rc = CQL_CLIENT_ERR;

    cql_values_init(&v);
    if (kind == FEED_NOTIFICATIONS) {
        text = "SELECT group_id, verb, object_id, actor_ids, actor_count, ts_us, latest_us "
               "FROM notifications WHERE user_id = ? AND ts_us = ? AND group_id = ?";
        cql_values_add_int64(&v, user_id);
        cql_values_add_int64(&v, ref->ts_us);
    } else {
        text = "SELECT activity_id, verb, actor_id, object_id, target_id, body, ts_us FROM activities "
               "WHERE activity_id = ?";
    }
    cql_values_add_text(&v, cql_slice_make(ref->id, ref->id_len));
    if (cql_values_finish(&v) == CQL_OK) {
        p.values = &v;
        rc = cql_client_execute(c, text, &p, cb, privdata);
    } else {
        c->err = CQL_CLIENT_ENOMEM;
    }
    cql_values_dispose(&v);
    return rc;
}

/* A text column that may be null. */
static int feed_cql_text(const cql_value *v, slice *out)
{
    cql_slice s;

    if (cql_value_is_null(v)) {
        *out = slice_make(NULL, 0);
        return 0;
    }
    if (cql_value_as_text(v, &s, NULL) != CQL_OK)
        return -1;
    *out = slice_make(s.base != NULL ? s.base : "", s.len);
    return 0;
}

static int feed_cql_render_activity(const cql_value *v, buf *out)
{
    activity_fields a;

    if (feed_cql_text(&v[0], &a.id) != 0 || a.id.base == NULL || feed_cql_text(&v[1], &a.verb) != 0 ||
        a.verb.base == NULL || cql_value_as_int64(&v[2], &a.actor_id, NULL) != CQL_OK ||
        feed_cql_text(&v[3], &a.object_id) != 0 || a.object_id.base == NULL ||
        feed_cql_text(&v[4], &a.target_id) != 0 || feed_cql_text(&v[5], &a.body) != 0 ||
        cql_value_as_int64(&v[6], &a.ts_us, NULL) != CQL_OK)
        return -1;
    return feed_json_activity(out, &a) == 0 ? 1 : -1;
}

static int feed_cql_render_notif(const cql_value *v, buf *out)
{
    cql_collection_iter it;
    cql_value e;
    notif_fields n;
    int32_t count;
    int rc;

    memset(&n, 0, sizeof(n));
    if (feed_cql_text(&v[0], &n.group_id) != 0 || n.group_id.base == NULL || feed_cql_text(&v[1], &n.verb) != 0 ||
        n.verb.base == NULL || feed_cql_text(&v[2], &n.object_id) != 0 || n.object_id.base == NULL ||
        cql_value_as_int32(&v[4], &count, NULL) != CQL_OK || cql_value_as_int64(&v[5], &n.ts_us, NULL) != CQL_OK)
        return -1;
    n.actor_count = count;
    if (!cql_value_is_null(&v[3])) {
        if (cql_collection_begin(&it, &v[3], NULL) != CQL_OK)
            return -1;
        while ((rc = cql_collection_next(&it, &e, NULL, NULL)) == 1) {
            int64_t id;
            if (cql_value_as_int64(&e, &id, NULL) != CQL_OK)
                return -1;
            if (n.nactors < FEED_JSON_MAX_ACTORS)
                n.actor_ids[n.nactors++] = id;
        }
        if (rc != 0)
            return -1;
    }
    if (!cql_value_is_null(&v[6])) {
        if (cql_value_as_int64(&v[6], &n.latest_us, NULL) != CQL_OK)
            return -1;
        n.has_latest = 1;
    }
    return feed_json_notif(out, &n) == 0 ? 1 : -1;
}

int feed_cql_render_body(const cql_response *resp, feed_kind kind, buf *out)
{
    cql_row_iter it;
    cql_value v[7];
    size_t ncols = 7; /* both SELECTs of feed_cql_body */
    int rc;

    if (!cql_response_is_rows(resp, (int32_t)ncols))
        return -1;
    cql_row_iter_init(&it, &resp->result.rows);
    rc = cql_row_iter_next(&it, v, ncols);
    if (rc == 0)
        return 0;
    if (rc != 1)
        return -1;
    return kind == FEED_NOTIFICATIONS ? feed_cql_render_notif(v, out) : feed_cql_render_activity(v, out);
}
