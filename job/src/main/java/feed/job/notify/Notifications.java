package feed.job.notify;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
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
 *   <li>{@code actors}: actor id -> the created_at µs of each of its live
 *       activities in the group, newest first (duplicates kept); an actor is
 *       in the map iff it has a live activity, so the map's size is
 *       {@code actor_count} and an actor's first element its newest live event.</li>
 *   <li>{@code summary}: {@code [actor_count, a0, t0, a1, t1, ...]}, the
 *       <em>buffer</em> ({@link TopActors}): the first up to {@link #BUFFER} actors (with their
 *       newest live event) in the group's order, newest first, ties by actor
 *       id descending. Absent iff the group has no live activity.</li>
 * </ul>
 * Both derive from {@code live} alone; a group restored from a checkpoint
 * taken before they existed (no {@code summary}, some {@code live}) gets
 * them from {@code live} at its next change (one scan, once).
 *
 * <h2>Cost per change</h2>
 * The group's value is kept, not recomputed: a change reads and writes a
 * bounded number of state entries, whatever the group's size: its activity in
 * {@code live} and {@code undone}, {@code version} (and {@code retired} when
 * absent), its actor's entry in {@code actors} and the {@code summary}
 * (at most 1 + 2 x {@value #BUFFER} longs). The emitted write is the
 * buffer's first {@link #MAX_ACTORS} actors, {@code actor_count} from the
 * summary, and {@code latest_us} the first actor's newest event (the order
 * is by newest live event, so the first actor holds the group's newest).
 * These are exactly the values a recomputation from {@code live} gives, and
 * the version is kept as before: NotificationsEquivalenceTest replays
 * recorded inputs through the former, recomputing implementation and
 * requires the same writes. A group's first change (no summary yet) also
 * checks that {@code live} is empty (one seek).
 * <p>The buffer's invariant ({@link TopActors}): it is a <em>prefix</em> of the group's actor
 * order (every buffered actor comes before every actor not buffered). A
 * change to one actor's newest live event takes the actor out and puts it
 * back only where that certainly keeps a prefix (before the buffer's last
 * actor, or anywhere when the buffer held every actor); otherwise the buffer
 * shrinks by one. Only when it holds fewer than
 * {@code min(MAX_ACTORS, actor_count)} actors is it rebuilt by scanning
 * {@code actors} (O(actors in the group)). A rebuild fills it to
 * {@value #BUFFER} (or to every actor), so the next one needs at least
 * {@code BUFFER - MAX_ACTORS + 1} = 55 more changes that each move one of
 * the buffered newest actors down or out: an unlike, unfollow or deleted
 * comment by one of the {@value #BUFFER} newest actors of the group. Inserts
 * never shrink it; a buffer holding every actor never needs a rebuild. A
 * rebuild reads every actor entry once (about 50 ms for 50,000 actors on
 * RocksDB, NotificationsBenchmark), so the worst case, a wave of undos of
 * the group's newest activities, costs about A / 55 entry reads per undo
 * for a group of A actors (50,000 follows, then unfollows half among the 20
 * newest: about 1,600 unfollows/s, against 30,000 follows/s). A larger
 * buffer makes rebuilds rarer but every change reads and writes it.
 * <p>The other per-actor cost: an actor's entry lists its own live
 * activities in the group, so a change costs O(k) for an actor with k of
 * them (k = 1 for a like or a follow; a user commenting k times on one post
 * within the hour pays O(k) per own comment).
 * <p>Emission is one write per applied change, as before (no coalescing in
 * the operator: the sinks already keep only the last buffered write per
 * group, and that last write carries the highest version, which is what
 * last-write-wins needs).
 */
public final class Notifications extends KeyedProcessFunction<String, Activity, NotificationWrite> {

    private static final long serialVersionUID = 1L;

    /** Window length: one hour, aligned to the epoch. */
    public static final long WINDOW_MS = 3_600_000L;
    /** Most actor ids a group shows. */
    public static final int MAX_ACTORS = 10;
    /** Most actors kept in the summary's buffer of the newest ones ({@link TopActors}, see "Cost per change"). */
    static final int BUFFER = 64;

    private final long latenessMs;
    private final Duration markerTtl;

    private transient MapState<String, Tuple3<Long, Long, Long>> live;
    private transient MapState<String, Long> undone;
    private transient ValueState<Long> version;
    private transient ValueState<Long> retired;
    private transient MapState<Long, long[]> actors;
    private transient ValueState<long[]> summary;
    private transient Counter lateEvents;
    private transient Counter compactions;
    /** The current key's summary while one element is processed. */
    private transient TopActors sum;
    private transient long rebuildCount;

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
        actors = getRuntimeContext().getMapState(new MapStateDescriptor<>("actors", Types.LONG,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        summary = getRuntimeContext().getState(new ValueStateDescriptor<>("summary",
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));

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
        sum = null; // loaded on the first aggregate change
        try {
            boolean applied = a.delete ? undo(a) : insert(a);
            if (!applied) {
                return;
            }
            // A time the watermark has passed already fires with the next watermark.
            ctx.timerService().registerEventTimeTimer(cleanup);
            out.collect(current(a, ctx.getCurrentKey(), startMs));
        } finally {
            sum = null;
        }
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

    /** Full scans of a group's actors so far (buffer underflows and restores); for tests. */
    long rebuildCount() {
        return rebuildCount;
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
        if (known == null) {
            loadSummary();
            addEvent(a.actorId, a.tsUs);
        } else if (known.f0 != a.actorId || known.f1 != a.tsUs) {
            loadSummary();
            removeEvent(known.f0, known.f1);
            addEvent(a.actorId, a.tsUs);
        }
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
        if (known != null) {
            loadSummary();
            removeEvent(known.f0, known.f1);
            live.remove(a.id);
        }
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

    // ---- the aggregates ----

    /**
     * Loads the summary into {@link #sum} (once per element). A group with
     * live activities but no summary was checkpointed before the aggregates
     * existed: they are rebuilt from {@code live}, before this change applies.
     */
    private void loadSummary() throws Exception {
        if (sum != null) {
            return;
        }
        long[] stored = summary.value();
        if (stored != null) {
            sum = TopActors.of(stored, BUFFER);
            return;
        }
        sum = new TopActors(BUFFER);
        if (!live.isEmpty()) {
            actors.clear();
            Map<Long, long[]> byActor = new HashMap<>();
            for (Tuple3<Long, Long, Long> v : live.values()) {
                byActor.put(v.f0, withEvent(byActor.get(v.f0), v.f1));
            }
            actors.putAll(byActor);
            sum.count = byActor.size();
            rebuildBuffer();
        }
    }

    /** A live event of ACTOR at TS joins the group. */
    private void addEvent(long actor, long ts) throws Exception {
        long[] events = actors.get(actor);
        long[] next = withEvent(events, ts);
        actors.put(actor, next);
        if (events == null) {
            sum.move(actor, false, true, ts);
        } else if (next[0] != events[0]) {
            sum.move(actor, true, true, next[0]);
        }
    }

    /** A live event of ACTOR at TS leaves the group. */
    private void removeEvent(long actor, long ts) throws Exception {
        long[] events = actors.get(actor);
        long[] next = withoutEvent(events, ts, actor);
        if (next.length == 0) {
            actors.remove(actor);
            sum.move(actor, true, false, 0L);
        } else {
            actors.put(actor, next);
            if (next[0] != events[0]) {
                sum.move(actor, true, true, next[0]);
            }
        }
    }

    /** EVENTS (newest first, may be null) with TS added, as a new array. */
    static long[] withEvent(long[] events, long ts) {
        if (events == null) {
            return new long[] {ts};
        }
        int i = 0;
        while (i < events.length && events[i] > ts) {
            i++;
        }
        long[] next = new long[events.length + 1];
        System.arraycopy(events, 0, next, 0, i);
        next[i] = ts;
        System.arraycopy(events, i, next, i + 1, events.length - i);
        return next;
    }

    /** EVENTS with one occurrence of TS taken out, as a new array. */
    static long[] withoutEvent(long[] events, long ts, long actor) {
        int i = events == null ? -1 : indexOf(events, ts);
        if (i < 0) {
            throw new IllegalStateException("notification state out of step: actor " + actor + " has no live event at "
                    + ts);
        }
        long[] next = new long[events.length - 1];
        System.arraycopy(events, 0, next, 0, i);
        System.arraycopy(events, i + 1, next, i, next.length - i);
        return next;
    }

    private static int indexOf(long[] events, long ts) {
        for (int i = 0; i < events.length; i++) {
            if (events[i] == ts) {
                return i;
            }
        }
        return -1;
    }

    /** Refills the buffer with the group's first {@link #BUFFER} actors: one scan of {@code actors}. */
    private void rebuildBuffer() throws Exception {
        rebuildCount++;
        sum.rebuild(actors.entries());
    }

    /** The group's value now, from the summary. */
    private NotificationWrite current(Activity a, String groupId, long startMs) throws Exception {
        loadSummary();
        long ts = version.value();
        if (sum.count == 0) {
            summary.clear();
            return new NotificationWrite(a.targetUserId, groupId, a.verb, a.objectId, startMs * 1_000L, 0,
                    new long[0], 0L, ts, true);
        }
        if (sum.needsRebuild(MAX_ACTORS)) {
            rebuildBuffer();
        }
        summary.update(sum.toArray());
        long[] ids = Arrays.copyOf(sum.ids, Math.min(MAX_ACTORS, sum.n));
        return new NotificationWrite(a.targetUserId, groupId, a.verb, a.objectId, startMs * 1_000L,
                sum.count, ids, sum.ts[0], ts, false);
    }
}
