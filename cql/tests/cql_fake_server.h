/* cql_fake_server.h: a scripted CQL server for tests of clients.
 *
 * A child process accepts one connection on a loopback port and answers
 * each request frame with the next step's canned response (its stream id
 * set to the request's), or misbehaves as the step says. The tests that
 * use it own the returned handle and must call cql_fake_stop.
 */
#ifndef CQL_FAKE_SERVER_H
#define CQL_FAKE_SERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef enum cql_fake_action {
    CQL_FAKE_REPLY,            /* send the reply */
    CQL_FAKE_EVENT_THEN_REPLY, /* a server event (stream -1) first */
    CQL_FAKE_STALL,            /* never answer */
    CQL_FAKE_HALF_THEN_CLOSE,  /* half the reply, then close */
    CQL_FAKE_WRONG_STREAM      /* reply on another stream id */
} cql_fake_action;

typedef struct cql_fake_step {
    cql_fake_action action;
    const uint8_t *reply; /* a whole response frame; not owned */
    size_t len;
} cql_fake_step;

typedef struct cql_fake_server {
    pid_t pid;
    uint16_t port;
} cql_fake_server;

/* Start a server that plays steps[0..n) on its one connection. */
cql_fake_server cql_fake_start(const cql_fake_step *steps, size_t n);

/* Kill and reap the server. */
void cql_fake_stop(cql_fake_server *s);

/* A loopback port on which nothing listens (bound, never listening). The
 * caller closes *fd when done with the port. */
uint16_t cql_fake_dead_port(int *fd);

#endif
