/* job_queue.h: an intrusive FIFO of pending store requests.
 *
 * The store clients keep requests that wait for a connection (PostgreSQL:
 * for a free connection of the pool; CQL: for the handshake to finish) in
 * arrival order, and must take one out of the middle when its timeout
 * fires first. A doubly-linked list of links embedded in the requests
 * does both in O(1) without allocating; job_queue_entry gives back the
 * request from its link.
 *
 * The queue owns nothing: requests are the caller's, linked or not.
 */
#ifndef API_STORE_JOB_QUEUE_H
#define API_STORE_JOB_QUEUE_H

#include <stddef.h>

typedef struct job_link {
    struct job_link *prev, *next; /* NULL, NULL while not queued */
} job_link;

typedef struct job_queue {
    job_link *head, *tail;
    size_t len;
} job_queue;

#define job_queue_entry(link, type, member) ((type *)(void *)((char *)(link)-offsetof(type, member)))

void job_queue_init(job_queue *q);

/* Append l (not queued) at the tail. */
void job_queue_push(job_queue *q, job_link *l);

/* Put l (not queued) at the head: it goes first. */
void job_queue_push_front(job_queue *q, job_link *l);

/* Take the head off, or NULL when empty. */
job_link *job_queue_pop(job_queue *q);

/* Unlink l, which must be in q. */
void job_queue_remove(job_queue *q, job_link *l);

/* Whether l is in q (l is in at most one queue). */
int job_queue_contains(const job_queue *q, const job_link *l);

#endif
