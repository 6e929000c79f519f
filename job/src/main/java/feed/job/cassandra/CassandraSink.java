package feed.job.cassandra;

import java.io.IOException;
import java.time.Duration;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Flink sink (Sink V2) that writes to Cassandra in micro-batches: one
 * unlogged batch per partition, asynchronous, a bounded number in flight,
 * everything acknowledged before a checkpoint completes (Flink calls
 * {@code flush} before the barrier goes downstream). At-least-once
 * delivery, exactly-once in effect because every mutation carries its
 * source timestamp ({@code USING TIMESTAMP <LSN>}, see {@link CqlWrite}).
 *
 * @param <T> the element type
 */
public final class CassandraSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final String contactPoints;
    private final String localDc;
    private final String keyspace;
    private final CqlWrite<T> write;
    private final int maxBuffered;
    private final int maxBatch;
    private final int maxInFlight;

    /**
     * @param contactPoints {@code host:port[,host:port...]}
     * @param localDc       the local data centre's name
     * @param keyspace      where the tables are ({@code feed})
     * @param write         how elements become mutations
     * @param maxBuffered   send early once this many mutations are buffered
     * @param maxBatch      most mutations in one batch (Cassandra warns on big batches)
     * @param maxInFlight   most batches awaiting a reply
     */
    public CassandraSink(String contactPoints, String localDc, String keyspace, CqlWrite<T> write,
                         int maxBuffered, int maxBatch, int maxInFlight) {
        if (maxBuffered < 1 || maxBatch < 1 || maxInFlight < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.contactPoints = contactPoints;
        this.localDc = localDc;
        this.keyspace = keyspace;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        DriverCqlClient client;
        try {
            client = new DriverCqlClient(contactPoints, localDc, REQUEST_TIMEOUT);
        } catch (RuntimeException e) {
            throw new IOException("cannot connect to Cassandra at " + contactPoints + ": " + e, e);
        }
        return new CassandraSinkWriter<>(client, keyspace, write, maxBuffered, maxBatch, maxInFlight,
                context.metricGroup().getNumRecordsSendCounter());
    }
}
