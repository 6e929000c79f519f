package feed.job.redis;

import redis.clients.jedis.PipeliningBase;

import feed.job.fanout.MergeSource;

/**
 * Invalidates the API's cached merge sources of a reader once the
 * {@code home_merge} row changed in Cassandra (this writer runs after
 * Cassandra's acknowledgement: {@code CassandraSink#thenCache}):
 * {@code INCR feed:hotf:gen:<uid>}, then {@code DEL feed:hotf:<uid>}.
 *
 * <p>The API fills {@code feed:hotf:<uid>} from Cassandra on a miss and
 * stores it only if the generation it read before its Cassandra read is
 * still the current one (api/src/read/merge_sources.h). The INCR comes first:
 * a fill stored before it is deleted by the DEL after it; a fill that reads
 * the generation before the INCR and stores after it finds the generation
 * changed and stores nothing. An INCR is not idempotent, and needs not be:
 * a replay only invalidates again. The generation expires two days after its
 * last change, longer than a cached entry lives (one day), so a cached entry
 * never outlives the generation it was checked against.
 */
public final class MergeSourceCacheWrite implements RedisWrite<MergeSource> {

    private static final long serialVersionUID = 1L;

    /** How long a generation outlives its last change. */
    public static final long GENERATION_TTL_MS = 2L * 86_400_000L;

    public static String cacheKey(long userId) {
        return RedisKeys.KEY_MERGE_SOURCES + userId;
    }

    public static String generationKey(long userId) {
        return RedisKeys.KEY_MERGE_SOURCES_GEN + userId;
    }

    @Override
    public Object target(MergeSource m) {
        return m.userId; // one invalidation per reader and flush is enough
    }

    @Override
    public void append(MergeSource m, PipeliningBase pipeline) {
        pipeline.incr(generationKey(m.userId));
        pipeline.pexpire(generationKey(m.userId), GENERATION_TTL_MS);
        pipeline.del(cacheKey(m.userId));
    }
}
