package feed.job.fanout;

import java.util.Objects;

/**
 * An activity addressed to one key of {@link FanOut}: either as an activity
 * of the key's user ({@link #edge} false, key = actor), or, for FOLLOW only,
 * as a change of the key's follower list ({@link #edge} true, key = the
 * followee). A Flink POJO.
 */
public class FanOutInput {

    /** The user whose state this touches; the keyBy key. */
    public long key;
    /** True: a follow edge to add or remove at the followee. */
    public boolean edge;
    public Activity activity;

    public FanOutInput() {
    }

    public FanOutInput(long key, boolean edge, Activity activity) {
        this.key = key;
        this.edge = edge;
        this.activity = activity;
    }

    /** The activity at its actor's key. */
    public static FanOutInput activity(Activity a) {
        return new FanOutInput(a.actorId, false, a);
    }

    /** A FOLLOW as an edge at the followee's key. */
    public static FanOutInput edge(Activity follow) {
        if (follow.verb != Verb.FOLLOW) {
            throw new IllegalArgumentException("not a follow: " + follow);
        }
        return new FanOutInput(follow.followeeId(), true, follow);
    }

    public long key() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FanOutInput)) {
            return false;
        }
        FanOutInput i = (FanOutInput) o;
        return key == i.key && edge == i.edge && Objects.equals(activity, i.activity);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, edge, activity);
    }

    @Override
    public String toString() {
        return (edge ? "edge@" : "activity@") + key + " " + activity;
    }
}
