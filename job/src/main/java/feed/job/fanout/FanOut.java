package feed.job.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

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
 *   <li><b>Order:</b> each Kafka partition's, nothing more. The changes of one
 *       activity (insert, delete) travel one partition of their table's topic
 *       (keyed by the owning user), and so do all follows and unfollows of one
 *       pair U->V (keyed by U); everything else interleaves arbitrarily: a post
 *       after a follow made later, an unfollow after an item made later, and
 *       after a failure the replay from the last checkpoint interleaves the
 *       partitions differently from the run that died, whose writes made after
 *       that checkpoint stay in Cassandra and Redis.</li>
 *   <li><b>Duplicates:</b> tolerated. A change whose LSN is not newer than what
 *       the state holds for the same activity or pair is dropped.</li>
 *   <li><b>Undo before insert</b> (never within one partition): the undo leaves a
 *       marker (kept {@code markerTtl}) and the insert that arrives later with a
 *       lower LSN is dropped; an unfollow processed after a re-follow is ignored.</li>
 * </ul>
 *
 * <h2>Write timestamps: why any arrival order, and any replay, converge</h2>
 * The cells are (profile(V) or home(V), X) for V's own items, and (home(U), X)
 * for U following V. The first depend on X's changes only, which arrive in order:
 * they are written at the LSN of X's change, insert or delete, so the newest
 * change wins. A cell (home(U), X of V) depends on two streams, both at key V and
 * each read in order: the follows/unfollows of U->V and the changes of X. Its
 * write timestamp is the <b>version</b> {@code edge LSN + item LSN}, the newest
 * edge of the pair and the newest change of X that the state holds
 * ({@link #version}). Since both grow along their streams:
 * <ol>
 *   <li>every write any run makes to the cell has a version at most the final
 *       one (the sum of the two streams' last LSNs), and equal to it only when
 *       the state holds both streams whole;</li>
 *   <li>every change of either stream writes the cell whenever the state says
 *       anything about it (also a delete where nothing would need removing in
 *       this run: the pair or item may be gone here and not in another run),
 *       so the last run, the one that reads everything, writes it last at the
 *       final version, with the value its complete state implies. The one
 *       exception: a follow writes nothing for V's items before F that no run's
 *       backfill can reach (below); no run can have put those in home(U) since
 *       the pair's previous edge, an unfollow, whose removals are newer than
 *       anything before it.</li>
 * </ol>
 * So last-write-wins by timestamp (Cassandra) and by arrival (a Redis head, the
 * last run's writes coming last) both end in the final value, whatever the
 * writes of runs that died after a checkpoint. Concretely: an item X of V at L
 * goes to follower U at F + L (or is removed there if the backfill rule says
 * so); its delete at D removes it at F + D from current followers and from
 * recently unfollowed users ({@code unfollowed}, kept {@code markerTtl}) at
 * F' + D; an unfollow at F' removes every live item at F' + L and every recently
 * deleted one ({@code removed}, kept {@code markerTtl}) at F' + D; a follow at F
 * copies at F + L, and removes recently deleted items at F + D.
 *
 * <p>The earlier scheme (a write at the LSN of the change that caused it, or a
 * max of two) failed both ways: an unfollow replayed before an item that the dead
 * run had already fanned out wrote nothing for U (U was no follower any more when
 * the item came), so the item stayed (extra); and an item processed before an
 * unfollow and a re-follow was removed at its own LSN and copied back at the same
 * LSN, and the delete won the tie (missing: FOLLOW items of V in home(U) after U
 * re-followed V, when V's follows partition ran ahead of U's).
 *
 * <h2>Backfill</h2>
 * A follow at F copies every live item of V made after F (LSN > F: it may have
 * been processed first) and the newest {@code backfill} made before F, ranked
 * newest first among V's live items <em>and</em> those deleted within
 * {@code markerTtl}: a deleted item keeps its place without being copied, so
 * that a delete processed before or after the follow ends the backfill at the
 * same place. An item made before F but processed after the follow (another
 * topic behind) is ranked as if it had been there: within the backfill it is
 * copied and the item it pushes out is removed (same version as its copy: the
 * delete wins the tie), otherwise it is removed. Items past the backfill are
 * removed too, as many as V made within {@code markerTtl} before F: in another
 * run some of those had not arrived when the follow was processed, so that
 * run's backfill may have reached further back. The result: the newest
 * {@code backfill} of V's items made before F, minus those deleted (a deleted one
 * is not replaced, where PostgreSQL's "newest N live" would reach one further:
 * the ambiguity feedcheck accepts).
 *
 * <h2>Limitations</h2>
 * <ul>
 *   <li>The lateness bound: a change arriving more than {@code markerTtl} after
 *       a change it must answer (an unfollow's pair or a delete's item forgotten)
 *       may leave a stale cell. A replay covers the time since the last checkpoint,
 *       far below the default day.</li>
 *   <li>"Before the follow" is by LSN, the oracle's by created_at (transaction
 *       start): items within a moment of the follow may fall either side
 *       (feedcheck's --skew-ms).</li>
 *   <li>Write timestamps are sums of two LSNs, above what the former scheme wrote
 *       (so an upgrade from its checkpoints overrides its cells correctly), and
 *       not a time: nothing else may write these cells with wall-clock times.</li>
 *   <li>A follow or unfollow of V emits one write per item of V; an activity of
 *       a cold V one per follower (and per recent unfollower), of a hot V none
 *       per follower (below).</li>
 * </ul>
 *
 * <h2>Hot accounts (hybrid fan-out)</h2>
 * V is <b>hot</b> from the moment its follower count reaches {@code hotFollowers}
 * until it falls below {@code coldFollowers} (hysteresis: a count hovering at
 * the threshold does not flip it back and forth). While V is hot, its
 * activities go to V's own feeds only: no copy into its followers' homes.
 * Instead every follower U holds a <b>merge source</b> (U, V, F's created_at,
 * backfill), a row of {@code feed.home_merge} written to the side output
 * {@link #MERGE_SOURCES}, and the API serves home(U) as the stored home merged
 * with V's profile feed cut by the same rule a copy follows: V's items made
 * after the follow and the newest {@code backfill} made before it
 * (docs/DATA-MODEL.md "Hot accounts"). So:
 * <ul>
 *   <li>V turning hot writes a merge source for each follower (one write per
 *       follower, once); a follow of a hot V writes its merge source instead of
 *       copying the backfill; an unfollow deletes the merge source, hot or not
 *       (another run, or an earlier hot spell, may have written it);</li>
 *   <li>V turning cold again writes nothing: merge sources stay until their
 *       unfollow (the API keeps merging them), and V's new items are copied to
 *       every follower again, so the homes as served stay complete without a
 *       backfill; an item present both copied and merged is served once;</li>
 *   <li>a merge source depends on its follow edge only, so every run writes the
 *       same value at the edge's LSN, and the served home is the union of what
 *       any run copied (each copy within the rule) and the merge (the rule
 *       exactly): a run that was cold where another was hot still converges;</li>
 *   <li>an undo of a hot V's item still removes it from followers' homes (a copy
 *       may exist from a cold spell or another run) unless the item was made
 *       more than {@code markerTtl} after V last turned hot: no run can have
 *       copied that one (the lateness bound), so a hot V's undo costs nothing per
 *       follower in steady state;</li>
 *   <li>the removals of a follow, an unfollow and of recently unfollowed users
 *       stay as they are (they answer other runs' writes).</li>
 * </ul>
 *
 * <h2>State and its clean-up</h2>
 * <ul>
 *   <li>{@code followers}: an entry per live follow; removed by the unfollow. No TTL.</li>
 *   <li>{@code activities}: an entry per live activity of V (id, ts_us, LSN: some
 *       40 bytes); removed by the activity's delete. No TTL: an unfollow must
 *       remove <em>every</em> item of V from home(U), not just the recent ones,
 *       so the index holds all of them. A user deleted in PostgreSQL cascades
 *       to all their rows, which empties both.</li>
 *   <li>{@code removed} (id -> ts_us, item LSN, delete LSN) and {@code unfollowed}
 *       (U -> unfollow LSN): markers, TTL {@code markerTtl} (processing time,
 *       from the write).</li>
 *   <li>{@code deleted} (id -> delete LSN): the former delete markers, which
 *       {@code removed} replaced. Nothing writes or reads them any more, but a
 *       checkpoint of an older version of the job carries them, and state
 *       restored and never declared again is carried from checkpoint to
 *       checkpoint for ever: no TTL cleanup applies to it. So it is declared
 *       again, with the markers' TTL, only so that it is cleared:
 *       <ul>
 *         <li>on RocksDB by the TTL compaction filter (Flink's default for a
 *             state with a TTL), and on the heap backend, where nothing that
 *             reads the state would drive cleanup, incrementally as records
 *             are processed ({@code cleanupIncrementally(.., true)});</li>
 *         <li>the TTL is safe: no output depends on these entries, whatever
 *             {@code markerTtl} the restored job runs with, since the current
 *             rules read {@code removed} only (FanOutTest restores such a
 *             checkpoint and compares the feeds with a fresh operator's); and
 *             with the same {@code markerTtl} an entry expires exactly when the
 *             former rules themselves forgot it, {@code markerTtl} after its
 *             write (same update type, and the entries keep the write times
 *             they were stored with);</li>
 *         <li>the declaration must keep the former one's shape (map of
 *             string to long, TTL enabled): Flink refuses a restore that
 *             turns TTL on or off for an existing state.</li>
 *       </ul>
 *       Once every restored entry has expired, it is an empty state.</li>
 * </ul>
 */
public final class FanOut extends KeyedProcessFunction<Long, FanOutInput, FeedWrite> {

    private static final long serialVersionUID = 1L;

    /** Newest first by (ts_us, activity id), as every feed is ordered. */
    static final Comparator<Map.Entry<String, Tuple2<Long, Long>>> NEWEST_FIRST =
            Comparator.<Map.Entry<String, Tuple2<Long, Long>>>comparingLong(e -> e.getValue().f0)
                    .thenComparing(Map.Entry::getKey)
                    .reversed();

    /** The former delete markers' state name (see "State and its clean-up"). */
    static final String FORMER_DELETED = "deleted";
    /** Entries of {@link #FORMER_DELETED} checked per record on the heap backend. */
    static final int FORMER_DELETED_CLEANUP_PER_RECORD = 10;

    /** The merge sources of hot accounts' followers (docs/DATA-MODEL.md "Hot accounts"). */
    public static final OutputTag<MergeSource> MERGE_SOURCES =
            new OutputTag<>("merge-sources", TypeInformation.of(MergeSource.class));

    /** No account is ever hot (the thresholds of a job without the hybrid). */
    public static final int NEVER_HOT = Integer.MAX_VALUE;

    private final int backfill;
    private final Duration markerTtl;
    private final int hotFollowers;
    private final int coldFollowers;

    private transient MapState<Long, Long> followers;
    private transient MapState<Long, Long> unfollowed;
    private transient MapState<String, Tuple2<Long, Long>> activities;
    private transient MapState<String, Tuple3<Long, Long, Long>> removed;
    /** U -> the follow's created_at µs (the merge source's cut), beside {@code followers}. */
    private transient MapState<Long, Long> followedAt;
    /** U -> F of follows made within the lateness bound (TTL markerTtl): the ones an activity can be late for. */
    private transient MapState<Long, Long> recentFollows;
    /** The highest LSN of a follow of V seen: an activity above it is late for no follow. */
    private transient ValueState<Long> maxFollowLsn;
    /** How many entries {@code followers} has (null: not counted yet, e.g. restored from an older job). */
    private transient ValueState<Long> followerCount;
    /** While V is hot: the created_at µs of the follow that made it hot; null while cold. */
    private transient ValueState<Long> hotSince;

    /**
     * A fan-out without hot accounts: every activity is copied to every follower.
     *
     * @param backfill  how many of V's newest activities a new follower of V gets (at least 0)
     * @param markerTtl how long undo markers are kept: the lateness bound
     */
    public FanOut(int backfill, Duration markerTtl) {
        this(backfill, markerTtl, NEVER_HOT, NEVER_HOT);
    }

    /**
     * @param backfill      how many of V's newest activities a new follower of V gets (at least 0)
     * @param markerTtl     how long undo markers are kept: the lateness bound
     * @param hotFollowers  V turns hot when its follower count reaches this ({@link #NEVER_HOT}: never)
     * @param coldFollowers a hot V turns cold when its count falls below this (at most hotFollowers)
     */
    public FanOut(int backfill, Duration markerTtl, int hotFollowers, int coldFollowers) {
        if (backfill < 0) {
            throw new IllegalArgumentException("backfill must not be negative: " + backfill);
        }
        if (hotFollowers < 1 || coldFollowers < 0 || coldFollowers > hotFollowers) {
            throw new IllegalArgumentException("need 0 <= coldFollowers <= hotFollowers, 1 <= hotFollowers: "
                    + coldFollowers + ", " + hotFollowers);
        }
        this.backfill = backfill;
        this.markerTtl = markerTtl;
        this.hotFollowers = hotFollowers;
        this.coldFollowers = coldFollowers;
    }

    /**
     * The write timestamp of cell (home(U), item X of V): the LSN of the newest
     * follow or unfollow of U->V seen plus the LSN of the newest change of X seen.
     * Each of the two grows with every change of its stream (each stream is one
     * Kafka partition, read in order), so the sum grows with every change the cell
     * depends on, and reaches its final value only once all of them are in state.
     */
    static long version(long edgeLsn, long itemLsn) {
        return Math.addExact(edgeLsn, itemLsn);
    }

    @Override
    public void open(OpenContext context) {
        // Live state: cleared by the undo that ends it, never expired.
        followers = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("followers", Types.LONG, Types.LONG));
        activities = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("activities", Types.STRING, Types.TUPLE(Types.LONG, Types.LONG)));

        // Undo markers: only needed while a change they must answer may still arrive.
        StateTtlConfig markers = StateTtlConfig.newBuilder(markerTtl)
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build();
        MapStateDescriptor<Long, Long> unfollowedDesc =
                new MapStateDescriptor<>("unfollowed", Types.LONG, Types.LONG);
        unfollowedDesc.enableTimeToLive(markers);
        unfollowed = getRuntimeContext().getMapState(unfollowedDesc);
        // "removed" (id -> ts_us, item LSN, delete LSN) replaces the former "deleted".
        MapStateDescriptor<String, Tuple3<Long, Long, Long>> removedDesc = new MapStateDescriptor<>(
                "removed", Types.STRING, Types.TUPLE(Types.LONG, Types.LONG, Types.LONG));
        removedDesc.enableTimeToLive(markers);
        removed = getRuntimeContext().getMapState(removedDesc);
        MapStateDescriptor<Long, Long> recentFollowsDesc =
                new MapStateDescriptor<>("recent-follows", Types.LONG, Types.LONG);
        recentFollowsDesc.enableTimeToLive(markers);
        recentFollows = getRuntimeContext().getMapState(recentFollowsDesc);
        declareFormerDeleted();

        // Hot accounts: live state like followers, cleared with them.
        followedAt = getRuntimeContext().getMapState(
                new MapStateDescriptor<>("followed-at", Types.LONG, Types.LONG));
        followerCount = getRuntimeContext().getState(new ValueStateDescriptor<>("follower-count", Types.LONG));
        hotSince = getRuntimeContext().getState(new ValueStateDescriptor<>("hot-since", Types.LONG));
        maxFollowLsn = getRuntimeContext().getState(new ValueStateDescriptor<>("max-follow-lsn", Types.LONG));
    }

    /** V's follower count, counted once if the state has none yet (a checkpoint of an older job). */
    private long followerCount() throws Exception {
        Long n = followerCount.value();
        if (n == null) {
            long c = 0;
            for (Long ignored : followers.keys()) {
                c++;
            }
            followerCount.update(c);
            return c;
        }
        return n;
    }

    /**
     * V turns hot: a merge source for every follower (their homes stop getting
     * copies of V's items from now on). A follower restored from an older job's
     * checkpoint has no follow time: 0, i.e. all of V's items are merged for it
     * (the rule's backfill cut is lost for those; a fresh stack has none).
     */
    private void becomeHot(long v, long sinceUs, Context ctx) throws Exception {
        hotSince.update(sinceUs);
        for (Map.Entry<Long, Long> f : followers.entries()) {
            Long at = followedAt.get(f.getKey());
            ctx.output(MERGE_SOURCES, MergeSource.insert(f.getKey(), v, at == null ? 0 : at, backfill, f.getValue()));
        }
    }

    /**
     * The former markers {@code deleted} (id -> delete LSN), which a checkpoint of
     * an older job may carry: declared, never read or written, so that their TTL
     * clears them (see "State and its clean-up"). The same TTL as the other
     * markers; cleanup also runs as records are processed, since no access to this
     * state ever triggers it.
     */
    private void declareFormerDeleted() {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(markerTtl)
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .cleanupIncrementally(FORMER_DELETED_CLEANUP_PER_RECORD, true)
                .build();
        MapStateDescriptor<String, Long> deletedDesc =
                new MapStateDescriptor<>(FORMER_DELETED, Types.STRING, Types.LONG);
        deletedDesc.enableTimeToLive(ttl);
        getRuntimeContext().getMapState(deletedDesc);
    }

    @Override
    public void processElement(FanOutInput in, Context ctx, Collector<FeedWrite> out) throws Exception {
        Activity a = in.activity;
        if (a.snapshot && !a.delete && knownBeforeSnapshot(in)) {
            return;
        }
        if (!in.edge) {
            if (a.delete) {
                undoActivity(in.key, a, out);
            } else {
                addActivity(in.key, a, out);
            }
        } else if (a.delete) {
            unfollow(in.key, a.actorId, a.lsn, ctx, out);
        } else {
            follow(in.key, a.actorId, a.lsn, a.tsUs, ctx, out);
        }
    }

    /**
     * A snapshot's READ of a row this operator already has: nothing happened
     * to it. Every row of a snapshot carries the snapshot's LSN, so taken as a
     * change it would re-make a known follow at that LSN (every earlier item
     * of the followee "before the follow", the home cut down to the
     * backfill) and re-date a known activity. A second snapshot (a Connect
     * that lost its offsets, or one taken on purpose after a PostgreSQL
     * failover, docs/CLUSTER.md) so leaves the feeds as they are for the rows
     * the job had; rows it did not have (made while capture was down) come in
     * as new, at the snapshot's LSN; deletes made meanwhile never come at all
     * (docs/RELIABILITY.md, known problem 13).
     */
    private boolean knownBeforeSnapshot(FanOutInput in) throws Exception {
        Activity a = in.activity;
        if (in.edge) {
            return followers.contains(a.actorId);
        }
        return activities.contains(a.id);
    }

    /** Activity A of V (or a change of it): V's activities, V's feeds, and every home it concerns. */
    private void addActivity(long v, Activity a, Collector<FeedWrite> out) throws Exception {
        Tuple3<Long, Long, Long> gone = removed.get(a.id);
        if (gone != null && gone.f2 >= a.lsn) {
            return; // its delete came first
        }
        Tuple2<Long, Long> known = activities.get(a.id);
        if (known != null && known.f1 >= a.lsn) {
            return; // duplicate, or older than an update already applied
        }
        activities.put(a.id, Tuple2.of(a.tsUs, a.lsn));
        out.collect(FeedWrite.insert(Feed.PROFILE, v, a.tsUs, a.id, v, a.lsn));
        out.collect(FeedWrite.insert(Feed.HOME, v, a.tsUs, a.id, v, a.lsn));
        Long hot = hotSince.value();
        if (hot == null) {
            copyToFollowers(v, a, out);
        } else {
            answerLateFollows(v, a, out);
            if (a.tsUs > hot + markerTtl.toNanos() / 1_000) {
                return; // no run can have copied A to anyone (see "Hot accounts")
            }
        }
        // Users who unfollowed V lately: another run may have given them A before
        // it saw their unfollow; this change must answer that with a delete.
        for (Map.Entry<Long, Long> x : unfollowed.entries()) {
            if (!followers.contains(x.getKey())) {
                out.collect(FeedWrite.remove(Feed.HOME, x.getKey(), a.tsUs, a.id, v, version(x.getValue(), a.lsn)));
            }
        }
    }

    /** A of a cold V into every follower's home (by the backfill rule for follows newer than A). */
    private void copyToFollowers(long v, Activity a, Collector<FeedWrite> out) throws Exception {
        List<long[]> late = null; // followers whose follow is newer than A: {U, F}
        for (Map.Entry<Long, Long> f : followers.entries()) {
            long u = f.getKey();
            long followLsn = f.getValue();
            if (a.lsn > followLsn) {
                out.collect(FeedWrite.insert(Feed.HOME, u, a.tsUs, a.id, v, version(followLsn, a.lsn)));
            } else {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(new long[] {u, followLsn});
            }
        }
        if (late != null) {
            backfillLate(v, a, late, true, out);
        }
    }

    /**
     * A of a hot V: nobody gets a copy, but A may be late for recent follows (made
     * before them, processed after): in another run, where A came first, their
     * backfill may hold an item that A now pushes out, or A itself past the
     * backfill. The merge serves the rule; this removes such copies. Only follows
     * made within the lateness bound can be late, so only those are looked at.
     */
    private void answerLateFollows(long v, Activity a, Collector<FeedWrite> out) throws Exception {
        Long newestFollow = maxFollowLsn.value();
        if (newestFollow == null || a.lsn > newestFollow) {
            return; // made after every follow seen: late for none (the usual case, O(1))
        }
        List<long[]> late = null;
        for (Map.Entry<Long, Long> f : recentFollows.entries()) {
            Long current = followers.get(f.getKey());
            if (current != null && current.equals(f.getValue()) && a.lsn <= current) {
                if (late == null) {
                    late = new ArrayList<>();
                }
                late.add(new long[] {f.getKey(), current});
            }
        }
        if (late != null) {
            backfillLate(v, a, late, false, out);
        }
    }

    /**
     * A of V, made before the follows of {@code late} ({U, F}) but processed after
     * them (with {@code copy} false, for a hot V, nothing is copied, only removed): home(U) gets it if it is among the newest {@code backfill} of V's items
     * made before F, as if it had arrived first, and the item it pushes out of
     * those leaves (at the version the follow copied it with: the delete wins the
     * tie; a Redis head gets the ZREM after the ZADD); otherwise it is removed
     * (another run, where it arrived first, may have copied it).
     */
    private void backfillLate(long v, Activity a, List<long[]> late, boolean copy, Collector<FeedWrite> out)
            throws Exception {
        List<Item> items = newestFirst();
        for (long[] f : late) {
            long u = f[0];
            long followLsn = f[1];
            int self = -1;
            Item pushedOut = null;
            int rank = 0; // among V's items made before F
            for (Item e : items) {
                if (e.lsn > followLsn) {
                    continue;
                }
                if (e.id.equals(a.id)) {
                    self = rank;
                } else if (rank == backfill && self >= 0) {
                    pushedOut = e;
                }
                if (rank >= backfill && (self >= 0 || rank > backfill)) {
                    break;
                }
                rank++;
            }
            long ts = version(followLsn, a.lsn);
            if (self >= 0 && self < backfill) {
                if (copy) {
                    out.collect(FeedWrite.insert(Feed.HOME, u, a.tsUs, a.id, v, ts));
                }
                if (pushedOut != null) {
                    out.collect(FeedWrite.remove(Feed.HOME, u, pushedOut.tsUs, pushedOut.id, v,
                            version(followLsn, pushedOut.version)));
                }
            } else {
                out.collect(FeedWrite.remove(Feed.HOME, u, a.tsUs, a.id, v, ts));
            }
        }
    }

    /** An item of V for the backfill: live, or deleted within the lateness bound. */
    private record Item(String id, long tsUs, long lsn, long version, boolean live) {
    }

    /**
     * V's items, newest first: the live ones and those deleted within the lateness
     * bound. A deleted item keeps its place in the backfill's ranking (it is simply
     * not copied), so that whether a delete is processed before or after a follow
     * does not move the backfill's end.
     */
    private List<Item> newestFirst() throws Exception {
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, Tuple2<Long, Long>> e : activities.entries()) {
            items.add(new Item(e.getKey(), e.getValue().f0, e.getValue().f1, e.getValue().f1, true));
        }
        for (Map.Entry<String, Tuple3<Long, Long, Long>> e : removed.entries()) {
            items.add(new Item(e.getKey(), e.getValue().f0, e.getValue().f1, e.getValue().f2, false));
        }
        items.sort(Comparator.comparingLong(Item::tsUs).thenComparing(Item::id).reversed());
        return items;
    }

    /** Undo of activity A of V: out of everything it reached, or that another run may have given it. */
    private void undoActivity(long v, Activity a, Collector<FeedWrite> out) throws Exception {
        Tuple3<Long, Long, Long> gone = removed.get(a.id);
        if (gone != null && gone.f2 >= a.lsn) {
            return; // duplicate
        }
        Tuple2<Long, Long> known = activities.get(a.id);
        long tsUs = known != null ? known.f0 : a.tsUs;
        activities.remove(a.id);
        // The item's own LSN is unknown when the undo comes first: the undo's is an upper bound.
        removed.put(a.id, Tuple3.of(tsUs, known != null ? known.f1 : a.lsn, a.lsn));
        out.collect(FeedWrite.remove(Feed.PROFILE, v, tsUs, a.id, v, a.lsn));
        out.collect(FeedWrite.remove(Feed.HOME, v, tsUs, a.id, v, a.lsn));
        Long hot = hotSince.value();
        boolean neverCopied = hot != null && tsUs > hot + markerTtl.toNanos() / 1_000;
        if (!neverCopied) {
            for (Map.Entry<Long, Long> f : followers.entries()) {
                out.collect(FeedWrite.remove(Feed.HOME, f.getKey(), tsUs, a.id, v, version(f.getValue(), a.lsn)));
            }
        }
        for (Map.Entry<Long, Long> x : unfollowed.entries()) {
            if (!followers.contains(x.getKey())) {
                out.collect(FeedWrite.remove(Feed.HOME, x.getKey(), tsUs, a.id, v, version(x.getValue(), a.lsn)));
            }
        }
    }

    /**
     * U follows V at LSN F (created at {@code followTsUs}): U into V's followers;
     * V's items into home(U).
     */
    private void follow(long v, long u, long f, long followTsUs, Context ctx, Collector<FeedWrite> out)
            throws Exception {
        Long unfollowedAt = unfollowed.get(u);
        if (unfollowedAt != null && unfollowedAt >= f) {
            return; // its unfollow came first
        }
        Long current = followers.get(u);
        if (current != null && current >= f) {
            return; // duplicate
        }
        long count = followerCount() + (current == null ? 1 : 0); // counted before the put
        followers.put(u, f);
        followedAt.put(u, followTsUs);
        recentFollows.put(u, f);
        Long newestFollow = maxFollowLsn.value();
        if (newestFollow == null || f > newestFollow) {
            maxFollowLsn.update(f);
        }
        followerCount.update(count);
        // A hot V: U merges V's profile (the merge source) instead of getting copies.
        // The removals below stay: they answer what other runs may have copied.
        boolean copy = hotSince.value() == null;
        if (!copy) {
            ctx.output(MERGE_SOURCES, MergeSource.insert(u, v, followTsUs, backfill, f));
        }
        long recentFromUs = followTsUs - markerTtl.toNanos() / 1_000;
        int rank = 0;    // among V's items made before F, deleted ones included
        int recent = 0;  // of those, made within the lateness bound before F
        for (Item e : newestFirst()) {
            long ts = version(f, e.version);
            if (!e.live) {
                // Deleted lately: another run may have copied it to U before its delete.
                out.collect(FeedWrite.remove(Feed.HOME, u, e.tsUs, e.id, v, ts));
                if (e.lsn <= f) {
                    if (e.tsUs >= recentFromUs) {
                        recent++;
                    }
                    rank++;
                }
            } else if (e.lsn > f) {
                // Made after F: U gets it whatever the backfill (it may have been
                // processed before this follow, and so not reached U).
                if (copy) {
                    out.collect(FeedWrite.insert(Feed.HOME, u, e.tsUs, e.id, v, ts));
                }
            } else {
                if (e.tsUs >= recentFromUs) {
                    recent++;
                }
                if (rank < backfill) {
                    if (copy) {
                        out.collect(FeedWrite.insert(Feed.HOME, u, e.tsUs, e.id, v, ts));
                    }
                } else if (rank < (long) backfill + recent) {
                    // Past the backfill, as many as V made within the lateness bound
                    // before F: in another run some of those had not arrived when the
                    // follow was processed, and its backfill reached that much further
                    // back. The removal (same version, a delete wins the tie) makes
                    // the runs agree on this run's choice.
                    out.collect(FeedWrite.remove(Feed.HOME, u, e.tsUs, e.id, v, ts));
                }
                rank++;
            }
        }
        if (copy && count >= hotFollowers) {
            becomeHot(v, followTsUs, ctx);
        }
    }

    /** U unfollows V at LSN F: U out of V's followers; every item of V out of home(U). */
    private void unfollow(long v, long u, long f, Context ctx, Collector<FeedWrite> out) throws Exception {
        Long unfollowedAt = unfollowed.get(u);
        if (unfollowedAt != null && unfollowedAt >= f) {
            return; // duplicate
        }
        Long current = followers.get(u);
        if (current != null && current > f) {
            // A re-follow processed first (against the pair's order, which its one
            // Kafka partition keeps): this unfollow is older than the state.
            return;
        }
        unfollowed.put(u, f);
        if (current != null) {
            followerCount.update(followerCount() - 1);
        }
        followers.remove(u);
        followedAt.remove(u);
        recentFollows.remove(u);
        // Whether or not V is hot here: another run, or an earlier hot spell, may have written it.
        ctx.output(MERGE_SOURCES, MergeSource.remove(u, v, f));
        if (hotSince.value() != null && followerCount() < coldFollowers) {
            hotSince.clear(); // merge sources stay (see "Hot accounts"); copies resume
        }
        for (Map.Entry<String, Tuple2<Long, Long>> e : activities.entries()) {
            out.collect(FeedWrite.remove(Feed.HOME, u, e.getValue().f0, e.getKey(), v, version(f, e.getValue().f1)));
        }
        for (Map.Entry<String, Tuple3<Long, Long, Long>> e : removed.entries()) {
            out.collect(FeedWrite.remove(Feed.HOME, u, e.getValue().f0, e.getKey(), v, version(f, e.getValue().f2)));
        }
    }
}
