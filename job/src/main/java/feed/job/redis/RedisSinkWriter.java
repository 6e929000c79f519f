package feed.job.redis;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;

import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The per-subtask writer of {@link RedisSink}: a coalescing buffer and one
 * pipeline per send. It sends the buffer (and waits for the replies) once
 * it holds {@code maxBuffered} targets, at the latest
 * {@code flushIntervalMs} after the first element was buffered (a
 * processing-time timer; 0 = never by time), and on {@link #flush}, before
 * every checkpoint barrier. A send is one round trip of at most
 * {@code maxBuffered} targets, under the client's socket timeout.
 *
 * <p>Threads: the timer's callback runs on the task's mailbox thread (the
 * writer's {@link ProcessingTimeService} from {@code WriterInitContext}
 * defers callbacks to the mailbox), like {@code write} and {@code flush}:
 * nothing here is touched by two threads.
 *
 * <p>A timed send that fails keeps the buffer and fails the next
 * {@code write} or {@code flush}, hence the job.
 */
final class RedisSinkWriter<T> implements SinkWriter<T> {

    private final JedisPooled redis;
    private final RedisWrite<T> write;
    private final int maxBuffered;
    private final ProcessingTimeService time;
    private final long flushIntervalMs;
    private final Counter sent;
    /** Latest element per target, in the order targets were last written. */
    private final Map<Object, T> buffer = new LinkedHashMap<>();
    /** A send timer is registered and has not fired yet. */
    private boolean timerArmed;
    /** Why a timed send failed; thrown by the next write or flush. */
    private IOException failure;
    private boolean closed;

    /**
     * @param time            the task's processing-time service (callbacks on the mailbox thread)
     * @param flushIntervalMs send at the latest this long after the first buffered element; 0: only
     *                        when {@code maxBuffered} is reached and on {@link #flush}
     */
    RedisSinkWriter(JedisPooled redis, RedisWrite<T> write, int maxBuffered, ProcessingTimeService time,
                    long flushIntervalMs, Counter sent) {
        this.redis = redis;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.time = time;
        this.flushIntervalMs = flushIntervalMs;
        this.sent = sent;
    }

    @Override
    public void write(T element, Context context) throws IOException {
        checkFailure();
        Object target = write.target(element);
        buffer.remove(target);
        buffer.put(target, element);
        if (buffer.size() >= maxBuffered) {
            send();
        } else if (!timerArmed && flushIntervalMs > 0) {
            timerArmed = true;
            time.registerTimer(time.getCurrentProcessingTime() + flushIntervalMs, this::onTimer);
        }
    }

    /** Sends the buffer as one pipeline and waits for every reply. */
    @Override
    public void flush(boolean endOfInput) throws IOException {
        checkFailure();
        send();
    }

    /**
     * The send timer fired (on the mailbox thread): sends what is buffered,
     * whether or not the buffer was sent and refilled since the timer was
     * armed (every element in it came after the timer was armed, so none
     * waits longer than the interval). A failure is kept for the next
     * {@code write} or {@code flush}.
     */
    private void onTimer(long timestamp) {
        timerArmed = false;
        if (closed || buffer.isEmpty() || failure != null) {
            return;
        }
        try {
            send();
        } catch (IOException e) {
            failure = e;
        }
    }

    private void checkFailure() throws IOException {
        if (failure != null) {
            throw new IOException("an earlier timed Redis write failed: " + failure.getMessage(), failure);
        }
    }

    /** One pipeline of the buffer, then every reply; the buffer is kept if it fails. */
    private void send() throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        List<Object> replies;
        try (Pipeline pipeline = redis.pipelined()) {
            write.prelude(pipeline);
            for (T element : buffer.values()) {
                write.append(element, pipeline);
            }
            replies = pipeline.syncAndReturnAll();
        } catch (JedisException e) {
            throw new IOException("Redis write of " + buffer.size() + " buffered elements failed: " + e, e);
        }
        for (Object reply : replies) {
            if (reply instanceof Exception) {
                // e.g. WRONGTYPE: a key of ours holds something else. Replaying will not help,
                // but failing keeps the problem visible instead of silently losing writes.
                throw new IOException("Redis refused a write: " + ((Exception) reply).getMessage(),
                        (Exception) reply);
            }
        }
        sent.inc(buffer.size());
        buffer.clear();
    }

    /** Number of buffered targets, for tests. */
    int buffered() {
        return buffer.size();
    }

    @Override
    public void close() {
        closed = true;
        // Unflushed elements are dropped on purpose: they are after the last
        // checkpoint, and a restart replays them.
        redis.close();
    }
}
