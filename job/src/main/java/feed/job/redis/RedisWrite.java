package feed.job.redis;

import java.io.Serializable;

import redis.clients.jedis.PipeliningBase;

/**
 * How one stream element becomes Redis commands, for {@link RedisSink}.
 *
 * <p>The writes must be idempotent (same element, same commands, same
 * result: HSET, ZADD, DEL, never INCR), because a replay after a failure
 * sends them again. That also lets the sink coalesce: of the elements
 * buffered between two flushes, only the last one per {@link #target} is
 * written.
 *
 * @param <T> the element type
 */
public interface RedisWrite<T> extends Serializable {

    /**
     * What the element's commands overwrite, e.g. the hash field it sets.
     * A later element with an equal target replaces an earlier one in the
     * sink's buffer. Must have proper {@code equals}/{@code hashCode}.
     */
    Object target(T element);

    /** Appends the element's commands to a pipeline. Must not read replies. */
    void append(T element, PipeliningBase pipeline);

    /**
     * Appends commands that go before the elements' in every flush, e.g.
     * loading a script the elements' commands run with EVALSHA (so a Redis
     * that restarted and forgot its scripts gets it again). Nothing by default.
     */
    default void prelude(PipeliningBase pipeline) {
    }
}
