/* worker.c: a worker thread's life: run the loop, drain on request.
 *
 * Stop requests are levels rather than events: the wake callback reads
 * the highest level asked for, so a drain followed quickly by an abort
 * ends up aborting even if both wakes coalesced into one.
 */
#include "api/src/app/worker.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "api/src/base/log.h"
#include "api/src/stream/stream_hub.h"

static void worker_on_drained(server *s, void *data)
{
    worker *w = data;

    (void)s;
    loop_stop(&w->loop);
}

static void worker_on_wake(loop *l, void *data)
{
    worker *w = data;
    int level = atomic_load(&w->stop_level);

    if (level >= WORKER_STOP_ABORT) {
        server_dispose(&w->srv);
        loop_stop(l);
    } else if (level == WORKER_STOP_DRAIN) {
        server_drain(&w->srv, w->shutdown_timeout_ms, worker_on_drained, w);
    }
}

int worker_init(worker *w, unsigned id, const router *r, const server_config *cfg, void *context, int listen_fd,
                uint32_t shutdown_timeout_ms, int done_fd)
{
    int saved;

    memset(w, 0, sizeof(*w));
    w->id = id;
    w->shutdown_timeout_ms = shutdown_timeout_ms;
    w->done_fd = done_fd;
    w->context = context;
    atomic_init(&w->stop_level, 0);
    atomic_init(&w->done, 0);
    if (loop_init(&w->loop) != LOOP_OK)
        goto err_fd;
    if (server_init(&w->srv, &w->loop, r, cfg, context) != 0)
        goto err_loop;
    loop_set_wake(&w->loop, worker_on_wake, w);
    w->ready = 1;
    if (server_listen(&w->srv, listen_fd) != 0) {
        saved = errno;
        worker_dispose(w);
        errno = saved;
        return -1;
    }
    return 0;

err_loop:
    saved = errno;
    loop_dispose(&w->loop);
    errno = saved;
err_fd:
    saved = errno;
    (void)close(listen_fd);
    errno = saved;
    return -1;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    uint64_t one = 1;
    ssize_t n;

    w->hub = stream_hub_new(&w->loop, w->stores.redis_sub, w->shared != NULL ? w->shared->cfg->stream_heartbeat_ms : 0);
    if (w->hub != NULL)
        w->stores.redis_sub = NULL; /* the hub's now */
    if (loop_run(&w->loop) != LOOP_OK) {
        log_line l;
        log_begin(&l, LOG_ERROR, "event loop failed");
        log_uint(&l, "worker", w->id);
        log_errno(&l, errno);
        log_end(&l);
        w->failed = 1;
    }
    server_dispose(&w->srv);
    if (w->on_exit != NULL)
        w->on_exit(w);
    stream_hub_free(w->hub);
    w->hub = NULL;
    /* Closing fails whatever is still pending, which answers (and so
     * frees) the requests the server abandoned. */
    stores_close(&w->stores);
    atomic_store(&w->done, 1);
    do {
        n = write(w->done_fd, &one, sizeof(one));
    } while (n < 0 && errno == EINTR);
    /* A failed write would leave the main thread waiting forever: say so. */
    if (n < 0)
        log_simple(LOG_ERROR, "cannot notify the main thread", strerror(errno));
    return NULL;
}

int worker_start(worker *w)
{
    int rc = pthread_create(&w->thread, NULL, worker_main, w);

    if (rc != 0) {
        errno = rc;
        return -1;
    }
    w->started = 1;
    return 0;
}

void worker_stop(worker *w, int level)
{
    int cur = atomic_load(&w->stop_level);

    while (cur < level && !atomic_compare_exchange_weak(&w->stop_level, &cur, level))
        ;
    if (loop_wake(&w->loop) != LOOP_OK)
        log_simple(LOG_ERROR, "cannot wake a worker", strerror(errno));
}

int worker_join(worker *w)
{
    int rc;

    if (!w->started)
        return 0;
    rc = pthread_join(w->thread, NULL);
    w->started = 0;
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    return w->failed ? -1 : 0;
}

void worker_dispose(worker *w)
{
    if (!w->ready)
        return;
    stores_close(&w->stores); /* a worker that never ran still has them */
    server_dispose(&w->srv);
    loop_dispose(&w->loop);
    w->ready = 0;
}
