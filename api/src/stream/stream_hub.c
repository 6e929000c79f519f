/* stream_hub.c: the live events of one worker (see stream_hub.h).
 *
 * Walking a bucket while calling back: the next element is taken before
 * the call, and a stream only ever removes itself, so the walk survives.
 * Walks that end streams (on_lost) take the bucket's head again each
 * time instead.
 */
#include "api/src/stream/stream_hub.h"

#include <stdlib.h>
#include <string.h>

#include "api/src/base/log.h"
#include "schema/redis/redis_keys.h"

static size_t hub_bucket(int64_t user_id)
{
    uint64_t x = (uint64_t)user_id * 0x9E3779B97F4A7C15ull;

    return (size_t)(x >> 54) % STREAM_HUB_BUCKETS;
}

static void hub_unlink(stream_hub *h, stream_sub *s)
{
    stream_sub **head = &h->buckets[hub_bucket(s->user_id)];

    if (s->prev != NULL)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next != NULL)
        s->next->prev = s->prev;
    s->prev = s->next = NULL;
    s->registered = 0;
    h->nstreams--;
}

/* The connection went (or the hub goes): every stream ends. */
static void hub_lose_all(stream_hub *h)
{
    stream_sub *s;
    size_t i;

    for (i = 0; i < STREAM_HUB_BUCKETS; i++) {
        while ((s = h->buckets[i]) != NULL) {
            hub_unlink(h, s);
            s->on_lost(s);
        }
    }
}

static void hub_ready_all(stream_hub *h)
{
    stream_sub *s, *next;
    size_t i;

    for (i = 0; i < STREAM_HUB_BUCKETS; i++) {
        for (s = h->buckets[i]; s != NULL; s = next) {
            next = s->next;
            if (!s->ready_called) {
                s->ready_called = 1;
                s->on_ready(s);
            }
        }
    }
}

static void hub_dispatch(stream_hub *h, const feed_event *ev)
{
    stream_sub *s, *next;

    for (s = h->buckets[hub_bucket(ev->user_id)]; s != NULL; s = next) {
        next = s->next;
        if (s->user_id == ev->user_id && s->kind == ev->kind && s->ready_called)
            s->on_event(s, ev);
    }
}

static void hub_on_message(redis_client *c, int status, redisReply *reply, void *privdata)
{
    stream_hub *h = privdata;
    redisReply **e;
    feed_event ev;

    (void)c;
    if (status != REDIS_CLIENT_OK || reply == NULL) {
        h->ready = 0; /* the subscription is gone; on_state tells the streams */
        return;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
        return;
    e = reply->element;
    if (e[0]->type != REDIS_REPLY_STRING)
        return;
    if (strcmp(e[0]->str, "psubscribe") == 0) {
        h->ready = 1;
        hub_ready_all(h);
        return;
    }
    if (strcmp(e[0]->str, "pmessage") != 0 || reply->elements != 4 || e[2]->type != REDIS_REPLY_STRING ||
        e[3]->type != REDIS_REPLY_STRING)
        return;
    h->events++;
    if (feed_event_parse(slice_make(e[2]->str, e[2]->len), slice_make(e[3]->str, e[3]->len), &ev) != 0) {
        log_line l;
        log_begin(&l, LOG_WARN, "ignoring a malformed feed event");
        log_slice(&l, "channel", slice_make(e[2]->str, e[2]->len));
        log_end(&l);
        return;
    }
    hub_dispatch(h, &ev);
}

static void hub_subscribe(stream_hub *h)
{
    if (redis_client_psubscribe(h->sub, hub_on_message, h, REDIS_CHANNEL_FEED_EVENTS "*") != REDIS_CLIENT_OK)
        log_simple(LOG_WARN, "cannot subscribe to the feed events", h->sub->errstr);
}

static void hub_on_state(redis_client *c, int connected, void *privdata)
{
    stream_hub *h = privdata;

    (void)c;
    if (connected) {
        hub_subscribe(h);
        return;
    }
    h->ready = 0;
    hub_lose_all(h);
}

static void hub_on_heartbeat(loop *l, loop_timer *t)
{
    stream_hub *h = t->data;
    stream_sub *s, *next;
    size_t i;

    if (h->ready) {
        for (i = 0; i < STREAM_HUB_BUCKETS; i++) {
            for (s = h->buckets[i]; s != NULL; s = next) {
                next = s->next;
                if (s->ready_called)
                    s->on_heartbeat(s);
            }
        }
    }
    (void)loop_timer_start(l, &h->heartbeat, h->heartbeat_ms);
}

stream_hub *stream_hub_new(loop *l, redis_client *sub, uint32_t heartbeat_ms)
{
    stream_hub *h;

    if (sub == NULL)
        return NULL;
    h = calloc(1, sizeof(*h));
    if (h == NULL)
        return NULL;
    h->l = l;
    h->sub = sub;
    h->heartbeat_ms = heartbeat_ms != 0 ? heartbeat_ms : 15000;
    loop_timer_init(&h->heartbeat, hub_on_heartbeat, h);
    if (loop_timer_start(l, &h->heartbeat, h->heartbeat_ms) != LOOP_OK) {
        free(h);
        return NULL;
    }
    sub->on_state = hub_on_state;
    sub->state_privdata = h;
    if (sub->state == REDIS_CLIENT_CONNECTED)
        hub_subscribe(h);
    return h;
}

void stream_hub_free(stream_hub *h)
{
    if (h == NULL)
        return;
    h->ready = 0;
    hub_lose_all(h);
    loop_timer_stop(h->l, &h->heartbeat);
    h->sub->on_state = NULL;
    redis_client_free(h->sub); /* its subscription's last callback still finds h */
    free(h);
}

void stream_hub_add(stream_hub *h, stream_sub *s)
{
    stream_sub **head = &h->buckets[hub_bucket(s->user_id)];

    s->prev = NULL;
    s->next = *head;
    if (*head != NULL)
        (*head)->prev = s;
    *head = s;
    s->registered = 1;
    s->ready_called = 0;
    h->nstreams++;
    if (h->ready) {
        s->ready_called = 1;
        s->on_ready(s);
    }
}

void stream_hub_remove(stream_hub *h, stream_sub *s)
{
    if (s->registered)
        hub_unlink(h, s);
}
