package feed.job.fanout;

import static feed.job.fanout.FeedWrite.Feed.HOME;
import static feed.job.fanout.FeedWrite.Feed.PROFILE;
import static feed.job.testing.History.comment;
import static feed.job.testing.History.follow;
import static feed.job.testing.History.like;
import static feed.job.testing.History.post;
import static feed.job.testing.History.scenario;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

import feed.job.testing.FeedState;
import feed.job.testing.History.Scenario;

/**
 * The feed rules of {@link FanOut} on Flink's keyed operator harness. Final
 * feeds are computed as a store with last-write-wins by write timestamp
 * would hold them ({@link FeedState}), which is how Cassandra applies them.
 */
class FanOutTest {

    static final Duration TTL = Duration.ofHours(1);

    // ---- harness ----

    static KeyedOneInputStreamOperatorTestHarness<Long, FanOutInput, FeedWrite> harness(int backfill)
            throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new FanOut(backfill, TTL), FanOutInput::key, Types.LONG);
    }

    /** Feeds activities through FanOutKeys, as the job does, into the harness. */
    static void send(KeyedOneInputStreamOperatorTestHarness<Long, FanOutInput, FeedWrite> h, Activity... as)
            throws Exception {
        for (Activity a : as) {
            List<FanOutInput> inputs = new ArrayList<>();
            new FanOutKeys().flatMap(a, collector(inputs));
            for (FanOutInput in : inputs) {
                h.processElement(in, 0);
            }
        }
    }

    static <T> Collector<T> collector(List<T> into) {
        return new Collector<>() {
            @Override
            public void collect(T t) {
                into.add(t);
            }

            @Override
            public void close() {
            }
        };
    }

    /** The final feeds after the activities, applied in the given order, with a fresh operator. */
    static FeedState run(int backfill, List<Activity> as) throws Exception {
        try (var h = harness(backfill)) {
            send(h, as.toArray(new Activity[0]));
            return FeedState.of(h.extractOutputValues());
        }
    }

    static FeedState run(int backfill, Activity... as) throws Exception {
        return run(backfill, List.of(as));
    }

    // ---- the rules ----

    @Test
    void anActivityReachesEveryFollowersHomeAndTheActorsOwnFeeds() throws Exception {
        Activity p = post(1, 10, 300);
        try (var h = harness(100)) {
            send(h, follow(1, 11, 10, 100), follow(2, 12, 10, 200));
            int before = h.extractOutputValues().size();
            send(h, p);
            List<FeedWrite> writes = h.extractOutputValues();
            assertThat(writes.subList(before, writes.size())).containsExactlyInAnyOrder(
                    FeedWrite.insert(PROFILE, 10, p.tsUs, "p:1", 10, 300),
                    FeedWrite.insert(HOME, 10, p.tsUs, "p:1", 10, 300),
                    // followers' homes at (follow LSN + item LSN): see FanOut.version
                    FeedWrite.insert(HOME, 11, p.tsUs, "p:1", 10, 100 + 300),
                    FeedWrite.insert(HOME, 12, p.tsUs, "p:1", 10, 200 + 300));
        }
    }

    @Test
    void aFollowIsAnActivityOfTheFollowerSeenByTheFollowersFollowers() throws Exception {
        // 12 follows 11; then 11 follows 10: f:2 goes to homes of 12 and 11 and to 11's profile.
        FeedState s = run(100, follow(1, 12, 11, 100), follow(2, 11, 10, 200));
        assertThat(s.feed(HOME, 12)).containsExactly("f:2", "f:1");
        assertThat(s.feed(HOME, 11)).containsExactly("f:2");
        assertThat(s.feed(PROFILE, 11)).containsExactly("f:2");
        assertThat(s.feed(PROFILE, 12)).containsExactly("f:1");
        assertThat(s.feed(HOME, 10)).isEmpty(); // the followee is notified, not fed
    }

    @Test
    void aNewFollowerGetsTheNewestBackfillActivitiesAtTheFollowsLsn() throws Exception {
        Activity[] posts = new Activity[5];
        for (int i = 0; i < 5; i++) {
            posts[i] = post(i + 1, 10, 100 + i * 10);
        }
        try (var h = harness(3)) {
            send(h, posts);
            int before = h.extractOutputValues().size();
            send(h, follow(1, 11, 10, 500));
            List<FeedWrite> writes = h.extractOutputValues();
            List<FeedWrite> toFollower = new ArrayList<>();
            for (FeedWrite w : writes.subList(before, writes.size())) {
                if (w.userId == 11 && w.feed == HOME && !w.activityId.startsWith("f:")) {
                    toFollower.add(w);
                }
            }
            assertThat(toFollower).containsExactly( // newest first
                    FeedWrite.insert(HOME, 11, posts[4].tsUs, "p:5", 10, 500 + 140),
                    FeedWrite.insert(HOME, 11, posts[3].tsUs, "p:4", 10, 500 + 130),
                    FeedWrite.insert(HOME, 11, posts[2].tsUs, "p:3", 10, 500 + 120),
                    // past the backfill, those made within the lateness bound are removed
                    FeedWrite.remove(HOME, 11, posts[1].tsUs, "p:2", 10, 500 + 110),
                    FeedWrite.remove(HOME, 11, posts[0].tsUs, "p:1", 10, 500 + 100));
        }
    }

    @Test
    void backfillZeroCopiesNothing() throws Exception {
        FeedState s = run(0, post(1, 10, 100), follow(1, 11, 10, 200), post(2, 10, 300));
        assertThat(s.feed(HOME, 11)).containsExactly("p:2", "f:1");
    }

    @Test
    void anItemMadeAfterTheFollowButProcessedBeforeItStillReachesTheFollower() throws Exception {
        // backfill 1: p:1 (before the follow) is beyond the limit once p:2 exists; p:3 was made after it.
        Activity p1 = post(1, 10, 100);
        Activity p2 = post(2, 10, 150);
        Activity p3 = post(3, 10, 300);
        FeedState s = run(1, p1, p2, p3, follow(1, 11, 10, 200));
        assertThat(s.feed(HOME, 11)).containsExactly("p:3", "f:1", "p:2");
        assertThat(s).isEqualTo(run(1, p1, p2, follow(1, 11, 10, 200), p3));
    }

    @Test
    void unfollowRemovesEveryActivityOfTheFolloweeAlsoOnesBeyondTheBackfill() throws Exception {
        List<Activity> as = new ArrayList<>();
        as.add(follow(1, 11, 10, 50));
        for (int i = 1; i <= 5; i++) {
            as.add(post(i, 10, 100 + i));
        }
        as.add(post(6, 12, 120)); // someone else's post: 11 does not follow 12
        as.add(follow(2, 11, 12, 130));
        assertThat(run(2, as).feed(HOME, 11)).hasSize(2 + 5 + 1); // own follows, 10's posts, 12's post
        as.add(follow(1, 11, 10, 50).undo(400));
        FeedState s = run(2, as);
        assertThat(s.feed(HOME, 11)).containsExactly("f:2", "p:6");
        assertThat(s.feed(PROFILE, 11)).containsExactly("f:2");
        assertThat(s.feed(PROFILE, 10)).hasSize(5);
    }

    @Test
    void deletingAPostCommentOrLikeRemovesItEverywhereItWent() throws Exception {
        Activity p = post(1, 10, 200);
        Activity c = comment(1, 11, p, 300);
        Activity l = like(1, 12, p, 400);
        List<Activity> as = new ArrayList<>(List.of(
                follow(1, 11, 10, 100), follow(2, 12, 11, 110), follow(3, 10, 12, 120), p, c, l));
        FeedState before = run(100, as);
        assertThat(before.feed(HOME, 11)).contains("p:1", "c:1");
        assertThat(before.feed(HOME, 12)).contains("c:1", "l:1");
        assertThat(before.feed(HOME, 10)).contains("p:1", "l:1");

        as.addAll(List.of(l.undo(500), c.undo(510), p.undo(520)));
        FeedState after = run(100, as);
        for (FeedState.Row r : after.rows()) {
            assertThat(r.activityId()).startsWith("f:");
        }
        assertThat(after.rows()).hasSize(3 * 3); // each follow in its actor's two feeds and one follower's home
    }

    @Test
    void anUndoThatArrivesBeforeItsActivityLeavesItAbsent() throws Exception {
        Activity p = post(1, 10, 200);
        Activity l = like(1, 11, p, 300);
        Activity f = follow(1, 12, 11, 100);
        // like and unlike come from the same topic but the post, the follow and
        // the unlike may overtake each other; worst case: the undo first.
        try (var h = harness(100)) {
            send(h, f, l.undo(400), p, l);
            FeedState s = FeedState.of(h.extractOutputValues());
            assertThat(s.feed(HOME, 12)).containsExactly("f:1");
            assertThat(s.feed(HOME, 11)).isEmpty();
            assertThat(s.feed(PROFILE, 11)).isEmpty();
            // The late insert wrote nothing at all, not even something a later delete hides.
            assertThat(h.extractOutputValues()).noneMatch(w -> w.activityId.equals("l:1") && !w.delete);
            assertThat(h.numKeyedStateEntries()).isPositive();
        }
        // Unfollow before follow: the follow stays undone.
        FeedState s = run(100, p, f.undo(300), f);
        assertThat(s.feed(HOME, 12)).isEmpty();
        assertThat(s.feed(PROFILE, 12)).isEmpty();
    }

    @Test
    void aDeleteProcessedAfterALaterFollowsBackfillStillWins() throws Exception {
        Activity p = post(1, 10, 100);
        // database order: post 100, delete 150, follow 200; arrival: post, follow, delete
        FeedState s = run(100, p, follow(1, 11, 10, 200), p.undo(150));
        assertThat(s.feed(HOME, 11)).containsExactly("f:1");
    }

    @Test
    void anUnfollowProcessedAfterALaterItemStillRemovesIt() throws Exception {
        Activity f = follow(1, 11, 10, 100);
        Activity p = post(1, 10, 300);
        // database order: follow 100, unfollow 200, post 300; arrival: follow, post, unfollow
        FeedState s = run(100, f, p, f.undo(200));
        assertThat(s.feed(HOME, 11)).isEmpty();
        assertThat(s.feed(HOME, 10)).containsExactly("p:1");
    }

    @Test
    void aReFollowKeepsWhatItsBackfillCopied() throws Exception {
        Activity p = post(1, 10, 50);
        Activity f1 = follow(1, 11, 10, 100);
        Activity f2 = follow(2, 11, 10, 300);
        // database order: p 50, f1 100, unfollow 200, f2 300; arrival: p, f1, f2, unfollow
        FeedState s = run(100, p, f1, f2, f1.undo(200));
        assertThat(s.feed(HOME, 11)).containsExactly("f:2", "p:1");
    }

    @Test
    void anUnfollowRefollowRacingAnItemMadeAfterTheRefollowKeepsIt() throws Exception {
        Activity f1 = follow(1, 11, 10, 5);
        Activity f2 = follow(2, 11, 10, 35);
        Activity p = post(1, 10, 40);
        // database order: follow 5, unfollow 30, re-follow 35, post 40 -> p:1 belongs in home(11)
        assertThat(run(100, f1, f1.undo(30), f2, p).feed(HOME, 11)).containsExactly("p:1", "f:2");
        // arrival: follow, post, unfollow, re-follow: the unfollow removes p:1 at 30 + 40,
        // the re-follow copies it at 35 + 40 (it was once lost on a tie at 40)
        assertThat(run(100, f1, p, f1.undo(30), f2).feed(HOME, 11)).containsExactly("p:1", "f:2");
    }

    /** The row {@code a} as a snapshot reads it: a READ at the snapshot's LSN. */
    static Activity snapshotRead(Activity a, long snapshotLsn) {
        Activity r = new Activity(a.verb, a.id, a.actorId, a.objectId, a.targetUserId, a.tsUs, a.body, snapshotLsn,
                false);
        r.snapshot = true;
        return r;
    }

    @Test
    void aSecondSnapshotsReadOfKnownRowsChangesNoFeed() throws Exception {
        // 10 posts 5 times, 11 follows (backfill 3), then 10 posts once more: home(11) holds 4 posts.
        List<Activity> history = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            history.add(post(i + 1, 10, 100 + i * 10));
        }
        Activity f = follow(1, 11, 10, 500);
        history.add(f);
        history.add(post(6, 10, 600));
        try (var h = harness(3)) {
            send(h, history.toArray(new Activity[0]));
            FeedState before = FeedState.of(h.extractOutputValues());
            assertThat(before.feed(HOME, 11)).containsExactly("p:6", "f:1", "p:5", "p:4", "p:3");
            int writes = h.extractOutputValues().size();
            // A Connect that lost its offsets snapshots again: every row at LSN 1000. Taken as
            // changes, the follow would be re-made at 1000 and home(11) cut to the 3 newest.
            for (Activity a : history) {
                send(h, snapshotRead(a, 1000));
            }
            assertThat(h.extractOutputValues()).hasSize(writes);
        }
    }

    @Test
    void aSnapshotsReadOfRowsTheJobNeverHadAddsThemAsChanges() throws Exception {
        // Made while capture was down: a follow and a post the job never saw, both at the snapshot's LSN.
        Activity p1 = post(1, 10, 100);
        Activity p2 = post(2, 10, 700);
        Activity f = follow(1, 11, 10, 600);
        FeedState s = run(100, p1, snapshotRead(f, 1000), snapshotRead(p2, 1000));
        // the backfill takes every item at or before the snapshot's LSN: p:2 as well as p:1
        assertThat(s.feed(HOME, 11)).containsExactly("p:2", "f:1", "p:1");
        assertThat(s.feed(PROFILE, 10)).containsExactly("p:2", "p:1");
    }

    @Test
    void aDuplicateChangeEmitsNothingAndLeavesTheSameFeeds() throws Exception {
        List<Activity> as = scenario(new Random(1), 6, 120).events;
        try (var h = harness(100)) {
            for (Activity a : as) {
                send(h, a);
                int n = h.extractOutputValues().size();
                send(h, a); // delivered twice
                assertThat(h.extractOutputValues()).as("duplicate of %s", a).hasSize(n);
            }
            assertThat(FeedState.of(h.extractOutputValues())).isEqualTo(run(100, as));
        }
    }

    @Test
    void aRestoredCheckpointReplaysTheSameWrites() throws Exception {
        List<Activity> as = scenario(new Random(2), 5, 80).events;
        List<Activity> head = as.subList(0, 40);
        List<Activity> tail = as.subList(40, as.size());
        OperatorSubtaskState checkpoint;
        List<FeedWrite> firstRun;
        try (var h = harness(100)) {
            send(h, head.toArray(new Activity[0]));
            checkpoint = h.snapshot(1, 0);
            int n = h.extractOutputValues().size();
            send(h, tail.toArray(new Activity[0]));
            firstRun = new ArrayList<>(h.extractOutputValues().subList(n, h.extractOutputValues().size()));
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FanOut(100, TTL)), FanOutInput::key, Types.LONG)) {
            h.initializeState(checkpoint);
            h.open();
            send(h, tail.toArray(new Activity[0]));
            // The same writes; their order may differ where state is iterated (followers).
            assertThat(h.extractOutputValues()).containsExactlyInAnyOrderElementsOf(firstRun).isNotEmpty();
        }
    }

    @Test
    void anyArrivalOrderEndsInTheSameFeedsAsTheDatabaseOrder() throws Exception {
        for (long seed = 1; seed <= 25; seed++) {
            Random rnd = new Random(seed);
            Scenario sc = scenario(rnd, 6, 150);
            FeedState inOrder = run(1000, sc.events);
            assertThat(inOrder.rows()).as("seed %d: database order vs oracle", seed).isEqualTo(sc.oracle().rows());
            for (int i = 0; i < 4; i++) {
                List<Activity> shuffled = new ArrayList<>(sc.events);
                Collections.shuffle(shuffled, rnd);
                assertThat(run(1000, shuffled).rows()).as("seed %d shuffle %d", seed, i).isEqualTo(inOrder.rows());
            }
        }
    }

    @Test
    void undoMarkersLiveForTheTtlOnly() throws Exception {
        Activity p = post(1, 10, 100);
        try (var h = harness(100)) {
            h.setStateTtlProcessingTime(0);
            send(h, follow(1, 11, 10, 50), p.undo(200));
            int n = h.extractOutputValues().size();
            h.setStateTtlProcessingTime(TTL.toMillis() - 1);
            send(h, p); // within the lateness bound: dropped
            assertThat(h.extractOutputValues()).hasSize(n);
            h.setStateTtlProcessingTime(2 * TTL.toMillis());
            send(h, p); // beyond it: the marker is gone, the insert is taken as live
            assertThat(h.extractOutputValues()).hasSize(n + 3);
            // The follower and the follow activity are live state: no TTL.
            send(h, post(2, 10, 300));
            assertThat(FeedState.of(h.extractOutputValues()).feed(HOME, 11)).contains("p:2", "f:1");
        }
    }

    /**
     * The delete markers of the job before "removed" replaced them, declared and
     * written as that FanOut did: "deleted", id -> delete LSN, TTL {@code markerTtl}.
     */
    static final class FormerDeleteMarkers extends KeyedProcessFunction<Long, FanOutInput, FeedWrite> {
        private static final long serialVersionUID = 1L;
        private transient MapState<String, Long> deleted;

        @Override
        public void open(OpenContext context) {
            MapStateDescriptor<String, Long> desc = new MapStateDescriptor<>("deleted", Types.STRING, Types.LONG);
            desc.enableTimeToLive(StateTtlConfig.newBuilder(TTL).updateTtlOnCreateAndWrite().neverReturnExpired()
                    .build());
            deleted = getRuntimeContext().getMapState(desc);
        }

        @Override
        public void processElement(FanOutInput in, Context ctx, Collector<FeedWrite> out) throws Exception {
            if (!in.edge && in.activity.delete) {
                deleted.put(in.activity.id, in.activity.lsn);
            }
        }
    }

    /** Keys that hold former delete markers, expired or not (the heap backend's own count). */
    static long formerDeletedKeys(KeyedOneInputStreamOperatorTestHarness<Long, FanOutInput, FeedWrite> h) {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) h.getOperator();
        try (Stream<Long> keys = op.<Long>getKeyedStateBackend().getKeys(FanOut.FORMER_DELETED,
                VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    /**
     * A checkpoint of the job from before "removed" carries "deleted" markers; the
     * FanOut restored from it expires them after {@code markerTtl} like its own
     * markers, clearing them as records are processed (the heap backend's
     * incremental cleanup visits a few entries per record), and nothing it emits
     * depends on them.
     */
    @Test
    void formerDeleteMarkersOfAnOlderCheckpointAreClearedAfterTheTtl() throws Exception {
        OperatorSubtaskState checkpoint;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FormerDeleteMarkers()), FanOutInput::key, Types.LONG)) {
            h.setStateTtlProcessingTime(0);
            h.open();
            send(h, post(1, 10, 100).undo(200), post(2, 11, 110).undo(210), post(3, 12, 120).undo(220));
            checkpoint = h.snapshot(1, 0);
        }
        List<Activity> sent = new ArrayList<>();
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FanOut(100, TTL)), FanOutInput::key, Types.LONG)) {
            h.setStateTtlProcessingTime(0);
            h.initializeState(checkpoint);
            h.open();
            assertThat(formerDeletedKeys(h)).as("restored").isEqualTo(3);
            sent.add(follow(1, 13, 10, 300));
            send(h, sent.get(0));
            h.setStateTtlProcessingTime(TTL.toMillis() - 1);
            for (int i = 0; i < 300; i++) { // within the TTL: kept, however many records pass
                sent.add(post(100 + i, 10 + i % 8, 1_000 + i));
                send(h, sent.get(sent.size() - 1));
            }
            assertThat(formerDeletedKeys(h)).as("within the TTL").isEqualTo(3);
            h.setStateTtlProcessingTime(2 * TTL.toMillis());
            for (int i = 0; i < 1_000 && formerDeletedKeys(h) > 0; i++) {
                sent.add(post(1_000 + i, 10 + i % 8, 2_000 + i));
                send(h, sent.get(sent.size() - 1));
            }
            assertThat(formerDeletedKeys(h)).as("after the TTL, %d records later", sent.size() - 301).isZero();
            // Nothing read them: the feeds are those of a fresh operator given the same records.
            assertThat(FeedState.of(h.extractOutputValues())).isEqualTo(run(100, sent));
        }
    }
}
