/* handlers.h: every endpoint of the public API. The operator's routes
 * (/healthz, /readyz, /metrics) are in ops.h.
 *
 *   POST   /v1/users                     users.c      (no token; returns one)
 *   GET    /v1/users/{id}                users.c
 *   POST   /v1/users/{id}/follow         follows.c
 *   DELETE /v1/users/{id}/follow         follows.c
 *   GET    /v1/users/{id}/followers      follow_lists.c
 *   GET    /v1/users/{id}/followees      follow_lists.c
 *   POST   /v1/posts                     posts.c
 *   GET    /v1/posts/{id}                posts.c
 *   DELETE /v1/posts/{id}                posts.c
 *   POST   /v1/posts/{id}/comments       comments.c
 *   DELETE /v1/comments/{id}              comments.c
 *   POST   /v1/posts/{id}/like           likes.c
 *   DELETE /v1/posts/{id}/like           likes.c
 *   GET    /v1/users/{id}/home           feeds.c      token user must be {id} (403)
 *   GET    /v1/users/{id}/profile        feeds.c      public
 *   GET    /v1/users/{id}/notifications  feeds.c      token user must be {id} (403)
 *
 * Every endpoint but POST /v1/users needs a bearer token (authn.h).
 * Every write is one transaction (create.h for POSTs with their
 * Idempotency-Key, store_call.h for the rest); the database's
 * constraints decide conflicts and references (pg_errors.h). Handlers
 * find their worker with http_request_context and need w->shared and
 * w->stores.pg (503 when PostgreSQL is not configured or down).
 *
 * The feed reads (?limit&cursor -> 200 {"items":[...],"next_cursor":...})
 * check the path id (400 invalid_value), the token (401) and owner (403
 * forbidden) where private, the query (400 invalid_value /
 * invalid_cursor, wire/page_query.h), then serve the page
 * (read/feed_read.h). They never read PostgreSQL: reads go on while it
 * is down.
 */
#ifndef API_HANDLERS_HANDLERS_H
#define API_HANDLERS_HANDLERS_H

#include "api/src/server/router.h"
#include "api/src/server/request.h"

/* Register every route above on r. 0, or -1 with errno (router_add). */
int handlers_write_register(router *r);

/* Register the three feed reads on r (feeds.c). 0, or -1 with errno. */
int handlers_feeds_register(router *r);

/* Register the feed streams on r (streams.c): GET
 * /v1/users/{id}/home/stream, /profile/stream and /notifications/stream,
 * Server-Sent Events
 * for the token's own user (401, 403, 400 invalid_cursor, 503 before the
 * stream starts; stream/feed_stream.h). 0, or -1 with errno. */
int handlers_streams_register(router *r);

void users_create(http_request *req, void *data);
void users_get(http_request *req, void *data);
void follows_create(http_request *req, void *data);
void follows_delete(http_request *req, void *data);
void follow_lists_followers(http_request *req, void *data);
void follow_lists_followees(http_request *req, void *data);
void posts_create(http_request *req, void *data);
void posts_get(http_request *req, void *data);
void posts_delete(http_request *req, void *data);
void comments_create(http_request *req, void *data);
void comments_delete(http_request *req, void *data);
void likes_create(http_request *req, void *data);
void likes_delete(http_request *req, void *data);
/* markers.c: GET and PUT /v1/users/{id}/markers/{timeline}, read markers
 * and exact unseen counts (the token's own user). */
void markers_get(http_request *req, void *data);
/* page.c: GET /, the web page (--www-dir). */
void page_index(http_request *req, void *data);
/* users.c: GET /v1/users?handle=<handle>, a user by handle (token needed). */
void users_find(http_request *req, void *data);
void markers_put(http_request *req, void *data);

#endif
