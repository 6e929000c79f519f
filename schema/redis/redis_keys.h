/* redis_keys.h: the names in Redis, written once for all C code (the API,
 * feedcheck, chaos, the tests); the job's copy is
 * job/src/main/java/feed/job/redis/RedisKeys.java, and RedisKeysTest
 * fails when the two differ (it reads this file: keep one
 * `#define NAME "text"` per line). docs/DATA-MODEL.md "Redis" says what
 * each holds.
 *
 * The markers are also spelled in the Lua scripts beside this file
 * (feed_head_read.lua, feed_head_store.lua), which cannot include it;
 * schema/redis/tests/test_redis_scripts.c checks they agree.
 */
#ifndef SCHEMA_REDIS_REDIS_KEYS_H
#define SCHEMA_REDIS_REDIS_KEYS_H

/* Cached feed heads, sorted sets: <prefix><user id>. */
#define REDIS_KEY_HOME_FEED "feed:home:"
#define REDIS_KEY_PROFILE_FEED "feed:profile:"
#define REDIS_KEY_NOTIF_FEED "feed:notif:"

/* Cached bodies: act:<activity id>, notif:<user id>:<group id>. */
#define REDIS_KEY_ACTIVITY_BODY "act:"
#define REDIS_KEY_NOTIF_BODY "notif:"

/* Live feed events of one user, a pub/sub channel: feed:events:<user id>
 * (docs/DATA-MODEL.md "Live events"). */
#define REDIS_CHANNEL_FEED_EVENTS "feed:events:"

/* A reader's merge sources (hot accounts followed; docs/DATA-MODEL.md
 * "Hot accounts"), cached by the API: feed:hotf:<uid>; the job bumps
 * feed:hotf:gen:<uid> and deletes the cache when they change. */
#define REDIS_KEY_MERGE_SOURCES "feed:hotf:"
#define REDIS_KEY_MERGE_SOURCES_GEN "feed:hotf:gen:"
/* A user's home read marker, cached by the API (the row in PostgreSQL is
 * the truth): "<ts_us> <id>", or "-" for none yet (marker_set.lua,
 * api/src/read/marker_cache.h): feed:marker:home:<user id>. */
#define REDIS_KEY_HOME_MARKER "feed:marker:home:"
/* A user with a stream connected or recently so (the API sets it with the
 * resume window as its expiry), and that user's event log, a Redis
 * Stream the job appends to only while the live key exists
 * (feed_event_publish.lua): feed:live:<user id>, feed:log:<user id>. */
#define REDIS_KEY_FEED_LIVE "feed:live:"
#define REDIS_KEY_FEED_LOG "feed:log:"
/* The live followers of an account: the users whose home stream merges
 * it (a hot account followed) and is live, a set kept by the API's home
 * streams (feed_live_open.lua); the job copies the account's profile
 * events into their logs (feed_event_publish.lua): feed:livef:<user id>. */
#define REDIS_KEY_FEED_LIVE_FOLLOWERS "feed:livef:"

/* The job's progress hash (one field per table). */
#define REDIS_KEY_PROGRESS "feed:pipeline:progress"

/* Members of a head that are not items: a running fill's placeholder
 * (~fill:<token>) and the end of the feed (the head holds all of it). */
#define REDIS_MEMBER_FILL "~fill:"
#define REDIS_MEMBER_END "~end"

#endif
