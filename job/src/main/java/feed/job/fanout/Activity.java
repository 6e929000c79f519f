package feed.job.fanout;

import java.util.Objects;

/**
 * One activity, or the undo of one, as the change stream tells it
 * (docs/DATA-MODEL.md "Activities"). A Flink POJO: public fields, no-arg
 * constructor, so it needs no Kryo.
 *
 * <p>An undo ({@link #delete}) carries the same fields as the insert it
 * undoes: every table has REPLICA IDENTITY FULL, so the before-image is
 * whole, and the activity can be routed and undone from its own row.
 */
public class Activity {

    /** {@link #targetUserId} when nobody is notified. */
    public static final long NO_TARGET = 0L;

    public Verb verb;
    /** {@code f:<id>}, {@code p:<id>}, {@code c:<id>} or {@code l:<id>}. */
    public String id;
    /** The acting user: follower, author, liker. */
    public long actorId;
    /** What the verb acts on: {@code u:<followee>} or {@code p:<post>}. */
    public String objectId;
    /** The user notified: the followee, or the post's author; {@link #NO_TARGET} if none (own post). */
    public long targetUserId;
    /** The row's {@code created_at}, microseconds since the epoch: the feed order. */
    public long tsUs;
    /** Text of a post or comment; null for follows and likes. */
    public String body;
    /** LSN of the change: the write timestamp of everything this change causes. */
    public long lsn;
    /** True for the undo (the row's DELETE). */
    public boolean delete;
    /**
     * True when a snapshot read the row (Debezium's READ): the row as it is at
     * the snapshot, not a change, and every row of one snapshot carries the
     * snapshot's LSN. See {@link FanOut} for what that changes.
     */
    public boolean snapshot;

    public Activity() {
    }

    public Activity(Verb verb, String id, long actorId, String objectId, long targetUserId, long tsUs,
                    String body, long lsn, boolean delete) {
        this.verb = verb;
        this.id = id;
        this.actorId = actorId;
        this.objectId = objectId;
        this.targetUserId = targetUserId;
        this.tsUs = tsUs;
        this.body = body;
        this.lsn = lsn;
        this.delete = delete;
    }

    /** For FOLLOW: the user followed (the target). */
    public long followeeId() {
        return targetUserId;
    }

    /** The same activity as an undo at {@code lsn}. */
    public Activity undo(long undoLsn) {
        return new Activity(verb, id, actorId, objectId, targetUserId, tsUs, body, undoLsn, true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Activity)) {
            return false;
        }
        Activity a = (Activity) o;
        return actorId == a.actorId && targetUserId == a.targetUserId && tsUs == a.tsUs && lsn == a.lsn
                && delete == a.delete && snapshot == a.snapshot && verb == a.verb && Objects.equals(id, a.id)
                && Objects.equals(objectId, a.objectId) && Objects.equals(body, a.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(verb, id, actorId, objectId, targetUserId, tsUs, body, lsn, delete, snapshot);
    }

    @Override
    public String toString() {
        return (delete ? "-" : snapshot ? "=" : "+") + verb + " " + id + " actor=" + actorId + " object=" + objectId
                + " target=" + targetUserId + " ts_us=" + tsUs + " lsn=" + lsn;
    }
}
