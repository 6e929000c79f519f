/* stream_hot.h: which hot followees' profile events a home stream sends
 * (pure). api/README.md "Streams", "Hot accounts in a home stream".
 *
 * A hot account's items are not copied into its followers' homes: the
 * home read merges them from its profile by the follow's rule
 * (merge_source.h). For the home stream of a reader U, the job also
 * appends each profile event of a hot V that U follows to U's own log
 * and channel, as "home:<V> <op> <ts_us> <id>" (feed_event.h), while U
 * is in V's live-follower set (feed_live_open.lua). The stream sends
 * such an event only when V is one of its merge sources and the rule
 * includes the item, exactly as the page read decides; a source that is
 * not (any more) the reader's, or an item outside the rule (made before
 * the follow, older than the backfill), is dropped, '+' and '-' alike.
 *
 * The sources are the ones the stream read at its start, at the merge
 * sources' generation the open script checked; a change of them (a
 * follow or unfollow of a hot account, an account turning hot or cold)
 * bumps the generation, which the stream's heartbeat sees: the stream
 * ends and the client resumes (feed_stream.c).
 *
 * Everything is the caller's; nothing allocates.
 */
#ifndef API_STREAM_STREAM_HOT_H
#define API_STREAM_STREAM_HOT_H

#include <stddef.h>

#include "api/src/read/merge_source.h"
#include "api/src/stream/feed_event.h"

/* Sort src[0..n) by followee id (for stream_hot_accepts). */
void stream_hot_sort(merge_source *src, size_t n);

/* The source of followee id among src (sorted), or NULL. */
const merge_source *stream_hot_find(const merge_source *src, size_t n, int64_t followee_id);

/* 1 when ev belongs in the stream of a home merging src (sorted): an
 * event of the user's own feed always, a hot followee's only by the
 * rule of its source. */
int stream_hot_accepts(const merge_source *src, size_t n, const feed_event *ev);

#endif
