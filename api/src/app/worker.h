/* worker.h: one thread running one event loop with one server.
 *
 * The main thread creates the workers, starts them, and later asks them
 * to stop with worker_stop, the only call made from another thread: it
 * goes through the loop's wake eventfd, and the worker then drains its
 * server on its own thread. When a worker's loop has ended it writes to
 * done_fd (an eventfd the main thread polls) so that the main thread
 * needs no polling and no signals of its own.
 *
 * Ownership: the caller owns the worker struct and the router (shared,
 * read-only) and done_fd; the worker owns its loop, its server, the
 * listening socket passed to worker_init and its store clients (opened
 * by the caller on the worker's loop before worker_start, closed by the
 * worker thread when its loop has ended).
 *
 * Handlers find everything through http_request_context(req), which is
 * the worker: w->stores for the clients of this thread, w->shared for
 * the keys and configuration every thread shares.
 */
#ifndef API_APP_WORKER_H
#define API_APP_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "api/src/app/app_shared.h"
#include "api/src/app/metrics.h"
#include "api/src/loop/loop.h"
#include "api/src/server/server.h"
#include "api/src/store/stores.h"

#define WORKER_STOP_DRAIN 1 /* graceful: finish requests in progress */
#define WORKER_STOP_ABORT 2 /* close everything now */

typedef struct worker {
    unsigned id;
    loop loop;
    server srv;
    int ready;   /* loop and server initialised */
    int started; /* thread running (joinable) */
    pthread_t thread;
    uint32_t shutdown_timeout_ms;
    int done_fd;           /* not owned */
    atomic_int stop_level; /* 0, WORKER_STOP_DRAIN or WORKER_STOP_ABORT */
    atomic_int done;       /* the loop has ended */
    int failed;            /* the loop ended with an error */
    /* Optional, set before worker_start: runs on the worker thread after
     * its loop ended and its server was disposed. The place to dispose
     * per-thread clients, whose pending callbacks then answer (and so
     * free) requests the server abandoned. */
    void (*on_exit)(struct worker *w);
    void *context;            /* the handlers' context (not owned) */
    const app_shared *shared; /* not owned; NULL in tests that need none */
    stores stores;            /* this thread's clients; each NULL if not configured */
    /* The live feed events (stream/stream_hub.h): made on the worker
     * thread when it starts, if Redis is configured; it takes over
     * stores.redis_sub and is freed when the loop has ended, before the
     * stores close. NULL: no streams on this worker (503). */
    struct stream_hub *hub;
    metrics *metrics; /* the process's counters (not owned); NULL in some tests */
} worker;

/* Set up the loop and the server on listen_fd (owned from now on, even
 * on failure). cfg->worker_id should be id. 0, or -1 with errno. */
int worker_init(worker *w, unsigned id, const router *r, const server_config *cfg, void *context, int listen_fd,
                uint32_t shutdown_timeout_ms, int done_fd);

/* Start the thread. 0, or -1 with errno. */
int worker_start(worker *w);

/* Ask for a stop (WORKER_STOP_DRAIN or _ABORT); thread-safe, may be
 * repeated to escalate. */
void worker_stop(worker *w, int level);

/* Wait for the thread; 0, or -1 if its loop failed. */
int worker_join(worker *w);

/* Free the loop and server (after join, or if never started). */
void worker_dispose(worker *w);

#endif
