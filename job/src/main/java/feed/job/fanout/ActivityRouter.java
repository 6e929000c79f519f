package feed.job.fanout;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import feed.job.cdc.BadRecordPolicy;
import feed.job.cdc.ChangeEvent;
import feed.job.cdc.MalformedRecordException;
import feed.job.cdc.Op;

/**
 * Turns change events of {@code follows}, {@code posts}, {@code comments}
 * and {@code likes} into {@link Activity} records (docs/DATA-MODEL.md
 * "Activities"); {@code users} and other tables give nothing.
 *
 * <p>Inserts and snapshot reads are activities; a DELETE is the undo,
 * built from the before-image (REPLICA IDENTITY FULL). An UPDATE (an edited
 * post or comment body) is the activity again at the update's LSN: the
 * same feed rows and body row are rewritten with a later timestamp. The
 * columns that route an activity (actor, post, post author) are never
 * updated by the API.
 *
 * <p>Stateless. A row missing a routing column, or with a {@code created_at}
 * that is not a timestamp, is malformed: it fails the job or is skipped
 * (metric {@code badActivities}), by {@link BadRecordPolicy}, as a
 * malformed Kafka record is.
 */
public final class ActivityRouter extends RichFlatMapFunction<ChangeEvent, Activity> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ActivityRouter.class);

    private final BadRecordPolicy policy;
    private transient Counter bad;

    public ActivityRouter(BadRecordPolicy policy) {
        this.policy = policy;
    }

    @Override
    public void open(OpenContext context) {
        bad = getRuntimeContext().getMetricGroup().counter("badActivities");
    }

    @Override
    public void flatMap(ChangeEvent e, Collector<Activity> out) throws MalformedRecordException {
        Activity a;
        try {
            a = route(e);
        } catch (MalformedRecordException ex) {
            if (policy == BadRecordPolicy.FAIL) {
                throw ex;
            }
            bad.inc();
            LOG.error("skipping change that is not an activity: {}", ex.getMessage());
            return;
        }
        if (a != null) {
            out.collect(a);
        }
    }

    /** The activity of a change, or null if the table has none; a snapshot's READ is marked as one. */
    public static Activity route(ChangeEvent e) throws MalformedRecordException {
        Activity a = activityOf(e);
        if (a != null && e.op() == Op.READ) {
            a.snapshot = true;
        }
        return a;
    }

    private static Activity activityOf(ChangeEvent e) throws MalformedRecordException {
        Map<String, Object> row = e.row();
        if (row == null) {
            return null;
        }
        boolean delete = e.op() == Op.DELETE;
        switch (e.table()) {
            case "follows": {
                long followee = longCol(e, "followee_id");
                return new Activity(Verb.FOLLOW, Verb.FOLLOW.activityId(longCol(e, "id")),
                        longCol(e, "follower_id"), "u:" + followee, followee, tsUs(e), null, e.lsn(), delete);
            }
            case "posts": {
                long id = longCol(e, "id");
                return new Activity(Verb.SHARD, Verb.SHARD.activityId(id), longCol(e, "author_id"), "p:" + id,
                        Activity.NO_TARGET, tsUs(e), stringCol(e, "body"), e.lsn(), delete);
            }
            case "comments": {
                long actor = longCol(e, "author_id");
                long postAuthor = longCol(e, "post_author_id");
                return new Activity(Verb.COMMENT, Verb.COMMENT.activityId(longCol(e, "id")), actor,
                        "p:" + longCol(e, "post_id"), postAuthor == actor ? Activity.NO_TARGET : postAuthor,
                        tsUs(e), stringCol(e, "body"), e.lsn(), delete);
            }
            case "likes": {
                long actor = longCol(e, "user_id");
                long postAuthor = longCol(e, "post_author_id");
                return new Activity(Verb.LIKE, Verb.LIKE.activityId(longCol(e, "id")), actor,
                        "p:" + longCol(e, "post_id"), postAuthor == actor ? Activity.NO_TARGET : postAuthor,
                        tsUs(e), null, e.lsn(), delete);
            }
            default:
                return null;
        }
    }

    /**
     * {@code created_at} in microseconds since the epoch. Debezium writes a
     * timestamptz as an ISO-8601 string with an offset ({@code ...Z} or
     * {@code ...+02:00}) and up to microsecond precision.
     */
    static long tsUs(ChangeEvent e) throws MalformedRecordException {
        Object v = e.row().get("created_at");
        if (v instanceof String) {
            return parseTimestampUs((String) v);
        }
        if (v instanceof Long) {
            return (Long) v; // io.debezium.time.MicroTimestamp, should the column become a timestamp
        }
        throw new MalformedRecordException(e.table() + " row without created_at: " + e);
    }

    /** An ISO-8601 date-time with offset, in microseconds since the epoch. */
    public static long parseTimestampUs(String iso) throws MalformedRecordException {
        try {
            Instant t = OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000);
        } catch (DateTimeParseException | ArithmeticException ex) {
            throw new MalformedRecordException("created_at is not an ISO-8601 timestamp: " + iso);
        }
    }

    private static long longCol(ChangeEvent e, String name) throws MalformedRecordException {
        Object v = e.row().get(name);
        if (v instanceof Long) {
            return (Long) v;
        }
        if (v instanceof Integer) {
            return (Integer) v;
        }
        throw new MalformedRecordException(e.table() + " row without " + name + ": " + e);
    }

    private static String stringCol(ChangeEvent e, String name) {
        Object v = e.row().get(name);
        return v instanceof String ? (String) v : null;
    }
}
