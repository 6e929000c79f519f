package feed.job.redis;

import java.io.IOException;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * A Flink sink (Sink V2) that writes to Redis in pipelined micro-batches.
 *
 * <p>Each writer buffers elements, coalesced by {@link RedisWrite#target},
 * and sends the buffer as one pipeline, waiting for the replies, at the
 * latest {@code flushIntervalMs} after the first element was buffered (a
 * processing-time timer on the task's mailbox thread), when a checkpoint is
 * taken (Flink calls {@code flush} before the checkpoint barrier goes
 * downstream), at the end of a bounded input, or when the buffer holds
 * {@code maxBuffered} targets. So a completed checkpoint means every write
 * before it is in Redis: at-least-once delivery, made exactly-once in effect
 * by idempotent writes. A send that fails fails the job (a timed one on the
 * next write or flush), which restarts from the last checkpoint and writes
 * the same values again.
 *
 * <p>Between checkpoints Redis can be ahead of the last checkpoint (a timed
 * or early send); after a failure it can briefly show values that the
 * replay then rewrites to the same thing.
 *
 * @param <T> the element type
 */
public final class RedisSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    static final int CONNECT_TIMEOUT_MS = 2_000;
    static final int SOCKET_TIMEOUT_MS = 10_000;

    private final String host;
    private final int port;
    private final RedisWrite<T> write;
    private final int maxBuffered;
    private final long flushIntervalMs;

    /**
     * @param host        Redis host
     * @param port        Redis port
     * @param write       how elements become commands
     * @param maxBuffered flush before the buffer holds more targets than this
     * @param flushIntervalMs send at the latest this long after the first buffered element
     *                    (0: only at {@code maxBuffered} and before checkpoints)
     */
    public RedisSink(String host, int port, RedisWrite<T> write, int maxBuffered, long flushIntervalMs) {
        if (maxBuffered < 1) {
            throw new IllegalArgumentException("maxBuffered must be positive: " + maxBuffered);
        }
        if (flushIntervalMs < 0) {
            throw new IllegalArgumentException("flushIntervalMs must not be negative: " + flushIntervalMs);
        }
        this.host = host;
        this.port = port;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.flushIntervalMs = flushIntervalMs;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        return createWriter(context, context.metricGroup().getNumRecordsSendCounter());
    }

    /**
     * A writer that counts what it sends in {@code sent}: for a writer inside another sink's
     * ({@code CassandraSink#thenCache}), whose operator's numRecordsSend counts the other store.
     */
    public SinkWriter<T> createWriter(WriterInitContext context, Counter sent) {
        return new RedisSinkWriter<>(client(host, port), write, maxBuffered,
                context.getProcessingTimeService(), flushIntervalMs, sent);
    }

    /** A pooled client; connections are made on first use. */
    static JedisPooled client(String host, int port) {
        return new JedisPooled(new HostAndPort(host, port), DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(CONNECT_TIMEOUT_MS)
                .socketTimeoutMillis(SOCKET_TIMEOUT_MS)
                .clientName("feed-fanout")
                .build());
    }
}
