package feed.job.redis;

import java.util.List;

import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.params.SetParams;

import feed.job.notify.NotificationWrite;

/**
 * Notification groups in Redis (docs/DATA-MODEL.md "Redis"):
 * <ul>
 *   <li>{@code feed:notif:<uid>}, score = the group's window start µs, member =
 *       group id: kept by the same Lua script and prefix rules as the home and
 *       profile heads ({@link FeedCacheWrite}): only a key that exists (the API
 *       fills it on a miss), only members newer than its oldest, trimmed to
 *       {@code window}; a removal is a ZREM;</li>
 *   <li>{@code notif:<uid>:<group id>}, the group as JSON
 *       {@code {"group_id","verb","object_id","actor_count","actor_ids":[...],"latest_us","ts_us"}}
 *       ({@code ts_us} = window start), {@code SET ... EX ttl}, like activity
 *       bodies whether or not the user's head is cached; DEL when the group empties.</li>
 * </ul>
 *
 * <p>Every write is also published on {@code feed:events:<uid>} (after the
 * group's body), as {@link FeedCacheWrite} does for the feeds.
 *
 * <p>Redis has no write timestamps: it holds what was written last. Writes of
 * one group come from one subtask of {@code Notifications} in the order its
 * state changed, and the sink keeps only the last buffered write per group
 * ({@link #target}), so the cache ends at the group's current value; a
 * replay after a failure rewrites values from the restored state, ending
 * at the same one.
 */
public final class NotificationCacheWrite implements RedisWrite<NotificationWrite> {

    private static final long serialVersionUID = 1L;

    /** Matches the feed keys' idle expiry (one day). */
    public static final long DEFAULT_TTL_SECONDS = 86_400;

    private final int window;
    private final long ttlSeconds;

    public NotificationCacheWrite(int window, long ttlSeconds) {
        if (window < 1 || ttlSeconds < 1) {
            throw new IllegalArgumentException("window and ttl must be positive");
        }
        this.window = window;
        this.ttlSeconds = ttlSeconds;
    }

    /** {@code feed:notif:<uid>}. */
    public static String feedKey(long userId) {
        return RedisKeys.KEY_NOTIF_FEED + userId;
    }

    /** {@code notif:<uid>:<group id>}. */
    public static String bodyKey(long userId, String groupId) {
        return RedisKeys.KEY_NOTIF_BODY + userId + ":" + groupId;
    }

    @Override
    public Object target(NotificationWrite w) {
        return bodyKey(w.userId, w.groupId);
    }

    @Override
    public void prelude(PipeliningBase pipeline) {
        pipeline.scriptLoad(FeedCacheWrite.SCRIPT, "feed:");
        pipeline.scriptLoad(FeedCacheWrite.EVENT_SCRIPT, "feed:");
    }

    @Override
    public void append(NotificationWrite w, PipeliningBase pipeline) {
        pipeline.evalsha(FeedCacheWrite.SHA, List.of(feedKey(w.userId)),
                List.of(w.delete ? "-" : "+", Long.toString(w.windowStartUs), w.groupId, Integer.toString(window)));
        if (w.delete) {
            pipeline.del(bodyKey(w.userId, w.groupId));
        } else {
            pipeline.set(bodyKey(w.userId, w.groupId), json(w), SetParams.setParams().ex(ttlSeconds));
        }
        // After the body: a stream that reads it on this event finds the group as it now stands.
        FeedCacheWrite.publish(w.userId, event(w), pipeline);
    }

    /**
     * The live event of a group write ({@link FeedCacheWrite#event}'s format):
     * {@code notifications + <window start µs> <group id>} when the group was
     * created or changed, {@code -} when it emptied.
     */
    public static String event(NotificationWrite w) {
        return "notifications" + (w.delete ? " - " : " + ") + w.windowStartUs + " " + w.groupId;
    }

    /** The group's JSON. */
    public static String json(NotificationWrite w) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"group_id\":");
        ActivityCacheWrite.string(b, w.groupId);
        b.append(",\"verb\":");
        ActivityCacheWrite.string(b, w.verb.name());
        b.append(",\"object_id\":");
        ActivityCacheWrite.string(b, w.objectId);
        b.append(",\"actor_count\":").append(w.actorCount);
        b.append(",\"actor_ids\":[");
        for (int i = 0; i < w.actorIds.length; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(w.actorIds[i]);
        }
        b.append("],\"latest_us\":").append(w.latestUs);
        b.append(",\"ts_us\":").append(w.windowStartUs).append('}');
        return b.toString();
    }
}
