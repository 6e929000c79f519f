/* stream_merge.h: what a feed stream sends, in which order, under which
 * id; pure (the resume logic of api/README.md "Streams").
 *
 * A stream sends the items of a feed oldest first: the backlog (the
 * stored items newer than the resume position, read newest first by the
 * page read and sent reversed), then live events in the order they
 * arrive. The id of an event is the cursor of the stream's *mark*: the
 * newest position sent so far (or resumed from). For an item that
 * arrives in feed order (almost all: a new item is the newest) that is
 * its own cursor; an item that arrives late, at a position older than
 * the mark (a follow's backfill, two writers committing out of order),
 * is sent with the mark unchanged, so a client that resumes from the
 * last id it got is never sent again what it already has.
 *
 * Repeats are refused by activity id: an item already sent by this
 * stream (the live copy of an item the backlog also read, because it was
 * stored between the subscription and the read; a job replay after a
 * restart) is not sent again. The check covers the whole backlog while
 * the buffered events are merged (stream_backlog_has) and the last
 * STREAM_RECENT items sent after that.
 *
 * Notification groups change in place (a like joins its group): there an
 * event is the group as it now stands, so nothing is refused as a repeat
 * (updates set; a client replaces the group by id).
 *
 * Everything is the caller's; nothing allocates.
 */
#ifndef API_STREAM_STREAM_MERGE_H
#define API_STREAM_STREAM_MERGE_H

#include <stddef.h>

#include "api/src/read/feed_order.h"

#define STREAM_RECENT 16

typedef struct stream_merge {
    int updates; /* items change in place (notification groups): every
                         offer is sent, the new state of the item */
    int has_mark;
    feed_ref mark;
    unsigned recent_n, recent_next;
    uint8_t recent_len[STREAM_RECENT];
    char recent[STREAM_RECENT][CURSOR_MAX_ID];
} stream_merge;

/* A stream resuming after `after` (NULL: a fresh stream, no mark yet). */
void stream_merge_init(stream_merge *m, const feed_ref *after);

/* An item about to be sent: 1 when it should be (the mark moves to it if
 * it is newer; it is remembered as sent), 0 when it was sent already. */
int stream_merge_offer(stream_merge *m, const feed_ref *item);

/* The id of the next event: the mark; NULL while there is none. */
const feed_ref *stream_merge_mark(const stream_merge *m);

/* How many of a page's refs (feed order, newest first) are newer than
 * after; *reached is set to 1 when the page got to `after` (a ref at or
 * beyond it), so no further page is needed. after NULL: all of them. */
size_t stream_backlog_newer(const feed_ref *after, const feed_ref *refs, size_t n, int *reached);

/* 1 when x (by position and id) is among refs (feed order). */
int stream_backlog_has(const feed_ref *refs, size_t n, const feed_ref *x);

/* ---- the log's own history: repeats of a job replay -------------------
 *
 * A job that restarts from its checkpoint replays the writes since, so
 * the user's event log may hold an item's '+' twice with no '-' between
 * (or a '-' twice). An activity id enters a feed once and leaves it at
 * most once, so such an event repeats what the client has: it is
 * dropped. The history is the last STREAM_HISTORY events of the stream's
 * feed in log order, seeded from the entries before the resume point (a
 * replay is at most a checkpoint interval of the user's writes), each
 * item by a 64-bit hash of its id (a collision, at 2^-64 per pair, would
 * drop an event). Not for notification groups, whose '+' is a new state.
 * ~2.3 KiB, the caller's; nothing allocates. */
#define STREAM_HISTORY 256

typedef struct stream_history {
    uint64_t hash[STREAM_HISTORY];
    uint8_t removed[STREAM_HISTORY];
    unsigned n, next;
} stream_history;

/* Record that the item's state is now removed (1) or present (0). */
void stream_history_note(stream_history *h, const feed_ref *item, int removed);

/* 1 when an event (item, removed) repeats the item's last recorded
 * state; 0 when it changes it or the item is not in the history. */
int stream_history_repeat(const stream_history *h, const feed_ref *item, int removed);

#endif
