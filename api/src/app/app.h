/* app.h: feed-api as a function: start the workers, wait for a signal,
 * shut down gracefully. main() is a thin wrapper around app_run.
 *
 * Signals: app_run blocks SIGINT and SIGTERM in the calling thread
 * (threads it creates inherit that) and reads them from a signalfd. In
 * a process with other threads (a test), those threads must block them
 * too, or the kernel may deliver the signal to one of them instead.
 * SIGPIPE is ignored process-wide; sockets also write with MSG_NOSIGNAL.
 */
#ifndef API_APP_APP_H
#define API_APP_APP_H

#include "api/src/app/config.h"
#include "api/src/app/worker.h"
#include "api/src/server/router.h"

/* Hooks for tests; main passes NULL. Handlers get their worker as
 * http_request_context (its loop, and later its per-thread clients). */
typedef struct app_hooks {
    /* Register extra routes (after the real ones). 0 or -1. */
    int (*add_routes)(router *r, void *data);
    /* Called once every worker runs, with the bound port. */
    void (*on_ready)(int port, void *data);
    /* Installed as every worker's on_exit (see worker.h). */
    void (*worker_exit)(worker *w);
    void *data;
} app_hooks;

/* Run until SIGTERM/SIGINT. Returns the process exit code: 0 after a
 * signal-initiated shutdown, 1 when start-up or a worker failed. */
int app_run(const app_config *cfg, const app_hooks *hooks);

#endif
