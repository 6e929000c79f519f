package feed.job.testing;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import feed.job.fanout.FeedWrite;

/**
 * The feeds that a list of {@link FeedWrite}s leaves in a store that keeps
 * the last write per row by write timestamp, a delete winning a tie: what
 * Cassandra does with {@code USING TIMESTAMP}. The order writes are applied
 * in does not matter, as in Cassandra.
 */
public final class FeedState {

    /** One row of a feed: (feed, user, ts_us, activity id). */
    public record Row(FeedWrite.Feed feed, long userId, long tsUs, String activityId) implements Comparable<Row> {
        @Override
        public int compareTo(Row o) {
            int c = feed.compareTo(o.feed);
            if (c == 0) c = Long.compare(userId, o.userId);
            if (c == 0) c = Long.compare(o.tsUs, tsUs);
            if (c == 0) c = o.activityId.compareTo(activityId);
            return c;
        }

        @Override
        public String toString() {
            return feed + "(" + userId + "):" + activityId + "@" + tsUs;
        }
    }

    private final Map<Row, FeedWrite> last = new HashMap<>();

    public static FeedState of(Iterable<FeedWrite> writes) {
        FeedState s = new FeedState();
        writes.forEach(s::apply);
        return s;
    }

    public void apply(FeedWrite w) {
        Row row = new Row(w.feed, w.userId, w.tsUs, w.activityId);
        FeedWrite prev = last.get(row);
        if (prev == null || w.writeTs > prev.writeTs || (w.writeTs == prev.writeTs && w.delete)) {
            last.put(row, w);
        }
    }

    /**
     * The rows a store that applies writes in the order given, the last one
     * per row winning whatever its timestamp, would hold: what a Redis head
     * (ZADD / ZREM) does with the same writes.
     */
    public static Set<Row> appliedInOrder(Iterable<FeedWrite> writes) {
        Map<Row, Boolean> present = new HashMap<>();
        for (FeedWrite w : writes) {
            present.put(new Row(w.feed, w.userId, w.tsUs, w.activityId), !w.delete);
        }
        Set<Row> rows = new TreeSet<>();
        present.forEach((row, p) -> {
            if (p) {
                rows.add(row);
            }
        });
        return rows;
    }

    /** The rows present, sorted by feed, user, then newest first. */
    public Set<Row> rows() {
        Set<Row> rows = new TreeSet<>();
        last.forEach((row, w) -> {
            if (!w.delete) {
                rows.add(row);
            }
        });
        return rows;
    }

    /** Activity ids in one feed, newest first. */
    public java.util.List<String> feed(FeedWrite.Feed feed, long userId) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (Row r : rows()) {
            if (r.feed() == feed && r.userId() == userId) {
                ids.add(r.activityId());
            }
        }
        return ids;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeedState && rows().equals(((FeedState) o).rows());
    }

    @Override
    public int hashCode() {
        return Objects.hash(rows());
    }

    @Override
    public String toString() {
        return rows().toString();
    }
}
