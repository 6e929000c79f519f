package feed.job.cdc;

import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One row change captured by Debezium, decoded into plain Java values.
 *
 * <p>{@code before} and {@code after} map column names to values of these
 * types only: {@code null}, {@link Boolean}, {@link Integer}, {@link Long},
 * {@link Float}, {@link Double}, {@link String}, {@code byte[]},
 * {@link java.math.BigDecimal}, and {@link List} / {@link Map} of those.
 * Timestamps with time zone are ISO-8601 strings, as Debezium writes them.
 * {@link ChangeEventSerializer} knows exactly these types, so Flink never
 * falls back to Kryo for this class.
 *
 * <p>Instances are immutable (the maps are unmodifiable; do not write into a
 * {@code byte[]} value), which lets Flink pass them between chained
 * operators without copying.
 */
@TypeInfo(ChangeEventTypeInfo.Factory.class)
public final class ChangeEvent {

    /** {@link #txId()} when the source did not say which transaction wrote the change. */
    public static final long NO_TX = -1L;

    private final String table;
    private final Op op;
    private final Map<String, Object> before;
    private final Map<String, Object> after;
    private final long lsn;
    private final long txId;
    private final long tsMs;

    /**
     * Makes an event. It takes the maps over without copying them: the caller
     * must not change them afterwards.
     *
     * @param table  the table's name without schema, e.g. {@code posts}
     * @param op     what happened
     * @param before the row before the change, or null (inserts; updates without REPLICA IDENTITY FULL)
     * @param after  the row after the change, or null (deletes)
     * @param lsn    the PostgreSQL log sequence number of the change: it orders changes, and
     *               makes a good write timestamp for stores that keep the last write
     * @param txId   the PostgreSQL transaction id, or {@link #NO_TX}
     * @param tsMs   the commit time in the source database, epoch milliseconds
     */
    public ChangeEvent(String table, Op op, Map<String, Object> before, Map<String, Object> after,
                       long lsn, long txId, long tsMs) {
        this.table = Objects.requireNonNull(table, "table");
        this.op = Objects.requireNonNull(op, "op");
        this.before = before == null ? null : Collections.unmodifiableMap(before);
        this.after = after == null ? null : Collections.unmodifiableMap(after);
        this.lsn = lsn;
        this.txId = txId;
        this.tsMs = tsMs;
    }

    public String table() { return table; }

    public Op op() { return op; }

    /** The row before the change, or null. */
    public Map<String, Object> before() { return before; }

    /** The row after the change, or null. */
    public Map<String, Object> after() { return after; }

    public long lsn() { return lsn; }

    public long txId() { return txId; }

    /** Commit time in the source database (Debezium's {@code source.ts_ms}). */
    public long tsMs() { return tsMs; }

    /** The row as it is now: {@code after}, or {@code before} for a delete. */
    public Map<String, Object> row() {
        return after != null ? after : before;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ChangeEvent)) {
            return false;
        }
        ChangeEvent that = (ChangeEvent) o;
        return lsn == that.lsn && txId == that.txId && tsMs == that.tsMs
                && table.equals(that.table) && op == that.op
                && valueEquals(before, that.before) && valueEquals(after, that.after);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(table, op, lsn, txId, tsMs);
        h = 31 * h + valueHash(before);
        h = 31 * h + valueHash(after);
        return h;
    }

    @Override
    public String toString() {
        return "ChangeEvent{" + table + " " + op + " lsn=" + lsn + " tx=" + txId + " ts=" + tsMs
                + " before=" + before + " after=" + after + "}";
    }

    /** Equality of row values, comparing byte arrays (also nested ones) by content. */
    static boolean valueEquals(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof byte[] && b instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        if (a instanceof Map && b instanceof Map) {
            Map<?, ?> ma = (Map<?, ?>) a;
            Map<?, ?> mb = (Map<?, ?>) b;
            if (ma.size() != mb.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : ma.entrySet()) {
                if (!mb.containsKey(e.getKey()) || !valueEquals(e.getValue(), mb.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List && b instanceof List) {
            List<?> la = (List<?>) a;
            List<?> lb = (List<?>) b;
            if (la.size() != lb.size()) {
                return false;
            }
            Iterator<?> ia = la.iterator();
            Iterator<?> ib = lb.iterator();
            while (ia.hasNext()) {
                if (!valueEquals(ia.next(), ib.next())) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** A hash consistent with {@link #valueEquals}. */
    static int valueHash(Object v) {
        if (v == null) {
            return 0;
        }
        if (v instanceof byte[]) {
            return Arrays.hashCode((byte[]) v);
        }
        if (v instanceof Map) {
            int h = 0;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                h += Objects.hashCode(e.getKey()) ^ valueHash(e.getValue());
            }
            return h;
        }
        if (v instanceof List) {
            int h = 1;
            for (Object x : (List<?>) v) {
                h = 31 * h + valueHash(x);
            }
            return h;
        }
        return v.hashCode();
    }
}
