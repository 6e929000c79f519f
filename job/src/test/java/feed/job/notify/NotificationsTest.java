package feed.job.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import feed.job.fanout.Activity;
import feed.job.fanout.Verb;
import feed.job.testing.History;
import feed.job.testing.NotificationState;
import feed.job.testing.NotificationState.Group;

/**
 * The notification rule of {@link Notifications} on Flink's keyed operator
 * harness, watermarks driven by hand. Final groups are computed as
 * Cassandra keeps them (last write wins by write timestamp,
 * {@link NotificationState}) and as Redis keeps them (last write in emission
 * order), and compared with an oracle of the rule.
 */
class NotificationsTest {

    static final long LATENESS_MS = 10 * 60_000L;
    static final Duration TTL = Duration.ofHours(24);
    /** The window of History.T0, in ms. */
    static final long W = Notifications.windowStartMs(History.T0);
    static final long HOUR = Notifications.WINDOW_MS;

    // ---- activities at chosen times ----

    /** µs at W + minutes. */
    static long at(double minutes) {
        return (W + Math.round(minutes * 60_000)) * 1_000L;
    }

    static Activity like(long id, long user, long post, long author, long tsUs, long lsn) {
        return new Activity(Verb.LIKE, "l:" + id, user, "p:" + post, user == author ? Activity.NO_TARGET : author,
                tsUs, null, lsn, false);
    }

    static Activity comment(long id, long user, long post, long author, long tsUs, long lsn) {
        return new Activity(Verb.COMMENT, "c:" + id, user, "p:" + post, user == author ? Activity.NO_TARGET : author,
                tsUs, "comment " + id, lsn, false);
    }

    static Activity follow(long id, long follower, long followee, long tsUs, long lsn) {
        return new Activity(Verb.FOLLOW, "f:" + id, follower, "u:" + followee, followee, tsUs, null, lsn, false);
    }

    static Activity post(long id, long author, long tsUs, long lsn) {
        return new Activity(Verb.SHARD, "p:" + id, author, "p:" + id, Activity.NO_TARGET, tsUs, "post", lsn, false);
    }

    // ---- harness ----

    static final class Run implements AutoCloseable {
        final Notifications fn;
        final KeyedOneInputStreamOperatorTestHarness<String, Activity, NotificationWrite> h;

        Run(long latenessMs) throws Exception {
            fn = new Notifications(latenessMs, TTL);
            h = ProcessFunctionTestHarnesses.forKeyedProcessFunction(fn, Notifications::groupId, Types.STRING);
        }

        Run() throws Exception {
            this(LATENESS_MS);
        }

        /** Through NotificationTargets, as the job does, at the activity's event time. */
        Run send(Activity... as) throws Exception {
            for (Activity a : as) {
                if (new NotificationTargets().filter(a)) {
                    h.processElement(a, Notifications.eventTimeMs(a));
                }
            }
            return this;
        }

        Run watermark(long ms) throws Exception {
            h.processWatermark(ms);
            return this;
        }

        List<NotificationWrite> writes() {
            return h.extractOutputValues();
        }

        NotificationState store() {
            return NotificationState.of(writes());
        }

        Map<String, Group> groups() {
            NotificationState s = store();
            assertThat(s.conflicts()).as("one value per write timestamp").isEmpty();
            Map<String, Group> g = s.groups();
            assertThat(NotificationState.lastWritten(writes())).as("Redis ends where Cassandra does").isEqualTo(g);
            return g;
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    static Map<String, Group> run(List<Activity> as) throws Exception {
        try (Run r = new Run()) {
            r.send(as.toArray(new Activity[0]));
            return r.groups();
        }
    }

    static String gid(String verbObject, long windowStartMs) {
        return verbObject + ":" + windowStartMs;
    }

    // ---- the rule ----

    @Test
    void groupsAreVerbObjectAndEpochAlignedHourOfCreatedAt() throws Exception {
        assertThat(Notifications.windowStartMs(1_732_500_000_123_456L)).isEqualTo(1_732_500_000_000L - 1_732_500_000_000L % HOUR);
        assertThat(W % HOUR).isZero();
        assertThat(Notifications.windowStartMs(W * 1_000L + HOUR * 1_000L - 1)).isEqualTo(W);
        assertThat(Notifications.windowStartMs((W + HOUR) * 1_000L)).isEqualTo(W + HOUR);

        Map<String, Group> g = run(List.of(
                like(1, 11, 1, 10, at(1), 100), like(2, 12, 1, 10, at(59.99), 110),
                like(3, 13, 1, 10, at(60), 120),        // the next window
                comment(4, 14, 1, 10, at(5), 130),      // another verb
                like(5, 11, 2, 10, at(5), 140),         // another post
                follow(6, 15, 10, at(7), 150)));
        assertThat(g).containsOnlyKeys(
                "10/" + gid("LIKE:p:1", W), "10/" + gid("LIKE:p:1", W + HOUR), "10/" + gid("COMMENT:p:1", W),
                "10/" + gid("LIKE:p:2", W), "10/" + gid("FOLLOW:u:10", W));
        Group likes = g.get("10/" + gid("LIKE:p:1", W));
        assertThat(likes.actorIds()).containsExactly(12L, 11L);
        assertThat(likes.actorCount()).isEqualTo(2);
        assertThat(likes.latestUs()).isEqualTo(at(59.99));
        assertThat(likes.windowStartUs()).isEqualTo(W * 1_000L);
        assertThat(likes.verb()).isEqualTo(Verb.LIKE);
        assertThat(likes.objectId()).isEqualTo("p:1");
        assertThat(g.get("10/" + gid("FOLLOW:u:10", W)).actorIds()).containsExactly(15L);
    }

    @Test
    void ownPostsAndPostsThemselvesNotifyNobody() throws Exception {
        try (Run r = new Run()) {
            r.send(post(1, 10, at(1), 100), like(1, 10, 1, 10, at(2), 110), comment(2, 10, 1, 10, at(3), 120));
            assertThat(r.writes()).isEmpty();
        }
    }

    @Test
    void twoCommentsByOneActorCountOnceAndItsNewestLiveOneOrdersIt() throws Exception {
        Activity c1 = comment(1, 11, 1, 10, at(1), 100);
        Activity c2 = comment(2, 12, 1, 10, at(2), 110);
        Activity c3 = comment(3, 11, 1, 10, at(3), 120);
        String key = "10/" + gid("COMMENT:p:1", W);
        try (Run r = new Run()) {
            r.send(c1, c2, c3);
            assertThat(r.groups().get(key).actorCount()).isEqualTo(2);
            assertThat(r.groups().get(key).actorIds()).containsExactly(11L, 12L);
            assertThat(r.groups().get(key).latestUs()).isEqualTo(at(3));
            r.send(c3.undo(130)); // 11's newest is c1 again, older than 12's
            assertThat(r.groups().get(key).actorIds()).containsExactly(12L, 11L);
            assertThat(r.groups().get(key).latestUs()).isEqualTo(at(2));
            r.send(c1.undo(140));
            assertThat(r.groups().get(key).actorCount()).isEqualTo(1);
            assertThat(r.groups().get(key).actorIds()).containsExactly(12L);
        }
    }

    @Test
    void actorsAreNewestFirstTiesByActorIdDescendingAtMostTen() throws Exception {
        List<Activity> as = new ArrayList<>();
        for (int i = 1; i <= 12; i++) {
            as.add(like(i, 100 + i, 1, 10, at(i), 1_000 + i));
        }
        as.add(like(13, 90, 1, 10, at(12), 1_013)); // same time as actor 112
        as.add(like(14, 200, 1, 10, at(12), 1_014)); // and again
        Collections.shuffle(as, new Random(3));
        Group g = run(as).get("10/" + gid("LIKE:p:1", W));
        assertThat(g.actorCount()).isEqualTo(14);
        assertThat(g.actorIds()).containsExactly(200L, 112L, 90L, 111L, 110L, 109L, 108L, 107L, 106L, 105L);
        assertThat(g.latestUs()).isEqualTo(at(12));
    }

    @Test
    void anUndoAfterTheInsertRemovesTheGroupWhenItWasTheLast() throws Exception {
        Activity l1 = like(1, 11, 1, 10, at(1), 100);
        Activity l2 = like(2, 12, 1, 10, at(2), 110);
        try (Run r = new Run()) {
            r.send(l1, l2, l1.undo(120));
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(12L);
            r.send(l2.undo(130));
            assertThat(r.groups()).isEmpty();
            NotificationWrite last = r.writes().get(r.writes().size() - 1);
            assertThat(last.delete).isTrue();
            assertThat(last.userId).isEqualTo(10);
            assertThat(last.windowStartUs).isEqualTo(W * 1_000L);
            // The delete is at the group's version: above every write before it.
            assertThat(r.writes()).allMatch(w -> w == last || w.writeTs < last.writeTs);
        }
    }

    @Test
    void anUndoBeforeItsInsertLeavesTheActivityOut() throws Exception {
        Activity l1 = like(1, 11, 1, 10, at(1), 100);
        Activity l2 = like(2, 12, 1, 10, at(2), 110);
        try (Run r = new Run()) {
            r.send(l1.undo(120), l2);
            int n = r.writes().size();
            r.send(l1); // its undo came first: nothing changes, nothing is written
            assertThat(r.writes()).hasSize(n);
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(12L);
        }
        // Alone in its group: the group never appears.
        try (Run r = new Run()) {
            r.send(l1.undo(120), l1);
            assertThat(r.groups()).isEmpty();
        }
    }

    @Test
    void outOfOrderEventsWithinTheLatenessLandInTheirOwnWindow() throws Exception {
        Activity a = like(1, 11, 1, 10, at(50), 100);
        Activity b = like(2, 12, 1, 10, at(70), 110);  // next window
        Activity c = like(3, 13, 1, 10, at(55), 120);  // arrives after b, belongs with a
        Activity d = like(4, 14, 1, 10, at(10), 130);  // way behind, still within lateness
        try (Run r = new Run()) {
            r.send(a, b).watermark(W + 65 * 60_000L).send(c).watermark(W + HOUR + LATENESS_MS - 2).send(d);
            Map<String, Group> g = r.groups();
            assertThat(g.get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(13L, 11L, 14L);
            assertThat(g.get("10/" + gid("LIKE:p:1", W + HOUR)).actorIds()).containsExactly(12L);
            assertThat(r.fn.lateEventCount()).isZero();
            assertThat(g).isEqualTo(NotificationState.oracle(List.of(a, b, c, d)));
        }
    }

    @Test
    void aLateEventPastTheLatenessStillUpdatesItsGroupAndIsCounted() throws Exception {
        Activity a = like(1, 11, 1, 10, at(10), 100);
        Activity late = like(2, 12, 1, 10, at(20), 200);
        try (Run r = new Run()) {
            r.send(a).watermark(W + HOUR + LATENESS_MS + 1); // compacted
            r.send(late);
            assertThat(r.fn.lateEventCount()).isEqualTo(1);
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(12L, 11L);
            // An undo long after (an unlike a week later) finds the live activity.
            r.watermark(W + 24 * 7 * HOUR).send(a.undo(300));
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(12L);
            r.send(late.undo(310));
            assertThat(r.groups()).isEmpty();
        }
    }

    @Test
    void aGroupRevivedAfterItsCompactionWinsOverItsEarlierDelete() throws Exception {
        Activity a = like(1, 11, 1, 10, at(10), 100);
        Activity late = like(2, 12, 1, 10, at(20), 150); // made before the unlike, delivered after all
        try (Run r = new Run()) {
            r.send(a, a.undo(200)).watermark(W + HOUR + LATENESS_MS + 1);
            long deletedAt = r.writes().get(r.writes().size() - 1).writeTs;
            r.send(late);
            NotificationWrite revived = r.writes().get(r.writes().size() - 1);
            assertThat(revived.delete).isFalse();
            assertThat(revived.writeTs).isGreaterThan(deletedAt);
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(12L);
        }
    }

    @Test
    void compactionDropsUndoMarkersOnlyOnceTheWatermarkPassesWindowEndPlusLateness() throws Exception {
        Activity a = like(1, 11, 1, 10, at(10), 100);
        Activity b = like(2, 12, 1, 10, at(11), 110);
        try (Run r = new Run()) {
            r.send(a, b.undo(120)); // b's undo first: a marker
            int withMarker = r.h.numKeyedStateEntries();
            r.watermark(W + HOUR + LATENESS_MS - 2);
            assertThat(r.h.numKeyedStateEntries()).isEqualTo(withMarker);
            r.send(b); // within the bound: still dropped
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(11L);
            r.watermark(W + HOUR + LATENESS_MS);
            assertThat(r.h.numKeyedStateEntries()).isLessThan(withMarker);
            // The bound: past it, an insert after its own undo is taken as live (documented).
            r.send(b);
            assertThat(r.groups().get("10/" + gid("LIKE:p:1", W)).actorIds()).containsExactly(12L, 11L);
        }
        // An emptied group keeps nothing but its retired version (TTL'd) after compaction.
        try (Run r = new Run()) {
            r.send(a, a.undo(200)).watermark(W + HOUR + LATENESS_MS + 1);
            assertThat(r.h.numKeyedStateEntries()).isEqualTo(1);
        }
    }

    @Test
    void aDuplicateChangeEmitsNothing() throws Exception {
        List<Activity> as = spreadOut(History.scenario(new Random(4), 6, 150).events);
        try (Run r = new Run()) {
            for (Activity a : as) {
                r.send(a);
                int n = r.writes().size();
                r.send(a);
                assertThat(r.writes()).as("duplicate of %s", a).hasSize(n);
            }
            assertThat(r.groups()).isEqualTo(run(as));
        }
    }

    @Test
    void theSameInputGivesTheSameWritesAndARestoredCheckpointReplaysThem() throws Exception {
        List<Activity> as = spreadOut(History.scenario(new Random(6), 6, 200).events);
        List<Activity> head = as.subList(0, as.size() / 2);
        List<Activity> tail = as.subList(as.size() / 2, as.size());
        OperatorSubtaskState checkpoint;
        List<NotificationWrite> firstRun;
        List<NotificationWrite> all;
        try (Run r = new Run()) {
            r.send(head.toArray(new Activity[0])).watermark(W + 30 * 60_000L);
            checkpoint = r.h.snapshot(1, 0);
            int n = r.writes().size();
            r.send(tail.toArray(new Activity[0])).watermark(Long.MAX_VALUE);
            all = new ArrayList<>(r.writes());
            firstRun = new ArrayList<>(all.subList(n, all.size()));
        }
        try (Run r = new Run()) {
            r.send(as.toArray(new Activity[0])).watermark(Long.MAX_VALUE);
            assertThat(r.writes()).isEqualTo(all);
        }
        Notifications fn = new Notifications(LATENESS_MS, TTL);
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                Notifications::groupId, Types.STRING)) {
            h.initializeState(checkpoint);
            h.open();
            for (Activity a : tail) {
                if (new NotificationTargets().filter(a)) {
                    h.processElement(a, Notifications.eventTimeMs(a));
                }
            }
            h.processWatermark(Long.MAX_VALUE);
            assertThat(h.extractOutputValues()).isEqualTo(firstRun).isNotEmpty();
        }
    }

    @Test
    void anyArrivalOrderEndsInTheOraclesGroupsAtTheSameTimestamps() throws Exception {
        for (long seed = 1; seed <= 25; seed++) {
            Random rnd = new Random(seed);
            History.Scenario sc = History.scenario(rnd, 6, 200);
            List<Activity> events = spreadOut(sc.events);
            Map<String, Group> oracle = NotificationState.oracle(spreadOut(new ArrayList<>(sc.live.values())));
            NotificationState inOrder;
            List<NotificationWrite> inOrderWrites;
            try (Run r = new Run(2 * HOUR)) {
                r.send(events.toArray(new Activity[0]));
                assertThat(r.groups()).as("seed %d: database order vs oracle", seed).isEqualTo(oracle);
                inOrder = r.store();
                inOrderWrites = new ArrayList<>(r.writes());
            }
            for (int i = 0; i < 4; i++) {
                List<Activity> shuffled = new ArrayList<>(events);
                Collections.shuffle(shuffled, rnd);
                try (Run r = new Run(2 * HOUR)) {
                    // Watermarks follow the arrivals (5 s behind the newest), as the job's do.
                    long newest = Long.MIN_VALUE;
                    for (Activity a : shuffled) {
                        r.send(a);
                        newest = Math.max(newest, Notifications.eventTimeMs(a));
                        r.watermark(newest - 5_000);
                    }
                    assertThat(r.groups()).as("seed %d shuffle %d", seed, i).isEqualTo(oracle);
                    assertThat(r.store().timestamps()).as("seed %d shuffle %d", seed, i)
                            .isEqualTo(inOrder.timestamps());
                    // Both runs' writes in one store (a replay in another order on top of a
                    // first run), applied in any order: still the oracle, no tie between values.
                    List<NotificationWrite> both = new ArrayList<>(inOrderWrites);
                    both.addAll(r.writes());
                    Collections.shuffle(both, rnd);
                    NotificationState merged = NotificationState.of(both);
                    assertThat(merged.conflicts()).isEmpty();
                    assertThat(merged.groups()).isEqualTo(oracle);
                }
            }
        }
    }

    /**
     * The scenario's activities with created_at spread over about an hour and
     * a half (one second per LSN unit instead of 10 µs), so groups span windows.
     */
    static List<Activity> spreadOut(List<Activity> as) {
        List<Activity> out = new ArrayList<>();
        for (Activity a : as) {
            long ts = History.T0 + (a.tsUs - History.T0) * 100_000L;
            out.add(new Activity(a.verb, a.id, a.actorId, a.objectId, a.targetUserId, ts, a.body, a.lsn, a.delete));
        }
        return out;
    }
}
