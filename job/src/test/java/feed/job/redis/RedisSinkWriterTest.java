package feed.job.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.runtime.operators.sink.SinkWriterOperatorFactory;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

import feed.job.progress.ProgressWrite;
import feed.job.progress.TableProgress;
import feed.job.testing.RedisServer;

/**
 * The sink's writer against a real redis-server on loopback; timed sends
 * with a hand-driven processing-time service (its timers fire on the test's
 * thread, as they fire on the task's mailbox thread in Flink).
 */
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
        return new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new ProgressWrite(), maxBuffered,
                new TestProcessingTimeService(), 0, sent);
    }

    static final long INTERVAL = 50;

    /** A writer with the time bound, far from its size bound; the clock starts at 1000. */
    RedisSinkWriter<TableProgress> timed(TestProcessingTimeService time) throws Exception {
        time.setCurrentTime(1_000);
        return new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new ProgressWrite(), 1_000,
                time, INTERVAL, sent);
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
                RedisSink.client("127.0.0.1", closedPort), new ProgressWrite(), 1_000, new TestProcessingTimeService(), 0,
                sent)) {
            w.write(new TableProgress("posts", 1, 1, 1), null);
            assertThatThrownBy(() -> w.flush(false)).isInstanceOf(IOException.class);
            assertThat(w.buffered()).isEqualTo(1); // kept: the job fails and replays anyway
        }
    }

    @Test
    void sendsTheBufferOnceTheIntervalHasPassedSinceItsFirstElementNotBefore() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        try (RedisSinkWriter<TableProgress> w = timed(time)) {
            w.write(new TableProgress("posts", 1, 10, 100), null);
            time.advance(20);
            w.write(new TableProgress("users", 1, 11, 110), null); // same buffer: no second timer
            assertThat(time.getNumActiveTimers()).isEqualTo(1);
            time.advance(INTERVAL - 21);
            assertThat(progressHash()).isEmpty();
            time.advance(1); // 50 ms after the first element
            assertThat(progressHash()).containsOnlyKeys("posts", "users");
            assertThat(w.buffered()).isZero();
            assertThat(sent.getCount()).isEqualTo(2);

            time.advance(500);
            w.write(new TableProgress("posts", 2, 12, 120), null);
            time.advance(INTERVAL - 1);
            assertThat(progressHash()).containsEntry("posts", "{\"events\":1,\"lsn\":10,\"ts_ms\":100}");
            time.advance(1);
            assertThat(progressHash()).containsEntry("posts", "{\"events\":2,\"lsn\":12,\"ts_ms\":120}");
        }
    }

    @Test
    void noTimerAndNoRoundTripWithoutBufferedElements() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        try (RedisSinkWriter<TableProgress> w = timed(time)) {
            time.advance(1_000);
            assertThat(time.getNumActiveTimers()).isZero();

            // Flushed (checkpoint) before the timer fires: the timer then finds nothing to send.
            w.write(new TableProgress("posts", 1, 10, 100), null);
            w.flush(false);
            assertThat(hsetCalls()).isEqualTo(1);
            time.advance(INTERVAL);
            assertThat(hsetCalls()).isEqualTo(1);
            assertThat(sent.getCount()).isEqualTo(1);
        }
    }

    @Test
    void aZeroIntervalSendsOnlyWhenFullOrFlushed() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        try (RedisSinkWriter<TableProgress> w = new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port),
                new ProgressWrite(), 1_000, time, 0, sent)) {
            w.write(new TableProgress("posts", 1, 10, 100), null);
            assertThat(time.getNumActiveTimers()).isZero();
            time.advance(60_000);
            assertThat(progressHash()).isEmpty();
            w.flush(false);
            assertThat(progressHash()).containsOnlyKeys("posts");
        }
    }

    @Test
    void aFailedTimedSendFailsTheNextWriteAndFlushNotTheTimer() throws Exception {
        try (Jedis j = redis.client()) {
            j.set(ProgressWrite.KEY, "not a hash");
        }
        TestProcessingTimeService time = new TestProcessingTimeService();
        try (RedisSinkWriter<TableProgress> w = timed(time)) {
            w.write(new TableProgress("posts", 1, 1, 1), null);
            time.advance(INTERVAL); // the timer itself does not throw
            assertThat(w.buffered()).isEqualTo(1); // kept: the job fails and replays anyway
            try (Jedis j = redis.client()) {
                j.del(ProgressWrite.KEY); // even if Redis would take it now
            }
            assertThatThrownBy(() -> w.write(new TableProgress("users", 1, 2, 2), null))
                    .isInstanceOf(IOException.class).hasMessageContaining("WRONGTYPE");
            assertThatThrownBy(() -> w.flush(false))
                    .isInstanceOf(IOException.class).hasMessageContaining("WRONGTYPE");
            assertThat(progressHash()).isEmpty();
        }
    }

    @Test
    void aTimerThatFiresAfterCloseSendsNothing() throws Exception {
        TestProcessingTimeService time = new TestProcessingTimeService();
        RedisSinkWriter<TableProgress> w = timed(time);
        w.write(new TableProgress("posts", 1, 1, 1), null);
        w.close();
        time.advance(INTERVAL);
        assertThat(progressHash()).isEmpty();
    }

    /**
     * The sink as Flink runs it: the writer operator hands the writer the
     * operator's processing-time service, whose timers send the buffer; the
     * pre-barrier flush still sends what is left.
     */
    @Test
    void theWriterOperatorsTimersDriveTheTimedSend() throws Exception {
        RedisSink<TableProgress> sink = new RedisSink<>("127.0.0.1", redis.port, new ProgressWrite(), 1_000, INTERVAL);
        try (OneInputStreamOperatorTestHarness<TableProgress, CommittableMessage<Void>> h =
                     new OneInputStreamOperatorTestHarness<>(new SinkWriterOperatorFactory<TableProgress, Void>(sink))) {
            h.setProcessingTime(1_000);
            h.open();
            h.processElement(new TableProgress("posts", 1, 10, 100), 0);
            h.setProcessingTime(1_000 + INTERVAL - 1);
            assertThat(progressHash()).isEmpty();
            h.setProcessingTime(1_000 + INTERVAL);
            assertThat(progressHash()).containsOnlyKeys("posts");

            h.processElement(new TableProgress("users", 1, 11, 110), 0);
            h.prepareSnapshotPreBarrier(1); // the checkpoint's flush, before the timer
            assertThat(progressHash()).containsOnlyKeys("posts", "users");
        }
    }
}
