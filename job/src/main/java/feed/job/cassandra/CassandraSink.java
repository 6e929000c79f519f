package feed.job.cassandra;

import java.io.IOException;
import java.time.Duration;

import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import feed.job.redis.RedisSink;

/**
 * A Flink sink (Sink V2) that writes to Cassandra in micro-batches: unlogged
 * batches of one partition, or of the partitions of one token range
 * ({@link Grouping}), asynchronous, a bounded number in flight.
 * A micro-batch goes out when {@code maxBuffered} mutations are buffered or
 * at the latest {@code flushIntervalMs} after the first of them (a
 * processing-time timer on the task's mailbox thread), without waiting for
 * replies; everything written before a checkpoint barrier is acknowledged
 * before the barrier goes downstream (Flink calls {@code flush} first, and
 * flush waits for every batch in flight). Writes after a barrier may reach
 * Cassandra before that next checkpoint completes. At-least-once delivery,
 * exactly-once in effect because every mutation carries its source
 * timestamp ({@code USING TIMESTAMP <LSN>}, see {@link CqlWrite}), so a
 * replay rewrites the same cells.
 *
 * <p>With {@link #thenCache} the same sink also writes a cache (the Redis
 * heads), each element only after Cassandra acknowledged its batches, in
 * send order, and everything before the checkpoint barrier
 * ({@link CassandraSinkWriter}'s class comment has the why).
 *
 * @param <T> the element type
 */
public final class CassandraSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** What one unlogged batch holds. */
    public enum Grouping {
        /** Mutations of one partition. */
        PARTITION,
        /**
         * Mutations of the partitions whose tokens fall in one range of the ring (between two
         * consecutive tokens of the cluster's nodes, the driver's token map): one replica set owns
         * them all, and the batch goes to one of those replicas.
         */
        RANGE,
        /**
         * Mutations of the partitions owned by one replica set, whatever their range: on one node,
         * or where every range has the same replicas (RF = nodes), all of a send's mutations.
         */
        REPLICAS;

        /** The value of a command-line option, e.g. {@code range}. */
        public static Grouping parse(String s) {
            for (Grouping g : values()) {
                if (g.name().equalsIgnoreCase(s)) {
                    return g;
                }
            }
            throw new IllegalArgumentException("not partition, range or replicas: " + s);
        }
    }

    private final String contactPoints;
    private final String localDc;
    private final String consistency;
    private final String keyspace;
    private final CqlWrite<T> write;
    private final int maxBuffered;
    private final int maxBatch;
    private final int maxInFlight;
    private final long flushIntervalMs;
    private final Grouping grouping;
    /** Written after Cassandra acknowledged; null: none. */
    private final RedisSink<T> cache;
    /** The metric counting what the cache writer sends (numRecordsSend counts Cassandra's mutations). */
    static final String CACHE_RECORDS_SEND = "cacheRecordsSend";
    /** The metric counting acknowledged batches (numRecordsSend / this = mutations per batch). */
    static final String BATCHES_SEND = "cassandraBatchesSend";

    /**
     * @param contactPoints {@code host:port[,host:port...]}
     * @param localDc       the local data centre's name
     * @param consistency   the consistency level of every write, e.g. {@code LOCAL_QUORUM}
     * @param keyspace      where the tables are ({@code feed})
     * @param write         how elements become mutations
     * @param maxBuffered   send early once this many mutations are buffered
     * @param maxBatch      most mutations in one batch (Cassandra warns on big batches)
     * @param maxInFlight   most batches awaiting a reply
     * @param flushIntervalMs send at the latest this long after the first buffered mutation
     *                      (0: only at {@code maxBuffered} and before checkpoints)
     */
    public CassandraSink(String contactPoints, String localDc, String consistency, String keyspace, CqlWrite<T> write,
                         int maxBuffered, int maxBatch, int maxInFlight, long flushIntervalMs) {
        this(contactPoints, localDc, consistency, keyspace, write, maxBuffered, maxBatch, maxInFlight, flushIntervalMs,
                Grouping.PARTITION, null);
    }

    private CassandraSink(String contactPoints, String localDc, String consistency, String keyspace, CqlWrite<T> write,
                          int maxBuffered, int maxBatch, int maxInFlight, long flushIntervalMs, Grouping grouping,
                          RedisSink<T> cache) {
        if (maxBuffered < 1 || maxBatch < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (flushIntervalMs < 0) {
            throw new IllegalArgumentException("flushIntervalMs must not be negative: " + flushIntervalMs);
        }
        this.contactPoints = contactPoints;
        this.localDc = localDc;
        this.consistency = consistency;
        this.keyspace = keyspace;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.flushIntervalMs = flushIntervalMs;
        this.grouping = java.util.Objects.requireNonNull(grouping, "grouping");
        this.cache = cache;
    }

    /** This sink with its batches grouped as {@code g} says (the default: {@link Grouping#PARTITION}). */
    public CassandraSink<T> groupedBy(Grouping g) {
        return new CassandraSink<>(contactPoints, localDc, consistency, keyspace, write, maxBuffered, maxBatch, maxInFlight,
                flushIntervalMs, g, cache);
    }

    /**
     * This sink, also writing every element to {@code cache}, but only once Cassandra acknowledged the
     * element's batches (and those of every earlier send). {@code cache}'s writer is flushed by this
     * sink's; it should not send by time itself (a flush interval of 0). What it sends is counted in the
     * metric {@value #CACHE_RECORDS_SEND}.
     */
    public CassandraSink<T> thenCache(RedisSink<T> cache) {
        return new CassandraSink<>(contactPoints, localDc, consistency, keyspace, write, maxBuffered, maxBatch, maxInFlight,
                flushIntervalMs, grouping, cache);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        DriverCqlClient client;
        try {
            client = new DriverCqlClient(contactPoints, localDc, consistency, REQUEST_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException("cannot connect to Cassandra at " + contactPoints + ": " + e, e);
        }
        if (cache == null) {
            return new CassandraSinkWriter<>(client, keyspace, write, maxBuffered, maxBatch, maxInFlight,
                    context.getProcessingTimeService(), flushIntervalMs,
                    context.metricGroup().getNumRecordsSendCounter(), null, null, grouping,
                    context.metricGroup().counter(BATCHES_SEND));
        }
        SinkWriter<T> after;
        try {
            after = cache.createWriter(context, context.metricGroup().counter(CACHE_RECORDS_SEND));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        MailboxExecutor mailbox = context.getMailboxExecutor();
        // numRecordsSend counts Cassandra's mutations only, as before (bench/bench_flink.h reads it).
        return new CassandraSinkWriter<>(client, keyspace, write, maxBuffered, maxBatch, maxInFlight,
                context.getProcessingTimeService(), flushIntervalMs,
                context.metricGroup().getNumRecordsSendCounter(), after,
                task -> mailbox.execute(task::run, "cache write after Cassandra acknowledged"), grouping,
                context.metricGroup().counter(BATCHES_SEND));
    }
}
