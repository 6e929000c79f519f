/* feeds.c: the three feed reads (handlers.h); the page itself is
 * read/feed_read.h's, or home_sql.h's for the home feed when the server
 * runs with --home-source=sql (the benchmark's naive baseline). */
#include "api/src/handlers/handlers.h"

#include "api/src/app/worker.h"
#include "api/src/handlers/authn.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/home_sql.h"
#include "api/src/handlers/json_out.h"
#include "api/src/read/feed_read.h"
#include "api/src/wire/page_query.h"

static void read_feed(http_request *req, feed_kind kind, int owner_only)
{
    worker *w = http_request_context(req);
    int64_t id, uid;
    page_query q;
    api_error err;

    if (endpoint_path_id(req, "id", &id) != 0)
        return;
    if (owner_only) {
        if (authn_require_user(req, w, &uid) != 0)
            return;
        if (uid != id) {
            http_request_respond_error(req, 403, "forbidden", "this feed belongs to another user");
            return;
        }
    }
    if (page_query_parse(http_request_query(req), &w->shared->cursor_key, kind, id, &q, &err) != 0) {
        json_out_respond_error(req, &err);
        return;
    }
    if (kind == FEED_HOME && w->shared != NULL && w->shared->cfg != NULL &&
        w->shared->cfg->home_source == APP_HOME_SQL) {
        home_sql_serve(req, w, id, &q);
        return;
    }
    feed_read_serve(req, w, kind, id, &q);
}

static void read_home(http_request *req, void *data)
{
    (void)data;
    read_feed(req, FEED_HOME, 1);
}

static void read_profile(http_request *req, void *data)
{
    (void)data;
    read_feed(req, FEED_PROFILE, 0);
}

static void read_notifications(http_request *req, void *data)
{
    (void)data;
    read_feed(req, FEED_NOTIFICATIONS, 1);
}

int handlers_feeds_register(router *r)
{
    if (router_add(r, "GET", "/v1/users/{id}/home", read_home, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/profile", read_profile, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/notifications", read_notifications, NULL) != 0)
        return -1;
    return 0;
}
