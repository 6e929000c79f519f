/* stream_hub.h: one worker's live feed events, handed to its streams.
 *
 * Each worker has one Redis connection in subscribe mode
 * (stores.redis_sub) with one PSUBSCRIBE feed:events:* (feed_event.h),
 * and a table of the streams open on the worker by user id. Every
 * message is parsed once and handed to the streams of its user and
 * feed; other users' messages cost a parse and a table lookup. (Every
 * worker of every API process receives every event: fine for one
 * machine; past that, a worker would SUBSCRIBE to its own users'
 * channels instead of the pattern, the job's channels staying as they
 * are.)
 *
 * The guarantee a stream builds on: while the hub is *ready* (the
 * PSUBSCRIBE was confirmed on the current connection), every event
 * published since then reaches the streams registered. So a stream
 * registers first, waits for ready (on_ready, at once if the hub is
 * ready), and only then reads its backlog, buffering what arrives
 * meanwhile. When the connection goes (Redis restarted, network), events
 * may be lost: every stream gets on_lost and ends; its client reconnects
 * with Last-Event-ID and resumes from the stored feed.
 *
 * Heartbeat: every heartbeat_ms, every ready stream's on_heartbeat.
 *
 * Callbacks run on the worker's loop. The hub unlinks a stream before
 * calling its on_lost, and a stream may remove itself (and only itself)
 * from inside any of its callbacks.
 *
 * Ownership: the worker owns the hub (stream_hub_new at start, free in
 * its exit path before the stores close), the hub its subscriber
 * client; the caller owns each
 * stream_sub and keeps it alive while registered.
 */
#ifndef API_STREAM_STREAM_HUB_H
#define API_STREAM_STREAM_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/loop/loop.h"
#include "api/src/store/redis_client.h"
#include "api/src/stream/feed_event.h"

#define STREAM_HUB_BUCKETS 1024

typedef struct stream_sub stream_sub;
struct stream_sub {
    stream_sub *prev, *next; /* the hub's */
    int64_t user_id;
    feed_kind kind;
    int registered;   /* the hub's */
    int ready_called; /* the hub's */
    void (*on_ready)(stream_sub *s);
    void (*on_event)(stream_sub *s, const feed_event *ev);
    void (*on_lost)(stream_sub *s); /* unlinked already */
    void (*on_heartbeat)(stream_sub *s);
    void *data; /* the caller's */
};

typedef struct stream_hub {
    loop *l;
    redis_client *sub; /* owned: was stores.redis_sub */
    int ready;         /* PSUBSCRIBE confirmed on this connection */
    uint32_t heartbeat_ms;
    loop_timer heartbeat;
    size_t nstreams;
    uint64_t events; /* messages received, for tests */
    stream_sub *buckets[STREAM_HUB_BUCKETS];
} stream_hub;

/* A hub on l over sub, which it owns from then on (NULL: no Redis, no
 * hub: NULL is returned; NULL also when out of memory, sub then still
 * the caller's). */
stream_hub *stream_hub_new(loop *l, redis_client *sub, uint32_t heartbeat_ms);

/* Every stream gets on_lost; then the subscriber client and the hub are
 * freed. NULL is fine. */
void stream_hub_free(stream_hub *h);

/* Register s (user_id, kind and the callbacks set). on_ready runs at once
 * (inside this call) when the hub is ready, else when it becomes so. */
void stream_hub_add(stream_hub *h, stream_sub *s);

/* Unregister s (no callback); nothing if it is not registered. */
void stream_hub_remove(stream_hub *h, stream_sub *s);

#endif
