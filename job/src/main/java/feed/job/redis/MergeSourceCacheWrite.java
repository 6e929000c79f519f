package feed.job.redis;

import java.util.List;

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
 *
 * <p>The three commands run as one script ({@link #INVALIDATE}), so no reader
 * sees the new generation beside the old cached list: the API's home stream
 * reads the generation, then the list, and keeps the list while the
 * generation is unchanged (api/src/stream/stream_hot.h).
 */
public final class MergeSourceCacheWrite implements RedisWrite<MergeSource> {

    private static final long serialVersionUID = 1L;

    /** How long a generation outlives its last change. */
    public static final long GENERATION_TTL_MS = 2L * 86_400_000L;

    /** KEYS[1] the generation, KEYS[2] the cached list; ARGV[1] the generation's expiry (ms). */
    static final String INVALIDATE = "redis.call('INCR', KEYS[1])\n" + "redis.call('PEXPIRE', KEYS[1], ARGV[1])\n"
            + "redis.call('DEL', KEYS[2])\n" + "return 1\n";

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
        pipeline.eval(INVALIDATE, List.of(generationKey(m.userId), cacheKey(m.userId)),
                List.of(Long.toString(GENERATION_TTL_MS)));
    }
}
