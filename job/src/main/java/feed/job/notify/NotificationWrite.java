package feed.job.notify;

import java.util.Arrays;
import java.util.Objects;

import feed.job.fanout.Verb;

/**
 * The new value of one notification group of one user, or its removal: a
 * row of {@code feed.notifications}, a member of {@code feed:notif:<uid>}
 * and the body {@code notif:<uid>:<group id>} (docs/DATA-MODEL.md). A Flink
 * POJO (the actor list is a primitive array, which Flink serializes without
 * Kryo).
 *
 * <p>Every write carries the whole group, computed from state: stores
 * overwrite, never add. {@link #writeTs} is the store's write timestamp
 * (Cassandra's {@code USING TIMESTAMP}); {@link Notifications} explains how
 * it is chosen so that last-write-wins ends in the same groups whatever
 * the arrival order and however often a write is replayed.
 */
public class NotificationWrite {

    /** The notified user: the followee, or the post's author. */
    public long userId;
    /** {@code <VERB>:<object>:<window start ms>}, e.g. {@code LIKE:p:42:1732500000000}. */
    public String groupId;
    public Verb verb;
    /** {@code u:<followee>} or {@code p:<post>}. */
    public String objectId;
    /** The window start in microseconds: the clustering {@code ts_us} and the Redis score. */
    public long windowStartUs;
    /** Distinct actors with at least one live activity in the group; 0 for a removal. */
    public int actorCount;
    /** At most {@link Notifications#MAX_ACTORS}, newest first (see DATA-MODEL.md); empty for a removal. */
    public long[] actorIds;
    /** The newest live event's created_at, microseconds; 0 for a removal. */
    public long latestUs;
    public long writeTs;
    /** True: the group has no live activity left and disappears. */
    public boolean delete;

    public NotificationWrite() {
    }

    public NotificationWrite(long userId, String groupId, Verb verb, String objectId, long windowStartUs,
                             int actorCount, long[] actorIds, long latestUs, long writeTs, boolean delete) {
        this.userId = userId;
        this.groupId = groupId;
        this.verb = verb;
        this.objectId = objectId;
        this.windowStartUs = windowStartUs;
        this.actorCount = actorCount;
        this.actorIds = actorIds;
        this.latestUs = latestUs;
        this.writeTs = writeTs;
        this.delete = delete;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NotificationWrite)) {
            return false;
        }
        NotificationWrite w = (NotificationWrite) o;
        return userId == w.userId && windowStartUs == w.windowStartUs && actorCount == w.actorCount
                && latestUs == w.latestUs && writeTs == w.writeTs && delete == w.delete && verb == w.verb
                && Objects.equals(groupId, w.groupId) && Objects.equals(objectId, w.objectId)
                && Arrays.equals(actorIds, w.actorIds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, groupId, verb, objectId, windowStartUs, actorCount, Arrays.hashCode(actorIds),
                latestUs, writeTs, delete);
    }

    @Override
    public String toString() {
        return (delete ? "DEL " : "PUT ") + "notif(" + userId + ") " + groupId + " count=" + actorCount + " actors="
                + Arrays.toString(actorIds) + " latest=" + latestUs + " ts=" + writeTs;
    }
}
