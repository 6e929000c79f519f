package feed.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

import feed.job.fanout.MergeSource;
import feed.job.testing.RedisServer;

/** The invalidation of a reader's cached merge sources, in a real redis-server on loopback. */
class MergeSourceCacheWriteTest {

    @TempDir
    static Path dir;
    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        assertTrue(RedisServer.available(), "redis-server is not installed (run make install)");
        redis = RedisServer.start(dir);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    /** One change of a reader's sources: the generation goes up with its expiry, the cached list goes. */
    @Test
    void aChangeBumpsTheGenerationAndDeletesTheList() throws Exception {
        try (Jedis j = redis.client()) {
            j.set("feed:hotf:7", "v1\n5 100 none\n");
            j.set("feed:hotf:8", "v1\n");
        }
        try (var w = new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new MergeSourceCacheWrite(),
                1_000, new TestProcessingTimeService(), 0, new SimpleCounter())) {
            w.write(MergeSource.insert(7, 5, 100, 0, 1), null);
            w.flush(false);
            w.write(MergeSource.remove(7, 5, 2), null);
            w.flush(false);
        }
        try (Jedis j = redis.client()) {
            assertThat(j.get("feed:hotf:gen:7")).isEqualTo("2");
            assertThat(j.pttl("feed:hotf:gen:7")).isPositive()
                    .isLessThanOrEqualTo(MergeSourceCacheWrite.GENERATION_TTL_MS);
            assertThat(j.exists("feed:hotf:7")).isFalse();
            assertThat(j.get("feed:hotf:8")).isEqualTo("v1\n"); // another reader's list stays
            assertThat(j.exists("feed:hotf:gen:8")).isFalse();
        }
    }
}
