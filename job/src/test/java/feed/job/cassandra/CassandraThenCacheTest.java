package feed.job.cassandra;

import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.flink.api.common.JobInfo;
import org.apache.flink.api.common.TaskInfo;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

import feed.job.cassandra.CassandraSinkWriterTest.FakeClient;
import feed.job.fanout.FeedWrite;
import feed.job.fanout.FeedWrite.Feed;
import feed.job.redis.FeedCacheWrite;
import feed.job.redis.RedisSink;
import feed.job.testing.RedisServer;

/**
 * {@link CassandraSink#thenCache}: the Redis head write of an element is
 * sent only after Cassandra acknowledged the element's send (and every
 * earlier send), in send order; a failed batch keeps its writes out of
 * Redis and fails the job. A fake Cassandra session that answers when told,
 * a real redis-server, and a hand-driven "mailbox": the mails the writer
 * posts from the driver's callback are run by the test, as the task thread
 * runs them in Flink.
 */
class CassandraThenCacheTest {

    @TempDir
    static Path dir;
    static RedisServer redis;

    static final long INTERVAL = 50;
    static final String HEAD = "feed:home:1";

    final FakeClient cassandra = new FakeClient();
    final TestProcessingTimeService time = new TestProcessingTimeService();
    final SimpleCounter cassandraSent = new SimpleCounter();
    final SimpleCounter cacheSent = new SimpleCounter();
    /** The mails posted to the task thread, not run yet. */
    final List<Runnable> mailbox = new ArrayList<>();
    CassandraSinkWriter<FeedWrite> writer;

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

    @BeforeEach
    void setUp() throws Exception {
        try (Jedis j = redis.client()) {
            j.flushAll();
            // A head being filled by the API: its placeholder makes every job insert land.
            j.zadd(HEAD, -1, "~fill:test");
        }
        cassandra.hold = true;
        time.setCurrentTime(1_000);
        writer = writer(1_000, 100);
    }

    @AfterEach
    void tearDown() throws Exception {
        writer.close();
    }

    CassandraSinkWriter<FeedWrite> writer(int maxBuffered, int maxBatch) {
        RedisSink<FeedWrite> cache = new RedisSink<>("127.0.0.1", redis.port,
                new FeedCacheWrite(FeedCacheWrite.DEFAULT_WINDOW), 5_000, 0);
        SinkWriter<FeedWrite> after = cache.createWriter(context(time), cacheSent);
        return new CassandraSinkWriter<>(cassandra, "feed", new FeedWriteCql(), maxBuffered, maxBatch, 4, time,
                INTERVAL, cassandraSent, after, mailbox::add);
    }

    static FeedWrite home(long user, String id, long ts) {
        return FeedWrite.insert(Feed.HOME, user, 1_000 + ts, id, 9, ts);
    }

    /** Runs the posted mails, as the task thread does between records. */
    int runMails() {
        List<Runnable> mails = new ArrayList<>(mailbox);
        mailbox.clear();
        mails.forEach(Runnable::run);
        return mails.size();
    }

    static List<String> head() {
        try (Jedis j = redis.client()) {
            return j.zrange(HEAD, 0, -1);
        }
    }

    @Test
    void theCacheWriteWaitsForCassandrasAcknowledgementAndGoesRightAfterIt() throws Exception {
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL); // the timed Cassandra send
        assertThat(cassandra.batches).hasSize(1);
        assertThat(runMails()).isZero();
        assertThat(head()).containsExactly("~fill:test"); // not before the acknowledgement
        assertThat(writer.awaitingAcknowledgement()).isEqualTo(1);

        time.advance(10 * INTERVAL); // no timer sends it either
        assertThat(head()).containsExactly("~fill:test");

        cassandra.pending.get(0).complete(null); // the driver's callback: posts one mail, writes nothing
        assertThat(mailbox).hasSize(1);
        assertThat(head()).containsExactly("~fill:test");

        assertThat(runMails()).isEqualTo(1); // the task thread's next turn
        assertThat(head()).containsExactly("~fill:test", "p:1");
        assertThat(writer.awaitingAcknowledgement()).isZero();
        assertThat(cassandraSent.getCount()).isEqualTo(1);
        assertThat(cacheSent.getCount()).isEqualTo(1);
    }

    @Test
    void aSendWithSeveralBatchesGoesToTheCacheOnlyOnceAllAreAcknowledged() throws Exception {
        writer.close();
        writer = writer(1_000, 1); // one mutation per batch
        writer.write(home(1, "p:1", 1), null);
        writer.write(home(1, "p:2", 2), null);
        time.advance(INTERVAL);
        assertThat(cassandra.batches).hasSize(2);
        cassandra.pending.get(1).complete(null);
        assertThat(mailbox).isEmpty();
        runMails();
        assertThat(head()).containsExactly("~fill:test");
        cassandra.pending.get(0).complete(null);
        runMails();
        assertThat(head()).containsExactly("~fill:test", "p:1", "p:2");
    }

    @Test
    void sendsGoToTheCacheInSendOrderWhateverOrderCassandraAnswersIn() throws Exception {
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL); // send 1: insert p:1
        writer.write(FeedWrite.remove(Feed.HOME, 1, 1_001, "p:1", 9, 2), null);
        writer.write(home(1, "p:2", 3), null);
        time.advance(INTERVAL); // send 2: delete p:1, insert p:2
        assertThat(cassandra.batches).hasSize(2);

        cassandra.pending.get(1).complete(null); // send 2 answered first
        runMails();
        assertThat(head()).containsExactly("~fill:test"); // waits for send 1

        cassandra.pending.get(0).complete(null);
        runMails();
        // Insert, then delete: in the other order p:1 would be left in the head.
        assertThat(head()).containsExactly("~fill:test", "p:2");
        assertThat(writer.awaitingAcknowledgement()).isZero();
    }

    @Test
    void batchesOfATokenRangeGoToTheCacheAfterEveryBatchOfTheirSendInSendOrder() throws Exception {
        writer.close();
        // A fake ring of two ranges (odd and even users), two mutations per batch.
        cassandra.groups = (m, g) -> "range-" + (CassandraSinkGroupingTest.userOf(m) % 2);
        RedisSink<FeedWrite> cache = new RedisSink<>("127.0.0.1", redis.port,
                new FeedCacheWrite(FeedCacheWrite.DEFAULT_WINDOW), 5_000, 0);
        writer = new CassandraSinkWriter<>(cassandra, "feed", new FeedWriteCql(), 1_000, 2, 8, time, INTERVAL,
                cassandraSent, cache.createWriter(context(time), cacheSent), mailbox::add,
                CassandraSink.Grouping.RANGE, new SimpleCounter());
        for (long user = 1; user <= 4; user++) {
            writer.write(home(user, "p:1", 1), null);
        }
        writer.write(home(1, "p:2", 2), null);
        time.advance(INTERVAL); // send 1: [u1 p:1, u1 p:2] [u3 p:1] [u2 p:1, u4 p:1]
        writer.write(FeedWrite.remove(Feed.HOME, 1, 1_001, "p:1", 9, 3), null);
        time.advance(INTERVAL); // send 2: [u1 -p:1]
        assertThat(cassandra.batches).hasSize(4);
        assertThat(cassandra.batches.get(0)).extracting(CassandraSinkGroupingTest::userOf).containsExactly(1L, 1L);
        assertThat(cassandra.batches.get(1)).extracting(CassandraSinkGroupingTest::userOf).containsExactly(3L);
        assertThat(cassandra.batches.get(2)).extracting(CassandraSinkGroupingTest::userOf).containsExactly(2L, 4L);

        cassandra.pending.get(3).complete(null); // send 2 first
        cassandra.pending.get(0).complete(null); // user 1's own batch of send 1
        cassandra.pending.get(2).complete(null);
        runMails();
        assertThat(head()).containsExactly("~fill:test"); // send 1 still has [u3 p:1] unanswered
        assertThat(writer.awaitingAcknowledgement()).isEqualTo(6);

        cassandra.pending.get(1).complete(null);
        runMails();
        // Send 1 (p:1, p:2 in), then send 2 (p:1 out): the other order would leave p:1.
        assertThat(head()).containsExactly("~fill:test", "p:2");
        assertThat(writer.awaitingAcknowledgement()).isZero();
        assertThat(cassandraSent.getCount()).isEqualTo(6);
        // Both sends went to Redis in one flush, which coalesced u1's p:1 insert and delete to the delete.
        assertThat(cacheSent.getCount()).isEqualTo(5);
    }

    @Test
    void flushWaitsForEveryBatchThenWritesAndFlushesTheCacheBeforeReturning() throws Exception {
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL); // in flight
        writer.write(home(1, "p:2", 2), null); // buffered

        AtomicBoolean flushed = new AtomicBoolean();
        Thread barrier = new Thread(() -> {
            try {
                writer.flush(false);
                flushed.set(true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        barrier.start();
        waitFor(() -> cassandra.pending.size() == 2);
        TimeUnit.MILLISECONDS.sleep(100);
        assertThat(flushed).isFalse();
        assertThat(head()).containsExactly("~fill:test"); // nothing before Cassandra answered
        cassandra.pending.get(1).complete(null);
        TimeUnit.MILLISECONDS.sleep(100);
        assertThat(flushed).isFalse();
        assertThat(head()).containsExactly("~fill:test");
        cassandra.pending.get(0).complete(null);
        barrier.join(5_000);
        assertThat(flushed).isTrue();
        // Before the barrier goes on: both in Redis, without any mail having run.
        assertThat(head()).containsExactly("~fill:test", "p:1", "p:2");
        assertThat(writer.awaitingAcknowledgement()).isZero();

        runMails(); // the mails posted meanwhile find nothing left to do
        assertThat(cacheSent.getCount()).isEqualTo(2);
    }

    @Test
    void aFailedBatchKeepsItsCacheWritesAndLaterOnesOutOfRedisAndFailsTheJob() throws Exception {
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL); // send 1
        writer.write(home(1, "p:2", 2), null);
        time.advance(INTERVAL); // send 2
        cassandra.pending.get(0).completeExceptionally(new IllegalStateException("write timeout"));
        cassandra.pending.get(1).complete(null);
        runMails();
        assertThat(head()).containsExactly("~fill:test");

        assertThatThrownBy(() -> writer.write(home(1, "p:3", 3), null))
                .isInstanceOf(IOException.class).hasMessageContaining("write timeout");
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IOException.class).hasMessageContaining("write timeout");
        runMails();
        assertThat(head()).containsExactly("~fill:test");
        assertThat(cacheSent.getCount()).isZero();
    }

    @Test
    void aSendThatCannotStartWritesNothingToTheCache() throws Exception {
        cassandra.refuse = new IllegalStateException("session closed");
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL);
        runMails();
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IOException.class).hasMessageContaining("session closed");
        runMails();
        assertThat(head()).containsExactly("~fill:test");
    }

    @Test
    void aFailedCacheWriteFailsTheNextWriteAndFlush() throws Exception {
        try (Jedis j = redis.client()) {
            j.set(HEAD, "not a sorted set");
        }
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL);
        cassandra.pending.get(0).complete(null);
        runMails(); // the mail itself does not throw
        assertThatThrownBy(() -> writer.write(home(1, "p:2", 2), null))
                .isInstanceOf(IOException.class).hasMessageContaining("WRONGTYPE");
        assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(IOException.class).hasMessageContaining("WRONGTYPE");
    }

    @Test
    void aMailThatRunsAfterCloseWritesNothing() throws Exception {
        writer.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL);
        cassandra.pending.get(0).complete(null);
        writer.close();
        runMails();
        assertThat(head()).containsExactly("~fill:test");
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean() && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(cond.getAsBoolean()).isTrue();
    }

    /** Just enough of a writer's context for {@link RedisSink#createWriter(WriterInitContext, org.apache.flink.metrics.Counter)}. */
    static WriterInitContext context(ProcessingTimeService time) {
        return new WriterInitContext() {
            @Override
            public UserCodeClassLoader getUserCodeClassLoader() {
                throw new UnsupportedOperationException();
            }

            @Override
            public MailboxExecutor getMailboxExecutor() {
                throw new UnsupportedOperationException();
            }

            @Override
            public ProcessingTimeService getProcessingTimeService() {
                return time;
            }

            @Override
            public SinkWriterMetricGroup metricGroup() {
                throw new UnsupportedOperationException();
            }

            @Override
            public SerializationSchema.InitializationContext asSerializationSchemaInitializationContext() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isObjectReuseEnabled() {
                return false;
            }

            @Override
            public <IN> TypeSerializer<IN> createInputSerializer() {
                throw new UnsupportedOperationException();
            }

            @Override
            public OptionalLong getRestoredCheckpointId() {
                return OptionalLong.empty();
            }

            @Override
            public JobInfo getJobInfo() {
                throw new UnsupportedOperationException();
            }

            @Override
            public TaskInfo getTaskInfo() {
                throw new UnsupportedOperationException();
            }
        };
    }
}
