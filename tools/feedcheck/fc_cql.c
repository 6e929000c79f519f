/* fc_cql.c: the feeds and bodies as Cassandra holds them.
 *
 * One blocking connection (cql/cql_conn_blocking.h) per fc_cql; the run
 * opens several and gives each a token range or a share of the users, in
 * its own thread, since the blocking API has one request in flight per
 * connection. Whole tables are read as token-range scans with large pages
 * (one request per page, partitions arrive whole and in clustering order)
 * rather than one query per user; a subset of users is read partition by
 * partition. Values are copied out of each response before the next
 * request, which releases it.
 */
#include "tools/feedcheck/feedcheck.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cql/cql.h"
#include "cql/cql_conn_blocking.h"

struct fc_cql {
    cql_conn conn;
    char keyspace[64];
    uint16_t consistency;
    int page_size;
    char err[CQL_ERRSTR_SIZE + 512];
};

static const char *const fc_tables[FC_FEEDS] = {"home_feed", "profile_feed", "notifications"};

const char *fc_cql_error(const fc_cql *c)
{
    return c->err;
}

static int fc_cql_fail(fc_cql *c, const char *what)
{
    snprintf(c->err, sizeof c->err, "%.400s: %.500s", what, c->conn.err.msg);
    return -1;
}

fc_cql *fc_cql_open(const char *host, uint16_t port, const char *keyspace, uint16_t consistency, int page_size,
                    FILE *err)
{
    fc_cql *c = calloc(1, sizeof *c);

    if (c == NULL) {
        fprintf(err, "feedcheck: out of memory\n");
        return NULL;
    }
    cql_conn_init(&c->conn, 0);
    snprintf(c->keyspace, sizeof c->keyspace, "%s", keyspace);
    c->page_size = page_size;
    c->consistency = consistency;
    if (cql_conn_connect(&c->conn, host, port, 5000, 120000) != CQL_OK || cql_conn_startup(&c->conn) != CQL_OK) {
        fprintf(err, "feedcheck: cannot connect to Cassandra at %s:%u: %s\n", host, (unsigned)port, c->conn.err.msg);
        fc_cql_close(c);
        return NULL;
    }
    return c;
}

void fc_cql_close(fc_cql *c)
{
    if (c == NULL)
        return;
    cql_conn_close(&c->conn);
    free(c);
}

int fc_cql_has_latest(fc_cql *c)
{
    char q[256];
    cql_query_params p = {.consistency = c->consistency};
    cql_response resp;

    snprintf(q, sizeof q,
             "SELECT column_name FROM system_schema.columns WHERE keyspace_name = '%s' AND table_name = "
             "'notifications' AND column_name = 'latest_us'",
             c->keyspace);
    if (cql_conn_query(&c->conn, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
        return fc_cql_fail(c, "reading system_schema.columns");
    return resp.result.kind == CQL_RESULT_ROWS && resp.result.rows.row_count > 0;
}

/* Copy a text value into buf (cap bytes, NUL-terminated; truncated). */
static void fc_text(const cql_value *v, char *buf, size_t cap)
{
    cql_slice s;

    if (cql_value_as_text(v, &s, NULL) != CQL_OK) {
        buf[0] = '\0';
        return;
    }
    if (s.len >= cap)
        s.len = cap - 1;
    memcpy(buf, s.base, s.len);
    buf[s.len] = '\0';
}

static int64_t fc_i64(const cql_value *v, int64_t dflt)
{
    int64_t x;
    return cql_value_as_int64(v, &x, NULL) == CQL_OK ? x : dflt;
}

/* Append one feed row (values after user_id) to items/groups. */
static int fc_cql_row(int feed, const cql_value *v, fc_items *items, fc_groups *groups)
{
    fc_item *it = fc_items_push(items);

    if (it == NULL)
        return -1;
    it->ts = fc_i64(&v[1], INT64_MIN);
    fc_text(&v[2], it->id, sizeof it->id);
    if (feed == FC_FEED_NOTIF) {
        fc_group *g = fc_groups_push(groups);
        cql_collection_iter ci;
        cql_value e;

        if (g == NULL)
            return -1;
        g->window_us = it->ts;
        memcpy(g->id, it->id, sizeof g->id);
        fc_text(&v[3], g->verb, sizeof g->verb);
        fc_text(&v[4], g->object, sizeof g->object);
        if (!cql_value_is_null(&v[5]) && cql_collection_begin(&ci, &v[5], NULL) == CQL_OK) {
            while (cql_collection_next(&ci, &e, NULL, NULL) == 1) {
                if (g->n_ids < FC_GROUP_IDS)
                    g->actor_ids[g->n_ids] = fc_i64(&e, -1);
                g->n_ids++; /* more than 10 stored: counted, so the list differs */
            }
            if (g->n_ids > FC_GROUP_IDS) {
                g->actor_ids[FC_GROUP_IDS - 1] = -1;
                g->n_ids = FC_GROUP_IDS;
            }
        }
        g->actor_count = cql_value_is_null(&v[6]) ? -1 : (int32_t)fc_i64(&v[6], -1);
        g->latest_us = v[7].type != NULL ? fc_i64(&v[7], INT64_MIN) : -1;
    }
    return 0;
}

static int fc_cql_select(fc_cql *c, int feed, int latest, const char *where, char *q, size_t cap)
{
    return snprintf(q, cap, "SELECT user_id, ts_us, %s%s FROM %s.%s%s",
                    feed == FC_FEED_NOTIF ? "group_id, verb, object_id, actor_ids, actor_count" : "activity_id",
                    feed == FC_FEED_NOTIF && latest ? ", latest_us" : "", c->keyspace, fc_tables[feed], where);
}

int fc_cql_scan_feed(fc_cql *c, int feed, int latest, int64_t tok_lo, int64_t tok_hi, fc_partition_fn fn, void *ctx)
{
    char where[128], q[512];
    cql_query_params p = {.consistency = c->consistency, .page_size = c->page_size};
    cql_response resp;
    fc_items items = {0};
    fc_groups groups = {0};
    int64_t user = 0;
    int have = 0, rc = -1;

    if (tok_lo == INT64_MIN && tok_hi == INT64_MAX)
        where[0] = '\0';
    else
        snprintf(where, sizeof where, " WHERE token(user_id) > %" PRId64 " AND token(user_id) <= %" PRId64, tok_lo,
                 tok_hi);
    fc_cql_select(c, feed, latest, where, q, sizeof q);
    for (;;) {
        cql_row_iter it;
        cql_value v[8] = {0};
        int more;

        if (cql_conn_query(&c->conn, cql_slice_from_cstr(q), &p, &resp) != CQL_OK) {
            fc_cql_fail(c, q);
            goto done;
        }
        if (resp.result.kind != CQL_RESULT_ROWS)
            break;
        cql_row_iter_init(&it, &resp.result.rows);
        while ((more = cql_row_iter_next(&it, v, 8)) == 1) {
            int64_t u = fc_i64(&v[0], INT64_MIN);
            if (have && u != user) {
                if (fn(ctx, user, &items, &groups) != 0)
                    goto fn_failed;
                items.n = groups.n = 0;
            }
            user = u;
            have = 1;
            if (fc_cql_row(feed, v, &items, &groups) != 0) {
                snprintf(c->err, sizeof c->err, "out of memory");
                goto done;
            }
            memset(v, 0, sizeof v);
        }
        if (more < 0) {
            snprintf(c->err, sizeof c->err, "bad row in %s: %s", fc_tables[feed], it.err.msg);
            goto done;
        }
        if (!cql_metadata_has_more_pages(&resp.result.rows.meta))
            break;
        p.paging_state = resp.result.rows.meta.paging_state;
    }
    if (have && fn(ctx, user, &items, &groups) != 0)
        goto fn_failed;
    rc = 0;
    goto done;
fn_failed:
    snprintf(c->err, sizeof c->err, "comparison failed (out of memory)");
done:
    fc_items_free(&items);
    fc_groups_free(&groups);
    return rc;
}

int fc_cql_read_feed(fc_cql *c, int feed, int latest, int64_t user, fc_items *items, fc_groups *groups)
{
    char where[64], q[512];
    cql_query_params p = {.consistency = c->consistency, .page_size = c->page_size};
    cql_response resp;

    items->n = 0;
    if (groups != NULL)
        groups->n = 0;
    snprintf(where, sizeof where, " WHERE user_id = %" PRId64, user);
    fc_cql_select(c, feed, latest, where, q, sizeof q);
    for (;;) {
        cql_row_iter it;
        cql_value v[8] = {0};
        int more;

        if (cql_conn_query(&c->conn, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
            return fc_cql_fail(c, q);
        if (resp.result.kind != CQL_RESULT_ROWS)
            return 0;
        cql_row_iter_init(&it, &resp.result.rows);
        while ((more = cql_row_iter_next(&it, v, 8)) == 1) {
            if (fc_cql_row(feed, v, items, groups) != 0) {
                snprintf(c->err, sizeof c->err, "out of memory");
                return -1;
            }
            memset(v, 0, sizeof v);
        }
        if (more < 0) {
            snprintf(c->err, sizeof c->err, "bad row in %s: %s", fc_tables[feed], it.err.msg);
            return -1;
        }
        if (!cql_metadata_has_more_pages(&resp.result.rows.meta))
            return 0;
        p.paging_state = resp.result.rows.meta.paging_state;
    }
}

/* Hand every row of a bodies query (all pages) to fn. */
static int fc_cql_bodies_query(fc_cql *c, const char *q, fc_body_fn fn, void *ctx)
{
    cql_query_params p = {.consistency = c->consistency, .page_size = c->page_size};
    cql_response resp;

    for (;;) {
        cql_row_iter it;
        cql_value v[8] = {0};
        int more;

        if (cql_conn_query(&c->conn, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
            return fc_cql_fail(c, "reading activities");
        if (resp.result.kind != CQL_RESULT_ROWS)
            return 0;
        cql_row_iter_init(&it, &resp.result.rows);
        while ((more = cql_row_iter_next(&it, v, 8)) == 1) {
            char id[FC_ID_MAX], verb[16], object[FC_ID_MAX], target[FC_ID_MAX];
            cql_slice body;
            fc_body b = {.id = id};

            fc_text(&v[0], id, sizeof id);
            fc_text(&v[1], verb, sizeof verb);
            fc_text(&v[3], object, sizeof object);
            fc_text(&v[4], target, sizeof target);
            b.verb = cql_value_is_null(&v[1]) ? NULL : verb;
            b.actor = fc_i64(&v[2], INT64_MIN);
            b.object = cql_value_is_null(&v[3]) ? NULL : object;
            b.target = cql_value_is_null(&v[4]) ? NULL : target;
            b.body_len = cql_value_as_text(&v[5], &body, NULL) == CQL_OK ? (int64_t)body.len : -1;
            b.ts_us = fc_i64(&v[6], INT64_MIN);
            if (fn(ctx, &b) != 0) {
                snprintf(c->err, sizeof c->err, "body check failed (out of memory)");
                return -1;
            }
            memset(v, 0, sizeof v);
        }
        if (more < 0) {
            snprintf(c->err, sizeof c->err, "bad row in activities: %s", it.err.msg);
            return -1;
        }
        if (!cql_metadata_has_more_pages(&resp.result.rows.meta))
            return 0;
        p.paging_state = resp.result.rows.meta.paging_state;
    }
}

#define FC_BODY_COLUMNS "activity_id, verb, actor_id, object_id, target_id, body, ts_us"

int fc_cql_scan_bodies(fc_cql *c, int64_t tok_lo, int64_t tok_hi, fc_body_fn fn, void *ctx)
{
    char q[512];

    if (tok_lo == INT64_MIN && tok_hi == INT64_MAX)
        snprintf(q, sizeof q, "SELECT " FC_BODY_COLUMNS " FROM %s.activities", c->keyspace);
    else
        snprintf(q, sizeof q,
                 "SELECT " FC_BODY_COLUMNS " FROM %s.activities WHERE token(activity_id) > %" PRId64
                 " AND token(activity_id) <= %" PRId64,
                 c->keyspace, tok_lo, tok_hi);
    return fc_cql_bodies_query(c, q, fn, ctx);
}

int fc_cql_read_bodies(fc_cql *c, const char *const *ids, size_t n, fc_body_fn fn, void *ctx)
{
    enum { BATCH = 100 };
    char *q = malloc(256 + BATCH * (FC_ID_MAX + 4));
    int rc = 0;

    if (q == NULL) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n && rc == 0; i += BATCH) {
        int len = snprintf(q, 256, "SELECT " FC_BODY_COLUMNS " FROM %s.activities WHERE activity_id IN (", c->keyspace);
        for (size_t j = i; j < n && j < i + BATCH; j++) {
            /* ids come from fc_act_id or a validated store id: [a-z]:[0-9]+, no quote to escape */
            len += snprintf(q + len, FC_ID_MAX + 4, "%s'%s'", j == i ? "" : ",", ids[j]);
        }
        snprintf(q + len, 4, ")");
        rc = fc_cql_bodies_query(c, q, fn, ctx);
    }
    free(q);
    return rc;
}

int fc_cql_read_merges(fc_cql *c, fc_merges *mg)
{
    char q[256];
    cql_query_params p = {.consistency = c->consistency, .page_size = c->page_size};
    cql_response resp;

    snprintf(q, sizeof q, "SELECT user_id, followee_id, follow_ts_us, backfill FROM %s.home_merge", c->keyspace);
    for (;;) {
        cql_row_iter it;
        cql_value v[4] = {0};
        int more;

        if (cql_conn_query(&c->conn, cql_slice_from_cstr(q), &p, &resp) != CQL_OK)
            return fc_cql_fail(c, q);
        if (resp.result.kind != CQL_RESULT_ROWS)
            break;
        cql_row_iter_init(&it, &resp.result.rows);
        while ((more = cql_row_iter_next(&it, v, 4)) == 1) {
            int32_t backfill = 0;
            fc_merge_src s = {
                .user = fc_i64(&v[0], INT64_MIN), .followee = fc_i64(&v[1], INT64_MIN), .follow_ts = fc_i64(&v[2], 0)};
            (void)cql_value_as_int32(&v[3], &backfill, NULL);
            s.backfill = backfill;
            if (fc_merges_add(mg, &s) != 0) {
                snprintf(c->err, sizeof c->err, "out of memory");
                return -1;
            }
            memset(v, 0, sizeof v);
        }
        if (more < 0) {
            snprintf(c->err, sizeof c->err, "bad row in home_merge: %s", it.err.msg);
            return -1;
        }
        if (!cql_metadata_has_more_pages(&resp.result.rows.meta))
            break;
        p.paging_state = resp.result.rows.meta.paging_state;
    }
    if (fc_merges_index(mg) != 0) {
        snprintf(c->err, sizeof c->err, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < mg->nhot; i++)
        if (fc_cql_read_feed(c, FC_FEED_PROFILE, 0, mg->hot[i], &mg->profiles[i], NULL) != 0)
            return -1;
    return 0;
}
