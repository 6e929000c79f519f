/* app.c: start-up, the signal wait and shutdown of feed-api.
 *
 * The main thread serves no requests: it owns the signalfd, starts one
 * worker per thread (each with its own SO_REUSEPORT listener on the same
 * address; with port 0 the first socket's port is reused by the others),
 * and then sleeps in poll until a signal arrives or a worker ends. First
 * SIGTERM/SIGINT: every worker drains (bounded by the shutdown timeout).
 * Second one: every worker closes everything at once.
 */
#include "api/src/app/app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "api/src/app/routes.h"
#include "api/src/app/worker.h"
#include "api/src/base/log.h"
#include "api/src/server/listener.h"
#include "cql/cql_request.h"

#define APP_BACKLOG 1024

static void app_log_errno(const char *msg, int err)
{
    log_line l;

    log_begin(&l, LOG_ERROR, msg);
    log_errno(&l, err);
    log_end(&l);
}

static void app_server_config(const app_config *cfg, unsigned id, server_config *sc)
{
    server_config_default(sc);
    sc->limits.max_body = cfg->max_body;
    sc->idle_timeout_ms = cfg->idle_timeout_ms;
    sc->read_timeout_ms = cfg->read_timeout_ms;
    sc->request_timeout_ms = cfg->request_timeout_ms;
    sc->max_connections = cfg->max_connections;
    sc->access_log = cfg->access_log;
    sc->stream_stall_ms = cfg->stream_stall_ms;
    sc->worker_id = id;
}

/* Open a listener per worker and initialise the workers. Returns how
 * many were initialised; *port gets the bound port. */
static unsigned app_init_workers(const app_config *cfg, const app_shared *sh, metrics *m, const router *r,
                                 worker *workers, int done_fd, int *port, const app_hooks *hooks)
{
    stores_config stc = {
        .pg_dsn = cfg->pg_dsn,
        .redis_addr = cfg->redis_addr,
        .cassandra = cfg->cassandra,
        .cassandra_keyspace = cfg->cassandra_keyspace,
        .cassandra_consistency = cfg->cassandra_consistency,
        .pg_pool_size = cfg->pg_pool,
        .timeout_ms = cfg->store_timeout_ms,
    };
    listener_addr addr, bound;
    char err[256];
    server_config sc;
    unsigned i;
    int fd;

    if (listener_parse(cfg->listen, &addr, err, sizeof(err)) != 0) {
        log_simple(LOG_ERROR, "invalid listen address", err);
        return 0;
    }
    for (i = 0; i < cfg->threads; i++) {
        fd = listener_open(&addr, APP_BACKLOG, 1);
        if (fd < 0) {
            log_line l;
            log_begin(&l, LOG_ERROR, "cannot listen");
            log_str(&l, "listen", cfg->listen);
            log_errno(&l, errno);
            log_end(&l);
            return i;
        }
        if (i == 0) {
            if (listener_bound(fd, &bound) != 0) {
                app_log_errno("cannot read the bound address", errno);
                (void)close(fd);
                return 0;
            }
            *port = listener_addr_port(&bound);
            listener_addr_set_port(&addr, *port); /* port 0: all share the first one's */
        }
        app_server_config(cfg, i, &sc);
        sc.on_response = metrics_on_response, sc.on_response_data = m; /* every answer counted */
        if (worker_init(&workers[i], i, r, &sc, &workers[i], fd, cfg->shutdown_timeout_ms, done_fd) != 0) {
            app_log_errno("cannot set up a worker", errno);
            return i;
        }
        if (hooks != NULL)
            workers[i].on_exit = hooks->worker_exit;
        workers[i].shared = sh;
        workers[i].metrics = m;
        /* Before the thread starts, so no lock: pthread_create orders it. */
        if (stores_open(&workers[i].stores, &workers[i].loop, &stc, err, sizeof(err)) != 0) {
            log_simple(LOG_ERROR, "cannot set up the store clients", err);
            worker_dispose(&workers[i]);
            return i;
        }
    }
    return i;
}

static void app_log_start(const app_config *cfg, int port)
{
    log_line l;

    log_begin(&l, LOG_INFO, "start");
    log_str(&l, "version", APP_VERSION);
    log_str(&l, "listen", cfg->listen);
    log_int(&l, "port", port);
    log_uint(&l, "threads", cfg->threads);
    /* Say whether the stores are configured, never the DSN (passwords). */
    log_str(&l, "pg", cfg->pg_dsn != NULL ? "configured" : "unset");
    log_str(&l, "redis", cfg->redis_addr != NULL ? cfg->redis_addr : "unset");
    log_str(&l, "cassandra", cfg->cassandra != NULL ? cfg->cassandra : "unset");
    log_str(&l, "keyspace", cfg->cassandra_keyspace);
    log_str(&l, "consistency", cql_consistency_name(cfg->cassandra_consistency));
    log_int(&l, "access_log", cfg->access_log);
    log_int(&l, "pid", (long long)getpid());
    log_end(&l);
}

/* Read one signal from sfd; its number, or 0 if none could be read. */
static int app_read_signal(int sfd)
{
    struct signalfd_siginfo si;
    ssize_t n;

    do {
        n = read(sfd, &si, sizeof(si));
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof(si) ? (int)si.ssi_signo : 0;
}

/* Wait for signals and workers; returns when every worker has ended.
 * The exit code: 0, or 1 if a worker ended on its own (a failure). */
static int app_wait(worker *workers, unsigned n, int sfd, int done_fd)
{
    struct pollfd pfd[2];
    int stopping = 0, code = 0;
    unsigned i, done;
    uint64_t count;

    pfd[0].fd = sfd;
    pfd[0].events = POLLIN;
    pfd[1].fd = done_fd;
    pfd[1].events = POLLIN;
    for (;;) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            app_log_errno("poll failed; stopping", errno);
            stopping = WORKER_STOP_ABORT;
            code = 1;
            for (i = 0; i < n; i++)
                worker_stop(&workers[i], WORKER_STOP_ABORT);
            return code; /* the joins wait for the workers */
        }
        if (pfd[0].revents & POLLIN) {
            int sig = app_read_signal(sfd);
            if (sig != 0 && stopping < WORKER_STOP_ABORT) {
                log_line l;
                stopping = stopping == 0 ? WORKER_STOP_DRAIN : WORKER_STOP_ABORT;
                log_begin(&l, LOG_INFO, stopping == WORKER_STOP_DRAIN ? "stopping" : "stopping now");
                log_str(&l, "signal", sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "other");
                log_end(&l);
                for (i = 0; i < n; i++)
                    worker_stop(&workers[i], stopping);
            }
        }
        if (pfd[1].revents & POLLIN) {
            if (read(done_fd, &count, sizeof(count)) < 0 && errno != EAGAIN && errno != EINTR)
                app_log_errno("cannot read the worker eventfd", errno);
            for (i = 0, done = 0; i < n; i++)
                done += (unsigned)atomic_load(&workers[i].done);
            if (done > 0 && !stopping) {
                /* A worker ended without being asked: stop the rest. */
                log_simple(LOG_ERROR, "a worker ended unexpectedly; stopping", NULL);
                code = 1;
                stopping = WORKER_STOP_DRAIN;
                for (i = 0; i < n; i++)
                    worker_stop(&workers[i], stopping);
            }
            if (done == n)
                return code;
        }
    }
}

int app_run(const app_config *cfg, const app_hooks *hooks)
{
    sigset_t set, old;
    struct sigaction ign;
    router r;
    app_shared shared;
    metrics counters;
    char err[256];
    worker *workers = NULL;
    unsigned i, ninit = 0, nstarted = 0;
    int sfd = -1, done_fd = -1, port = -1, code = 1;
    uint64_t t0 = loop_clock_ms();

    log_set_level(cfg->log_level);
    if (app_shared_init(&shared, cfg, err, sizeof(err)) != 0) {
        log_simple(LOG_ERROR, "cannot set up the secret", err);
        return 1;
    }
    if (app_shared_load_www(&shared, err, sizeof(err)) != 0) {
        log_simple(LOG_ERROR, "cannot read the page", err);
        app_shared_dispose(&shared);
        return 1;
    }
    if (shared.secret_is_random)
        log_simple(LOG_WARN, "no secret configured (FEED_API_SECRET_FILE); using a random one",
                   "tokens and cursors will not survive a restart");
    router_init(&r);
    if (app_routes_register(&r) != 0 ||
        (hooks != NULL && hooks->add_routes != NULL && hooks->add_routes(&r, hooks->data) != 0)) {
        app_log_errno("cannot register the routes", errno);
        goto out_router;
    }

    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &ign, NULL) != 0) {
        app_log_errno("cannot ignore SIGPIPE", errno);
        goto out_router;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &set, &old) != 0) {
        app_log_errno("cannot block signals", errno);
        goto out_router;
    }
    sfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (sfd < 0) {
        app_log_errno("cannot create a signalfd", errno);
        goto out_mask;
    }
    done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (done_fd < 0) {
        app_log_errno("cannot create an eventfd", errno);
        goto out_fds;
    }
    workers = calloc(cfg->threads, sizeof(*workers));
    if (workers == NULL) {
        app_log_errno("cannot allocate the workers", ENOMEM);
        goto out_fds;
    }

    metrics_init(&counters);
    ninit = app_init_workers(cfg, &shared, &counters, &r, workers, done_fd, &port, hooks);
    if (ninit < cfg->threads)
        goto out_workers;
    for (nstarted = 0; nstarted < ninit; nstarted++) {
        if (worker_start(&workers[nstarted]) != 0) {
            app_log_errno("cannot start a worker thread", errno);
            for (i = 0; i < nstarted; i++)
                worker_stop(&workers[i], WORKER_STOP_ABORT);
            goto out_workers;
        }
    }
    app_log_start(cfg, port);
    if (hooks != NULL && hooks->on_ready != NULL)
        hooks->on_ready(port, hooks->data);

    code = app_wait(workers, nstarted, sfd, done_fd);

out_workers:
    for (i = 0; i < nstarted; i++) {
        if (worker_join(&workers[i]) != 0)
            code = 1;
    }
    for (i = 0; i < ninit; i++)
        worker_dispose(&workers[i]);
    free(workers);
out_fds:
    if (done_fd >= 0)
        (void)close(done_fd);
    if (sfd >= 0)
        (void)close(sfd);
out_mask:
    (void)pthread_sigmask(SIG_SETMASK, &old, NULL);
out_router:
    router_dispose(&r);
    app_shared_dispose(&shared);
    {
        log_line l;
        log_begin(&l, code == 0 ? LOG_INFO : LOG_ERROR, "stop");
        log_int(&l, "exit_code", code);
        log_uint(&l, "uptime_ms", loop_clock_ms() - t0);
        log_end(&l);
    }
    return code;
}
