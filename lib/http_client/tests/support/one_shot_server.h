/* one_shot_server.h: a loopback HTTP server for one connection, for the
 * tests of httpclient's users (the bench and chaos clients).
 *
 * It accepts one connection in a thread of its own, reads one request
 * (the head and a Content-Length body) into request[], writes answer
 * (nothing when answer is NULL) and closes. Test failures go through
 * cmocka's asserts. The caller owns the struct; answer must outlive it.
 */
#ifndef LIB_HTTP_CLIENT_TESTS_ONE_SHOT_SERVER_H
#define LIB_HTTP_CLIENT_TESTS_ONE_SHOT_SERVER_H

#include <pthread.h>

typedef struct one_shot {
    int listen_fd, port;
    const char *answer; /* not owned; NULL: close without answering */
    char request[1024]; /* what the client sent, NUL-terminated */
    pthread_t thread;
} one_shot;

/* Listen on 127.0.0.1 (a free port, in s->port) and serve in a thread. */
void one_shot_start(one_shot *s, const char *answer);

/* Wait for the thread and close the listening socket. */
void one_shot_join(one_shot *s);

#endif
