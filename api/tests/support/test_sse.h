/* test_sse.h: the tests' Server-Sent Events client: a blocking reader of
 * one stream (api/README.md "Streams") over a plain socket, for the
 * stream integration tests (api/tests/integration/stream/) and the
 * end-to-end tests (tests/e2e/).
 *
 * A client reads the answer's head at sse_open, then one event block at
 * a time: its event name ("" for a message, "#" for a comment), its id
 * and its data (the data lines joined by '\n'). Every wait has a
 * timeout; what a test cannot go on from (no connection, no head) fails
 * the running cmocka test.
 *
 * Ownership: the caller owns the sse_client and each sse_ev; an event's
 * data is malloc'd (sse_ev_free), the client's buffer freed by sse_close.
 */
#ifndef API_TESTS_SUPPORT_TEST_SSE_H
#define API_TESTS_SUPPORT_TEST_SSE_H

#include <stddef.h>

typedef struct sse_client {
    int fd;
    int status;
    char *buf; /* bytes after the head not yet parsed */
    size_t len, cap;
    int eof;
    int skip_unseen; /* sse_next passes over "unseen" events (no id, not an item) */
} sse_client;

typedef struct sse_ev {
    char event[32]; /* "" for message; "#" for a comment */
    char id[160];
    char *data; /* malloc'd */
} sse_ev;

void sse_ev_free(sse_ev *e);

/* Open a stream on 127.0.0.1:port (path, with the token as Bearer when
 * not NULL, and last_id as Last-Event-ID when not NULL); rcvbuf > 0 sets
 * SO_RCVBUF first (a slow client). Returns the status; the head is
 * consumed. */
int sse_open(sse_client *c, int port, const char *path, const char *token, const char *last_id, int rcvbuf);

void sse_close(sse_client *c);

/* The next event or comment within ms: 1, 0 timeout, -1 end of stream. */
int sse_next(sse_client *c, sse_ev *e, int ms);

/* The next item event (comments and "retry:" skipped) within ms. */
int sse_next_item(sse_client *c, sse_ev *e, int ms);

/* The "id" member of an event's data into out ("" when there is none). */
const char *sse_item_id(const sse_ev *e, char *out, size_t cap);

#endif
