/* feed_head.h: the cached head of a feed in Redis: read, fill, fence.
 *
 * Keys (docs/DATA-MODEL.md "Redis", schema/redis/redis_keys.h):
 * feed:home:<uid>, feed:profile:<uid>, feed:notif:<uid>; score ts_us
 * (notifications: the group's window start), member the activity or
 * group id. Real members have scores >= 0. Two kinds of marker members
 * sit at score -1, below every item:
 *
 *   "~fill:<token>"  the placeholder of a fill in progress (the fence);
 *   "~end"           the head holds the whole feed (the fill found fewer
 *                    rows than the window).
 *
 * A head's state is told by its lowest member, one ZRANGE 0 0:
 *   no key           miss: the read creates the key with a placeholder
 *                    (atomically, in the same script) and its caller
 *                    leads the fill;
 *   "~fill:..."      a fill is in progress (another request or worker):
 *                    not a head yet, read Cassandra directly;
 *   "~end"           complete: the feed ends where the head ends;
 *   a real member    partial: a prefix of the feed; past its end, the
 *                    feed goes on in Cassandra.
 *
 * WHY THE FILL IS CORRECT AGAINST THE JOB (schema/redis/feed_head_write.lua).
 * The job's script, for a key that exists: a delete is a ZREM; an insert
 * goes in only if it sorts after the key's lowest member (score, then
 * member), then the key is trimmed to the window by removing the lowest
 * ranks. The fill:
 *   1. the read script, finding no key, ZADDs key -1 "~fill:<token>" with
 *      a PEXPIRE of FEED_HEAD_FILL_LOCK_MS (a dead filler's lock ages out);
 *   2. the filler reads the newest FEED_HEAD_WINDOW rows from Cassandra;
 *   3. the store script, atomically: if its own placeholder is gone (the
 *      key expired, maybe re-created by another fill, or the job's trim
 *      removed it), give up and touch nothing; otherwise ZADD the rows, ZREM the placeholder, ZADD -1 "~end" if
 *      the rows were the whole feed, trim to the window (lowest first:
 *      "~end" goes first, so a trimmed head is never taken for complete),
 *      PEXPIRE the idle expiry.
 * From step 1 on the key exists and its lowest member is the placeholder
 * at -1, so every job insert lands in the key (every ts_us >= 0 sorts
 * after it). An item x is then either written by the job's Redis script
 * after step 1 (in the key), or before it; in the second case its
 * Cassandra write precedes step 2 as long as the job writes an item to
 * Cassandra no later than to Redis, and step 2 reads it. Either way the
 * stored head has every item newer than its oldest member: a prefix.
 * The token makes the placeholder this fill's own: a fill whose lock
 * expired cannot complete another fill's key.
 *
 * The job guarantees that ordering: its feed and notification sinks send
 * an item's Redis write only once the Cassandra batch holding it is
 * acknowledged, in send order (job/.../CassandraSinkWriter.java, "then
 * cache"). (Until it did, an item whose Redis write ran before step 1 and
 * whose Cassandra write landed after step 2 was missed by that head: the
 * fault injection saw it, docs/RELIABILITY.md problem 7.)
 *
 * Known limits (also in the report): (b) A delete (ZREM) that lands between
 * steps 2 and 3 finds nothing to remove and step 3 re-adds the item; so
 * after step 3 the filler reads Cassandra again and ZREMs what the first
 * read had and the second no longer has (feed_fill.c, feed_vanished).
 * That closes it under the same ordering (the job's Cassandra delete
 * lands before its ZREM), except for an item deleted
 * and re-inserted (unfollow, then follow again) between the re-read and
 * its ZREM. Readers skip undone activities anyway (their bodies are
 * gone); it matters for unfollows.
 * (c) More than FEED_HEAD_WINDOW job inserts during one fill trim the
 * placeholder away; step 3 then gives up, and readers take the job-only
 * key for a partial head until it expires.
 *
 * Reading renews the idle expiry (PEXPIRE FEED_HEAD_TTL_MS) in the same
 * script, no extra round trip; a key in fill is not renewed (its lock
 * expiry stays short). The same script also MGETs the bodies of the
 * items it returns (feed_head_read): a cached page is one round trip.
 *
 * Ownership: strings passed in are copied at the call; results are
 * written into caller arrays. One thread: the redis client's.
 */
#ifndef API_READ_FEED_HEAD_H
#define API_READ_FEED_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/read/feed_order.h"
#include "api/src/store/redis_client.h"
#include "api/src/wire/cursor.h"

#define FEED_HEAD_WINDOW 500
#define FEED_HEAD_TTL_MS 86400000u
#define FEED_HEAD_FILL_LOCK_MS 10000u
#define FEED_HEAD_MAX_TIES 1000
#define FEED_HEAD_KEY_MAX 48
#define FEED_HEAD_TOKEN_MAX 64

typedef enum feed_head_state {
    FEED_HEAD_MISS = 0,    /* no key: the placeholder was created, the caller fills */
    FEED_HEAD_BUSY = 1,    /* a fill is in progress elsewhere */
    FEED_HEAD_PARTIAL = 2, /* a prefix of the feed */
    FEED_HEAD_COMPLETE = 3 /* the whole feed */
} feed_head_state;

typedef struct feed_head_result {
    feed_head_state state;
    size_t n;      /* items written to the caller's array (PARTIAL, COMPLETE) */
    int exhausted; /* every head item after the position was returned */
} feed_head_result;

/* Load the scripts' SHA1s once per process. 0 or -1. */
int feed_head_init(void);

/* "feed:home:<uid>" etc. into out (FEED_HEAD_KEY_MAX). */
void feed_head_key(feed_kind kind, int64_t user_id, char *out, size_t cap);

/* A placeholder member unique to this fill ("~fill:<pid>.<thread>.<n>"). */
void feed_head_token(char *out, size_t cap);

/* Read up to count items after pos (NULL: from the top) with the state;
 * placeholder is used when the key is missing. body_prefix ("act:",
 * "notif:<uid>:"; NULL or "" for none): the script also MGETs the bodies
 * <prefix><member> of the items it returns, so a cached page costs one
 * round trip. (The body keys are not declared to the script: fine on one
 * Redis server, which is what the stack runs; a Redis Cluster would need
 * the MGET as its own command.) cb gets the raw reply; decode it with
 * feed_head_parse. Returns REDIS_CLIENT_OK/ERR. */
int feed_head_read(redis_client *c, const char *key, const feed_ref *pos, unsigned count, const char *placeholder,
                   const char *body_prefix, redis_client_cb *cb, void *privdata);

/* Decode a read reply (pure). 0, or -1 for a reply of another shape.
 * out (and bodies, when not NULL) have room for cap >= count items;
 * bodies[i] is the string reply of out[i]'s cached body, or NULL (none,
 * or not asked for). They point into r: valid while r is. Ties over
 * FEED_HEAD_MAX_TIES make the result unusable: -1 as well (the caller
 * reads Cassandra). */
int feed_head_parse(const redisReply *r, const feed_ref *pos, unsigned count, feed_ref *out, const redisReply **bodies,
                    size_t cap, feed_head_result *res);

/* Step 3 above: store rows[0..n) (feed order), complete or not. The
 * reply is an integer: 1 stored, 0 gave up. */
int feed_head_store(redis_client *c, const char *key, const char *placeholder, int complete, const feed_ref *rows,
                    size_t n, redis_client_cb *cb, void *privdata);

/* A failed fill: remove our placeholder-only key (DEL if our placeholder
 * is still in it) so the next miss can fill at once. */
int feed_head_abort(redis_client *c, const char *key, const char *placeholder, redis_client_cb *cb, void *privdata);

#endif
