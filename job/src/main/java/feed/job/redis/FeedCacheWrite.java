package feed.job.redis;

import java.util.List;

import redis.clients.jedis.PipeliningBase;

import feed.job.fanout.FeedWrite;

/**
 * Keeps the cached feed heads in Redis in step with {@link FeedWrite}s
 * (docs/DATA-MODEL.md "Redis"): {@code feed:home:<uid>} / {@code feed:profile:<uid>},
 * score ts_us, member activity id, at most {@code window} newest members.
 *
 * <p>The cache is filled by the API on a miss; the job only keeps heads
 * that exist fresh, and keeps each one a <em>prefix</em> of the feed (its
 * newest items, none missing in between), with one Lua script per write:
 * <ul>
 *   <li>a key that does not exist is left alone: a head the job created would
 *       hold only new items and hide the older ones from a reader;</li>
 *   <li>an insert goes in only if it sorts after the head's oldest member:
 *       an older item may have items between it and the head that the head
 *       does not hold (trimmed, or never cached). So a reader must continue
 *       in Cassandra past the head, also when the head is short;</li>
 *   <li>the head is trimmed back to {@code window} members;</li>
 *   <li>a delete is a ZREM, wherever the member is.</li>
 * </ul>
 * The key's idle expiry is the API's (every read renews it); writes do not
 * touch it, so a feed nobody reads ages out.
 *
 * <p>Idempotent: replaying a write gives the same set. Coalescing in the
 * sink keeps the last write per (key, member), which is the one the fan-out
 * emitted last for that row.
 *
 * <p>Live events: after each head write, the same pipeline runs feed_event_publish.lua
 * ({@link #publish}): the item is appended to the owner's event log {@code feed:log:<uid>} when the
 * owner has a live key (a stream connected within its resume window), then PUBLISHed on
 * {@code feed:events:<uid>} prefixed with the log entry id ({@link #event}), whether or not the
 * head is cached: the API's
 * streams (api/README.md "Streams") take it from there. A publish is fire-and-forget (nobody
 * listening: nothing happens); a stream that missed one because it was not subscribed yet reads
 * the stored feed instead, which already holds the item (Cassandra acknowledged it first).
 *
 * <p>Ordering with the API's fill (api/src/read/feed_head.h): the job
 * sends these writes only after the same items' Cassandra writes are
 * acknowledged ({@code CassandraSink#thenCache}), so a fill either reads
 * the item from Cassandra or has already placed its placeholder, which
 * makes this script's insert land in the key.
 */
public final class FeedCacheWrite implements RedisWrite<FeedWrite> {

    private static final long serialVersionUID = 1L;

    /** The window of DATA-MODEL.md. */
    public static final int DEFAULT_WINDOW = 500;

    /**
     * KEYS[1] feed key; ARGV: op (+/-), score, member, window. Its one
     * source is schema/redis/feed_head_write.lua (the API's integration
     * tests run the same file).
     */
    static final String SCRIPT = RedisScripts.load("feed_head_write");

    static final String SHA = RedisScripts.sha1(SCRIPT);

    private final int window;

    public FeedCacheWrite(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be positive: " + window);
        }
        this.window = window;
    }

    /** {@code feed:home:<uid>} or {@code feed:profile:<uid>}. */
    public static String key(FeedWrite w) {
        return (w.feed == FeedWrite.Feed.HOME ? RedisKeys.KEY_HOME_FEED : RedisKeys.KEY_PROFILE_FEED) + w.userId;
    }

    @Override
    public Object target(FeedWrite w) {
        return List.of(key(w), w.activityId);
    }

    @Override
    public void prelude(PipeliningBase pipeline) {
        pipeline.scriptLoad(SCRIPT, "feed:"); // the sample key only matters on a cluster
        pipeline.scriptLoad(EVENT_SCRIPT, "feed:");
    }

    @Override
    public void append(FeedWrite w, PipeliningBase pipeline) {
        // ts_us is exact in a double up to 2^53; written as an integer string.
        pipeline.evalsha(SHA, List.of(key(w)),
                List.of(w.delete ? "-" : "+", Long.toString(w.tsUs), w.activityId, Integer.toString(window)));
        if (w.feed == FeedWrite.Feed.PROFILE) {
            publishProfile(w.userId, event(w), followerEvent(w), pipeline);
        } else {
            publish(w.userId, event(w), pipeline);
        }
    }

    static final String CHANNEL_PREFIX = RedisKeys.CHANNEL_FEED_EVENTS;

    /**
     * The live event script: KEYS[1] {@code feed:live:<uid>}, KEYS[2] {@code feed:log:<uid>}; ARGV: channel,
     * event, log length bound. Its one source is schema/redis/feed_event_publish.lua.
     */
    static final String EVENT_SCRIPT = RedisScripts.load("feed_event_publish");

    static final String EVENT_SHA = RedisScripts.sha1(EVENT_SCRIPT);

    /**
     * About how many entries a user's event log keeps (XADD MAXLEN ~): the API resumes a stream exactly from
     * an entry still in it, so this bounds how far behind (in events of all three feeds) an exact resume can be.
     */
    public static final int LOG_MAXLEN = 2000;

    /**
     * Appends the live event of one of {@code userId}'s feeds to the pipeline (docs/DATA-MODEL.md "Live
     * events"): logged in {@code feed:log:<uid>} while the user's {@code feed:live:<uid>} exists (a stream
     * connected or within its resume window; nothing is written for anyone else), then published on
     * {@code feed:events:<uid>} as {@code <log entry id or -> <event>}.
     */
    static void publish(long userId, String event, PipeliningBase pipeline) {
        pipeline.evalsha(EVENT_SHA, List.of(RedisKeys.KEY_FEED_LIVE + userId, RedisKeys.KEY_FEED_LOG + userId),
                List.of(CHANNEL_PREFIX + userId, event, Integer.toString(LOG_MAXLEN)));
    }

    /**
     * A profile event: published as {@link #publish} does, and also appended to the log of, and published to,
     * each live follower of the owner ({@code feed:livef:<uid>}, the set the API's home streams keep while the
     * owner is a merge source of theirs: docs/DATA-MODEL.md "Hot accounts: live") as {@code followerEvent}.
     * The set is empty (or missing) unless the owner is hot and a follower's home stream is live, so a cold
     * account's profile write costs one SMEMBERS of nothing more.
     */
    static void publishProfile(long userId, String event, String followerEvent, PipeliningBase pipeline) {
        pipeline.evalsha(EVENT_SHA,
                List.of(RedisKeys.KEY_FEED_LIVE + userId, RedisKeys.KEY_FEED_LOG + userId,
                        RedisKeys.KEY_FEED_LIVE_FOLLOWERS + userId),
                List.of(CHANNEL_PREFIX + userId, event, Integer.toString(LOG_MAXLEN), followerEvent,
                        RedisKeys.KEY_FEED_LIVE, RedisKeys.KEY_FEED_LOG, CHANNEL_PREFIX));
    }

    /**
     * A profile write as the owner's live followers' home streams get it: {@code home:<owner> <op> <ts_us>
     * <activity id>} (the API applies the follow's merge rule to it: api/README.md "Streams").
     */
    public static String followerEvent(FeedWrite w) {
        return "home:" + w.userId + (w.delete ? " - " : " + ") + w.tsUs + " " + w.activityId;
    }

    /** The live event channel of the feed's owner: {@code feed:events:<uid>}. */
    public static String channel(FeedWrite w) {
        return CHANNEL_PREFIX + w.userId;
    }

    /**
     * The event published for a write, after its Cassandra write was acknowledged (docs/DATA-MODEL.md
     * "Live events"): {@code <feed> <op> <ts_us> <activity id>}, feed {@code home} or {@code profile},
     * op {@code +} (the item entered the feed) or {@code -} (it left it).
     */
    public static String event(FeedWrite w) {
        return (w.feed == FeedWrite.Feed.HOME ? "home" : "profile") + (w.delete ? " - " : " + ") + w.tsUs + " "
                + w.activityId;
    }
}
