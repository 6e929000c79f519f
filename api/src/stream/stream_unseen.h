/* stream_unseen.h: the unseen counts of one open stream, re-counted as
 * they change.
 *
 * A home or notification stream owns one. The stream pokes it when the
 * counts may have changed: once when it goes live, and after each batch
 * of its feed's events (an item entered or left the feed, a group grew)
 * or a marker event (the user's read marker moved, from any device:
 * feed_event.h "seen"). A poke re-reads the marker and the counts
 * (read/unseen.h: one PostgreSQL lookup, one Cassandra COUNT) and hands
 * them to the stream when they differ from the last ones it sent (the
 * first always), which frames them as
 *
 *     event: unseen
 *     data: {"items":N,"activities":M}
 *
 * (The stream pokes after a batch once its queue of item events is
 * drained, and at once on a marker event.)
 *
 * At most one count is in flight per stream: pokes meanwhile are folded
 * into one more count after it, so a burst of events costs two counts,
 * and the last count always starts after the last poke (the counts sent
 * last are never older than the last event sent). A count that fails (a
 * store down) is dropped without a word: the next poke tries again.
 *
 * Ownership: the stream owns it (stream_unseen_new) and lets go of it
 * with stream_unseen_detach, never free: a count still in flight then
 * frees it when it returns. send may end the stream, and so detach (and
 * free) this: it says so by returning -1, after which nothing touches it.
 */
#ifndef API_STREAM_STREAM_UNSEEN_H
#define API_STREAM_STREAM_UNSEEN_H

#include <stdint.h>

#include "api/src/read/unseen.h"

/* Hand c to the stream (data: the stream): 0, or -1 when the stream
 * ended meanwhile (this is detached then). */
typedef int stream_unseen_send(void *data, const unseen_counts *c);

typedef struct stream_unseen {
    unseen_req r;
    stream_unseen_send *send;
    void *owner; /* NULL: detached */
    int busy;    /* a count in flight */
    int again;   /* poked while busy */
    int sent;    /* last holds what was sent */
    unseen_counts last;
} stream_unseen;

/* A counter for feed (kind: home or notifications, user_id) on w; NULL
 * out of memory. Nothing is counted before the first poke. */
stream_unseen *stream_unseen_new(worker *w, feed_kind kind, int64_t user_id, stream_unseen_send *send, void *owner);

/* The counts may have changed: count (now or after the count in flight).
 * send may run inside this call (a store that refuses at once does not
 * send, but do not rely on it): call it last. */
void stream_unseen_poke(stream_unseen *u);

/* The stream is gone: free now, or when the count in flight returns. */
void stream_unseen_detach(stream_unseen *u);

/* The event's frame into out. 0, or -1 out of memory. */
int stream_unseen_frame(buf *out, const unseen_counts *c);

#endif
