/* redis_client.c: hiredis 0.14 async on our epoll loop, with command
 * timeouts and reconnection.
 *
 * Re-entrancy is the whole difficulty. Every way into this file from the
 * loop (fd readiness, a command's timer, the reconnect timer) and from
 * the user (redis_client_free) goes through redis_enter/redis_leave,
 * which count the depth of our frames on the stack. A free asked for
 * while depth > 0 only sets c->freeing; the last redis_leave does it.
 * We never call redisAsyncFree from inside a hiredis callback ourselves:
 * hiredis 0.14 defers it correctly inside reply callbacks but not inside
 * the connect callback, so doing it on the way out is simpler and always
 * safe.
 *
 * hiredis frees its context on its own when the connection breaks (from
 * inside redisAsyncHandleRead/Write): the cleanup hook tells us, and we
 * forget the fd and the context there.
 */
#include "api/src/store/redis_client.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One command in flight: lives from the send until hiredis calls back. */
typedef struct redis_req {
    redis_client *c;
    redis_client_cb *cb;
    void *privdata;
    loop_timer timer;
    int answered; /* cb already ran (timeout); the late reply is dropped */
} redis_req;

static void redis_connect(redis_client *c);

const char *redis_client_strerror(int status)
{
    switch (status) {
    case REDIS_CLIENT_ENONE: return "ok";
    case REDIS_CLIENT_ETIMEOUT: return "redis command timed out";
    case REDIS_CLIENT_EDISCONNECTED: return "redis connection lost";
    case REDIS_CLIENT_ECLOSED: return "redis client closed";
    case REDIS_CLIENT_ENOMEM: return "out of memory";
    case REDIS_CLIENT_EARG: return "invalid argument";
    default: return "unknown redis client error";
    }
}

static void redis_set_err(redis_client *c, int code, const char *msg)
{
    c->err = code;
    snprintf(c->errstr, sizeof(c->errstr), "%s", msg != NULL ? msg : redis_client_strerror(code));
}

/* Free what c owns; c->ac must already be gone. */
static void redis_destroy(redis_client *c)
{
    loop_timer_stop(c->l, &c->reconnect_timer);
    free(c->host);
    free(c);
}

static void redis_enter(redis_client *c)
{
    c->depth++;
}

/* Leave one frame; the outermost one carries out a deferred free. */
static void redis_leave(redis_client *c)
{
    assert(c->depth > 0);
    if (--c->depth > 0 || !c->freeing)
        return;
    if (c->ac != NULL) {
        c->depth++;
        redisAsyncFree(c->ac); /* runs pending callbacks with ECLOSED; cleanup clears c->ac */
        c->depth--;
        c->ac = NULL;
    }
    redis_destroy(c);
}

/* --- hiredis event hooks ------------------------------------------------- */

static void redis_on_io(loop *l, int fd, void *data, int mask)
{
    redis_client *c = data;

    (void)l;
    (void)fd;
    redis_enter(c);
    if ((mask & LOOP_READABLE) && c->ac != NULL && !c->freeing)
        redisAsyncHandleRead(c->ac);
    /* the read may have freed the context (EOF): check again */
    if ((mask & LOOP_WRITABLE) && c->ac != NULL && !c->freeing)
        redisAsyncHandleWrite(c->ac);
    redis_leave(c);
}

static void redis_ev_add(redis_client *c, int mask)
{
    c->fd = c->ac->c.fd;
    /* Out of memory for the loop's fd table: the socket is not watched,
     * so its commands end by their timeouts; there is no way to tell
     * hiredis from inside a hook. */
    if (loop_add_file(c->l, c->fd, mask, redis_on_io, c) != LOOP_OK)
        redis_set_err(c, REDIS_CLIENT_ENOMEM, "cannot watch the redis socket");
}

static void redis_ev_add_read(void *privdata)
{
    redis_ev_add(privdata, LOOP_READABLE);
}

static void redis_ev_add_write(void *privdata)
{
    redis_ev_add(privdata, LOOP_WRITABLE);
}

static void redis_ev_del_read(void *privdata)
{
    redis_client *c = privdata;

    if (c->fd >= 0)
        loop_del_file(c->l, c->fd, LOOP_READABLE);
}

static void redis_ev_del_write(void *privdata)
{
    redis_client *c = privdata;

    if (c->fd >= 0)
        loop_del_file(c->l, c->fd, LOOP_WRITABLE);
}

/* hiredis is about to free its context (and close the fd). */
static void redis_ev_cleanup(void *privdata)
{
    redis_client *c = privdata;

    if (c->fd >= 0)
        loop_del_file(c->l, c->fd, LOOP_READABLE | LOOP_WRITABLE);
    c->fd = -1;
    c->ac = NULL;
}

/* --- connection life ----------------------------------------------------- */

static void redis_schedule_reconnect(redis_client *c)
{
    if (c->freeing)
        return;
    c->state = REDIS_CLIENT_WAITING;
    if (loop_timer_start(c->l, &c->reconnect_timer, backoff_next(&c->retry)) != LOOP_OK)
        redis_set_err(c, REDIS_CLIENT_ENOMEM, "cannot arm the redis reconnect timer");
}

static void redis_on_reconnect_timer(loop *l, loop_timer *t)
{
    redis_client *c = t->data;

    (void)l;
    redis_enter(c);
    if (!c->freeing && c->ac == NULL)
        redis_connect(c);
    redis_leave(c);
}

static void redis_on_connect(const redisAsyncContext *ac, int status)
{
    redis_client *c = ac->ev.data;

    if (status == REDIS_OK) {
        c->state = REDIS_CLIENT_CONNECTED;
        c->connects++;
        backoff_reset(&c->retry);
        if (c->on_state != NULL && !c->freeing)
            c->on_state(c, 1, c->state_privdata);
        return;
    }
    /* hiredis frees the context after this returns (cleanup hook) */
    redis_set_err(c, REDIS_CLIENT_EDISCONNECTED, ac->errstr[0] != '\0' ? ac->errstr : "connect failed");
    redis_schedule_reconnect(c);
}

static void redis_on_disconnect(const redisAsyncContext *ac, int status)
{
    redis_client *c = ac->ev.data;

    (void)status;
    c->ac = NULL;
    if (c->freeing)
        return;
    redis_set_err(c, REDIS_CLIENT_EDISCONNECTED, ac->errstr[0] != '\0' ? ac->errstr : "redis connection closed");
    redis_schedule_reconnect(c);
    if (c->on_state != NULL)
        c->on_state(c, 0, c->state_privdata);
}

/* Start one connection attempt; on an immediate failure, schedule the next. */
static void redis_connect(redis_client *c)
{
    redisAsyncContext *ac = redisAsyncConnect(c->host, c->port);

    if (ac == NULL || ac->err != 0) {
        redis_set_err(c, ac == NULL ? REDIS_CLIENT_ENOMEM : REDIS_CLIENT_EDISCONNECTED, ac == NULL ? NULL : ac->errstr);
        if (ac != NULL)
            redisAsyncFree(ac); /* no hooks set yet: nothing calls back */
        redis_schedule_reconnect(c);
        return;
    }
    c->ac = ac;
    c->fd = -1;
    c->state = REDIS_CLIENT_CONNECTING;
    ac->ev.data = c;
    ac->ev.addRead = redis_ev_add_read;
    ac->ev.delRead = redis_ev_del_read;
    ac->ev.addWrite = redis_ev_add_write;
    ac->ev.delWrite = redis_ev_del_write;
    ac->ev.cleanup = redis_ev_cleanup;
    redisAsyncSetDisconnectCallback(ac, redis_on_disconnect);
    redisAsyncSetConnectCallback(ac, redis_on_connect); /* adds the write event */
}

redis_client *redis_client_new(loop *l, const redis_client_config *cfg)
{
    redis_client *c;

    if (l == NULL || cfg == NULL || cfg->host == NULL || cfg->port <= 0 || cfg->port > 65535)
        return NULL;
    c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->host = strdup(cfg->host);
    if (c->host == NULL) {
        free(c);
        return NULL;
    }
    c->l = l;
    c->port = cfg->port;
    c->fd = -1;
    c->command_timeout_ms = cfg->command_timeout_ms;
    backoff_init(&c->retry, cfg->reconnect_base_ms != 0 ? cfg->reconnect_base_ms : 50,
                 cfg->reconnect_max_ms != 0 ? cfg->reconnect_max_ms : 5000, (uint64_t)(uintptr_t)c ^ loop_clock_us());
    loop_timer_init(&c->reconnect_timer, redis_on_reconnect_timer, c);
    redis_connect(c);
    return c;
}

/* --- commands -------------------------------------------------------------- */

static void redis_on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redis_req *req = privdata;
    redis_client *c = req->c;
    int status;

    redis_enter(c);
    loop_timer_stop(c->l, &req->timer);
    if (!req->answered) {
        if (r != NULL) {
            status = REDIS_CLIENT_OK;
        } else if (c->freeing) {
            status = REDIS_CLIENT_ECLOSED;
        } else {
            status = REDIS_CLIENT_EDISCONNECTED;
            redis_set_err(c, status, ac->errstr[0] != '\0' ? ac->errstr : NULL);
        }
        req->answered = 1;
        req->cb(c, status, r, req->privdata);
    }
    free(req);
    c->pending--;
    redis_leave(c);
}

static void redis_on_timeout(loop *l, loop_timer *t)
{
    redis_req *req = t->data;
    redis_client *c = req->c;

    (void)l;
    redis_enter(c);
    req->answered = 1;
    req->cb(c, REDIS_CLIENT_ETIMEOUT, NULL, req->privdata);
    redis_leave(c);
}

/* A record for a command about to be sent, or NULL with c->err set. */
static redis_req *redis_req_new(redis_client *c, redis_client_cb *cb, void *privdata)
{
    redis_req *req;

    if (cb == NULL) {
        redis_set_err(c, REDIS_CLIENT_EARG, "a command needs a callback");
        return NULL;
    }
    if (c->freeing) {
        redis_set_err(c, REDIS_CLIENT_ECLOSED, NULL);
        return NULL;
    }
    if (c->ac == NULL) {
        /* keep the reason of the disconnect in errstr, only the code moves */
        c->err = REDIS_CLIENT_EDISCONNECTED;
        if (c->errstr[0] == '\0')
            redis_set_err(c, REDIS_CLIENT_EDISCONNECTED, "redis not connected");
        return NULL;
    }
    req = calloc(1, sizeof(*req));
    if (req == NULL) {
        redis_set_err(c, REDIS_CLIENT_ENOMEM, NULL);
        return NULL;
    }
    req->c = c;
    req->cb = cb;
    req->privdata = privdata;
    loop_timer_init(&req->timer, redis_on_timeout, req);
    return req;
}

/* After hiredis accepted (rc REDIS_OK) or refused the command. */
static int redis_req_sent(redis_client *c, redis_req *req, int rc)
{
    if (rc != REDIS_OK) {
        free(req);
        redis_set_err(c, REDIS_CLIENT_EDISCONNECTED, "redis connection is closing");
        return REDIS_CLIENT_ERR;
    }
    c->pending++;
    /* a timer that cannot be armed only loses the timeout, not the command */
    if (c->command_timeout_ms != 0)
        (void)loop_timer_start(c->l, &req->timer, c->command_timeout_ms);
    return REDIS_CLIENT_OK;
}

int redis_client_command(redis_client *c, redis_client_cb *cb, void *privdata, const char *fmt, ...)
{
    redis_req *req = redis_req_new(c, cb, privdata);
    va_list ap;
    int rc;

    if (req == NULL)
        return REDIS_CLIENT_ERR;
    va_start(ap, fmt);
    rc = redisvAsyncCommand(c->ac, redis_on_reply, req, fmt, ap);
    va_end(ap);
    return redis_req_sent(c, req, rc);
}

int redis_client_commandargv(redis_client *c, redis_client_cb *cb, void *privdata, int argc, const char **argv,
                             const size_t *argvlen)
{
    redis_req *req;

    if (argc <= 0 || argv == NULL) {
        redis_set_err(c, REDIS_CLIENT_EARG, "empty command");
        return REDIS_CLIENT_ERR;
    }
    req = redis_req_new(c, cb, privdata);
    if (req == NULL)
        return REDIS_CLIENT_ERR;
    return redis_req_sent(c, req, redisAsyncCommandArgv(c->ac, redis_on_reply, req, argc, argv, argvlen));
}

/* --- subscriptions ------------------------------------------------------- */

/* One subscription: lives until hiredis calls back with no reply. */
typedef struct redis_psub {
    redis_client *c;
    redis_client_cb *cb;
    void *privdata;
} redis_psub;

static void redis_on_sub_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    redis_psub *sub = privdata;
    redis_client *c = sub->c;

    (void)ac;
    redis_enter(c);
    if (r != NULL) {
        sub->cb(c, REDIS_CLIENT_OK, r, sub->privdata);
    } else {
        sub->cb(c, c->freeing ? REDIS_CLIENT_ECLOSED : REDIS_CLIENT_EDISCONNECTED, NULL, sub->privdata);
        free(sub);
    }
    redis_leave(c);
}

int redis_client_psubscribe(redis_client *c, redis_client_cb *cb, void *privdata, const char *pattern)
{
    redis_psub *sub;

    if (cb == NULL || pattern == NULL) {
        redis_set_err(c, REDIS_CLIENT_EARG, "a subscription needs a callback and a pattern");
        return REDIS_CLIENT_ERR;
    }
    if (c->freeing || c->ac == NULL) {
        redis_set_err(c, c->freeing ? REDIS_CLIENT_ECLOSED : REDIS_CLIENT_EDISCONNECTED, NULL);
        return REDIS_CLIENT_ERR;
    }
    sub = calloc(1, sizeof(*sub));
    if (sub == NULL) {
        redis_set_err(c, REDIS_CLIENT_ENOMEM, NULL);
        return REDIS_CLIENT_ERR;
    }
    sub->c = c;
    sub->cb = cb;
    sub->privdata = privdata;
    if (redisAsyncCommand(c->ac, redis_on_sub_reply, sub, "PSUBSCRIBE %s", pattern) != REDIS_OK) {
        free(sub);
        redis_set_err(c, REDIS_CLIENT_EDISCONNECTED, "redis connection is closing");
        return REDIS_CLIENT_ERR;
    }
    return REDIS_CLIENT_OK;
}

void redis_client_free(redis_client *c)
{
    if (c == NULL || c->freeing)
        return;
    c->freeing = 1;
    loop_timer_stop(c->l, &c->reconnect_timer);
    redis_enter(c);
    redis_leave(c); /* frees now at depth 0, or on the way out of a callback */
}
