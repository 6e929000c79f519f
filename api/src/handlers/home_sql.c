/* home_sql.c: the home feed by one SQL query at read time (home_sql.h). */
#include "api/src/handlers/home_sql.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/src/handlers/json_out.h"
#include "api/src/handlers/resource_sql.h"
#include "api/src/handlers/store_call.h"
#include "api/src/read/feed_json.h"

/* The activity columns of one table, for the users in f (U and its
 * followees). Target and body as the job derives them
 * (job/.../fanout/ActivityRouter.java): a comment's or like's target is
 * the post's author unless it is the actor. */
#define HOME_SQL_ACTS                                                                                              \
    "SELECT 'p:' || p.id AS id, 'SHARD' AS verb, p.author_id AS actor_id, 'p:' || p.id AS object_id, "             \
    "NULL::text AS target_id, p.body AS body, p.created_at FROM posts p WHERE p.author_id IN (SELECT uid FROM f) " \
    "UNION ALL SELECT 'c:' || c.id, 'COMMENT', c.author_id, 'p:' || c.post_id, "                                   \
    "CASE WHEN c.post_author_id <> c.author_id THEN 'u:' || c.post_author_id END, c.body, c.created_at "           \
    "FROM comments c WHERE c.author_id IN (SELECT uid FROM f) "                                                    \
    "UNION ALL SELECT 'l:' || l.id, 'LIKE', l.user_id, 'p:' || l.post_id, "                                        \
    "CASE WHEN l.post_author_id <> l.user_id THEN 'u:' || l.post_author_id END, NULL, l.created_at "               \
    "FROM likes l WHERE l.user_id IN (SELECT uid FROM f) "                                                         \
    "UNION ALL SELECT 'f:' || w.id, 'FOLLOW', w.follower_id, 'u:' || w.followee_id, 'u:' || w.followee_id, "       \
    "NULL, w.created_at FROM follows w WHERE w.follower_id IN (SELECT uid FROM f)"

const char home_sql_query[] =
    "WITH f AS (SELECT $1::bigint AS uid UNION ALL SELECT followee_id FROM follows WHERE follower_id = $1::bigint), "
    "a AS (SELECT x.id, x.verb, x.actor_id, x.object_id, x.target_id, x.body, " RSQL_TS_US(
        "x.created_at") " AS ts_us FROM (" HOME_SQL_ACTS ") x) "
                        "SELECT id, verb, actor_id, object_id, target_id, body, ts_us FROM a "
                        "WHERE $2::bigint IS NULL OR a.ts_us < $2::bigint "
                        "OR (a.ts_us = $2::bigint AND a.id COLLATE \"C\" < $3::text COLLATE \"C\") "
                        "ORDER BY a.ts_us DESC, a.id COLLATE \"C\" DESC LIMIT $4::int";

void home_sql_params_set(home_sql_params *p, int64_t user, const page_query *q)
{
    snprintf(p->user, sizeof(p->user), "%" PRId64, user);
    snprintf(p->ts, sizeof(p->ts), "%" PRId64, q->has_cursor ? q->after.ts_us : 0);
    snprintf(p->id, sizeof(p->id), "%s", q->has_cursor ? q->after.id : "");
    snprintf(p->rows, sizeof(p->rows), "%d", q->limit + 1);
    p->values[0] = p->user;
    p->values[1] = q->has_cursor ? p->ts : NULL;
    p->values[2] = p->id;
    p->values[3] = p->rows;
}

/* A bigint column; -1 if it is NULL or not one. */
static int home_sql_int(const PGresult *res, int i, int col, int64_t *out)
{
    const char *v;
    char *end;
    long long n;

    if (PQgetisnull(res, i, col))
        return -1;
    v = PQgetvalue(res, i, col);
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0')
        return -1;
    *out = (int64_t)n;
    return 0;
}

/* A text column as a slice; base NULL for NULL. */
static slice home_sql_text(const PGresult *res, int i, int col)
{
    if (PQgetisnull(res, i, col))
        return slice_make(NULL, 0);
    return slice_make(PQgetvalue(res, i, col), (size_t)PQgetlength(res, i, col));
}

int home_sql_item(buf *out, const PGresult *res, int i, int64_t *ts_us, char *id, size_t cap)
{
    activity_fields a;

    if (PQnfields(res) != HOME_SQL_NCOLS || i < 0 || i >= PQntuples(res))
        return -1;
    a.id = home_sql_text(res, i, HOME_SQL_COL_ID);
    a.verb = home_sql_text(res, i, HOME_SQL_COL_VERB);
    a.object_id = home_sql_text(res, i, HOME_SQL_COL_OBJECT);
    a.target_id = home_sql_text(res, i, HOME_SQL_COL_TARGET);
    a.body = home_sql_text(res, i, HOME_SQL_COL_BODY);
    if (a.id.base == NULL || a.verb.base == NULL || a.object_id.base == NULL || a.id.len >= cap ||
        home_sql_int(res, i, HOME_SQL_COL_ACTOR, &a.actor_id) != 0 ||
        home_sql_int(res, i, HOME_SQL_COL_TS, &a.ts_us) != 0)
        return -1;
    memcpy(id, a.id.base, a.id.len);
    id[a.id.len] = '\0';
    *ts_us = a.ts_us;
    return feed_json_activity(out, &a);
}

typedef struct home_sql_ctx {
    int64_t user;
    int limit;
    home_sql_params params; /* store_call copies them; kept for simplicity */
} home_sql_ctx;

static void home_sql_got(http_request *req, void *data, const PGresult *res)
{
    const home_sql_ctx *ctx = data;
    const worker *w = http_request_context(req);
    char next[CURSOR_TEXT_MAX + 1], id[CURSOR_MAX_ID + 1];
    int rows = PQntuples(res), n, i, rc = 0;
    int64_t ts = 0;
    size_t len;
    cursor c;
    buf items, out;

    n = rows < ctx->limit ? rows : ctx->limit;
    buf_init(&items, 0);
    buf_init(&out, 0);
    for (i = 0; i < n && rc == 0; i++) {
        if (i > 0)
            rc = buf_append_cstr(&items, ",");
        if (rc == 0)
            rc = home_sql_item(&items, res, i, &ts, id, sizeof(id));
    }
    if (rc == 0 && rows > ctx->limit)
        rc = cursor_set(&c, FEED_HOME, ctx->user, ts, slice_from_cstr(id)) == CURSOR_OK &&
                     cursor_encode(&w->shared->cursor_key, &c, next, sizeof(next), &len) == CURSOR_OK
                 ? 0
                 : -1;
    if (rc == 0)
        rc = feed_json_page(&out, slice_make(items.data, items.len),
                            rows > ctx->limit ? slice_make(next, len) : slice_make(NULL, 0), slice_make(NULL, 0));
    if (rc != 0)
        http_request_respond_error(req, 500, "internal", "cannot render the page");
    else
        http_request_respond_json(req, 200, slice_make(out.data, out.len));
    buf_dispose(&items);
    buf_dispose(&out);
}

void home_sql_serve(http_request *req, worker *w, int64_t user, const page_query *q)
{
    home_sql_ctx *ctx = pool_alloc(http_request_pool(req), sizeof(*ctx));

    if (ctx == NULL) {
        http_request_respond_error(req, 500, "internal", "out of memory");
        return;
    }
    ctx->user = user;
    ctx->limit = q->limit;
    home_sql_params_set(&ctx->params, user, q);
    store_call(req, w, 0, home_sql_query, HOME_SQL_NPARAMS, ctx->params.values, home_sql_got, ctx);
}
