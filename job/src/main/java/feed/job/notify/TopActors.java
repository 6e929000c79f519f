package feed.job.notify;

import java.util.Map;

/**
 * The incremental top-actors buffer of one notification group: how many
 * actors the group has ({@link #count}), and the first {@link #n} of them
 * in the group's order, each with its newest live event ({@code ids[i]},
 * {@code ts[i]}). The order is newest event first, ties by actor id
 * descending ({@link #before}).
 *
 * <p>The invariant: the buffer is a <em>prefix</em> of the group's actor
 * order (every buffered actor comes before every actor not buffered).
 * {@link #move} keeps it one from the change of a single actor's newest
 * event alone, without seeing the other actors: the actor is taken out and
 * put back only where it certainly belongs among the first ones (before the
 * buffer's last actor, or anywhere when the buffer held every actor);
 * otherwise the buffer is one shorter. When it gets too short for what the
 * caller shows ({@link #needsRebuild}), {@link #rebuild} refills it from a
 * scan of every actor. {@link Notifications} ("Cost per change") says what
 * that costs and how often it happens.
 *
 * <p>Mutable, not thread-safe; lives while one element is processed, and
 * is kept in Flink state as {@link #toArray} ({@code [count, a0, t0, a1,
 * t1, ...]}).
 */
final class TopActors {

    /** Most actors buffered. */
    final int capacity;
    /** Actors with a live activity in the group. */
    int count;
    /** Actors buffered: ids[0..n), ts[0..n). */
    int n;
    final long[] ids;
    final long[] ts;

    /** An empty buffer of a group with no actor. */
    TopActors(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        this.ids = new long[capacity + 1];
        this.ts = new long[capacity + 1];
    }

    /** The buffer stored as {@link #toArray} made; cut to {@code capacity} (a prefix stays one if cut). */
    static TopActors of(long[] stored, int capacity) {
        TopActors s = new TopActors(capacity);
        s.count = Math.toIntExact(stored[0]);
        s.n = Math.min((stored.length - 1) / 2, capacity);
        for (int i = 0; i < s.n; i++) {
            s.ids[i] = stored[1 + 2 * i];
            s.ts[i] = stored[2 + 2 * i];
        }
        return s;
    }

    /** {@code [count, a0, t0, a1, t1, ...]}, the buffer's n actors. */
    long[] toArray() {
        long[] out = new long[1 + 2 * n];
        out[0] = count;
        for (int i = 0; i < n; i++) {
            out[1 + 2 * i] = ids[i];
            out[2 + 2 * i] = ts[i];
        }
        return out;
    }

    /** True if (TS, ACTOR) comes before (OTS, OACTOR): newer first, ties by actor id descending. */
    static boolean before(long ts, long actor, long ots, long oactor) {
        return ts > ots || (ts == ots && actor > oactor);
    }

    /**
     * ACTOR's newest live event changes: it had one ({@code had}) or not,
     * and has one at {@code newTs} ({@code has}) or not. Keeps the buffer
     * a prefix of the order: the actor is taken out, and put back only
     * where it certainly belongs among the first ones (before the
     * buffer's last actor, or anywhere if the buffer held every actor);
     * otherwise the buffer is one shorter.
     */
    void move(long actor, boolean had, boolean has, long newTs) {
        boolean holdsAll = n == count;
        for (int i = 0; i < n; i++) {
            if (ids[i] == actor) {
                System.arraycopy(ids, i + 1, ids, i, n - i - 1);
                System.arraycopy(ts, i + 1, ts, i, n - i - 1);
                n--;
                break;
            }
        }
        count += (has ? 1 : 0) - (had ? 1 : 0);
        if (has && (holdsAll || (n > 0 && before(newTs, actor, ts[n - 1], ids[n - 1])))) {
            insertSorted(actor, newTs);
        }
    }

    /** Puts ACTOR at its place in the buffer, dropping the last one past {@link #capacity}. */
    void insertSorted(long actor, long t) {
        int i = n;
        while (i > 0 && before(t, actor, ts[i - 1], ids[i - 1])) {
            ids[i] = ids[i - 1];
            ts[i] = ts[i - 1];
            i--;
        }
        ids[i] = actor;
        ts[i] = t;
        if (n < capacity) {
            n++;
        }
    }

    /** True when the buffer holds fewer than the first {@code shown} actors a group shows. */
    boolean needsRebuild(int shown) {
        return n < Math.min(shown, count);
    }

    /**
     * Refills the buffer with the group's first {@link #capacity} actors from
     * {@code actors}, every actor of the group with its live events (newest
     * first): one scan, selecting with a heap of {@code capacity} whose root
     * is the selected actor that comes last (O(A log capacity)).
     *
     * @throws IllegalStateException if {@code actors} does not hold {@link #count} actors
     */
    void rebuild(Iterable<Map.Entry<Long, long[]>> actors) {
        long[] hIds = new long[capacity];
        long[] hTs = new long[capacity];
        int size = 0;
        int scanned = 0;
        for (Map.Entry<Long, long[]> e : actors) {
            scanned++;
            long actor = e.getKey();
            long t = e.getValue()[0];
            if (size < capacity) {
                siftUp(hIds, hTs, size++, actor, t);
            } else if (before(t, actor, hTs[0], hIds[0])) {
                siftDown(hIds, hTs, size, actor, t);
            }
        }
        if (scanned != count) {
            throw new IllegalStateException("notification state out of step: " + scanned + " actors, count " + count);
        }
        n = 0;
        for (int k = 0; k < size; k++) {
            insertSorted(hIds[k], hTs[k]);
        }
    }

    /** Heap of the selection: adds (ACTOR, T) at slot C, moving it up past every slot it comes after. */
    private static void siftUp(long[] hIds, long[] hTs, int c, long actor, long t) {
        while (c > 0 && before(hTs[(c - 1) / 2], hIds[(c - 1) / 2], t, actor)) {
            hIds[c] = hIds[(c - 1) / 2];
            hTs[c] = hTs[(c - 1) / 2];
            c = (c - 1) / 2;
        }
        hIds[c] = actor;
        hTs[c] = t;
    }

    /** Heap of the selection: replaces the root (the selected actor that comes last) by (ACTOR, T). */
    private static void siftDown(long[] hIds, long[] hTs, int size, long actor, long t) {
        int c = 0;
        while (true) {
            int l = 2 * c + 1;
            if (l >= size) {
                break;
            }
            int last = l + 1 < size && before(hTs[l], hIds[l], hTs[l + 1], hIds[l + 1]) ? l + 1 : l;
            if (!before(t, actor, hTs[last], hIds[last])) {
                break;
            }
            hIds[c] = hIds[last];
            hTs[c] = hTs[last];
            c = last;
        }
        hIds[c] = actor;
        hTs[c] = t;
    }
}
