package feed.job.cassandra;

import java.util.List;

import feed.job.fanout.MergeSource;

/**
 * {@link MergeSource}s as rows of {@code home_merge} (schema/cql/004), one
 * partition per reader, at the follow's LSN (a delete at the unfollow's):
 * a replay writes the same cells, and the unfollow wins whatever the order.
 */
public final class MergeSourceCql implements CqlWrite<MergeSource> {

    private static final long serialVersionUID = 1L;

    static final int INSERT = 0;
    static final int DELETE = 1;

    @Override
    public List<String> statements(String ks) {
        return List.of(
                "INSERT INTO " + ks + ".home_merge (user_id, followee_id, follow_ts_us, backfill)"
                        + " VALUES (?, ?, ?, ?) USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".home_merge USING TIMESTAMP ? WHERE user_id = ? AND followee_id = ?");
    }

    @Override
    public void append(MergeSource m, Mutations out) {
        if (m.delete) {
            out.add(m.userId, DELETE, m.writeTs, m.userId, m.followeeId);
        } else {
            out.add(m.userId, INSERT, m.userId, m.followeeId, m.followTsUs, m.backfill, m.writeTs);
        }
    }
}
