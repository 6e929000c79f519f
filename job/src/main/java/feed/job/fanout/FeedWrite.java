package feed.job.fanout;

import java.util.Objects;

/**
 * One item put into, or taken out of, one user's feed: a row of
 * {@code feed.home_feed} / {@code feed.profile_feed} and a member of
 * {@code feed:home:<uid>} / {@code feed:profile:<uid>}. A Flink POJO.
 *
 * <p>{@link #writeTs} is the store's write timestamp (Cassandra's
 * {@code USING TIMESTAMP}): the LSN of the change that caused the write,
 * or, where {@link FanOut} says so, the LSN of a change it must win over.
 * Applying writes last-write-wins by it (a delete wins a tie, as in
 * Cassandra) gives the same feeds whatever order they are applied in.
 */
public class FeedWrite {

    /** Which feed of the user. */
    public enum Feed { HOME, PROFILE }

    public Feed feed;
    public long userId;
    public long tsUs;
    public String activityId;
    /** Who did the activity (home_feed.actor_id). */
    public long actorId;
    public long writeTs;
    public boolean delete;

    public FeedWrite() {
    }

    public FeedWrite(Feed feed, long userId, long tsUs, String activityId, long actorId, long writeTs,
                     boolean delete) {
        this.feed = feed;
        this.userId = userId;
        this.tsUs = tsUs;
        this.activityId = activityId;
        this.actorId = actorId;
        this.writeTs = writeTs;
        this.delete = delete;
    }

    public static FeedWrite insert(Feed feed, long userId, long tsUs, String activityId, long actorId, long ts) {
        return new FeedWrite(feed, userId, tsUs, activityId, actorId, ts, false);
    }

    public static FeedWrite remove(Feed feed, long userId, long tsUs, String activityId, long actorId, long ts) {
        return new FeedWrite(feed, userId, tsUs, activityId, actorId, ts, true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FeedWrite)) {
            return false;
        }
        FeedWrite w = (FeedWrite) o;
        return userId == w.userId && tsUs == w.tsUs && actorId == w.actorId && writeTs == w.writeTs
                && delete == w.delete && feed == w.feed && Objects.equals(activityId, w.activityId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(feed, userId, tsUs, activityId, actorId, writeTs, delete);
    }

    @Override
    public String toString() {
        return (delete ? "DEL " : "PUT ") + feed + "(" + userId + ") " + activityId + "@" + tsUs
                + " actor=" + actorId + " ts=" + writeTs;
    }
}
