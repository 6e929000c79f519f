package feed.job.fanout;

import static feed.job.fanout.FanOutTest.TTL;
import static feed.job.fanout.FanOutTest.send;
import static feed.job.fanout.FeedWrite.Feed.HOME;
import static feed.job.fanout.FeedWrite.Feed.PROFILE;
import static feed.job.testing.History.follow;
import static feed.job.testing.History.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import feed.job.testing.FeedState;
import feed.job.testing.History;
import feed.job.testing.History.Scenario;

/**
 * The hybrid fan-out (hot accounts, FanOut "Hot accounts") across failures,
 * as {@link FanOutReplayTest} does for the plain one: whatever the
 * interleavings, checkpoints and crashes, and wherever accounts turn hot and
 * cold again, the home feeds as the API serves them (the stored rows merged
 * with the profiles of the merge sources that remain, each cut by its rule)
 * must be exactly the oracle's; and every stored home row must be in the
 * oracle too (a merge hides nothing extra).
 */
class FanOutHotReplayTest {

    static final int SEEDS = Integer.parseInt(System.getenv().getOrDefault("FANOUT_SEEDS", "250"));

    /** Every write of every run: the main output and the merge sources, each in the order made. */
    record Writes(List<FeedWrite> feeds, List<MergeSource> merges) {
    }

    static KeyedOneInputStreamOperatorTestHarness<Long, FanOutInput, FeedWrite> harness(
            int backfill, int hot, int cold, OperatorSubtaskState state) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FanOut(backfill, TTL, hot, cold)), FanOutInput::key, Types.LONG);
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    static Writes runWithCrashes(int backfill, int hot, int cold, List<Activity> events, int crashes, Random rnd)
            throws Exception {
        Writes all = new Writes(new ArrayList<>(), new ArrayList<>());
        List<Activity> remaining = events;
        OperatorSubtaskState checkpoint = null;
        long checkpointId = 0;
        for (int run = 0; run <= crashes; run++) {
            List<Activity> order = History.interleave(remaining, rnd);
            try (var h = harness(backfill, hot, cold, checkpoint)) {
                if (run == crashes) {
                    send(h, order.toArray(new Activity[0]));
                } else {
                    int cp = rnd.nextInt(order.size() + 1);
                    int crash = cp + rnd.nextInt(order.size() - cp + 1);
                    send(h, order.subList(0, cp).toArray(new Activity[0]));
                    checkpoint = h.snapshot(++checkpointId, checkpointId);
                    send(h, order.subList(cp, crash).toArray(new Activity[0]));
                    remaining = new ArrayList<>(order.subList(cp, order.size()));
                }
                all.feeds.addAll(h.extractOutputValues());
                var side = h.getSideOutput(FanOut.MERGE_SOURCES);
                if (side != null) {
                    for (StreamRecord<MergeSource> r : side) {
                        all.merges.add(r.getValue());
                    }
                }
            }
        }
        return all;
    }

    /** The merge sources a store keeping the last write per (reader, followee) by timestamp ends with. */
    static Map<List<Long>, MergeSource> liveMerges(List<MergeSource> merges) {
        Map<List<Long>, MergeSource> last = new HashMap<>();
        for (MergeSource m : merges) {
            List<Long> key = List.of(m.userId, m.followeeId);
            MergeSource prev = last.get(key);
            if (prev == null || m.writeTs > prev.writeTs || (m.writeTs == prev.writeTs && m.delete)) {
                last.put(key, m);
            }
        }
        last.values().removeIf(m -> m.delete);
        return last;
    }

    /**
     * Home feeds as the API serves them: the stored rows plus, for each merge
     * source (U, V, F, n), V's profile items made after F and the newest n made
     * at or before it; an item in both once.
     */
    static Set<FeedState.Row> served(Set<FeedState.Row> stored, Map<List<Long>, MergeSource> merges) {
        Set<FeedState.Row> rows = new TreeSet<>(stored);
        for (MergeSource m : merges.values()) {
            int before = 0;
            for (FeedState.Row r : stored) { // sorted by feed, user, newest first
                if (r.feed() != PROFILE || r.userId() != m.followeeId) {
                    continue;
                }
                if (r.tsUs() <= m.followTsUs && before++ >= m.backfill) {
                    continue;
                }
                rows.add(new FeedState.Row(HOME, m.userId, r.tsUs(), r.activityId()));
            }
        }
        return rows;
    }

    @Test
    void servedHomesEndInTheOracleWhereverAccountsTurnHotOrColdAndWhateverTheCrashes() throws Exception {
        int hotSeen = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random rnd = new Random(seed);
            Scenario sc = History.scenario(rnd, 3 + rnd.nextInt(6), 30 + rnd.nextInt(220), true);
            int hot = 1 + rnd.nextInt(3);
            int cold = rnd.nextInt(hot + 1);
            int crashes = rnd.nextInt(4);
            Writes w = runWithCrashes(FanOutReplayTest.BACKFILL, hot, cold, sc.events, crashes, rnd);
            hotSeen += w.merges.isEmpty() ? 0 : 1;
            Set<FeedState.Row> oracle = sc.oracle().rows();
            Map<List<Long>, MergeSource> merges = liveMerges(w.merges);
            String what = "seed " + seed + ", hot " + hot + "/" + cold + ", " + crashes + " crashes";
            Set<FeedState.Row> stored = FeedState.of(w.feeds).rows();
            assertThat(oracle).as("%s: every stored row is in the oracle", what).containsAll(stored);
            assertThat(served(stored, merges)).as("%s: served (Cassandra)", what).isEqualTo(oracle);
            Set<FeedState.Row> inOrder = FeedState.appliedInOrder(w.feeds);
            assertThat(oracle).as("%s: every row of a Redis head is in the oracle", what).containsAll(inOrder);
            assertThat(served(inOrder, merges)).as("%s: served (Redis heads)", what).isEqualTo(oracle);
        }
        assertThat(hotSeen).as("histories in which some account turned hot").isGreaterThan(SEEDS / 2);
    }

    @Test
    void withASmallBackfillTheServedHomesKeepToTheBackfillRule() throws Exception {
        for (long seed = 1; seed <= SEEDS / 2; seed++) {
            Random rnd = new Random(seed);
            Scenario sc = History.scenario(rnd, 3 + rnd.nextInt(5), 30 + rnd.nextInt(200), true);
            int backfill = 1 + rnd.nextInt(4);
            int hot = 1 + rnd.nextInt(3);
            int crashes = rnd.nextInt(4);
            Writes w = runWithCrashes(backfill, hot, rnd.nextInt(hot + 1), sc.events, crashes, rnd);
            Set<FeedState.Row> served = served(FeedState.of(w.feeds).rows(), liveMerges(w.merges));
            FanOutReplayTest.checkBackfillRule(sc, backfill, served,
                    "seed " + seed + ", backfill " + backfill + ", hot " + hot + ", crashes " + crashes);
        }
    }

    @Test
    void aHotAccountsPostIsCopiedToNoFollowerAndAFollowOfItCopiesNothing() throws Exception {
        try (var h = harness(100, 2, 1, null)) {
            send(h, follow(1, 11, 10, 10), follow(2, 12, 10, 20)); // 10 turns hot at its 2nd follower
            send(h, post(3, 10, 30));
            send(h, follow(4, 13, 10, 40));
            List<FeedWrite> feeds = h.extractOutputValues();
            assertThat(feeds).filteredOn(x -> x.feed == HOME && x.actorId == 10 && x.userId != 10 && !x.delete)
                    .isEmpty();
            List<MergeSource> merges = new ArrayList<>();
            h.getSideOutput(FanOut.MERGE_SOURCES).forEach(r -> merges.add(r.getValue()));
            assertThat(merges).containsExactly(
                    MergeSource.insert(11, 10, History.T0 + 100, 100, 10),
                    MergeSource.insert(12, 10, History.T0 + 200, 100, 20),
                    MergeSource.insert(13, 10, History.T0 + 400, 100, 40));
        }
    }

    @Test
    void anUndoOfAHotAccountsItemMadeLongAfterItTurnedHotTouchesNoFollower() throws Exception {
        try (var h = harness(100, 1, 0, null)) {
            send(h, follow(1, 11, 10, 10)); // hot since T0 + 100 µs
            Activity late = new Activity(Verb.SHARD, "p:5", 10, "p:5", Activity.NO_TARGET,
                    History.T0 + 100 + TTL.toNanos() / 1_000 + 1, "x", 50, false);
            Activity early = post(6, 10, 60);
            send(h, late, early, late.undo(70), early.undo(80));
            List<FeedWrite> removes = new ArrayList<>();
            h.extractOutputValues().stream().filter(x -> x.delete && x.userId == 11).forEach(removes::add);
            // Only the early one (made within the lateness bound of the turn) is answered.
            assertThat(removes).extracting(x -> x.activityId).containsExactly("p:6");
        }
    }

    @Test
    void anUnfollowBelowTheColdThresholdResumesCopiesAndKeepsTheOtherMergeSources() throws Exception {
        try (var h = harness(100, 2, 2, null)) {
            send(h, follow(1, 11, 10, 10), follow(2, 12, 10, 20)); // hot
            send(h, follow(1, 11, 10, 10).undo(30));                // 1 follower < 2: cold
            h.extractOutputValues();
            send(h, post(3, 10, 40));
            assertThat(h.extractOutputValues()).filteredOn(x -> x.userId == 12 && x.actorId == 10 && !x.delete)
                    .extracting(x -> x.activityId).containsExactly("p:3");
            Map<List<Long>, MergeSource> live = new HashMap<>();
            List<MergeSource> merges = new ArrayList<>();
            h.getSideOutput(FanOut.MERGE_SOURCES).forEach(r -> merges.add(r.getValue()));
            live.putAll(liveMerges(merges));
            assertThat(live.keySet()).containsExactly(List.of(12L, 10L));
        }
    }

    @Test
    void theThresholdsAreChecked() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FanOut(1, Duration.ofHours(1), 2, 3));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new FanOut(1, Duration.ofHours(1), 0, 0));
    }
}
