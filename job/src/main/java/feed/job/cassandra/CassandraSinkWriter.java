package feed.job.cassandra;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;

/**
 * The per-subtask writer of {@link CassandraSink}: buffers mutations grouped
 * by partition; sends them as unlogged batches of at most {@code maxBatch},
 * asynchronously, at most {@code maxInFlight} at a time. A batch holds one
 * partition's mutations ({@link CassandraSink.Grouping#PARTITION}), or those
 * of several partitions of one token range or replica set
 * ({@link CassandraSink.Grouping#RANGE}, {@code REPLICAS}: the client says
 * which, {@link CqlClient#groupOf}), so that one request carries many
 * partitions' rows to a replica that owns them all: a fan-out writes one or
 * two rows per partition per send, and Cassandra takes several times more
 * rows per second in batches of many partitions of one range than in as
 * many one-partition requests (bench/README.md, bench-cassandra-ceiling).
 * Whatever the grouping, a partition's mutations go out in the order they
 * were written, in one batch or in consecutive ones (the order matters to
 * nobody: every mutation carries its own timestamp, and batches in flight
 * may be applied in any order; it only keeps the batches readable).
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
 * <p>A batch that timed out or found Cassandra overloaded
 * ({@link CqlClient#retryable}) is sent again after a pause, up to
 * {@link #MAX_ATTEMPTS} times in all, keeping its in-flight slot: a busy
 * machine (a backlog after an outage, other work beside it) otherwise
 * fails the job on every timeout, and each restart replays the backlog
 * again from the last checkpoint, so the job never caught up (make chaos
 * on a machine at load 30, 2026-12-07: 40 restarts in 25 minutes). Sending
 * again is harmless: every mutation carries its own timestamp.
 *
 * <p>A failed batch (any other failure, or the last attempt), or a timed
 * send that could not start a batch, fails
 * the next {@code write} or {@code flush}, hence the job, which restarts
 * from the last checkpoint and writes the same mutations again (same
 * timestamps, so no harm).
 *
 * <p><b>Then a cache, strictly after Cassandra</b> ({@code after}, e.g. the
 * Redis head writer; {@link CassandraSink#thenCache}). Every element is also
 * kept in a pending list; a send seals that list as one {@link Send} with
 * its batch count, in send order. Each element goes to {@code after} only
 * once every batch of its send, and of every earlier send, is acknowledged:
 * the driver's callback of a send's last batch only marks it done and pokes
 * {@code wake} (the task's mailbox), whose mail, on the task thread, hands
 * the done sends at the head of the queue to {@code after} in send order and
 * flushes it. {@link #flush} waits for every batch, then hands over
 * everything and flushes {@code after}, all before the barrier. A send with
 * a failed batch is never handed over (nor anything after it): the failure
 * fails the next write or flush, hence the job, and the replay writes both
 * stores again. Why: the API fills a missing Redis head from Cassandra; a
 * cache write that ran before its Cassandra write landed could find no key,
 * and the fill then read Cassandra without the item (api/src/read/feed_head.h).
 * With this order the item is in Cassandra before its cache write can run,
 * so a fill either reads it or is already fenced when the cache write runs.
 * Send order (not completion order) keeps Redis, which keeps the last write
 * it gets, at the last write per key.
 */
final class CassandraSinkWriter<T> implements SinkWriter<T> {

    /** Sends of one batch at most, the first included, while its failures are retryable. */
    static final int MAX_ATTEMPTS = 4;
    /** The pause before the second send; doubled before each next one. Tests shorten it. */
    long retryPauseMs = 250;
    /** Batches sent again (for tests and the log). */
    final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();

    private final CqlClient client;
    private final CqlWrite<T> write;
    private final int maxBuffered;
    private final int maxBatch;
    private final int maxInFlight;
    private final Semaphore inFlight;
    private final ProcessingTimeService time;
    private final long flushIntervalMs;
    private final Counter sent;
    private final CassandraSink.Grouping grouping;
    /** Acknowledged batches. */
    private final Counter batchesSent;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    /** Mutations not sent yet, by partition, in first-written order. */
    private final Map<Object, List<Mutation>> buffer = new LinkedHashMap<>();
    private int buffered;
    /** A send timer is registered and has not fired yet. */
    private boolean timerArmed;
    private volatile boolean closed;
    private final CqlWrite.Mutations sink = (partition, statement, values) -> {
        buffer.computeIfAbsent(partition, p -> new ArrayList<>()).add(new Mutation(statement, values));
        buffered++;
    };
    /** Written to once Cassandra acknowledged the element's send; null: none. */
    private final SinkWriter<T> after;
    /** Runs a task on the task thread (the mailbox); used only with {@code after}. */
    private final Executor wake;
    /** Elements buffered since the last send, for {@code after}; task thread only. */
    private List<T> pending = new ArrayList<>();
    /** Sends whose elements have not gone to {@code after} yet, in send order; task thread only. */
    private final Deque<Send<T>> sends = new ArrayDeque<>();

    /**
     * One send's elements and its batches not yet acknowledged (plus one
     * for the send itself until all its batches are started). Done when
     * that reaches 0; never if a batch failed or could not start.
     */
    private static final class Send<T> {
        final List<T> elements;
        final AtomicInteger unacknowledged = new AtomicInteger(1);

        Send(List<T> elements) {
            this.elements = elements;
        }

        boolean done() {
            return unacknowledged.get() == 0;
        }
    }

    /**
     * @param time            the task's processing-time service (callbacks on the mailbox thread)
     * @param flushIntervalMs send at the latest this long after the first buffered mutation; 0: only
     *                        when {@code maxBuffered} is reached and on {@link #flush}
     */
    CassandraSinkWriter(CqlClient client, String keyspace, CqlWrite<T> write, int maxBuffered, int maxBatch,
                        int maxInFlight, ProcessingTimeService time, long flushIntervalMs, Counter sent) {
        this(client, keyspace, write, maxBuffered, maxBatch, maxInFlight, time, flushIntervalMs, sent, null, null,
                CassandraSink.Grouping.PARTITION, new SimpleCounter());
    }

    /** With a cache after Cassandra (see below), batches per partition. */
    CassandraSinkWriter(CqlClient client, String keyspace, CqlWrite<T> write, int maxBuffered, int maxBatch,
                        int maxInFlight, ProcessingTimeService time, long flushIntervalMs, Counter sent,
                        SinkWriter<T> after, Executor wake) {
        this(client, keyspace, write, maxBuffered, maxBatch, maxInFlight, time, flushIntervalMs, sent, after, wake,
                CassandraSink.Grouping.PARTITION, new SimpleCounter());
    }

    /**
     * @param after a writer that gets every element only after Cassandra acknowledged it (see the class
     *              comment); it should not send by time itself, this writer flushes it
     * @param wake  runs a task on the task thread, later (the task's mailbox executor); may be called from
     *              the driver's threads
     * @param after    null: no cache (then {@code wake} is null too)
     * @param grouping what one batch holds
     * @param batchesSent counts the acknowledged batches
     */
    CassandraSinkWriter(CqlClient client, String keyspace, CqlWrite<T> write, int maxBuffered, int maxBatch,
                        int maxInFlight, ProcessingTimeService time, long flushIntervalMs, Counter sent,
                        SinkWriter<T> after, Executor wake, CassandraSink.Grouping grouping, Counter batchesSent) {
        if ((after == null) != (wake == null)) {
            throw new IllegalArgumentException("after and wake go together");
        }
        this.after = after;
        this.wake = wake;
        this.client = client;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.maxBatch = maxBatch;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        this.time = time;
        this.flushIntervalMs = flushIntervalMs;
        this.sent = sent;
        this.grouping = grouping;
        this.batchesSent = batchesSent;
        client.prepare(write.statements(keyspace));
    }

    @Override
    public void write(T element, Context context) throws IOException, InterruptedException {
        checkFailure();
        write.append(element, sink);
        if (after != null) {
            pending.add(element);
        }
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

    /**
     * Sends everything buffered and waits until every batch sent so far is acknowledged; then hands
     * every element to {@code after} and flushes it.
     */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        send();
        inFlight.acquire(maxInFlight);
        inFlight.release(maxInFlight);
        checkFailure();
        if (after != null) {
            handOver();
            if (!sends.isEmpty()) { // cannot happen: every batch is answered and none failed
                throw new IllegalStateException(sends.size() + " sends unacknowledged after the flush");
            }
            after.flush(endOfInput);
        }
    }

    /**
     * The mail of a send whose last batch was acknowledged (task thread): hands the done sends to
     * {@code after} and flushes it. A failure is kept for the next write or flush.
     */
    private void onAcknowledged() {
        if (closed || failure.get() != null) {
            return;
        }
        try {
            if (handOver()) {
                after.flush(false);
            }
        } catch (Exception e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Writes the elements of the done sends at the head of the queue to {@code after}; true if any. */
    private boolean handOver() throws IOException, InterruptedException {
        boolean any = false;
        while (!sends.isEmpty() && sends.peekFirst().done() && failure.get() == null) {
            for (T element : sends.pollFirst().elements) {
                after.write(element, null);
            }
            any = true;
        }
        return any;
    }

    /** One more batch of the send is acknowledged; the last one wakes the task thread. */
    private void acknowledge(Send<T> s) {
        if (s.unacknowledged.decrementAndGet() == 0) {
            try {
                wake.execute(this::onAcknowledged);
            } catch (RejectedExecutionException closing) {
                // The task is shutting down: nothing more is written.
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e); // the cache would lag: fail the next write or flush
            }
        }
    }

    /** Starts the buffer's batches ({@link #batches}); blocks while maxInFlight are outstanding. */
    private void send() throws IOException, InterruptedException {
        Send<T> s = null;
        if (after != null && !pending.isEmpty()) {
            s = new Send<>(pending);
            pending = new ArrayList<>();
            sends.addLast(s);
        }
        Send<T> current = s;
        for (List<Mutation> batch : batches()) {
            inFlight.acquire();
            checkFailureReleasing();
            int n = batch.size();
            if (current != null) {
                current.unacknowledged.incrementAndGet();
            }
            try {
                executeWithRetries(batch).whenComplete((r, t) -> {
                    try {
                        if (t != null) {
                            failure.compareAndSet(null, t);
                        } else {
                            sent.inc(n);
                            batchesSent.inc();
                            if (current != null) {
                                acknowledge(current);
                            }
                        }
                    } finally {
                        inFlight.release(); // after the send's state: flush sees it once it has every permit
                    }
                });
            } catch (RuntimeException e) {
                inFlight.release();
                throw new IOException("Cassandra batch of " + n + " mutations not sent: " + e, e);
            }
        }
        buffer.clear();
        buffered = 0;
        if (current != null) {
            acknowledge(current); // every batch started: the send is done once they are answered
        }
    }

    /**
     * Sends the batch; the answer completes once an attempt succeeds, or
     * with the failure of the last one (not retryable, or the last of
     * {@link #MAX_ATTEMPTS}). The first send happens now (a client that
     * refuses it throws here, as before); the next ones on a timer thread.
     */
    private CompletionStage<?> executeWithRetries(List<Mutation> batch) {
        CompletableFuture<Object> answer = new CompletableFuture<>();
        attempt(client.executeBatch(batch), batch, 1, answer);
        return answer;
    }

    private void attempt(CompletionStage<?> sent, List<Mutation> batch, int attempt,
                         CompletableFuture<Object> answer) {
        sent.whenComplete((r, t) -> {
            if (t == null) {
                answer.complete(r);
            } else if (attempt < MAX_ATTEMPTS && !closed && client.retryable(t)) {
                retries.incrementAndGet();
                long pause = retryPauseMs << (attempt - 1);
                CompletableFuture.delayedExecutor(pause, TimeUnit.MILLISECONDS).execute(() -> {
                    CompletionStage<?> again;
                    try {
                        again = client.executeBatch(batch);
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                        return;
                    }
                    attempt(again, batch, attempt + 1, answer);
                });
            } else {
                answer.completeExceptionally(t);
            }
        });
    }

    /**
     * The buffer cut into batches of at most {@code maxBatch} mutations: each partition's mutations in
     * the order written; with a grouping other than PARTITION, the partitions of one group (the client's
     * {@link CqlClient#groupOf} of the partition's first mutation; a partition it cannot place is a group
     * of its own) one after the other, in the order of their first mutation, so consecutive batches of a
     * group carry a partition's mutations in order.
     */
    List<List<Mutation>> batches() {
        List<List<Mutation>> batches = new ArrayList<>();
        Iterable<List<Mutation>> groups = buffer.values();
        if (grouping != CassandraSink.Grouping.PARTITION) {
            Map<Object, List<Mutation>> byGroup = new LinkedHashMap<>();
            for (Map.Entry<Object, List<Mutation>> p : buffer.entrySet()) {
                Object g = client.groupOf(p.getValue().get(0), grouping);
                byGroup.computeIfAbsent(g != null ? g : new OwnGroup(p.getKey()), k -> new ArrayList<>())
                        .addAll(p.getValue());
            }
            groups = byGroup.values();
        }
        for (List<Mutation> group : groups) {
            for (int from = 0; from < group.size(); from += maxBatch) {
                batches.add(group.subList(from, Math.min(group.size(), from + maxBatch)));
            }
        }
        return batches;
    }

    /** The group of a partition the client could not place: itself alone. */
    private record OwnGroup(Object partition) {
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

    /** Elements waiting for Cassandra's acknowledgement before they go to {@code after}; for tests. */
    int awaitingAcknowledgement() {
        int n = pending.size();
        for (Send<T> s : sends) {
            n += s.elements.size();
        }
        return n;
    }

    @Override
    public void close() throws Exception {
        closed = true;
        // Unflushed mutations are dropped on purpose: they are after the last
        // checkpoint, and a restart replays them.
        try {
            client.close();
        } finally {
            if (after != null) {
                after.close();
            }
        }
    }
}
