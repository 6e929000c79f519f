/* handlers_read.c: feed read routes, /readyz and /metrics. */
#include "api/src/read/handlers_read.h"

#include "api/src/app/authn.h"
#include "api/src/app/handler_util.h"
#include "api/src/app/metrics.h"
#include "api/src/app/readyz.h"
#include "api/src/feed/page_query.h"
#include "api/src/read/feed_read.h"

static void read_feed(http_request *req, feed_kind kind, int owner_only)
{
    worker *w = http_request_context(req);
    int64_t id, uid;
    page_query q;
    api_error err;
    buf body;

    if (handler_path_id(req, "id", &id) != 0)
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
        buf_init(&body, 0);
        if (api_error_body(&body, &err) != 0)
            http_request_respond_error(req, err.status, err.code, err.message);
        else
            http_request_respond_json(req, err.status, slice_make(body.data, body.len));
        buf_dispose(&body);
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

static void read_metrics(http_request *req, void *data)
{
    worker *w = http_request_context(req);
    buf body;

    (void)data;
    if (w == NULL || w->metrics == NULL) {
        http_request_respond_error(req, 503, "unavailable", "no metrics in this process");
        return;
    }
    buf_init(&body, 0);
    if (metrics_render(w->metrics, &body) != 0)
        http_request_respond_error(req, 500, "internal", "out of memory");
    else
        http_request_respond(req, 200, "text/plain; version=0.0.4", slice_make(body.data, body.len));
    buf_dispose(&body);
}

int handlers_read_register(router *r)
{
    if (router_add(r, "GET", "/v1/users/{id}/home", read_home, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/profile", read_profile, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/notifications", read_notifications, NULL) != 0 ||
        router_add(r, "GET", "/readyz", readyz_handle, NULL) != 0 ||
        router_add(r, "GET", "/metrics", read_metrics, NULL) != 0)
        return -1;
    return 0;
}
