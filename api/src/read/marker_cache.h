/* marker_cache.h: home read markers cached in Redis, so that a home page
 * (and a home stream's count) reads no PostgreSQL.
 *
 * PostgreSQL's `markers` row is the truth (handlers/markers.c); Redis
 * holds a copy under feed:marker:home:<uid> (schema/redis/redis_keys.h):
 * "<ts_us> <id>", or "-" when the user has no marker yet, for a day.
 *
 *   read   GET; a miss reads the row (read/unseen.c) and caches what it
 *          found, a Redis error reads the row and caches nothing;
 *   PUT    the upsert, then the cache is set to the row it returned; the
 *          PUT answers only after Redis took it (503 otherwise: the
 *          stored marker moved, a retry of the same PUT heals the cache).
 *
 * Both writes go through schema/redis/marker_set.lua, which only moves
 * the cached position forward, as the stored one only moves forward: a
 * read that found an older row before a PUT, or two PUTs answered out of
 * order, can never leave an older position cached than the stored one.
 * What can: a PUT whose cache write failed and was not retried (its
 * answer was 503), until the key expires; and an evicted key (allkeys-lru)
 * refilled from a row read before a PUT that landed between the eviction
 * and the refill. The stack's Redis keeps nothing across a restart.
 *
 * Ownership: callbacks run exactly once, now (Redis refused at once or
 * is not configured) or later on the worker's loop; the marker passed to
 * a get callback lives during the call only.
 */
#ifndef API_READ_MARKER_CACHE_H
#define API_READ_MARKER_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "api/src/app/worker.h"
#include "api/src/read/feed_order.h"

/* How long a cached marker lives without being set again. */
#define MARKER_CACHE_TTL_MS 86400000
/* "<ts_us> <id>": 20 digits, a space, the id, NUL */
#define MARKER_CACHE_TEXT_MAX (22 + CURSOR_MAX_ID)

typedef enum marker_cache_result {
    MARKER_CACHE_HIT,  /* has_marker and marker are the cached marker */
    MARKER_CACHE_MISS, /* no such key (or an unreadable value): read the row, then set it */
    MARKER_CACHE_DOWN  /* Redis not configured or not answering: read the row, set nothing */
} marker_cache_result;

typedef void marker_cache_get_cb(marker_cache_result res, int has_marker, const feed_ref *marker, void *data);
/* ok: 1 when Redis took the value (also when it kept a newer one). */
typedef void marker_cache_set_cb(int ok, void *data);

void marker_cache_get(worker *w, int64_t uid, marker_cache_get_cb *cb, void *data);

/* has_marker 0: "no marker yet". cb may be NULL (fire and forget). */
void marker_cache_set(worker *w, int64_t uid, int has_marker, const feed_ref *marker, marker_cache_set_cb *cb,
                      void *data);

/* The cached text of a marker ("-" without one). Its length, or -1 when
 * it does not fit cap or the position cannot be cached (a negative ts). */
int marker_cache_format(char *out, size_t cap, int has_marker, const feed_ref *marker);

/* Parse a cached text. 0 (and *has_marker, *marker), or -1. */
int marker_cache_parse(const char *text, size_t len, int *has_marker, feed_ref *marker);

#endif
