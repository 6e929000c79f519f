/* redis_scripts.h: the Lua scripts of the .lua files of schema/redis/, for C.
 *
 * Each <name>.lua is the one source of its script; the build turns it
 * into redis_lua_<name> (schema/redis/lua_to_c.sh, a generated .c in
 * build/gen/), byte for byte, so the API sends exactly the file's text
 * and the job (a classpath resource from the same file) agrees with it.
 *
 *   feed_head_read    the API's read of a head      (api/src/read/feed_head.c)
 *   feed_head_store   the API's fenced fill store   (api/src/read/feed_head.c)
 *   feed_head_abort   the API's abort of a fill     (api/src/read/feed_head.c)
 *   feed_head_write   the job's write into a head   (job FeedCacheWrite,
 *                     NotificationCacheWrite; the API's integration tests)
 *   merge_sources_store  the API's fenced store of a reader's merge
 *                     sources (api/src/read/merge_sources.c)
 *   marker_set        the API's cache of a home read marker, moved forward
 *                     only (api/src/read/marker_cache.c)
 *   feed_event_publish the job's live event: logged while the user's live
 *                     key exists, then published; a profile event also
 *                     to the owner's live followers (job FeedCacheWrite,
 *                     NotificationCacheWrite; the API's integration tests)
 *   feed_live_open    a stream's start: the live key set, the log's expiry
 *                     renewed, the resume entry looked up, the history
 *                     before it read; a home stream's place in its hot
 *                     followees' live-follower sets (api/src/stream/feed_stream.c)
 *
 * NUL-terminated, immutable, no allocation.
 */
#ifndef SCHEMA_REDIS_REDIS_SCRIPTS_H
#define SCHEMA_REDIS_REDIS_SCRIPTS_H

extern const char redis_lua_feed_head_read[];
extern const char redis_lua_feed_head_store[];
extern const char redis_lua_feed_head_abort[];
extern const char redis_lua_feed_head_write[];
extern const char redis_lua_merge_sources_store[];
extern const char redis_lua_feed_event_publish[];
extern const char redis_lua_feed_live_open[];
extern const char redis_lua_marker_set[];

#endif
