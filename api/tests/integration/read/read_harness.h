/* read_harness.h: what the read-path integration tests share, included
 * by each of them (header-only, static: one copy per test program).
 *
 *   rh_server   the real route table (app_routes_register), one worker
 *               on an ephemeral loopback port, its own metrics and
 *               secret, store clients from addresses the test picks (a
 *               closed port for "Redis down", a cuttable proxy for
 *               "Cassandra down").
 *   rh_proxy    a TCP proxy in a thread of its own in front of the real
 *               Cassandra: rh_proxy_down closes every proxied connection
 *               and refuses new ones.
 *   seeding     blocking CQL (feed keyspace) and hiredis for writing
 *               feeds as the job does, including the job's own Lua
 *               script (schema/redis/feed_head_write.lua), and reading
 *               keys (schema/redis/redis_keys.h).
 *
 * Test users and activities use ids above 9e15 (rh_new_user): they can
 * never collide with the dev stack's data.
 */
#ifndef API_TESTS_INTEGRATION_READ_READ_HARNESS_H
#define API_TESTS_INTEGRATION_READ_READ_HARNESS_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>

#include "api/src/app/app_shared.h"
#include "api/src/app/metrics.h"
#include "api/src/app/routes.h"
#include "api/src/app/worker.h"
#include "api/src/server/listener.h"
#include "cql/cql_conn_blocking.h"
#include "schema/redis/redis_keys.h"
#include "schema/redis/redis_scripts.h"
#include "api/tests/support/test_client.h"
#include "api/tests/support/test_env.h"

#define RH_SECRET "read-path-integration-secret"

/* Each test program uses some of these helpers. */
#pragma GCC diagnostic ignored "-Wunused-function"

/* ---- the server ------------------------------------------------------ */

typedef struct rh_server {
    router r;
    app_config cfg;
    app_shared sh;
    metrics m;
    worker w;
    int done_fd;
    int port;
} rh_server;

static void rh_on_exit(worker *w)
{
    stores_close(&w->stores);
}

/* redis/cassandra: "host:port" or NULL (not configured); pg: a libpq
 * conninfo, NULL for the dev stack's. */
static void rh_start_pg(rh_server *s, const char *pg, const char *redis, const char *cassandra)
{
    char dsn[256], err[256];
    stores_config stc;
    listener_addr addr, bound;
    server_config sc;
    int fd;

    memset(s, 0, sizeof(*s));
    snprintf(dsn, sizeof(dsn), "%s", pg != NULL ? pg : te_pg_conninfo());
    s->cfg.secret = RH_SECRET;
    assert_int_equal(app_shared_init(&s->sh, &s->cfg, err, sizeof(err)), 0);
    metrics_init(&s->m);
    router_init(&s->r);
    assert_int_equal(app_routes_register(&s->r), 0);
    assert_int_equal(listener_parse("127.0.0.1:0", &addr, err, sizeof(err)), 0);
    fd = listener_open(&addr, 128, 1);
    assert_true(fd >= 0);
    assert_int_equal(listener_bound(fd, &bound), 0);
    s->port = listener_addr_port(&bound);
    s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    server_config_default(&sc);
    sc.on_response = metrics_on_response;
    sc.on_response_data = &s->m;
    assert_int_equal(worker_init(&s->w, 0, &s->r, &sc, &s->w, fd, 2000, s->done_fd), 0);
    s->w.shared = &s->sh;
    s->w.metrics = &s->m;
    s->w.on_exit = rh_on_exit;
    memset(&stc, 0, sizeof(stc));
    stc.pg_dsn = dsn;
    stc.redis_addr = redis;
    stc.cassandra = cassandra;
    stc.cassandra_keyspace = "feed";
    stc.pg_pool_size = 1;
    stc.timeout_ms = 3000;
    assert_int_equal(stores_open(&s->w.stores, &s->w.loop, &stc, err, sizeof(err)), 0);
    assert_int_equal(worker_start(&s->w), 0);
}

static void rh_start(rh_server *s, const char *redis, const char *cassandra)
{
    rh_start_pg(s, NULL, redis, cassandra);
}

static void rh_stop(rh_server *s)
{
    worker_stop(&s->w, WORKER_STOP_DRAIN);
    assert_int_equal(worker_join(&s->w), 0);
    worker_dispose(&s->w);
    close(s->done_fd);
    router_dispose(&s->r);
    app_shared_dispose(&s->sh);
}

static const char *rh_redis_addr(void)
{
    static char a[64];

    snprintf(a, sizeof(a), "127.0.0.1:%d", te_redis_port());
    return a;
}

static const char *rh_cassandra_addr(void)
{
    static char a[64];

    snprintf(a, sizeof(a), "127.0.0.1:%d", te_cassandra_port());
    return a;
}

/* A port nothing listens on (bound, then closed). */
static int rh_closed_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* ---- requests -------------------------------------------------------- */

static void rh_token(const rh_server *s, int64_t uid, char *out, size_t cap)
{
    size_t len;

    assert_int_equal(token_sign(&s->sh.token_key, uid, (int64_t)time(NULL) + 3600, out, cap, &len), TOKEN_OK);
}

/* GET path with a token for uid (0: none); the response into r. */
static void rh_get(const rh_server *s, const char *path, int64_t uid, tc_response *r)
{
    char req[1024], tok[TOKEN_MAX_LEN + 1];
    tc_conn c;

    if (uid > 0)
        rh_token(s, uid, tok, sizeof(tok));
    snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n%s%s%sConnection: close\r\n\r\n", path,
             uid > 0 ? "Authorization: Bearer " : "", uid > 0 ? tok : "", uid > 0 ? "\r\n" : "");
    tc_connect(&c, s->port, 10000);
    tc_send_str(&c, req);
    assert_int_equal(tc_read(&c, r), 0);
    tc_close(&c);
}

/* A page: its item ids into ids (count returned), next cursor into next
 * ("" for null). Fails the test unless 200. */
static size_t rh_page(const rh_server *s, const char *path, int64_t uid, char ids[][80], size_t cap, char *next,
                      size_t next_cap)
{
    tc_response r;
    json_t *o, *items, *it, *nc;
    size_t i, n = 0;

    rh_get(s, path, uid, &r);
    if (r.status != 200)
        fprintf(stderr, "GET %s -> %d %s\n", path, r.status, r.body);
    assert_int_equal(r.status, 200);
    o = json_loads(r.body, 0, NULL);
    assert_non_null(o);
    items = json_object_get(o, "items");
    assert_true(json_is_array(items));
    json_array_foreach(items, i, it)
    {
        assert_true(n < cap);
        snprintf(ids[n++], 80, "%s", json_string_value(json_object_get(it, "id")));
        assert_non_null(json_object_get(it, "time"));
    }
    nc = json_object_get(o, "next_cursor");
    snprintf(next, next_cap, "%s", json_is_string(nc) ? json_string_value(nc) : "");
    json_decref(o);
    tc_response_free(&r);
    return n;
}

/* ---- ids ------------------------------------------------------------- */

static int64_t rh_new_id(void)
{
    static int64_t base = 0, n = 0;

    if (base == 0)
        base = 9000000000000000LL + ((int64_t)time(NULL) % 10000000) * 100000 + (getpid() % 1000) * 100;
    return base + (++n) * 7;
}

/* ---- Cassandra and Redis seeding -------------------------------------- */

static void rh_cql_open(cql_conn *c)
{
    cql_conn_init(c, 16 << 20);
    assert_int_equal(cql_conn_connect(c, "127.0.0.1", (uint16_t)te_cassandra_port(), 5000, 20000), CQL_OK);
    assert_int_equal(cql_conn_startup(c), CQL_OK);
}

static void rh_cql(cql_conn *c, const char *q)
{
    cql_query_params p = {.consistency = CQL_CONSISTENCY_ONE};
    cql_response resp;

    assert_int_equal(cql_conn_query(c, cql_slice_from_cstr(q), &p, &resp), CQL_OK);
    if (resp.header.opcode != CQL_OP_RESULT)
        fprintf(stderr, "CQL %s: %.*s\n", q, (int)resp.error.message.len, resp.error.message.base);
    assert_int_equal(resp.header.opcode, CQL_OP_RESULT);
}

/* One activity in feed kind ("home_feed"/"profile_feed") of uid and its body. */
static void rh_seed_item(cql_conn *c, const char *table, int64_t uid, int64_t ts, const char *id, int64_t actor)
{
    char q[1024];

    snprintf(q, sizeof(q),
             "BEGIN UNLOGGED BATCH "
             "INSERT INTO feed.%s (user_id, ts_us, activity_id) VALUES (%lld, %lld, '%s'); "
             "INSERT INTO feed.activities (activity_id, verb, actor_id, object_id, body, ts_us) "
             "VALUES ('%s', 'SHARD', %lld, '%s', 'body of %s', %lld); APPLY BATCH",
             table, (long long)uid, (long long)ts, id, id, (long long)actor, id, id, (long long)ts);
    rh_cql(c, q);
}

static redisContext *rh_redis(void)
{
    struct timeval tv = {5, 0};
    redisContext *r = redisConnectWithTimeout("127.0.0.1", te_redis_port(), tv);

    assert_non_null(r);
    assert_int_equal(r->err, 0);
    return r;
}

static long long rh_redis_int(redisContext *r, const char *fmt, const char *arg)
{
    redisReply *rep = redisCommand(r, fmt, arg);
    long long v;

    assert_non_null(rep);
    assert_int_equal(rep->type, REDIS_REPLY_INTEGER);
    v = rep->integer;
    freeReplyObject(rep);
    return v;
}

/* Write an item as the job does: Cassandra first, then the job's own
 * Redis head script (schema/redis/feed_head_write.lua, the file the job
 * loads too) and the body. */
static void rh_job_write(cql_conn *c, redisContext *r, const char *table, const char *key, int64_t uid, int64_t ts,
                         const char *id)
{
    char score[32];
    redisReply *rep;

    rh_seed_item(c, table, uid, ts, id, 1);
    snprintf(score, sizeof(score), "%lld", (long long)ts);
    rep = redisCommand(r, "EVAL %s 1 %s + %s %s 500", redis_lua_feed_head_write, key, score, id);
    assert_non_null(rep);
    assert_true(rep->type == REDIS_REPLY_INTEGER);
    freeReplyObject(rep);
}

/* ---- a cuttable proxy in front of Cassandra --------------------------- */

#define RH_PROXY_MAX 64

typedef struct rh_proxy {
    int listen_fd;
    int port;
    int wake[2];
    atomic_int down; /* 1: close everything, refuse new connections */
    atomic_int quit;
    pthread_t thread;
    int a[RH_PROXY_MAX], b[RH_PROXY_MAX]; /* pairs, -1 when free */
} rh_proxy;

static void rh_proxy_close_all(rh_proxy *p)
{
    int i;

    for (i = 0; i < RH_PROXY_MAX; i++) {
        if (p->a[i] >= 0) {
            close(p->a[i]);
            close(p->b[i]);
            p->a[i] = p->b[i] = -1;
        }
    }
}

static void rh_proxy_accept(rh_proxy *p)
{
    struct sockaddr_in t = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    int a = accept(p->listen_fd, NULL, NULL), b, i;

    if (a < 0)
        return;
    if (atomic_load(&p->down)) {
        close(a);
        return;
    }
    t.sin_port = htons((uint16_t)te_cassandra_port());
    b = socket(AF_INET, SOCK_STREAM, 0);
    if (b < 0 || connect(b, (struct sockaddr *)&t, sizeof(t)) != 0) {
        close(a);
        if (b >= 0)
            close(b);
        return;
    }
    for (i = 0; i < RH_PROXY_MAX && p->a[i] >= 0; i++)
        ;
    if (i == RH_PROXY_MAX) {
        close(a);
        close(b);
        return;
    }
    p->a[i] = a;
    p->b[i] = b;
}

static void *rh_proxy_main(void *arg)
{
    rh_proxy *p = arg;
    struct pollfd fds[2 + 2 * RH_PROXY_MAX];
    char data[65536];

    while (!atomic_load(&p->quit)) {
        int n = 0, i;
        fds[n++] = (struct pollfd){.fd = p->wake[0], .events = POLLIN};
        fds[n++] = (struct pollfd){.fd = p->listen_fd, .events = POLLIN};
        for (i = 0; i < RH_PROXY_MAX; i++) {
            fds[n++] = (struct pollfd){.fd = p->a[i], .events = POLLIN};
            fds[n++] = (struct pollfd){.fd = p->b[i], .events = POLLIN};
        }
        if (poll(fds, (nfds_t)n, 100) < 0)
            continue;
        if (fds[0].revents & POLLIN) {
            uint64_t v;
            if (read(p->wake[0], &v, sizeof(v)) < 0) {
                /* nothing: only a wake-up */
            }
        }
        if (atomic_load(&p->down)) {
            rh_proxy_close_all(p);
            if (fds[1].revents & POLLIN)
                rh_proxy_accept(p); /* accepted and closed at once */
            continue;
        }
        if (fds[1].revents & POLLIN)
            rh_proxy_accept(p);
        for (i = 0; i < RH_PROXY_MAX; i++) {
            int k;
            for (k = 0; k < 2; k++) {
                struct pollfd *f = &fds[2 + 2 * i + k];
                int from = k == 0 ? p->a[i] : p->b[i], to = k == 0 ? p->b[i] : p->a[i];
                ssize_t got;
                if (from < 0 || f->fd != from || !(f->revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                got = read(from, data, sizeof(data));
                if (got <= 0 || write(to, data, (size_t)got) != got) {
                    close(p->a[i]);
                    close(p->b[i]);
                    p->a[i] = p->b[i] = -1;
                    break;
                }
            }
        }
    }
    rh_proxy_close_all(p);
    return NULL;
}

static void rh_proxy_start(rh_proxy *p)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    int i;

    memset(p, 0, sizeof(*p));
    for (i = 0; i < RH_PROXY_MAX; i++)
        p->a[i] = p->b[i] = -1;
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->listen_fd >= 0);
    assert_int_equal(bind(p->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(p->listen_fd, 16), 0);
    assert_int_equal(getsockname(p->listen_fd, (struct sockaddr *)&a, &len), 0);
    p->port = ntohs(a.sin_port);
    p->wake[0] = eventfd(0, EFD_NONBLOCK);
    atomic_init(&p->down, 0);
    atomic_init(&p->quit, 0);
    assert_int_equal(pthread_create(&p->thread, NULL, rh_proxy_main, p), 0);
}

static void rh_proxy_kick(rh_proxy *p)
{
    uint64_t one = 1;

    if (write(p->wake[0], &one, sizeof(one)) < 0) {
        /* the poll timeout notices the flag anyway */
    }
}

/* Cassandra "goes down" behind the proxy (the shared server keeps running). */
static void rh_proxy_down(rh_proxy *p)
{
    atomic_store(&p->down, 1);
    rh_proxy_kick(p);
}

static void rh_proxy_stop(rh_proxy *p)
{
    atomic_store(&p->quit, 1);
    rh_proxy_kick(p);
    assert_int_equal(pthread_join(p->thread, NULL), 0);
    close(p->listen_fd);
    close(p->wake[0]);
}

/* Wait (10 s at most) until the server has completed want fills of feed:
 * a fill finishes after the answers it serves (store, then re-check). */
static uint64_t rh_wait_fills(const rh_server *s, metric_feed feed, uint64_t want)
{
    struct timespec ts = {0, 5 * 1000 * 1000};
    int i;

    for (i = 0; i < 2000 && metrics_get_fills(&s->m, feed) < want; i++)
        nanosleep(&ts, NULL);
    return metrics_get_fills(&s->m, feed);
}

/* Poll GET path until it answers want (or 10 s pass): for states that
 * take a reconnect to show. Returns the last status. */
static int rh_wait_status(const rh_server *s, const char *path, int64_t uid, int want)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    int i, st = 0;

    for (i = 0; i < 500; i++) {
        tc_response r;
        rh_get(s, path, uid, &r);
        st = r.status;
        tc_response_free(&r);
        if (st == want)
            break;
        nanosleep(&ts, NULL);
    }
    return st;
}

#endif
