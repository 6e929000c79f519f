/* feed_stream.h: one Server-Sent Events stream of a feed (home,
 * profile, notifications), from its backlog to its live events. The
 * endpoint (path id, token, owner, query) is handlers/streams.c; what a
 * stream guarantees is api/README.md "Streams".
 *
 *   wait      registered with the worker's hub (stream_hub.h), events
 *             buffered, until the hub's subscription is confirmed
 *   sources   home only: the merge sources' generation, then the merge
 *             sources (the hot accounts followed: stream_hot.h)
 *   open      feed_live_open.lua: the user's live key set (the job logs
 *             the user's events from then on), whether the resume
 *             cursor's log entry is still in the log, and the log's
 *             history up to it (or up to its newest entry); home: the
 *             user put into each source's live-follower set, and the
 *             resume entry taken only if the log is complete for the
 *             sources from before it on (a moved generation: sources
 *             again)
 *   then, resuming from an entry still in the log (exact):
 *   live      the answer's head, then the log's entries after it for
 *             this feed, STREAM_LOG_PAGE at a time, then the live events
 *             past the last entry read (held meanwhile)
 *   else (a fresh stream, or the entry is gone):
 *   backlog   the stored items after the resume position, through the
 *             page read (feed_read_page), newest first, up to
 *             STREAM_BACKLOG_PAGES pages of STREAM_BACKLOG_PAGE; a fresh
 *             stream: the newest `limit` items. Events still buffered;
 *             those up to the log's newest entry at open are dropped
 *             (the read is after them)
 *   live      the answer's head, the backlog oldest first, then the
 *             buffered and new events in arrival order
 * A home stream sends a hot followee's event ("home:<V>", feed_event.h)
 * only by its follow's rule (stream_hot.h); its heartbeat ends it when
 * the sources changed. Every '+' is rendered by the read path's body
 * lookup (feed_bodies.h);
 * repeats are dropped (stream_merge.h: the backlog's, the last sent,
 * and a job replay's by the log's history). An event's id is a cursor
 * of the newest position sent with the newest log entry handled
 * (cursor.h version 2).
 *
 * Notifications: an event is a group as it now stands (created or
 * changed: a new actor), sent every time, under the group's position
 * (window start, group id); a group that emptied is a removal.
 *
 * Until the head is sent, a failure is an ordinary answer (503
 * store_unavailable with Retry-After, the request's deadline); after it,
 * the stream just ends and the client resumes with Last-Event-ID.
 *
 * Ownership: the stream's state is its own (malloc), freed once the
 * request is finished and no store call of it is in flight.
 */
#ifndef API_STREAM_FEED_STREAM_H
#define API_STREAM_FEED_STREAM_H

#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/server/request.h"
#include "api/src/wire/stream_query.h"

#define STREAM_BACKLOG_PAGE 100
#define STREAM_BACKLOG_PAGES 5
#define STREAM_MAX_QUEUED 1024      /* events waiting; more: the stream ends */
#define STREAM_LOG_PAGE 100         /* log entries read at a time when resuming */
#define STREAM_BODY_RETRY_MS 50     /* a body not stored yet: look again, doubling to 1 s */
#define STREAM_BODY_WAIT_MS 30000   /* ... until its removal is queued, or this long */
#define STREAM_CLIENT_RETRY_MS 1000 /* the "retry:" sent to clients */

/* Serve the stream q of feed (kind, user_id) on req (already
 * authorised; kind FEED_HOME, FEED_PROFILE or FEED_NOTIFICATIONS). */
void feed_stream_serve(http_request *req, worker *w, feed_kind kind, int64_t user_id, const stream_query *q);

#endif
