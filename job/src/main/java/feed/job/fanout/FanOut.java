package feed.job.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import feed.job.fanout.FeedWrite.Feed;

/**
 * The feed rules of docs/DATA-MODEL.md: turns activities and follow edges
 * into {@link FeedWrite}s for home and profile feeds.
 *
 * <h2>Keying</h2>
 * Keyed by user id ({@link FanOutInput#key}); the state of key V is
 * everything needed to fan out V's activities:
 * <ul>
 *   <li>V's <b>followers</b>, U -> LSN of the follow that made U one;</li>
 *   <li>V's live <b>activities</b>, id -> (ts_us, LSN) (ids and times only: bodies
 *       go to the activities table once, from the activity stream).</li>
 * </ul>
 * So each change goes to the key(s) whose state it reads or changes:
 * <ul>
 *   <li>every activity (SHARD, COMMENT, LIKE, FOLLOW) to its <b>actor's</b> key
 *       ({@link FanOutInput#activity}): it enters or leaves V's activities, and
 *       V's home, V's profile and each follower's home;</li>
 *   <li>a FOLLOW U->V <b>also</b> to the <b>followee's</b> key V
 *       ({@link FanOutInput#edge}): U enters or leaves V's followers, and
 *       V's activities are copied into, or removed from, home(U). Only key V
 *       knows both V's followers and V's activities, so the edge must go
 *       there; the FOLLOW activity itself is U's, and fans out to U's
 *       followers from key U.</li>
 * </ul>
 * Nothing ever needs the state of two keys at once, so there is no
 * broadcast and no join.
 *
 * <h2>What it assumes of its input</h2>
 * <ul>
 *   <li><b>Order:</b> none within the lateness bound ({@code markerTtl}).
 *       Changes of different tables come from different topics and
 *       interleave arbitrarily: an unlike may come before the like, an
 *       unfollow before the follow, a post after a follow made later. Every
 *       decision compares LSNs, and every write carries a timestamp chosen
 *       so that applying all writes last-write-wins (as Cassandra does) ends
 *       in the same feeds whatever the arrival order:
 *       <ul>
 *         <li>an undo that arrives first leaves a marker (activity id or
 *             follower -> undo LSN, kept {@code markerTtl}); the insert that
 *             arrives later with a lower LSN is dropped;</li>
 *         <li>an activity delete at D removes the item from follower U's home at
 *             {@code max(D, follow LSN of U)}: if the follow came later in the
 *             database but was processed first, its backfill wrote the item at the
 *             follow's LSN, and the delete must win over that;</li>
 *         <li>an unfollow at F removes each of V's items at {@code max(F, item LSN)}:
 *             an item made after the unfollow but processed before it was
 *             fanned out to U at its own LSN, and must go too;</li>
 *         <li>a follow at F copies the newest {@code backfill} items made before F
 *             (at F), and every item made after F (at the item's own LSN), because
 *             those may have been processed before the follow and so missed U.</li>
 *       </ul></li>
 *   <li><b>Duplicates:</b> tolerated. A change whose LSN is not newer than what
 *       the state already holds for the same activity, follower or marker is
 *       dropped, so a change delivered twice emits nothing the second time.
 *       (After a failure Flink itself replays from the checkpoint's state,
 *       which emits the same writes as the first run, possibly in another
 *       order where followers are iterated.)</li>
 *   <li><b>Loss:</b> none expected (Kafka, read_committed, offsets in checkpoints).
 *       An insert that arrives more than {@code markerTtl} after its own undo
 *       (outside the lateness bound) is taken as live: Cassandra still hides
 *       it (the delete's tombstone has the higher timestamp), a cache would not.</li>
 * </ul>
 *
 * <h2>Limitations</h2>
 * <ul>
 *   <li>The backfill's "newest {@code backfill} before the follow" is taken over
 *       what has arrived: an older item arriving after the follow reaches U anyway
 *       (as a live fan-out), and an item whose delete has not arrived yet can
 *       take a backfill place.</li>
 *   <li>Unfollow and re-follow of the same pair, racing an item V made after the
 *       re-follow: if the item is processed before the unfollow, the unfollow
 *       removes it at the item's own LSN (it cannot know of the re-follow yet),
 *       the re-follow's copy at the same LSN ties, and the delete wins: the item
 *       is missing from home(U). Pinned by a test.</li>
 *   <li>A live fan-out goes to every current follower, also to one whose follow
 *       is newer than the item and whose backfill would not have copied it.</li>
 *   <li>Hot accounts: one activity of V emits one write per follower in one call.</li>
 * </ul>
 *
 * <h2>State and its clean-up</h2>
 * <ul>
 *   <li>{@code followers}: an entry per live follow; removed by the unfollow. No TTL.</li>
 *   <li>{@code activities}: an entry per live activity of V (id, ts_us, LSN: some
 *       40 bytes); removed by the activity's delete. No TTL: an unfollow must
 *       remove <em>every</em> item of V from home(U), not just the recent ones,
 *       so the index holds all of them; the backfill takes its newest
 *       {@code backfill} with a bounded heap. A user deleted in PostgreSQL cascades
 *       to all their rows, which empties both.</li>
 *   <li>{@code deleted} and {@code unfollowed}: undo markers, TTL {@code markerTtl}
 *       (processing time, from the write).</li>
 * </ul>
 */
public final class FanOut extends KeyedProcessFunction<Long, FanOutInput, FeedWrite> {

    private static final long serialVersionUID = 1L;

    /** Newest first by (ts_us, activity id), as every feed is ordered. */
    static final Comparator<Map.Entry<String, Tuple2<Long, Long>>> NEWEST_FIRST =
            Comparator.<Map.Entry<String, Tuple2<Long, Long>>>comparingLong(e -> e.getValue().f0)
                    .thenComparing(Map.Entry::getKey)
                    .reversed();

    private final int backfill;
    private final Duration markerTtl;

    private transient MapState<Long, Long> followers;
    private transient MapState<Long, Long> unfollowed;
    private transient MapState<String, Tuple2<Long, Long>> activities;
    private transient MapState<String, Long> deleted;

    /**
     * @param backfill  how many of V's newest activities a new follower of V gets (at least 0)
     * @param markerTtl how long undo markers are kept: the lateness bound
     */
    public FanOut(int backfill, Duration markerTtl) {
        if (backfill < 0) {
            throw new IllegalArgumentException("backfill must not be negative: " + backfill);
        }
        this.backfill = backfill;
        this.markerTtl = markerTtl;
    }

    @Override
    public void open(OpenContext context) {
        // Live state: cleared by the undo that ends it, never expired.
        followers = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("followers", Types.LONG, Types.LONG));
        activities = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("activities", Types.STRING, Types.TUPLE(Types.LONG, Types.LONG)));

        // Undo markers: only needed while the undone change may still arrive.
        StateTtlConfig markers = StateTtlConfig.newBuilder(markerTtl)
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build();
        MapStateDescriptor<Long, Long> unfollowedDesc =
                new MapStateDescriptor<>("unfollowed", Types.LONG, Types.LONG);
        unfollowedDesc.enableTimeToLive(markers);
        unfollowed = getRuntimeContext().getMapState(unfollowedDesc);
        MapStateDescriptor<String, Long> deletedDesc =
                new MapStateDescriptor<>("deleted", Types.STRING, Types.LONG);
        deletedDesc.enableTimeToLive(markers);
        deleted = getRuntimeContext().getMapState(deletedDesc);
    }

    @Override
    public void processElement(FanOutInput in, Context ctx, Collector<FeedWrite> out) throws Exception {
        Activity a = in.activity;
        if (!in.edge) {
            if (a.delete) {
                undoActivity(in.key, a, out);
            } else {
                addActivity(in.key, a, out);
            }
        } else if (a.delete) {
            unfollow(in.key, a.actorId, a.lsn, out);
        } else {
            follow(in.key, a.actorId, a.lsn, out);
        }
    }

    /** Activity A of V: into V's activities, V's feeds and every follower's home. */
    private void addActivity(long v, Activity a, Collector<FeedWrite> out) throws Exception {
        Long undone = deleted.get(a.id);
        if (undone != null && undone >= a.lsn) {
            return; // its delete came first
        }
        Tuple2<Long, Long> known = activities.get(a.id);
        if (known != null && known.f1 >= a.lsn) {
            return; // duplicate, or older than an update already applied
        }
        activities.put(a.id, Tuple2.of(a.tsUs, a.lsn));
        out.collect(FeedWrite.insert(Feed.PROFILE, v, a.tsUs, a.id, v, a.lsn));
        out.collect(FeedWrite.insert(Feed.HOME, v, a.tsUs, a.id, v, a.lsn));
        for (Long u : followers.keys()) {
            out.collect(FeedWrite.insert(Feed.HOME, u, a.tsUs, a.id, v, a.lsn));
        }
    }

    /** Undo of activity A of V: out of everything it reached. */
    private void undoActivity(long v, Activity a, Collector<FeedWrite> out) throws Exception {
        Long undone = deleted.get(a.id);
        if (undone != null && undone >= a.lsn) {
            return; // duplicate
        }
        Tuple2<Long, Long> known = activities.get(a.id);
        long tsUs = known != null ? known.f0 : a.tsUs;
        activities.remove(a.id);
        deleted.put(a.id, a.lsn);
        out.collect(FeedWrite.remove(Feed.PROFILE, v, tsUs, a.id, v, a.lsn));
        out.collect(FeedWrite.remove(Feed.HOME, v, tsUs, a.id, v, a.lsn));
        for (Map.Entry<Long, Long> f : followers.entries()) {
            // A follow newer than this delete but processed before it backfilled
            // the item at the follow's LSN; the removal must be at least that late.
            out.collect(FeedWrite.remove(Feed.HOME, f.getKey(), tsUs, a.id, v, Math.max(a.lsn, f.getValue())));
        }
    }

    /** U follows V at LSN F: U into V's followers; V's items into home(U). */
    private void follow(long v, long u, long f, Collector<FeedWrite> out) throws Exception {
        Long unfollowedAt = unfollowed.get(u);
        if (unfollowedAt != null && unfollowedAt >= f) {
            return; // its unfollow came first
        }
        Long current = followers.get(u);
        if (current != null && current >= f) {
            return; // duplicate
        }
        followers.put(u, f);
        // The newest `backfill` of V's items made before F, at F; every item made
        // after F at its own LSN (it may have been processed before this follow).
        PriorityQueue<Map.Entry<String, Tuple2<Long, Long>>> newest =
                new PriorityQueue<>(Math.max(1, backfill + 1), NEWEST_FIRST.reversed());
        for (Map.Entry<String, Tuple2<Long, Long>> e : activities.entries()) {
            long itemLsn = e.getValue().f1;
            if (itemLsn > f) {
                out.collect(FeedWrite.insert(Feed.HOME, u, e.getValue().f0, e.getKey(), v, itemLsn));
            } else if (backfill > 0) {
                newest.add(Map.entry(e.getKey(), Tuple2.of(e.getValue().f0, itemLsn)));
                if (newest.size() > backfill) {
                    newest.poll(); // drops the oldest
                }
            }
        }
        List<Map.Entry<String, Tuple2<Long, Long>>> copied = new ArrayList<>(newest);
        copied.sort(NEWEST_FIRST);
        for (Map.Entry<String, Tuple2<Long, Long>> e : copied) {
            out.collect(FeedWrite.insert(Feed.HOME, u, e.getValue().f0, e.getKey(), v, f));
        }
    }

    /** U unfollows V at LSN F: U out of V's followers; every item of V out of home(U). */
    private void unfollow(long v, long u, long f, Collector<FeedWrite> out) throws Exception {
        Long unfollowedAt = unfollowed.get(u);
        if (unfollowedAt != null && unfollowedAt >= f) {
            return; // duplicate
        }
        unfollowed.put(u, f);
        Long current = followers.get(u);
        boolean refollowed = current != null && current > f;
        if (current != null && !refollowed) {
            followers.remove(u);
        }
        for (Map.Entry<String, Tuple2<Long, Long>> e : activities.entries()) {
            long itemLsn = e.getValue().f1;
            if (!refollowed) {
                // An item made after the unfollow but processed before it reached U at its own LSN.
                out.collect(FeedWrite.remove(Feed.HOME, u, e.getValue().f0, e.getKey(), v, Math.max(f, itemLsn)));
            } else if (itemLsn < f) {
                // A later follow is already in place and its backfill (at its LSN > f) wins
                // for the items it copied; the rest made before the unfollow go.
                out.collect(FeedWrite.remove(Feed.HOME, u, e.getValue().f0, e.getKey(), v, f));
            }
        }
    }
}
