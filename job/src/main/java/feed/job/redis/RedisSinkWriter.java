package feed.job.redis;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;

import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The per-subtask writer of {@link RedisSink}: a coalescing buffer and one
 * pipeline per flush.
 */
final class RedisSinkWriter<T> implements SinkWriter<T> {

    private final JedisPooled redis;
    private final RedisWrite<T> write;
    private final int maxBuffered;
    private final Counter sent;
    /** Latest element per target, in the order targets were last written. */
    private final Map<Object, T> buffer = new LinkedHashMap<>();

    RedisSinkWriter(JedisPooled redis, RedisWrite<T> write, int maxBuffered, Counter sent) {
        this.redis = redis;
        this.write = write;
        this.maxBuffered = maxBuffered;
        this.sent = sent;
    }

    @Override
    public void write(T element, Context context) throws IOException {
        Object target = write.target(element);
        buffer.remove(target);
        buffer.put(target, element);
        if (buffer.size() >= maxBuffered) {
            flush(false);
        }
    }

    /** Sends the buffer as one pipeline and waits for every reply. */
    @Override
    public void flush(boolean endOfInput) throws IOException {
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
        // Unflushed elements are dropped on purpose: they are after the last
        // checkpoint, and a restart replays them.
        redis.close();
    }
}
