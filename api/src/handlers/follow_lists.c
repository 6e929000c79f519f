/* follow_lists.c: GET /v1/users/{id}/followers and /followees, newest
 * follow first, cursor-paginated.
 *
 * Order: (follows.created_at, follows.id) descending; the cursor
 * (FEED_FOLLOWERS / FEED_FOLLOWEES, bound to {id}) holds the last
 * item's (ts_us, "f:<follows.id>") and the next page is what is strictly
 * after it, so follows made while a client walks the list land before
 * its position (newer) and never shift a page: no repeats, no skips.
 *
 * One statement reads the page (limit + 1 rows: the extra one says
 * whether a next page exists) and whether the user exists: the user row
 * LEFT JOIN LATERAL its page, so no row means 404 user_not_found and a
 * row of NULLs an empty list.
 *
 * Known cost: there is no index on (followee_id, created_at), so a page
 * sorts the user's whole follow list; fine for ordinary accounts, a
 * migration for hot ones.
 */
#include "api/src/handlers/handlers.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/src/handlers/json_out.h"
#include "api/src/handlers/request_start.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/handlers/store_call.h"
#include "api/src/wire/page_query.h"

/* $1 user, $2 cursor ts_us or NULL, $3 cursor follow id, $4 rows. who
 * is the column of the listed user, whose the column of {id}. */
#define FOLLOW_LIST_SQL(who, whose)                                                                                 \
    "SELECT (SELECT row_to_json(r)::text FROM (SELECT l.id, l.handle, l.display_name, "                             \
    "l.followed_at, l.ts_us) r), l.ts_us, l.fid FROM users t LEFT JOIN LATERAL ("                                   \
    "SELECT u.id, u.handle, u.display_name, " RSQL_TIMES(                                                           \
        "f", "followed_at") ", "                                                                                    \
                            "f.id AS fid FROM follows f JOIN users u ON u.id = f." who " WHERE f." whose " = t.id " \
                            "AND ($2::bigint IS NULL OR (" RSQL_TS_US(                                              \
                                "f.created_at") ", f.id) < ($2::bigint, $3::bigint)) "                              \
                                                "ORDER BY f.created_at DESC, f.id DESC LIMIT $4::int) l ON true "   \
                                                "WHERE t.id = $1::bigint ORDER BY l.ts_us DESC, l.fid DESC"

typedef struct follow_list_ctx {
    feed_kind kind;
    int64_t user;
    int limit;
} follow_list_ctx;

/* The next page's cursor after row i of res into out; 0 or -1. */
static int follow_list_cursor(const http_request *req, const follow_list_ctx *ctx, const PGresult *res, int i,
                              char *out, size_t cap)
{
    const worker *w = http_request_context(req);
    char id[32];
    cursor c;
    size_t n;

    snprintf(id, sizeof(id), "f:%s", PQgetvalue(res, i, 2));
    if (cursor_set(&c, ctx->kind, ctx->user, strtoll(PQgetvalue(res, i, 1), NULL, 10), slice_from_cstr(id)) !=
        CURSOR_OK)
        return -1;
    return cursor_encode(&w->shared->cursor_key, &c, out, cap, &n) == CURSOR_OK ? 0 : -1;
}

static void follow_list_got(http_request *req, void *data, const PGresult *res)
{
    follow_list_ctx *ctx = data;
    char next[CURSOR_TEXT_MAX + 1];
    slice *items;
    int rows = PQntuples(res), n = 0, i;
    buf out;

    if (rows == 0) {
        http_request_respond_error(req, 404, "user_not_found", "no such user");
        return;
    }
    items = pool_alloc(http_request_pool(req), sizeof(*items) * (size_t)rows);
    if (items == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    for (i = 0; i < rows && i < ctx->limit && !PQgetisnull(res, i, 2); i++)
        items[n++] = slice_make(PQgetvalue(res, i, 0), (size_t)PQgetlength(res, i, 0));
    if (rows > ctx->limit && follow_list_cursor(req, ctx, res, n - 1, next, sizeof(next)) != 0) {
        http_request_respond_error(req, 500, "internal", "cannot make the cursor");
        return;
    }
    buf_init(&out, 0);
    if (json_out_page(&out, "users", items, (size_t)n, rows > ctx->limit ? next : NULL) != 0)
        http_request_respond_error(req, 500, "internal", "out of memory");
    else
        http_request_respond_json(req, 200, slice_make(out.data, out.len));
    buf_dispose(&out);
}

static void follow_list(http_request *req, feed_kind kind, const char *sql)
{
    follow_list_ctx *ctx = pool_alloc(http_request_pool(req), sizeof(*ctx));
    char ts[24], rows[16];
    const char *params[4];
    page_query q;
    api_error e;
    rs_ids ids;

    if (rs_start(req, "id", &ids) != 0)
        return;
    if (page_query_parse(http_request_query(req), &ids.w->shared->cursor_key, kind, ids.id, &q, &e) != 0) {
        rs_fail(req, &e);
        return;
    }
    if (ctx == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    ctx->kind = kind;
    ctx->user = ids.id;
    ctx->limit = q.limit;
    snprintf(ts, sizeof(ts), "%" PRId64, q.has_cursor ? q.after.ts_us : 0);
    snprintf(rows, sizeof(rows), "%d", q.limit + 1);
    params[0] = ids.id_text;
    params[1] = q.has_cursor ? ts : NULL;
    params[2] = q.has_cursor ? q.after.id + 2 : "0"; /* the digits of "f:<id>" */
    params[3] = rows;
    store_call(req, ids.w, 0, sql, 4, params, follow_list_got, ctx);
}

void follow_lists_followers(http_request *req, void *data)
{
    (void)data;
    follow_list(req, FEED_FOLLOWERS, FOLLOW_LIST_SQL("follower_id", "followee_id"));
}

void follow_lists_followees(http_request *req, void *data)
{
    (void)data;
    follow_list(req, FEED_FOLLOWEES, FOLLOW_LIST_SQL("followee_id", "follower_id"));
}
