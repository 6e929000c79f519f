/* fill_table.h: single-flight of cache fills on one worker thread.
 *
 * When several requests on one worker miss the same feed head at once,
 * one of them (the leader) reads Cassandra and fills Redis; the others
 * wait on its fill_flight and are served from the rows it read: one
 * Cassandra read and one fill per feed per worker, however many misses.
 *
 * Across worker threads and processes the head key itself is the lock
 * (feed_head.h): the read that finds the key absent creates it with a
 * fill placeholder atomically, so exactly one request anywhere leads a
 * fill; requests of other workers that see the placeholder read
 * Cassandra directly for their page and never fill.
 *
 * A flight is keyed by (feed kind, user id). Waiters are an intrusive
 * list of fill_waiter embedded in the waiting requests' state. When the
 * rows are read, fill_flight_publish hands them to the waiters and keeps
 * the flight in the table until the leader's Redis store answered: a
 * request of this worker that misses (or sees the placeholder) during
 * the store is served from the rows at once instead of reading
 * Cassandra. fill_table_remove ends that; fill_flight_finish is publish
 * and remove in one (a failed fill). The flight's rows stay valid until
 * the last holder calls fill_flight_release (reference count: the
 * leader and each waiter until it is done with the rows).
 *
 * Ownership: the table is the caller's (one per worker thread, no lock);
 * flights are malloc'd here and freed by the last release. One thread.
 */
#ifndef API_READ_FILL_TABLE_H
#define API_READ_FILL_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/read/feed_order.h"
#include "api/src/wire/cursor.h"

typedef struct fill_waiter fill_waiter;
typedef struct fill_flight fill_flight;
struct fill_waiter {
    fill_waiter *next;
    void (*done)(fill_waiter *w, fill_flight *f); /* f->status says how it went */
};

struct fill_flight {
    fill_flight *next; /* in the table while in flight */
    feed_kind kind;
    int64_t user_id;
    int in_table;
    int ready; /* published: waiters are called at once */
    unsigned refs;
    fill_waiter *waiters; /* in arrival order */
    fill_waiter **tail;
    /* The result, set by the leader before finishing. */
    int status;     /* 0: rows read; -1: Cassandra failed */
    int complete;   /* the rows are the whole feed */
    feed_ref *rows; /* owned; sorted in feed order */
    size_t nrows;
};

typedef struct fill_table {
    fill_flight *head;
    size_t count;
} fill_table;

void fill_table_init(fill_table *t);

/* The flight in progress for (kind, user_id), or NULL. */
fill_flight *fill_table_find(fill_table *t, feed_kind kind, int64_t user_id);

/* Start a flight (the caller leads it; refs = 1). NULL when out of memory. */
fill_flight *fill_table_start(fill_table *t, feed_kind kind, int64_t user_id);

/* Wait on f: w->done runs when the rows are published, or now if they
 * are (w then holds a reference). */
void fill_flight_wait(fill_flight *f, fill_waiter *w);

/* Leader: store the result (rows become the flight's: malloc'd or NULL)
 * and call every waiter's done in arrival order; the flight stays in the
 * table (see above). */
void fill_flight_publish(fill_flight *f, int status, int complete, feed_ref *rows, size_t nrows);

/* Take f out of the table (no-op if it is not in it). */
void fill_table_remove(fill_table *t, fill_flight *f);

/* Publish, then remove: a failed fill, after which the next miss may try
 * again. A done callback may start a new flight for the same feed. */
void fill_flight_finish(fill_table *t, fill_flight *f, int status, int complete, feed_ref *rows, size_t nrows);

/* Drop one reference; the last frees the flight and its rows. */
void fill_flight_release(fill_flight *f);

#endif
