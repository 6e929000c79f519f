package feed.job.cassandra;

import java.util.List;

import feed.job.fanout.FeedWrite;

/**
 * {@link FeedWrite} as rows of {@code home_feed} / {@code profile_feed}
 * (schema/cql/001_feeds.cql), with the write's timestamp.
 */
public final class FeedWriteCql implements CqlWrite<FeedWrite> {

    private static final long serialVersionUID = 1L;

    static final int HOME_INSERT = 0;
    static final int HOME_DELETE = 1;
    static final int PROFILE_INSERT = 2;
    static final int PROFILE_DELETE = 3;

    @Override
    public List<String> statements(String ks) {
        return List.of(
                "INSERT INTO " + ks + ".home_feed (user_id, ts_us, activity_id, actor_id) VALUES (?, ?, ?, ?)"
                        + " USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".home_feed USING TIMESTAMP ? WHERE user_id = ? AND ts_us = ? AND activity_id = ?",
                "INSERT INTO " + ks + ".profile_feed (user_id, ts_us, activity_id) VALUES (?, ?, ?) USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".profile_feed USING TIMESTAMP ? WHERE user_id = ? AND ts_us = ? AND activity_id = ?");
    }

    @Override
    public void append(FeedWrite w, Mutations out) {
        boolean home = w.feed == FeedWrite.Feed.HOME;
        String partition = (home ? "home:" : "profile:") + w.userId;
        if (w.delete) {
            out.add(partition, home ? HOME_DELETE : PROFILE_DELETE, w.writeTs, w.userId, w.tsUs, w.activityId);
        } else if (home) {
            out.add(partition, HOME_INSERT, w.userId, w.tsUs, w.activityId, w.actorId, w.writeTs);
        } else {
            out.add(partition, PROFILE_INSERT, w.userId, w.tsUs, w.activityId, w.writeTs);
        }
    }
}
