package feed.job;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.apache.flink.util.ParameterTool;

import feed.job.cassandra.CassandraSink;
import feed.job.cdc.BadRecordPolicy;

/**
 * The job's command-line parameters, checked. Every parameter has a default
 * that fits the local stack (stack/config.env), so {@code FeedJob} with no
 * arguments runs against it.
 */
public final class JobParameters {

    /** The feed sink's shape by default (measured: job/README.md, "The feed sink's shape"). */
    static final String DEFAULT_FEED_GROUPING = "range";
    static final int DEFAULT_FEED_BATCH_ROWS = 32;
    static final int DEFAULT_FEED_IN_FLIGHT = 256;

    public static final String USAGE = String.join("\n",
            "usage: feed-job.jar [--kafka HOST:PORT[,HOST:PORT...]] [--registry URL] [--redis HOST:PORT]",
            "                    [--cassandra HOST:PORT[,HOST:PORT...]] [--cassandra-dc NAME] [--keyspace NAME]",
            "                    [--cassandra-consistency LEVEL]",
            "                    [--backfill N] [--hot-followers N] [--cold-followers N] [--marker-ttl-ms MS]",
            "                    [--notif-out-of-order-ms MS] [--notif-lateness-ms MS]",
            "                    [--checkpoint-interval-ms MS] [--topic-prefix PREFIX] [--group-id ID]",
            "                    [--bad-records fail|skip] [--buffer-timeout-ms MS] [--flush-interval-ms MS]",
            "                    [--feed-grouping partition|range|replicas] [--feed-batch-rows N] [--feed-in-flight N]",
            "                    [--help]",
            "",
            "  --kafka                   Kafka bootstrap servers           (default 127.0.0.1:19092)",
            "  --registry                schema registry base URL; schemas are read from",
            "                            <URL>/apis/ccompat/v7/schemas/ids/<id>  (default http://127.0.0.1:18081)",
            "  --redis                   Redis address                     (default 127.0.0.1:16379)",
            "  --cassandra               Cassandra contact points          (default 127.0.0.1:19042)",
            "  --cassandra-dc            Cassandra local data centre       (default datacenter1)",
            "  --cassandra-consistency   consistency level of every Cassandra write: LOCAL_QUORUM, QUORUM,",
            "                            ALL, ONE, LOCAL_ONE, TWO, THREE, EACH_QUORUM  (default LOCAL_QUORUM)",
            "  --keyspace                Cassandra keyspace of the feeds   (default feed)",
            "  --backfill                activities of V copied into U's home feed when U follows V",
            "                            (default 100, at least 0)",
            "  --hot-followers           an account with this many followers is hot: its activities are",
            "                            not copied into followers' homes, the API merges its profile",
            "                            feed into them instead; 0: no account is ever hot  (default 1000)",
            "  --cold-followers          a hot account turns cold again below this many followers",
            "                            (at most --hot-followers)  (default 3/4 of --hot-followers)",
            "  --marker-ttl-ms           how long an undo waits for the change it undoes: the lateness",
            "                            bound for out-of-order undos      (default 86400000, one day)",
            "  --notif-out-of-order-ms   notifications: how far behind the newest created_at seen an",
            "                            event may come and still be on time (watermark delay)  (default 5000)",
            "  --notif-lateness-ms       notifications: how long after its window's end (event time) a",
            "                            group keeps undo markers; later events still update it,",
            "                            counted as late                   (default 3600000, one hour)",
            "  --checkpoint-interval-ms  exactly-once checkpoint interval  (default 5000, at least 10)",
            "  --topic-prefix            Debezium topic.prefix; topics are <prefix>.public.<table>  (default feed)",
            "  --group-id                Kafka consumer group              (default feed-fanout)",
            "  --bad-records             a record that is not a change event fails the job, or is",
            "                            logged and skipped                (default fail)",
            "  --buffer-timeout-ms       longest a record waits in a network buffer  (default 10)",
            "  --flush-interval-ms       longest a write waits in a Cassandra or Redis sink's buffer",
            "                            before it is sent; 0: only when a buffer is full and",
            "                            before each checkpoint    (default 50)",
            "  --feed-grouping           what one unlogged batch of home/profile feed rows holds: one",
            "                            partition, the partitions of one token range, or of one replica",
            "                            set                        (default " + DEFAULT_FEED_GROUPING + ")",
            "  --feed-batch-rows         most rows in one feed batch (1 to 1000)  (default " + DEFAULT_FEED_BATCH_ROWS + ")",
            "  --feed-in-flight          most feed batches awaiting Cassandra's answer, per sink subtask",
            "                            (1 to 4096)                (default " + DEFAULT_FEED_IN_FLIGHT + ")",
            "  --help                    print this and exit");


    private static final String NO_VALUE = "__NO_VALUE_KEY"; // what ParameterTool stores for "--key" alone
    private static final Pattern CQL_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,47}");
    private static final Pattern TOPIC_PREFIX = Pattern.compile("[A-Za-z0-9._-]+");
    /** The levels a write may use (ANY would acknowledge a write no replica holds; SERIAL ones are for LWT). */
    private static final Set<String> WRITE_CONSISTENCY = Set.of("ONE", "TWO", "THREE", "QUORUM", "ALL",
            "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE");

    public final boolean help;
    public final String kafka;
    public final String registry;
    public final String redisHost;
    public final int redisPort;
    /** Cassandra contact points, {@code host:port[,host:port...]}. */
    public final String cassandra;
    /** The Cassandra local data centre (SimpleSnitch: {@code datacenter1}). */
    public final String cassandraDc;
    /** Consistency level of the Cassandra writes (upper case, e.g. {@code LOCAL_QUORUM}). */
    public final String cassandraConsistency;
    /** The Cassandra keyspace of schema/cql. */
    public final String keyspace;
    /** How many of V's newest activities a new follower of V gets. */
    public final int backfill;
    /** An account is hot from this many followers ({@code FanOut.NEVER_HOT}: never). */
    public final int hotFollowers;
    /** A hot account turns cold below this many followers. */
    public final int coldFollowers;
    /** How long undo markers are kept in the fan-out's state. */
    public final long markerTtlMs;
    /** Notifications: the watermark's bounded out-of-orderness. */
    public final long notifOutOfOrderMs;
    /** Notifications: allowed lateness after a window's end before its group is compacted. */
    public final long notifLatenessMs;
    public final long checkpointIntervalMs;
    public final String topicPrefix;
    public final String groupId;
    public final BadRecordPolicy badRecords;
    public final long bufferTimeoutMs;
    /** Sinks send their buffer at the latest this long after its first element (0: full or checkpoint only). */
    public final long flushIntervalMs;
    /** What one batch of the feed sink holds. */
    public final CassandraSink.Grouping feedGrouping;
    /** Most rows in one batch of the feed sink. */
    public final int feedBatchRows;
    /** Most batches of the feed sink in flight, per subtask. */
    public final int feedInFlight;

    private JobParameters(ParameterTool p) {
        help = p.has("help");
        kafka = hostPorts("kafka", value(p, "kafka", "127.0.0.1:19092"));
        registry = url("registry", value(p, "registry", "http://127.0.0.1:18081"));
        String[] redis = hostPort("redis", value(p, "redis", "127.0.0.1:16379"));
        redisHost = redis[0];
        redisPort = Integer.parseInt(redis[1]);
        cassandra = hostPorts("cassandra", value(p, "cassandra", "127.0.0.1:19042"));
        cassandraDc = value(p, "cassandra-dc", "datacenter1");
        cassandraConsistency = value(p, "cassandra-consistency", "LOCAL_QUORUM").toUpperCase(java.util.Locale.ROOT);
        if (!WRITE_CONSISTENCY.contains(cassandraConsistency)) {
            throw new IllegalArgumentException("--cassandra-consistency: not a write consistency level: "
                    + cassandraConsistency);
        }
        keyspace = value(p, "keyspace", "feed");
        if (!CQL_NAME.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("--keyspace: not a CQL name: " + keyspace);
        }
        long n = number("backfill", value(p, "backfill", "100"), 0);
        if (n > 100_000) {
            throw new IllegalArgumentException("--backfill: at most 100000: " + n);
        }
        backfill = (int) n;
        long hot = number("hot-followers", value(p, "hot-followers", "1000"), 0);
        if (hot > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("--hot-followers: at most " + (Integer.MAX_VALUE - 1) + ": " + hot);
        }
        hotFollowers = hot == 0 ? feed.job.fanout.FanOut.NEVER_HOT : (int) hot;
        long cold = number("cold-followers", value(p, "cold-followers",
                Long.toString(hot == 0 ? 0 : hot * 3 / 4)), 0);
        if (hot != 0 && cold > hot) {
            throw new IllegalArgumentException("--cold-followers: at most --hot-followers (" + hot + "): " + cold);
        }
        coldFollowers = hot == 0 ? feed.job.fanout.FanOut.NEVER_HOT : (int) cold;
        markerTtlMs = number("marker-ttl-ms", value(p, "marker-ttl-ms", "86400000"), 1);
        notifOutOfOrderMs = number("notif-out-of-order-ms", value(p, "notif-out-of-order-ms", "5000"), 0);
        notifLatenessMs = number("notif-lateness-ms", value(p, "notif-lateness-ms", "3600000"), 0);
        checkpointIntervalMs = number("checkpoint-interval-ms", value(p, "checkpoint-interval-ms", "5000"), 10);
        topicPrefix = value(p, "topic-prefix", "feed");
        if (!TOPIC_PREFIX.matcher(topicPrefix).matches()) {
            throw new IllegalArgumentException("--topic-prefix: not a Kafka topic name part: " + topicPrefix);
        }
        groupId = value(p, "group-id", "feed-fanout");
        if (groupId.isBlank()) {
            throw new IllegalArgumentException("--group-id: empty");
        }
        try {
            badRecords = BadRecordPolicy.parse(value(p, "bad-records", "fail"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--bad-records: " + e.getMessage());
        }
        bufferTimeoutMs = number("buffer-timeout-ms", value(p, "buffer-timeout-ms", "10"), 0);
        flushIntervalMs = number("flush-interval-ms", value(p, "flush-interval-ms", "50"), 0);
        try {
            feedGrouping = CassandraSink.Grouping.parse(value(p, "feed-grouping", DEFAULT_FEED_GROUPING));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--feed-grouping: " + e.getMessage());
        }
        feedBatchRows = (int) bounded("feed-batch-rows", value(p, "feed-batch-rows", "" + DEFAULT_FEED_BATCH_ROWS),
                1, 1_000);
        feedInFlight = (int) bounded("feed-in-flight", value(p, "feed-in-flight", "" + DEFAULT_FEED_IN_FLIGHT),
                1, 4_096);
        Set<String> unknown = p.getUnrequestedParameters();
        if (!unknown.isEmpty()) {
            List<String> names = new ArrayList<>(unknown);
            names.sort(null);
            throw new IllegalArgumentException("unknown parameter(s): --" + String.join(", --", names));
        }
    }

    /**
     * Parses and checks the arguments.
     *
     * @throws IllegalArgumentException with a one-line reason if an argument is unknown or bad
     */
    public static JobParameters parse(String... args) {
        ParameterTool p;
        try {
            p = ParameterTool.fromArgs(args);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return new JobParameters(p);
    }

    /** {@link #redisHost}:{@link #redisPort}. */
    public String redis() {
        return redisHost + ":" + redisPort;
    }

    @Override
    public String toString() {
        return "--kafka " + kafka + " --registry " + registry + " --redis " + redis() + " --cassandra " + cassandra
                + " --cassandra-dc " + cassandraDc + " --cassandra-consistency " + cassandraConsistency
                + " --keyspace " + keyspace + " --backfill " + backfill
                + " --marker-ttl-ms " + markerTtlMs + " --notif-out-of-order-ms " + notifOutOfOrderMs
                + " --notif-lateness-ms " + notifLatenessMs
                + " --checkpoint-interval-ms " + checkpointIntervalMs + " --topic-prefix " + topicPrefix
                + " --group-id " + groupId + " --bad-records " + badRecords.name().toLowerCase()
                + " --buffer-timeout-ms " + bufferTimeoutMs + " --flush-interval-ms " + flushIntervalMs
                + " --feed-grouping " + feedGrouping.name().toLowerCase() + " --feed-batch-rows " + feedBatchRows
                + " --feed-in-flight " + feedInFlight;
    }

    private static String value(ParameterTool p, String key, String dflt) {
        if (!p.has(key)) {
            return dflt;
        }
        String v = p.get(key);
        if (v == null || NO_VALUE.equals(v) || v.isBlank()) {
            throw new IllegalArgumentException("--" + key + " needs a value");
        }
        return v.trim();
    }

    private static long number(String key, String v, long min) {
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + ": not a number: " + v);
        }
        if (n < min) {
            throw new IllegalArgumentException("--" + key + ": must be at least " + min + ": " + v);
        }
        return n;
    }

    private static long bounded(String key, String v, long min, long max) {
        long n = number(key, v, min);
        if (n > max) {
            throw new IllegalArgumentException("--" + key + ": at most " + max + ": " + v);
        }
        return n;
    }

    private static String hostPorts(String key, String v) {
        for (String hp : v.split(",", -1)) {
            hostPort(key, hp.trim());
        }
        return v;
    }

    private static String[] hostPort(String key, String v) {
        int colon = v.lastIndexOf(':');
        if (colon <= 0 || colon == v.length() - 1) {
            throw new IllegalArgumentException("--" + key + ": not HOST:PORT: " + v);
        }
        String host = v.substring(0, colon);
        String port = v.substring(colon + 1);
        int n;
        try {
            n = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + ": bad port in " + v);
        }
        if (n < 1 || n > 65535) {
            throw new IllegalArgumentException("--" + key + ": port out of range in " + v);
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1); // [::1]:6379
        }
        return new String[] {host, port};
    }

    private static String url(String key, String v) {
        try {
            URI uri = new URI(v);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("--" + key + ": not an http(s) URL: " + v);
            }
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--" + key + ": not a URL: " + v);
        }
        return v;
    }
}
