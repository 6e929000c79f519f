/* stream_query.h: where a feed stream starts.
 *
 *     GET /v1/users/{id}/home/stream?after=<cursor>&limit=20
 *     Last-Event-ID: <cursor>
 *
 * Last-Event-ID (what an EventSource sends when it reconnects) or the
 * after parameter (for clients that cannot set the header) is the
 * position of the last event the client has: the stream starts with
 * every item after it (newer), then live events. The header wins over
 * the parameter (a reconnecting EventSource still has the first URL).
 * Both are cursors of this feed (cursor_decode: 400 invalid_cursor,
 * field "Last-Event-ID" or "after"); an empty header counts as absent.
 * Without either, the stream starts with the newest limit items
 * (page_query's limit rules: default 20, 1..100, capped).
 *
 * Nothing allocates; out and err are the caller's.
 */
#ifndef API_WIRE_STREAM_QUERY_H
#define API_WIRE_STREAM_QUERY_H

#include <stdint.h>

#include "api/src/base/slice.h"
#include "api/src/wire/api_error.h"
#include "api/src/wire/cursor.h"

typedef struct stream_query {
    int limit;     /* a fresh stream's first items */
    int has_after; /* resume after `after` */
    cursor after;
} stream_query;

/* query: the raw query string; last_event_id: the header (base NULL:
 * absent). 0, or -1 with *err filled. */
int stream_query_parse(slice query, slice last_event_id, const cursor_key *key, feed_kind kind, int64_t user_id,
                       stream_query *out, api_error *err);

#endif
