package feed.job.cassandra;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;

/**
 * The per-subtask writer of {@link CassandraSink}: buffers mutations grouped
 * by partition; sends each partition's as unlogged batches of at most
 * {@code maxBatch}, asynchronously, at most {@code maxInFlight} at a time.
 * It sends what it has buffered
 * <ul>
 *   <li>once {@code maxBuffered} mutations are buffered;</li>
 *   <li>at the latest {@code flushIntervalMs} after the first of them was
 *       buffered (a processing-time timer; 0 = never by time), without
 *       waiting for replies: this is what bounds an item's wait at low
 *       rates;</li>
 *   <li>on {@link #flush} (before every checkpoint barrier, and at the end of
 *       input), and then waits for every reply, of the batches sent earlier
 *       too. So every mutation written before a barrier is acknowledged
 *       before the barrier goes on.</li>
 * </ul>
 * Mutations written between two barriers can reach Cassandra before the
 * next checkpoint completes; a replay after a failure sends them again with
 * the same timestamps, so that is harmless.
 *
 * <p>Threads: the timer's callback runs on the task's mailbox thread (the
 * writer's {@link ProcessingTimeService} from {@code WriterInitContext}
 * defers callbacks to the mailbox), like {@code write} and {@code flush};
 * only the driver's completion callbacks run elsewhere, and they touch only
 * the in-flight semaphore, the failure and the counter.
 *
 * <p>A failed batch, or a timed send that could not start a batch, fails
 * the next {@code write} or {@code flush}, hence the job, which restarts
 * from the last checkpoint and writes the same mutations again (same
 * timestamps, so no harm).
 */
final class CassandraSinkWriter<T> implements SinkWriter<T> {

    private final CqlClient client;
    private final CqlWrite<T> write;
    private final int maxBuffered;
    private final int maxBatch;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final ProcessingTimeService time;
    private final long flushIntervalMs;
    private final Counter sent;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Mutations not sent yet, by partition, in first-written order. */
    private final Map<Object, List<Mutation>> buffer = new LinkedHashMap<>();
    private int buffered;
    /** A send timer is registered and has not fired yet. */
    private boolean timerArmed;
    private boolean closed;
    private final CqlWrite.Mutations sink = (partition, statement, values) -> {
        buffer.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Mutation(statement, values));
        buffered++;
    };

    /**
     * @param time            the task's processing-time service (callbacks on the mailbox thread)
     * @param flushIntervalMs send at the latest this long after the first buffered mutation; 0: only
     *                        when {@code maxBuffered} is reached and on {@link #flush}
     */
    CassandraSinkWriter(CqlClient client, String keyspace, CqlWrite<T> write, int maxBuffered, int maxBatch,
                        int maxInFlight, ProcessingTimeService time, long flushIntervalMs, Counter sent) {
        this.client = client;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.time = time;
        this.flushIntervalMs = flushIntervalMs;
        this.sent = sent;
        client.prepare(write.statements(keyspace));
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        checkFailure();
        write.append(element, sink);
        if (buffered >= maxBuffered) {
            send();
        } else if (buffered > 0 && !timerArmed && flushIntervalMs > 0) {
            timerArmed = true;
            time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMs, this::onTimer);
        }
    }

    /**
     * The send timer fired (on the mailbox thread): sends what is buffered,
     * whether or not the buffer was sent and refilled since the timer was
     * armed (every mutation in it was buffered after the timer was armed, so
     * none waits longer than the interval). Does not wait for replies, only,
     * like every send, for a free in-flight slot. A failure is kept for the
     * next {@code write} or {@code flush}.
     */
    private void onTimer(long timestamp) throws InterruptedException {
        timerArmed = false;
        if (closed || buffered == 0 || failure.get() != null) {
            return;
        }
        try {
            send();
        } catch (IOException e) {
            failure.compareAndSet(null, e);
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
        closed = true;
        // Unflushed mutations are dropped on purpose: they are after the last
        // checkpoint, and a restart replays them.
        client.close();
    }
}
