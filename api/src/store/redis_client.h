/* redis_client.h: a hiredis 0.14 asynchronous connection on our loop.
 *
 * hiredis brings the protocol, the reply parser and the queue of reply
 * callbacks; it has no epoll adapter and (in 0.14) no command timeouts.
 * This file is the adapter (its ev.addRead/delRead/addWrite/delWrite/
 * cleanup hooks map onto loop_add_file/loop_del_file), a timeout per
 * command on a loop timer, and reconnection with backoff when the server
 * goes away.
 *
 * Commands: redis_client_command(c, cb, privdata, fmt, ...) or _argv.
 * Each callback runs exactly once, on the loop thread, with
 *   REDIS_CLIENT_OK         reply != NULL (which may be a REDIS_REPLY_ERROR)
 *   REDIS_CLIENT_ETIMEOUT   no reply within the timeout; the late reply,
 *                           if it ever comes, is dropped
 *   REDIS_CLIENT_EDISCONNECTED  the connection broke (or never came up)
 *                           before the reply; c->errstr says why
 *   REDIS_CLIENT_ECLOSED    the client is being freed
 * While the client waits to reconnect, commands are refused at once
 * (REDIS_CLIENT_ERR, c->err = REDIS_CLIENT_EDISCONNECTED) rather than
 * queued: a request path should fail fast, not wait for a server that
 * may be gone for minutes. While it is connecting they are queued by
 * hiredis and sent once connected (or failed with EDISCONNECTED).
 *
 * A timed-out command stays in hiredis's queue (Redis answers in order,
 * so its reply still has to be read past); the connection is kept.
 *
 * Ownership: redis_client_new allocates the client and redis_client_free
 * releases it — unlike our other handles, because a free asked for inside
 * one of its callbacks must be deferred until the callback has returned
 * (hiredis's discipline), which needs memory the caller cannot free. The
 * reply passed to a callback belongs to hiredis and is freed when the
 * callback returns. privdata is never touched. The loop is borrowed and
 * must outlive the client. One thread: the loop's.
 */
#ifndef API_STORE_REDIS_CLIENT_H
#define API_STORE_REDIS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <hiredis/hiredis.h>
#include <hiredis/async.h>

#include "api/src/loop/loop.h"
#include "api/src/store/backoff.h"

#define REDIS_CLIENT_OK 0
#define REDIS_CLIENT_ERR (-1)

enum {
    REDIS_CLIENT_ENONE = 0,
    REDIS_CLIENT_ETIMEOUT,
    REDIS_CLIENT_EDISCONNECTED,
    REDIS_CLIENT_ECLOSED,
    REDIS_CLIENT_ENOMEM,
    REDIS_CLIENT_EARG
};

typedef struct redis_client redis_client;

/* status: REDIS_CLIENT_OK or one of the REDIS_CLIENT_E* codes above. */
typedef void redis_client_cb(redis_client *c, int status, redisReply *reply, void *privdata);

/* Called (if set) when a connection comes up or goes down; for tests and logs. */
typedef void redis_client_state_cb(redis_client *c, int connected, void *privdata);

typedef struct redis_client_config {
    const char *host; /* numeric address, e.g. "127.0.0.1" (copied) */
    int port;
    uint32_t command_timeout_ms; /* 0: no timeout */
    uint32_t reconnect_base_ms;  /* first backoff ceiling (default 50) */
    uint32_t reconnect_max_ms;   /* backoff cap (default 5000) */
} redis_client_config;

typedef enum redis_client_state {
    REDIS_CLIENT_CONNECTING,
    REDIS_CLIENT_CONNECTED,
    REDIS_CLIENT_WAITING /* disconnected, reconnect timer armed */
} redis_client_state;

struct redis_client {
    loop *l;    /* borrowed */
    char *host; /* owned copy */
    int port;
    uint32_t command_timeout_ms;
    redisAsyncContext *ac; /* owned; NULL while waiting to reconnect */
    int fd;                /* ac's fd as registered on the loop, or -1 */
    redis_client_state state;
    backoff retry;
    loop_timer reconnect_timer;
    unsigned depth;    /* callbacks of ours on the stack */
    int freeing;       /* redis_client_free was called */
    uint64_t pending;  /* commands hiredis still holds (timed-out ones too) */
    uint64_t connects; /* successful connections so far */
    redis_client_state_cb *on_state;
    void *state_privdata;
    int err;          /* last error: REDIS_CLIENT_E* */
    char errstr[128]; /* NUL-terminated */
};

/* Allocate a client and start connecting (a failure to connect is not an
 * error here: the client retries with backoff). NULL only on bad
 * arguments or out of memory. */
redis_client *redis_client_new(loop *l, const redis_client_config *cfg);

/* Send a command (hiredis format string). REDIS_CLIENT_OK: cb will run
 * exactly once. REDIS_CLIENT_ERR: cb will not run; c->err says why. */
int redis_client_command(redis_client *c, redis_client_cb *cb, void *privdata, const char *fmt, ...);

/* The same with argc arguments (argvlen may be NULL for C strings). */
int redis_client_commandargv(redis_client *c, redis_client_cb *cb, void *privdata, int argc, const char **argv,
                             const size_t *argvlen);

/* Subscribe to a channel pattern (PSUBSCRIBE) on a client used for
 * nothing else (Redis accepts no other commands on a subscribed
 * connection). Unlike a command, cb runs many times, without timeout:
 * with REDIS_CLIENT_OK for every reply of the subscription (the
 * confirmation ["psubscribe", pattern, count], then each message
 * ["pmessage", pattern, channel, payload]), and last once with
 * REDIS_CLIENT_EDISCONNECTED or _ECLOSED (reply NULL) when the
 * connection goes: the subscription went with it; subscribe again when
 * on_state reports the next connection. REDIS_CLIENT_ERR: not sent, cb
 * will not run. */
int redis_client_psubscribe(redis_client *c, redis_client_cb *cb, void *privdata, const char *pattern);

/* Fail every pending command with REDIS_CLIENT_ECLOSED, close, and free
 * c. Safe inside a callback of c: the memory goes when it returns. */
void redis_client_free(redis_client *c);

/* Static text for a status code. */
const char *redis_client_strerror(int status);

#endif
