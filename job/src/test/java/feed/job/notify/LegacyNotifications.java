package feed.job.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import feed.job.fanout.Activity;

/**
 * The reference implementation: {@link Notifications} as it was before its
 * aggregates were kept incrementally, which recomputes the whole group from
 * its live activities on every change (O(n) per change for a group of n).
 * Test-only: {@code NotificationsEquivalenceTest} replays recorded inputs
 * through both and requires the very same writes, and
 * {@code NotificationsBenchmark} measures both. Its state, semantics and
 * write timestamps are documented on {@link Notifications}.
 */
final class LegacyNotifications extends KeyedProcessFunction<String, Activity, NotificationWrite> {

    private static final long serialVersionUID = 1L;

    /** Window length: one hour, aligned to the epoch. */
    public static final long WINDOW_MS = 3_600_000L;
    /** Most actor ids a group shows. */
    public static final int MAX_ACTORS = 10;

    private final long latenessMs;
    private final Duration markerTtl;

    private transient MapState<String, Tuple3<Long, Long, Long>> live;
    private transient MapState<String, Long> undone;
    private transient ValueState<Long> version;
    private transient ValueState<Long> retired;
    private transient Counter lateEvents;
    private transient Counter compactions;

    /**
     * @param latenessMs how long after its window's end (event time) a group keeps its undo markers
     * @param markerTtl  processing-time TTL of undo markers and of an emptied group's version
     */
    LegacyNotifications(long latenessMs, Duration markerTtl) {
        if (latenessMs < 0) {
            throw new IllegalArgumentException("lateness must not be negative: " + latenessMs);
        }
        this.latenessMs = latenessMs;
        this.markerTtl = markerTtl;
    }

    /** The start of {@code tsUs}'s window, in milliseconds since the epoch. */
    public static long windowStartMs(long tsUs) {
        return Math.floorDiv(Math.floorDiv(tsUs, 1_000L), WINDOW_MS) * WINDOW_MS;
    }

    /** The group of an activity: {@code <VERB>:<object>:<window start ms>}. */
    public static String groupId(Activity a) {
        return a.verb.name() + ":" + a.objectId + ":" + windowStartMs(a.tsUs);
    }

    /** The activity's event time for Flink, in milliseconds. */
    public static long eventTimeMs(Activity a) {
        return Math.floorDiv(a.tsUs, 1_000L);
    }

    /** When the group of a window starting at {@code startMs} is compacted (event time, ms). */
    long cleanupTime(long startMs) {
        long end = startMs + WINDOW_MS - 1;
        return end > Long.MAX_VALUE - latenessMs ? Long.MAX_VALUE : end + latenessMs;
    }

    @Override
    public void open(OpenContext context) {
        live = getRuntimeContext().getMapState(new MapStateDescriptor<>("live", Types.STRING,
                Types.TUPLE(Types.LONG, Types.LONG, Types.LONG)));
        version = getRuntimeContext().getState(new ValueStateDescriptor<>("version", Types.LONG));

        StateTtlConfig ttl = StateTtlConfig.newBuilder(markerTtl)
                .updateTtlOnCreateAndWrite()
                .neverReturnExpired()
                .build();
        MapStateDescriptor<String, Long> undoneDesc = new MapStateDescriptor<>("undone", Types.STRING, Types.LONG);
        undoneDesc.enableTimeToLive(ttl);
        undone = getRuntimeContext().getMapState(undoneDesc);
        ValueStateDescriptor<Long> retiredDesc = new ValueStateDescriptor<>("retired", Types.LONG);
        retiredDesc.enableTimeToLive(ttl);
        retired = getRuntimeContext().getState(retiredDesc);

        lateEvents = getRuntimeContext().getMetricGroup().counter("lateNotificationEvents");
        compactions = getRuntimeContext().getMetricGroup().counter("compactedNotificationGroups");
    }

    @Override
    public void processElement(Activity a, Context ctx, Collector<NotificationWrite> out) throws Exception {
        long startMs = windowStartMs(a.tsUs);
        long cleanup = cleanupTime(startMs);
        if (!a.delete && ctx.timerService().currentWatermark() >= cleanup) {
            lateEvents.inc(); // past the lateness bound: applied all the same
        }
        boolean applied = a.delete ? undo(a) : insert(a);
        if (!applied) {
            return;
        }
        // A time the watermark has passed already fires with the next watermark.
        ctx.timerService().registerEventTimeTimer(cleanup);
        out.collect(current(a, ctx.getCurrentKey(), startMs));
    }

    /** Compaction, once the watermark is past window end + lateness. */
    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<NotificationWrite> out) throws Exception {
        undone.clear();
        if (live.isEmpty()) {
            Long v = version.value();
            if (v != null) {
                retired.update(v);
            }
            version.clear();
        }
        compactions.inc();
    }

    /** Inserts counted as late so far (metric {@code lateNotificationEvents}); for tests. */
    long lateEventCount() {
        return lateEvents.getCount();
    }

    /** Insert (or update) of activity A: true if the state changed. */
    private boolean insert(Activity a) throws Exception {
        Long undoneAt = undone.get(a.id);
        if (undoneAt != null && undoneAt >= a.lsn) {
            return false; // its undo came first
        }
        Tuple3<Long, Long, Long> known = live.get(a.id);
        if (known != null && known.f2 >= a.lsn) {
            return false; // duplicate, or older than an update already applied
        }
        long prev = known != null ? known.f2 : undoneAt != null ? undoneAt : 0L;
        bump(a.lsn - prev);
        live.put(a.id, Tuple3.of(a.actorId, a.tsUs, a.lsn));
        if (undoneAt != null) {
            undone.remove(a.id); // not a history the database makes (ids are not reused); newest wins
        }
        return true;
    }

    /** Undo of activity A: true if the state changed. */
    private boolean undo(Activity a) throws Exception {
        Long undoneAt = undone.get(a.id);
        if (undoneAt != null && undoneAt >= a.lsn) {
            return false; // duplicate
        }
        Tuple3<Long, Long, Long> known = live.get(a.id);
        if (known != null && known.f2 >= a.lsn) {
            return false; // older than the live change: not a history the database makes
        }
        long prev = Math.max(known != null ? known.f2 : 0L, undoneAt != null ? undoneAt : 0L);
        bump(a.lsn - prev);
        live.remove(a.id);
        undone.put(a.id, a.lsn);
        return true;
    }

    /** Adds to the group's version; a group compacted away continues from its retired version. */
    private void bump(long delta) throws Exception {
        Long v = version.value();
        if (v == null) {
            v = retired.value();
            if (v == null) {
                v = 0L;
            } else {
                retired.clear();
            }
        }
        version.update(Math.addExact(v, delta));
    }

    /** The group's value now, computed from the live activities. */
    private NotificationWrite current(Activity a, String groupId, long startMs) throws Exception {
        Map<Long, Long> newest = new HashMap<>();
        long latest = Long.MIN_VALUE;
        for (Map.Entry<String, Tuple3<Long, Long, Long>> e : live.entries()) {
            Tuple3<Long, Long, Long> v = e.getValue();
            newest.merge(v.f0, v.f1, Math::max);
            latest = Math.max(latest, v.f1);
        }
        long ts = version.value();
        if (newest.isEmpty()) {
            return new NotificationWrite(a.targetUserId, groupId, a.verb, a.objectId, startMs * 1_000L, 0,
                    new long[0], 0L, ts, true);
        }
        List<Map.Entry<Long, Long>> actors = new ArrayList<>(newest.entrySet());
        // Newest live event first; ties by actor id, descending.
        actors.sort((x, y) -> {
            int c = Long.compare(y.getValue(), x.getValue());
            return c != 0 ? c : Long.compare(y.getKey(), x.getKey());
        });
        long[] ids = new long[Math.min(MAX_ACTORS, actors.size())];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = actors.get(i).getKey();
        }
        return new NotificationWrite(a.targetUserId, groupId, a.verb, a.objectId, startMs * 1_000L,
                newest.size(), ids, latest, ts, false);
    }
}
