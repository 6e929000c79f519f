package feed.job.cassandra;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;

/**
 * The per-subtask writer of {@link CassandraSink}: buffers mutations grouped
 * by partition; sends each partition's as unlogged batches of at most
 * {@code maxBatch}, asynchronously, at most {@code maxInFlight} at a time;
 * on {@link #flush} (before every checkpoint barrier, and at the end of
 * input) sends the rest and waits for every reply.
 *
 * <p>A failed batch fails the next {@code write} or {@code flush}, hence the
 * job, which restarts from the last checkpoint and writes the same
 * mutations again (same timestamps, so no harm).
 */
final class CassandraSinkWriter<T> implements SinkWriter<T> {

    private final CqlClient client;
    private final CqlWrite<T> write;
    private final int maxBuffered;
    private final int maxBatch;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final Counter sent;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Mutations not sent yet, by partition, in first-written order. */
    private final Map<Object, List<Mutation>> buffer = new LinkedHashMap<>();
    private int buffered;
    private final CqlWrite.Mutations sink = (partition, statement, values) -> {
        buffer.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Mutation(statement, values));
        buffered++;
    };

    CassandraSinkWriter(CqlClient client, String keyspace, CqlWrite<T> write, int maxBuffered, int maxBatch,
                        int maxInFlight, Counter sent) {
        this.client = client;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.sent = sent;
        client.prepare(write.statements(keyspace));
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        checkFailure();
        write.append(element, sink);
        if (buffered >= maxBuffered) {
            send();
        }
    }

    /** Sends everything buffered and waits until every batch sent so far is acknowledged. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        send();
        inFlight.acquire(maxInFlight);
        inFlight.release(maxInFlight);
        checkFailure();
    }

    /** Starts a batch per partition (split at maxBatch); blocks while maxInFlight are outstanding. */
    private void send() throws IOException, InterruptedException {
        for (List<Mutation> partition : buffer.values()) {
            for (int from = 0; from < partition.size(); from += maxBatch) {
                List<Mutation> batch = partition.subList(from, Math.min(partition.size(), from + maxBatch));
                inFlight.acquire();
                checkFailureReleasing();
                int n = batch.size();
                try {
                    client.executeBatch(batch).whenComplete((r, t) -> {
                        if (t != null) {
                            failure.compareAndSet(null, t);
                        } else {
                            sent.inc(n);
                        }
                        inFlight.release();
                    });
                } catch (RuntimeException e) {
                    inFlight.release();
                    throw new IOException("Cassandra batch of " + n + " mutations not sent: " + e, e);
                }
            }
        }
        buffer.clear();
        buffered = 0;
    }

    private void checkFailureReleasing() throws IOException {
        if (failure.get() != null) {
            inFlight.release();
            checkFailure();
        }
    }

    private void checkFailure() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            throw new IOException("Cassandra write failed: " + t, t);
        }
    }

    /** Mutations buffered, not sent yet; for tests. */
    int buffered() {
        return buffered;
    }

    @Override
    public void close() {
        // Unflushed mutations are dropped on purpose: they are after the last
        // checkpoint, and a restart replays them.
        client.close();
    }
}
