/* streams.c: the feed streams (handlers.h), Server-Sent Events of the
 * home, profile and notification feeds; the stream itself is
 * stream/feed_stream.h's. */
#include "api/src/handlers/handlers.h"

#include "api/src/app/worker.h"
#include "api/src/handlers/authn.h"
#include "api/src/handlers/endpoint.h"
#include "api/src/handlers/json_out.h"
#include "api/src/stream/feed_stream.h"
#include "api/src/wire/stream_query.h"

/* Only the token's own user: 401 without a valid token, 403 for another
 * user's feed (a profile is public to read, its stream is not: a stream
 * costs the server far more than a page). */
static void stream_feed(http_request *req, feed_kind kind)
{
    worker *w = http_request_context(req);
    int64_t id, uid;
    stream_query q;
    api_error err;

    if (endpoint_path_id(req, "id", &id) != 0)
        return;
    if (authn_require_user_or_query(req, w, &uid) != 0) /* EventSource: ?access_token= */
        return;
    if (uid != id) {
        http_request_respond_error(req, 403, "forbidden", "this stream belongs to another user");
        return;
    }
    if (stream_query_parse(http_request_query(req), http_request_header(req, "Last-Event-ID"), &w->shared->cursor_key,
                           kind, id, &q, &err) != 0) {
        json_out_respond_error(req, &err);
        return;
    }
    feed_stream_serve(req, w, kind, id, &q);
}

static void stream_home(http_request *req, void *data)
{
    (void)data;
    stream_feed(req, FEED_HOME);
}

static void stream_profile(http_request *req, void *data)
{
    (void)data;
    stream_feed(req, FEED_PROFILE);
}

static void stream_notifications(http_request *req, void *data)
{
    (void)data;
    stream_feed(req, FEED_NOTIFICATIONS);
}

int handlers_streams_register(router *r)
{
    if (router_add(r, "GET", "/v1/users/{id}/home/stream", stream_home, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/profile/stream", stream_profile, NULL) != 0 ||
        router_add(r, "GET", "/v1/users/{id}/notifications/stream", stream_notifications, NULL) != 0)
        return -1;
    return 0;
}
