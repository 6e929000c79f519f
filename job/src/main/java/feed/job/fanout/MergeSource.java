package feed.job.fanout;

import java.util.Objects;

/**
 * One row of {@code feed.home_merge}: reader U follows V while V is a hot
 * account, so U's home feed as the API serves it merges V's profile feed
 * instead of holding copies of V's items (docs/DATA-MODEL.md "Hot
 * accounts"). A Flink POJO, the side output of {@link FanOut}.
 *
 * <p>The row says which of V's items belong in home(U), by the same rule as
 * a copied feed: every item made after the follow ({@link #followTsUs}, the
 * follow row's created_at) and the newest {@link #backfill} made before it.
 * Its value depends on the follow edge only, so it is written at the edge's
 * LSN ({@link #writeTs}) whichever run, and whenever, writes it; the
 * unfollow deletes it at its own, higher, LSN.
 */
public class MergeSource {

    /** The reader (home_merge.user_id). */
    public long userId;
    /** The hot account followed (home_merge.followee_id). */
    public long followeeId;
    /** created_at of the follow, µs. */
    public long followTsUs;
    /** How many of V's items made before the follow belong in home(U). */
    public int backfill;
    /** Cassandra's USING TIMESTAMP: the LSN of the follow, or of the unfollow for a delete. */
    public long writeTs;
    public boolean delete;

    public MergeSource() {
    }

    public MergeSource(long userId, long followeeId, long followTsUs, int backfill, long writeTs, boolean delete) {
        this.userId = userId;
        this.followeeId = followeeId;
        this.followTsUs = followTsUs;
        this.backfill = backfill;
        this.writeTs = writeTs;
        this.delete = delete;
    }

    public static MergeSource insert(long userId, long followeeId, long followTsUs, int backfill, long followLsn) {
        return new MergeSource(userId, followeeId, followTsUs, backfill, followLsn, false);
    }

    public static MergeSource remove(long userId, long followeeId, long unfollowLsn) {
        return new MergeSource(userId, followeeId, 0, 0, unfollowLsn, true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MergeSource)) {
            return false;
        }
        MergeSource m = (MergeSource) o;
        return userId == m.userId && followeeId == m.followeeId && followTsUs == m.followTsUs
                && backfill == m.backfill && writeTs == m.writeTs && delete == m.delete;
    }

    @Override
    public int hashCode() {
        return Objects.hash(userId, followeeId, followTsUs, backfill, writeTs, delete);
    }

    @Override
    public String toString() {
        return (delete ? "DEL " : "PUT ") + "merge(" + userId + " <- " + followeeId + ") after " + followTsUs
                + " backfill " + backfill + " ts=" + writeTs;
    }
}
