package feed.job.progress;

import redis.clients.jedis.PipeliningBase;

import feed.job.redis.RedisKeys;
import feed.job.redis.RedisWrite;

/**
 * Stores progress in one Redis hash: {@code HSET feed:pipeline:progress
 * <table> {"events":N,"lsn":L,"ts_ms":T}}. Later values of a table replace
 * earlier ones, in the sink's buffer and in Redis.
 */
public final class ProgressWrite implements RedisWrite<TableProgress> {

    private static final long serialVersionUID = 1L;

    /** The hash every table's progress goes to. */
    public static final String KEY = RedisKeys.KEY_PROGRESS;

    @Override
    public Object target(TableProgress p) {
        return p.table;
    }

    @Override
    public void append(TableProgress p, PipeliningBase pipeline) {
        pipeline.hset(KEY, p.table, p.toJson());
    }
}
