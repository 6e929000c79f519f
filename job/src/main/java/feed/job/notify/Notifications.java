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
 * The notification rule of docs/DATA-MODEL.md: FOLLOW of U, LIKE and
 * COMMENT on U's posts, by others, aggregated per (verb, object, 1-hour
 * event-time window aligned to the epoch) into one group per target user,
 * each change emitted at once as the group's whole new value
 * ({@link NotificationWrite}).
 *
 * <h2>Keying and event time</h2>
 * Keyed by group id ({@link #groupId}, {@code <VERB>:<object>:<window start ms>});
 * the object names the target (the followee, or the post's author, whose id
 * never changes), so one key is one group of one user. Event time is the
 * row's {@code created_at} ({@link Activity#tsUs}); an undo carries the
 * created_at of what it undoes (REPLICA IDENTITY FULL), so it reaches the
 * same key. Watermarks come from the stream's
 * {@code forBoundedOutOfOrderness} strategy (FeedJob, {@code --notif-out-of-order-ms}).
 *
 * <h2>What it assumes of its input</h2>
 * <ul>
 *   <li><b>Order:</b> none. Every change is applied when it arrives and the
 *       group emitted at once (freshness: a group never waits for its window
 *       to close). An undo that arrives before its insert leaves a marker
 *       (activity id -> undo LSN), and the insert with a lower LSN is then
 *       ignored, as in {@code FanOut}. An update (the activity again at a
 *       later LSN, an edited comment) changes nothing the group shows.</li>
 *   <li><b>Lateness:</b> nothing is dropped. Watermarks serve two things:
 *       <ul>
 *         <li>once the watermark passes window end + {@code lateness} (an
 *             event-time timer per group), the group is <em>compacted</em>: its
 *             undo markers go (an undone activity's insert is not expected any
 *             more), and an empty group's state goes entirely;</li>
 *         <li>an insert that arrives after that point is counted in the
 *             metric {@code lateNotificationEvents}, and applied like any other:
 *             its group is still in state if it has live activities (live
 *             entries are never compacted, because an undo, e.g. an unlike a week
 *             later, may come at any time and always carries an old created_at),
 *             and is started again if it was compacted away.</li>
 *       </ul>
 *       The one thing the bound limits: an insert that arrives after its own
 *       undo <em>and</em> after its group's compaction finds no marker and is
 *       taken as live (as FanOut's inserts past {@code markerTtl}). A
 *       created_at in the future (a bad clock) moves the watermark ahead:
 *       nothing is lost, markers are only compacted earlier.</li>
 *   <li><b>Duplicates:</b> a change whose LSN is not newer than what the state
 *       holds for its activity emits nothing.</li>
 * </ul>
 *
 * <h2>Write timestamps</h2>
 * Cassandra keeps, per cell, the write with the highest timestamp, and a
 * list column overwritten twice at the same timestamp keeps <em>both</em>
 * lists (the overwrite deletes at timestamp - 1 and the elements get new
 * time-UUID paths). A group's timestamp must therefore grow with every
 * change applied to it, end at the same value whatever the arrival order,
 * and never be shared by two different values of the group. The max LSN of
 * the group's changes does not do that: a replay that has seen one more old
 * change ends at the same max with another value. So the timestamp is the
 * group's <b>version</b>: the sum, over the activities the group has seen,
 * of the newest LSN seen for each (insert, update or undo). It
 * <ul>
 *   <li>grows strictly with every change applied (a change is applied only
 *       if its LSN is newer than what the state holds for its activity);</li>
 *   <li>ends, whatever the order, at the sum of each activity's last LSN,
 *       which is the same for every arrival order and every replay;</li>
 *   <li>is reached only in that final state: any state on the way, in any
 *       run, holds a smaller LSN for some activity, or fewer activities.
 *       So a write at the final timestamp carries the final value, and a
 *       Cassandra tie (a replayed write, equal timestamp) is between equal
 *       values, which is harmless for every cell but the list: see below.</li>
 * </ul>
 * A group that empties is deleted at its version, and a later change
 * continues from that version (its state, or the version kept
 * {@code markerTtl} after compaction), so its insert wins over the delete.
 * The sum of LSNs fits a long for any realistic group (10^9 changes at an
 * LSN of 10^9); {@link Math#addExact} fails the job rather than wrap.
 *
 * <p><b>Replayed list writes:</b> a write replayed at the same timestamp
 * leaves the same {@code actor_ids} twice in Cassandra's list
 * ({@code [3,2,3,2]}); since equal timestamps mean equal values, a reader
 * that keeps the first occurrence of each id gets the list back exactly.
 * The next change of the group rewrites it cleanly.
 *
 * <h2>State and its clean-up</h2>
 * <ul>
 *   <li>{@code live}: activity id -> (actor, created_at µs, LSN) per live activity
 *       of the group; removed by its undo. No TTL (see above).</li>
 *   <li>{@code undone}: undo markers, activity id -> undo LSN; cleared at compaction,
 *       and TTL {@code markerTtl} (processing time) as a backstop for a
 *       watermark that stops.</li>
 *   <li>{@code version}: the write timestamp above; cleared at compaction when no
 *       live activity is left, moved to {@code retired} (TTL {@code markerTtl}),
 *       from which a change that revives the group continues.</li>
 * </ul>
 *
 * <h2>Limitations</h2>
 * Every change scans the group's live activities to recompute it: O(n) for a
 * group of n activities (a post liked 10^5 times within the hour pays that
 * per like).
 */
public final class Notifications extends KeyedProcessFunction<String, Activity, NotificationWrite> {

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
    public Notifications(long latenessMs, Duration markerTtl) {
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
