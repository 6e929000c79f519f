/* feed_fill.h: lead the fill of a missed feed head (see feed_head.h for
 * the fence and fill_table.h for the single-flight).
 *
 * The request whose head read found no key (and so created the
 * placeholder) calls feed_fill_lead: it starts a flight in this worker's
 * table, reads the newest FEED_HEAD_WINDOW rows from Cassandra, finishes
 * the flight (every waiter, the leading request included, is served
 * from those rows at once), then stores them into Redis behind the
 * placeholder, or on failure removes its placeholder. The fill outlives
 * the requests that wait for it: its state is its own (malloc'd) and
 * holds a reference to the flight until the Redis store answered.
 *
 * The table is per worker thread (thread-local: a worker is a thread).
 */
#ifndef API_READ_FEED_FILL_H
#define API_READ_FEED_FILL_H

#include "api/src/app/worker.h"
#include "api/src/read/fill_table.h"

/* This thread's table of fills in flight. */
fill_table *feed_fill_table(void);

/* Start the fill of (kind, user_id) whose placeholder (the head read
 * created it) is placeholder, on key. Returns the flight (wait on it at
 * once), or NULL when nothing could be started (out of memory, Cassandra
 * refused): the placeholder is then removed and the caller reads
 * Cassandra itself. */
fill_flight *feed_fill_lead(worker *w, feed_kind kind, int64_t user_id, const char *key, const char *placeholder);

#endif
