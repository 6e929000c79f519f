package feed.job.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

import feed.job.progress.ProgressWrite;
import feed.job.progress.TableProgress;
import feed.job.testing.RedisServer;

/** The sink's writer against a real redis-server on loopback. */
class RedisSinkWriterTest {

    @TempDir
    static Path dir;
    static RedisServer redis;

    final SimpleCounter sent = new SimpleCounter();

    @BeforeAll
    static void startRedis() throws Exception {
        // `make install` installs redis-server; its absence is a broken
        // machine, not a reason to skip.
        assertTrue(RedisServer.available(), "redis-server is not installed (run make install)");
        redis = RedisServer.start(dir);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        try (Jedis j = redis.client()) {
            j.flushAll();
            j.configResetStat();
        }
    }

    RedisSinkWriter<TableProgress> writer(int maxBuffered) {
        return new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new ProgressWrite(), maxBuffered, sent);
    }

    static Map<String, String> progressHash() {
        try (Jedis j = redis.client()) {
            return j.hgetAll(ProgressWrite.KEY);
        }
    }

    static long hsetCalls() {
        try (Jedis j = redis.client()) {
            String stats = j.info("commandstats");
            for (String line : stats.split("\r?\n")) {
                if (line.startsWith("cmdstat_hset:")) {
                    return Long.parseLong(line.replaceAll("^cmdstat_hset:calls=(\\d+),.*", "$1"));
                }
            }
            return 0;
        }
    }

    @Test
    void writesNothingUntilFlushThenTheLatestValuePerTableInOnePipeline() throws Exception {
        try (RedisSinkWriter<TableProgress> w = writer(1_000)) {
            w.write(new TableProgress("posts", 1, 10, 100), null);
            w.write(new TableProgress("users", 1, 11, 110), null);
            w.write(new TableProgress("posts", 2, 12, 120), null);
            assertThat(progressHash()).isEmpty();
            assertThat(w.buffered()).isEqualTo(2);

            w.flush(false);

            assertThat(progressHash()).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "posts", "{\"events\":2,\"lsn\":12,\"ts_ms\":120}",
                    "users", "{\"events\":1,\"lsn\":11,\"ts_ms\":110}"));
            assertThat(hsetCalls()).isEqualTo(2); // coalesced: posts written once
            assertThat(sent.getCount()).isEqualTo(2);
            assertThat(w.buffered()).isZero();

            w.flush(true); // nothing buffered: no round trip
            assertThat(hsetCalls()).isEqualTo(2);
        }
    }

    @Test
    void aReplayWritesTheSameValues() throws Exception {
        try (RedisSinkWriter<TableProgress> w = writer(1_000)) {
            w.write(new TableProgress("likes", 5, 50, 500), null);
            w.flush(false);
            Map<String, String> before = progressHash();
            w.write(new TableProgress("likes", 5, 50, 500), null);
            w.flush(false);
            assertThat(progressHash()).isEqualTo(before);
        }
    }

    @Test
    void flushesEarlyWhenTheBufferIsFull() throws Exception {
        try (RedisSinkWriter<TableProgress> w = writer(2)) {
            w.write(new TableProgress("posts", 1, 1, 1), null);
            w.write(new TableProgress("posts", 2, 2, 2), null); // same target: still one buffered
            assertThat(progressHash()).isEmpty();
            w.write(new TableProgress("users", 1, 3, 3), null);
            assertThat(progressHash()).containsOnlyKeys("posts", "users");
        }
    }

    @Test
    void aRefusedCommandFailsTheFlush() throws Exception {
        try (Jedis j = redis.client()) {
            j.set(ProgressWrite.KEY, "not a hash");
        }
        try (RedisSinkWriter<TableProgress> w = writer(1_000)) {
            w.write(new TableProgress("posts", 1, 1, 1), null);
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("WRONGTYPE");
        }
    }

    @Test
    void anUnreachableRedisFailsTheFlush() throws Exception {
        int closedPort = RedisServer.freeLoopbackPort();
        try (RedisSinkWriter<TableProgress> w = new RedisSinkWriter<>(
                RedisSink.client("127.0.0.1", closedPort), new ProgressWrite(), 1_000, sent)) {
            w.write(new TableProgress("posts", 1, 1, 1), null);
            assertThatThrownBy(() -> w.flush(false)).isInstanceOf(IOException.class);
            assertThat(w.buffered()).isEqualTo(1); // kept: the job fails and replays anyway
        }
    }
}
