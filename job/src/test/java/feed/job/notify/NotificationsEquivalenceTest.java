package feed.job.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import feed.job.fanout.Activity;
import feed.job.fanout.Verb;
import feed.job.testing.History;

/**
 * {@link Notifications} (aggregates kept incrementally) against
 * {@link LegacyNotifications} (the group recomputed from its live activities
 * on every change): a recorded input (activities in arrival order, with
 * watermarks between them) replayed through both must give the very same
 * writes, in the same order, with the same write timestamps.
 */
class NotificationsEquivalenceTest {

    static final long LATENESS_MS = NotificationsTest.LATENESS_MS;
    static final long W = NotificationsTest.W;
    static final long HOUR = Notifications.WINDOW_MS;

    /** One recorded input element: an activity, or a watermark (ms) when {@code a} is null. */
    record Step(Activity a, long watermark) {
        static Step of(Activity a) {
            return new Step(a, 0L);
        }

        static Step watermark(long ms) {
            return new Step(null, ms);
        }
    }

    static KeyedOneInputStreamOperatorTestHarness<String, Activity, NotificationWrite> harness(
            KeyedProcessFunction<String, Activity, NotificationWrite> fn, boolean rocksDb) throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn), Notifications::groupId,
                Types.STRING);
        if (rocksDb) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
        }
        return h;
    }

    static void feed(KeyedOneInputStreamOperatorTestHarness<String, Activity, NotificationWrite> h, List<Step> steps)
            throws Exception {
        NotificationTargets targets = new NotificationTargets();
        for (Step s : steps) {
            if (s.a() == null) {
                h.processWatermark(s.watermark());
            } else if (targets.filter(s.a())) {
                h.processElement(s.a(), Notifications.eventTimeMs(s.a()));
            }
        }
    }

    static List<NotificationWrite> replay(KeyedProcessFunction<String, Activity, NotificationWrite> fn,
                                          List<Step> steps, boolean rocksDb) throws Exception {
        try (var h = harness(fn, rocksDb)) {
            h.open();
            feed(h, steps);
            return new ArrayList<>(h.extractOutputValues());
        }
    }

    static void assertSameWrites(List<Step> steps, String what) throws Exception {
        List<NotificationWrite> old = replay(new LegacyNotifications(LATENESS_MS, NotificationsTest.TTL), steps, false);
        List<NotificationWrite> now = replay(new Notifications(LATENESS_MS, NotificationsTest.TTL), steps, false);
        assertThat(old).as(what).isNotEmpty();
        assertSameWrites(now, old, what);
    }

    static void assertSameWrites(List<NotificationWrite> now, List<NotificationWrite> old, String what) {
        // Element by element first, for a readable failure.
        for (int i = 0; i < Math.min(now.size(), old.size()); i++) {
            assertThat(now.get(i)).as("%s: write %d", what, i).isEqualTo(old.get(i));
        }
        assertThat(now).as(what).hasSameSizeAs(old);
    }

    // ---- recorded inputs ----

    /**
     * A History scenario (refollows, cascades), spread over ~1.5 hours, in a
     * shuffled arrival order with duplicates, watermarks following the
     * arrivals (so groups are compacted and late events revive them).
     */
    static List<Step> scenario(long seed) {
        Random rnd = new Random(seed);
        List<Activity> events = NotificationsTest.spreadOut(History.scenario(rnd, 8, 400, true).events);
        List<Activity> arrivals = new ArrayList<>(events);
        if (seed % 3 != 0) { // some seeds in database order
            for (int i = 0; i < arrivals.size(); i++) { // local shuffles
                int j = Math.min(arrivals.size() - 1, i + rnd.nextInt(30));
                Collections.swap(arrivals, i, j);
            }
        }
        List<Step> steps = new ArrayList<>();
        long newest = Long.MIN_VALUE;
        long lag = 1_000L + rnd.nextInt(3) * 20 * 60_000L;
        for (Activity a : arrivals) {
            steps.add(Step.of(a));
            if (rnd.nextInt(10) == 0) {
                steps.add(Step.of(a)); // a duplicate
            }
            newest = Math.max(newest, Notifications.eventTimeMs(a));
            steps.add(Step.watermark(newest - lag));
        }
        // A replay of a random earlier stretch (at-least-once), then the end of time.
        int from = rnd.nextInt(arrivals.size());
        for (Activity a : arrivals.subList(from, Math.min(arrivals.size(), from + 50))) {
            steps.add(Step.of(a));
        }
        steps.add(Step.watermark(Long.MAX_VALUE));
        return steps;
    }

    /**
     * One hot group (likes of post 1 by many actors) and its neighbours
     * (comments, several per actor, with tied created_at; the next window):
     * inserts, undos biased to the newest events (so the buffer of newest
     * actors underflows), undos before their inserts, duplicates, updates at
     * a later LSN that move an activity's created_at within its window or
     * even change its actor (not a history the database makes, but both
     * implementations must agree).
     */
    static List<Step> hotGroup(long seed, int events, int actorPool) {
        Random rnd = new Random(seed);
        List<Step> steps = new ArrayList<>();
        List<Activity> live = new ArrayList<>();
        List<Activity> held = new ArrayList<>(); // inserts whose undo is sent first
        long lsn = 1_000;
        long id = 1;
        long watermark = Long.MIN_VALUE;
        for (int i = 0; i < events; i++) {
            lsn += 1 + rnd.nextInt(5);
            int what = rnd.nextInt(100);
            if (what < 55 || live.isEmpty()) {
                long actor = 2 + rnd.nextInt(actorPool);
                boolean comment = rnd.nextInt(4) == 0;
                long window = rnd.nextInt(10) == 0 ? W + HOUR : W;
                // Coarse times, so that ties between actors are common.
                long ts = (window + rnd.nextInt(3_600) * 1_000L) * 1_000L;
                Activity a = comment
                        ? new Activity(Verb.COMMENT, "c:" + id++, actor, "p:1", 1, ts, "c", lsn, false)
                        : new Activity(Verb.LIKE, "l:" + id++, actor, "p:1", 1, ts, null, lsn, false);
                if (rnd.nextInt(30) == 0) {
                    held.add(a);
                    steps.add(Step.of(a.undo(lsn + 2))); // its undo first
                    lsn += 3;
                } else {
                    steps.add(Step.of(a));
                    live.add(a);
                }
            } else if (what < 85) {
                // Undo, mostly of one of the newest events.
                live.sort((x, y) -> Long.compare(y.tsUs, x.tsUs));
                int k = rnd.nextInt(3) == 0 ? rnd.nextInt(live.size()) : rnd.nextInt(Math.min(live.size(), 12));
                Activity a = live.remove(k);
                steps.add(Step.of(a.undo(lsn)));
            } else if (what < 90) {
                Activity a = live.get(rnd.nextInt(live.size()));
                steps.add(Step.of(a)); // duplicate
            } else if (what < 95) {
                int k = rnd.nextInt(live.size());
                Activity a = live.get(k);
                long window = Notifications.windowStartMs(a.tsUs);
                long ts = rnd.nextBoolean() ? a.tsUs : (window + rnd.nextInt(3_600) * 1_000L) * 1_000L;
                long actor = rnd.nextInt(4) == 0 ? 2 + rnd.nextInt(actorPool) : a.actorId;
                Activity u = new Activity(a.verb, a.id, actor, a.objectId, a.targetUserId, ts, a.body, lsn, false);
                live.set(k, u);
                steps.add(Step.of(u));
            } else if (!held.isEmpty()) {
                steps.add(Step.of(held.remove(rnd.nextInt(held.size())))); // after its undo: ignored
            } else {
                steps.add(Step.of(live.get(rnd.nextInt(live.size())))); // duplicate
            }
            if (rnd.nextInt(200) == 0) {
                watermark = Math.max(watermark, W + rnd.nextInt(3) * HOUR + LATENESS_MS);
                steps.add(Step.watermark(watermark)); // compactions
            }
        }
        // Everything undone in the end, newest first: the buffer drains and the groups go.
        live.sort((x, y) -> Long.compare(y.tsUs, x.tsUs));
        for (Activity a : live) {
            steps.add(Step.of(a.undo(++lsn)));
        }
        return steps;
    }

    // ---- the comparisons ----

    @Test
    void historiesInAnyArrivalOrderGiveTheSameWrites() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            assertSameWrites(scenario(seed), "scenario seed " + seed);
        }
    }

    @Test
    void aHotGroupWithChurnAmongItsNewestActorsGivesTheSameWrites() throws Exception {
        for (long seed = 1; seed <= 6; seed++) {
            assertSameWrites(hotGroup(seed, 3_000, 60 + (int) seed * 40), "hot group seed " + seed);
        }
        // Few actors: the buffer holds them all.
        assertSameWrites(hotGroup(7, 2_000, 8), "few actors");
    }

    @Test
    void theBufferIsRebuiltOnlyWhenItUnderflows() throws Exception {
        List<Step> steps = hotGroup(11, 4_000, 400);
        Notifications fn = new Notifications(LATENESS_MS, NotificationsTest.TTL);
        List<NotificationWrite> now = replay(fn, steps, false);
        assertSameWrites(now, replay(new LegacyNotifications(LATENESS_MS, NotificationsTest.TTL), steps, false),
                "hot group");
        long undos = steps.stream().filter(s -> s.a() != null && s.a().delete).count();
        assertThat(fn.rebuildCount()).as("rebuilds (undos: %d)", undos).isPositive()
                .isLessThan(undos / (Notifications.BUFFER - Notifications.MAX_ACTORS) + 10);
    }

    @Test
    void insertsAloneNeverScanTheGroup() throws Exception {
        Random rnd = new Random(12);
        List<Step> steps = new ArrayList<>();
        long lsn = 1_000;
        for (int i = 0; i < 3_000; i++) { // follows of user 1 in any created_at order, some duplicated
            long ts = (W + rnd.nextInt(3_600_000)) * 1_000L;
            Activity f = new Activity(Verb.FOLLOW, "f:" + i, 100 + i, "u:1", 1, ts, null, lsn += 1 + rnd.nextInt(3),
                    false);
            steps.add(Step.of(f));
            if (rnd.nextInt(20) == 0) {
                steps.add(Step.of(f));
            }
        }
        Notifications fn = new Notifications(LATENESS_MS, NotificationsTest.TTL);
        List<NotificationWrite> now = replay(fn, steps, false);
        assertSameWrites(now, replay(new LegacyNotifications(LATENESS_MS, NotificationsTest.TTL), steps, false),
                "follows");
        assertThat(now).hasSize(3_000);
        assertThat(fn.rebuildCount()).isZero();
    }

    @Test
    void onRocksDbTooTheWritesAreTheSame() throws Exception {
        for (List<Step> steps : List.of(scenario(2), hotGroup(3, 2_000, 150))) {
            List<NotificationWrite> old = replay(new LegacyNotifications(LATENESS_MS, NotificationsTest.TTL), steps,
                    false);
            List<NotificationWrite> now = replay(new Notifications(LATENESS_MS, NotificationsTest.TTL), steps, true);
            assertSameWrites(now, old, "RocksDB");
        }
    }

    /**
     * A checkpoint of the old operator restored into the new one (the jar
     * redeployed from its newest checkpoint): the groups' aggregates are
     * rebuilt from their live activities, and every write after the restore
     * is the one the old operator would have made.
     */
    @Test
    void aCheckpointOfTheOldOperatorRestoresIntoTheNewOne() throws Exception {
        for (List<Step> steps : List.of(scenario(5), hotGroup(5, 2_000, 100))) {
            List<Step> head = steps.subList(0, steps.size() / 2);
            List<Step> tail = steps.subList(steps.size() / 2, steps.size());
            OperatorSubtaskState checkpoint;
            List<NotificationWrite> oldTail;
            try (var h = harness(new LegacyNotifications(LATENESS_MS, NotificationsTest.TTL), false)) {
                h.open();
                feed(h, head);
                checkpoint = h.snapshot(1, 0);
                int n = h.extractOutputValues().size();
                feed(h, tail);
                List<NotificationWrite> all = h.extractOutputValues();
                oldTail = new ArrayList<>(all.subList(n, all.size()));
            }
            Notifications fn = new Notifications(LATENESS_MS, NotificationsTest.TTL);
            try (var h = harness(fn, false)) {
                h.initializeState(checkpoint);
                h.open();
                feed(h, tail);
                assertSameWrites(new ArrayList<>(h.extractOutputValues()), oldTail, "restored");
                assertThat(oldTail).isNotEmpty();
            }
        }
    }
}
