package feed.job.redis;

import redis.clients.jedis.PipeliningBase;
import redis.clients.jedis.params.SetParams;

import feed.job.fanout.Activity;

/**
 * Activity bodies in Redis: {@code SET act:<id> <json> EX <ttl>}, once per
 * activity whatever its fan-out; the undo is a DEL. The JSON has the
 * columns of Cassandra's {@code activities}: {@code {"id","verb","actor_id",
 * "object_id","target_id","body","ts_us"}} (target_id and body null when
 * absent). A body the cache lost or let expire is in Cassandra.
 *
 * <p>Bodies are not ordered by LSN here: an insert that arrives after its own
 * undo (different topics) sets the body again. No feed lists it (the fan-out
 * drops such inserts), so it is an orphan that expires with its TTL.
 */
public final class ActivityCacheWrite implements RedisWrite<Activity> {

    private static final long serialVersionUID = 1L;

    /** Matches the feed keys' idle expiry. */
    public static final long DEFAULT_TTL_SECONDS = 86_400;

    private final long ttlSeconds;

    public ActivityCacheWrite(long ttlSeconds) {
        this.ttlSeconds = ttlSeconds;
    }

    public static String key(String activityId) {
        return RedisKeys.KEY_ACTIVITY_BODY + activityId;
    }

    @Override
    public Object target(Activity a) {
        return a.id;
    }

    @Override
    public void append(Activity a, PipeliningBase pipeline) {
        if (a.delete) {
            pipeline.del(key(a.id));
        } else {
            pipeline.set(key(a.id), json(a), SetParams.setParams().ex(ttlSeconds));
        }
    }

    /** The body's JSON. */
    public static String json(Activity a) {
        StringBuilder b = new StringBuilder(96);
        b.append("{\"id\":");
        string(b, a.id);
        b.append(",\"verb\":");
        string(b, a.verb.name());
        b.append(",\"actor_id\":").append(a.actorId);
        b.append(",\"object_id\":");
        string(b, a.objectId);
        b.append(",\"target_id\":");
        string(b, a.targetUserId == Activity.NO_TARGET ? null : "u:" + a.targetUserId);
        b.append(",\"body\":");
        string(b, a.body);
        b.append(",\"ts_us\":").append(a.tsUs).append('}');
        return b.toString();
    }

    /** Appends {@code s} as a JSON string (null as null). */
    static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        b.append('"');
    }
}
