package feed.job.progress;

import java.util.Objects;

/**
 * What the job has consumed of one table's change stream: how many change
 * events, the highest LSN among them, and the commit time of the change at
 * that LSN. A Flink POJO (public fields, no-arg constructor).
 */
public class TableProgress {

    /** The table, e.g. {@code posts}. */
    public String table;
    /** Change events seen (tombstones and skipped bad records not counted). */
    public long events;
    /** Highest LSN seen; 0 before the first event (0 is never a valid PostgreSQL LSN). */
    public long lsn;
    /** Commit time (source ts_ms) of the change at {@link #lsn}, epoch ms; 0 before the first event. */
    public long tsMs;

    public TableProgress() {
    }

    public TableProgress(String table, long events, long lsn, long tsMs) {
        this.table = table;
        this.events = events;
        this.lsn = lsn;
        this.tsMs = tsMs;
    }

    /** The JSON stored in Redis: {@code {"events":N,"lsn":L,"ts_ms":T}}. */
    public String toJson() {
        return "{\"events\":" + events + ",\"lsn\":" + lsn + ",\"ts_ms\":" + tsMs + "}";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TableProgress)) {
            return false;
        }
        TableProgress that = (TableProgress) o;
        return events == that.events && lsn == that.lsn && tsMs == that.tsMs && Objects.equals(table, that.table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, events, lsn, tsMs);
    }

    @Override
    public String toString() {
        return table + toJson();
    }
}
