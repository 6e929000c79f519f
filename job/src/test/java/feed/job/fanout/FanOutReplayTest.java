package feed.job.fanout;

import static feed.job.fanout.FanOutTest.TTL;
import static feed.job.fanout.FanOutTest.send;
import static feed.job.fanout.FeedWrite.Feed.HOME;
import static feed.job.testing.History.follow;
import static feed.job.testing.History.post;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import feed.job.testing.FeedState;
import feed.job.testing.History;
import feed.job.testing.History.Scenario;

/**
 * {@link FanOut} across failures: a run reaches a checkpoint, goes on for a
 * while (its writes stay in the stores), dies; the next run restores the
 * checkpoint's state and reads the rest again, the topics' partitions
 * interleaved differently (each partition still in order). Whatever the
 * interleavings and wherever the checkpoints and crashes fall, every write of
 * every run applied last-write-wins (Cassandra), or in the order made
 * (Redis heads), must leave exactly the oracle's feeds.
 */
class FanOutReplayTest {

    /** Random histories per test (the small-backfill one runs half); more with FANOUT_SEEDS=N in the environment. */
    static final int SEEDS = Integer.parseInt(System.getenv().getOrDefault("FANOUT_SEEDS", "250"));
    static final int BACKFILL = 100_000; // larger than any history here: the oracle's rule is then exact

    static KeyedOneInputStreamOperatorTestHarness<Long, FanOutInput, FeedWrite> restored(
            int backfill, OperatorSubtaskState state) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FanOut(backfill, TTL)), FanOutInput::key, Types.LONG);
        if (state != null) {
            h.initializeState(state);
        }
        h.open();
        return h;
    }

    /**
     * Runs {@code events} with up to {@code crashes} failures: each run reads what
     * the last checkpoint left in a new interleaving, checkpoints somewhere, goes
     * on somewhat further and dies; the last run reads to the end. Returns every
     * write of every run in the order made.
     */
    static List<FeedWrite> runWithCrashes(int backfill, List<Activity> events, int crashes, Random rnd)
            throws Exception {
        List<FeedWrite> writes = new ArrayList<>();
        List<Activity> remaining = events;
        OperatorSubtaskState checkpoint = null;
        long checkpointId = 0;
        for (int run = 0; run <= crashes; run++) {
            List<Activity> order = History.interleave(remaining, rnd);
            try (var h = restored(backfill, checkpoint)) {
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
                writes.addAll(h.extractOutputValues());
            }
        }
        return writes;
    }

    @Test
    void everyRunsWritesTogetherEndInTheOracleWhateverTheInterleavingsCheckpointsAndCrashes() throws Exception {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Random rnd = new Random(seed);
            Scenario sc = History.scenario(rnd, 2 + rnd.nextInt(6), 30 + rnd.nextInt(220), true);
            int crashes = rnd.nextInt(4);
            List<FeedWrite> writes = runWithCrashes(BACKFILL, sc.events, crashes, rnd);
            FeedState oracle = sc.oracle();
            assertThat(FeedState.of(writes).rows())
                    .as("seed %d, %d crashes: last write wins by timestamp (Cassandra)", seed, crashes)
                    .isEqualTo(oracle.rows());
            assertThat(FeedState.appliedInOrder(writes))
                    .as("seed %d, %d crashes: last write wins by arrival (Redis heads)", seed, crashes)
                    .isEqualTo(oracle.rows());
        }
    }

    @Test
    void withASmallBackfillEveryRunsWritesTogetherKeepToTheBackfillRule() throws Exception {
        for (long seed = 1; seed <= SEEDS / 2; seed++) {
            Random rnd = new Random(seed);
            Scenario sc = History.scenario(rnd, 2 + rnd.nextInt(5), 30 + rnd.nextInt(200), true);
            int backfill = 1 + rnd.nextInt(4);
            int crashes = rnd.nextInt(4);
            List<FeedWrite> writes = runWithCrashes(backfill, sc.events, crashes, rnd);
            Set<FeedState.Row> rows = FeedState.of(writes).rows();
            assertThat(FeedState.appliedInOrder(writes)).as("seed %d: Redis order", seed)
                    .containsExactlyInAnyOrderElementsOf(rows);
            checkBackfillRule(sc, backfill, rows, "seed " + seed + ", backfill " + backfill + ", crashes " + crashes);
        }
    }

    /**
     * feedcheck's rule (tools/feedcheck/README.md) with LSNs for created_at:
     * profile(V) and V's own part of home(V) = V's live items; for each V that U
     * follows at the end, with F its follow: every live item of V made after F,
     * and of those made before F a newest-first prefix of at most {@code backfill},
     * shorter by at most the number of V's items before F deleted at some point
     * (a backfilled item deleted later is not replaced); nothing of anyone else.
     */
    static void checkBackfillRule(Scenario sc, int backfill, Set<FeedState.Row> rows, String what) {
        Map<String, Activity> made = new HashMap<>();
        Set<String> deleted = new HashSet<>();
        Map<List<Long>, Long> follows = new HashMap<>(); // [U, V] -> LSN of the live follow
        for (Activity a : sc.events) {
            if (a.delete) {
                deleted.add(a.id);
            } else {
                made.put(a.id, a);
            }
            if (a.verb == Verb.FOLLOW) {
                List<Long> pair = List.of(a.actorId, a.followeeId());
                if (a.delete) {
                    follows.remove(pair);
                } else {
                    follows.put(pair, a.lsn);
                }
            }
        }
        Comparator<Activity> newestFirst = Comparator.<Activity>comparingLong(a -> a.tsUs)
                .thenComparing(a -> a.id).reversed();
        Map<Long, List<Activity>> liveBy = new TreeMap<>();
        for (Activity a : sc.live.values()) {
            liveBy.computeIfAbsent(a.actorId, k -> new ArrayList<>()).add(a);
        }
        liveBy.values().forEach(l -> l.sort(newestFirst));
        Map<String, Set<String>> found = new TreeMap<>(); // "FEED user actor" -> ids
        for (FeedState.Row r : rows) {
            Activity a = made.get(r.activityId());
            assertThat(a).as("%s: %s was never made", what, r).isNotNull();
            found.computeIfAbsent(r.feed() + " " + r.userId() + " " + a.actorId, k -> new HashSet<>())
                    .add(r.activityId());
        }
        Map<String, Set<String>> expected = new TreeMap<>();
        liveBy.forEach((v, items) -> {
            Set<String> ids = new HashSet<>();
            items.forEach(a -> ids.add(a.id));
            expected.put("PROFILE " + v + " " + v, ids);
            expected.put("HOME " + v + " " + v, ids);
        });
        follows.forEach((pair, f) -> {
            long u = pair.get(0);
            long v = pair.get(1);
            String key = "HOME " + u + " " + v;
            Set<String> got = found.getOrDefault(key, Set.of());
            Set<String> want = new HashSet<>();
            List<String> before = new ArrayList<>();
            for (Activity a : liveBy.getOrDefault(v, List.of())) {
                if (a.lsn > f) {
                    want.add(a.id);
                } else {
                    before.add(a.id);
                }
            }
            long deletedBefore = made.values().stream()
                    .filter(a -> a.actorId == v && a.lsn <= f && deleted.contains(a.id)).count();
            int k = 0;
            while (k < before.size() && got.contains(before.get(k))) {
                k++;
            }
            assertThat(k).as("%s: %s backfill length (before F %s, got %s)", what, key, before, got)
                    .isLessThanOrEqualTo(backfill)
                    .isGreaterThanOrEqualTo((int) Math.min(backfill, before.size()) - (int) deletedBefore);
            want.addAll(before.subList(0, k));
            expected.put(key, want);
        });
        expected.values().removeIf(Set::isEmpty);
        assertThat(found).as(what).isEqualTo(expected);
    }

    @Test
    void theExampleOfAnUnfollowReplayedBeforeAnItemTheFirstRunHadFannedOut() throws Exception {
        Activity f = follow(1, 11, 10, 10);
        Activity p = post(1, 10, 20);
        Activity unfollow = f.undo(30);
        OperatorSubtaskState checkpoint;
        List<FeedWrite> writes = new ArrayList<>();
        try (var h = restored(100, null)) {
            send(h, f);
            checkpoint = h.snapshot(1, 1);
            send(h, p); // (home 11, p:1) written; crash before the unfollow
            writes.addAll(h.extractOutputValues());
        }
        try (var h = restored(100, checkpoint)) {
            send(h, unfollow, p); // replay: the follows partition first this time
            writes.addAll(h.extractOutputValues());
        }
        assertThat(FeedState.of(writes).feed(HOME, 11)).isEmpty();
        assertThat(FeedState.appliedInOrder(writes)).noneMatch(r -> r.userId() == 11 && r.feed() == HOME);
    }

    /**
     * Bug B of the fault-injection runs: U follows V, V follows W a second later;
     * V's FOLLOW f:VW must reach home(U) in every order the two follows partitions
     * (U's and V's) can interleave, also when U had followed and unfollowed V before.
     */
    @Test
    void aFollowOfTheFolloweeMadeAfterTheFollowReachesTheFollowerInEveryOrder() throws Exception {
        long u = 5;
        long v = 16;
        long w = 8;
        // U's partition: (follow, unfollow,) follow U->V; V's partition: V->W.
        Activity first = follow(1, u, v, 100);
        List<List<Activity>> uStreams = List.of(
                List.of(follow(2, u, v, 300)),
                List.of(first, first.undo(200), follow(2, u, v, 300)));
        Activity vw = follow(3, v, w, 400);
        for (List<Activity> uStream : uStreams) {
            for (int at = 0; at <= uStream.size(); at++) {
                List<Activity> order = new ArrayList<>(uStream);
                order.add(at, vw);
                FeedState s = FanOutTest.run(100, order);
                assertThat(s.feed(HOME, u)).as("order %s", order).containsExactly("f:3", "f:2");
                assertThat(s.feed(HOME, v)).as("order %s", order).containsExactly("f:3");
            }
        }
    }

    @Test
    void aLateItemMadeBeforeTheFollowTakesItsBackfillPlace() throws Exception {
        // backfill 2; V's items p1..p3 before the follow, p3 arriving after it.
        Activity p1 = post(1, 10, 100);
        Activity p2 = post(2, 10, 110);
        Activity p3 = post(3, 10, 120);
        Activity f = follow(1, 11, 10, 200);
        FeedState inOrder = FanOutTest.run(2, p1, p2, p3, f);
        assertThat(inOrder.feed(HOME, 11)).containsExactly("f:1", "p:3", "p:2");
        // p3 late: it is among the newest 2 before the follow, so it goes in, and
        // pushes p:1 (which the follow had copied) out.
        assertThat(FanOutTest.run(2, p1, p2, f, p3)).isEqualTo(inOrder);
        // An old item arriving late that is not among the newest 2 stays out.
        assertThat(FanOutTest.run(2, p2, p3, f, p1)).isEqualTo(inOrder);
        assertThat(FanOutTest.run(2, p3, f, p1, p2)).isEqualTo(inOrder);
        assertThat(FanOutTest.run(2, f, p1, p3, p2)).isEqualTo(inOrder);
    }
}
