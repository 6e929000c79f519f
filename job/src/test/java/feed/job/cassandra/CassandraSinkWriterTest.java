package feed.job.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;

import feed.job.fanout.Activity;
import feed.job.fanout.FeedWrite;
import feed.job.fanout.FeedWrite.Feed;
import feed.job.fanout.Verb;
import feed.job.notify.NotificationWrite;

/**
 * The writer's batching, timed sends, flow control and failure handling,
 * against a fake session and a hand-driven processing-time service (its
 * timers fire on the test's thread, as they fire on the task's mailbox
 * thread in Flink).
 */
class CassandraSinkWriterTest {

    /** Records batches; completes them at once, or when told. */
    static final class FakeClient implements CqlClient {
        final List<String> prepared = new ArrayList<>();
        final List<List<Mutation>> batches = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();
        volatile boolean hold;
        /** Thrown by executeBatch, if set: the batch cannot even start. */
        volatile RuntimeException refuse;
        boolean closed;
        /** Which failures the writer may send again after; by default none. */
        volatile java.util.function.Predicate<Throwable> retryable = t -> false;
        /** The group of a mutation; by default none (each partition alone). */
        BiFunction<Mutation, CassandraSink.Grouping, Object> groups = (m, g) -> null;

        @Override
        public void prepare(List<String> statements) {
            prepared.addAll(statements);
        }

        @Override
        public boolean retryable(Throwable failure) {
            return retryable.test(failure);
        }

        @Override
        public Object groupOf(Mutation m, CassandraSink.Grouping grouping) {
            return groups.apply(m, grouping);
        }

        @Override
        public CompletionStage<?> executeBatch(List<Mutation> mutations) {
            if (refuse != null) {
                throw refuse;
            }
            batches.add(new ArrayList<>(mutations));
            CompletableFuture<Void> f = new CompletableFuture<>();
            if (hold) {
                pending.add(f);
            } else {
                f.complete(null);
            }
            return f;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static FeedWrite home(long user, String id, long ts) {
        return FeedWrite.insert(Feed.HOME, user, 1_000 + ts, id, 9, ts);
    }

    @Test
    void batchesPerPartitionSplitAtMaxBatchAndSendOnFlush() throws Exception {
        FakeClient c = new FakeClient();
        SimpleCounter sent = new SimpleCounter();
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1000, 2, 4, new TestProcessingTimeService(), 0, sent);
        assertThat(c.prepared).hasSize(4).allMatch(s -> s.contains("feed."));
        w.write(home(1, "p:1", 10), null);
        w.write(home(2, "p:1", 10), null);
        w.write(home(1, "p:2", 11), null);
        w.write(home(1, "p:3", 12), null);
        w.write(FeedWrite.remove(Feed.PROFILE, 1, 1_010, "p:1", 1, 20), null);
        assertThat(c.batches).isEmpty();
        w.flush(false);
        assertThat(c.batches).hasSize(4); // home(1): 2 + 1, home(2): 1, profile(1): 1
        assertThat(c.batches.get(0)).containsExactly(
                new Mutation(FeedWriteCql.HOME_INSERT, new Object[] {1L, 1_010L, "p:1", 9L, 10L}),
                new Mutation(FeedWriteCql.HOME_INSERT, new Object[] {1L, 1_011L, "p:2", 9L, 11L}));
        assertThat(c.batches.get(1)).hasSize(1);
        assertThat(c.batches.get(2)).containsExactly(
                new Mutation(FeedWriteCql.HOME_INSERT, new Object[] {2L, 1_010L, "p:1", 9L, 10L}));
        assertThat(c.batches.get(3)).containsExactly(
                new Mutation(FeedWriteCql.PROFILE_DELETE, new Object[] {20L, 1L, 1_010L, "p:1"}));
        assertThat(sent.getCount()).isEqualTo(5);
        assertThat(w.buffered()).isZero();
        w.close();
        assertThat(c.closed).isTrue();
    }

    @Test
    void sendsEarlyWhenTheBufferIsFull() throws Exception {
        FakeClient c = new FakeClient();
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 3, 100, 4, new TestProcessingTimeService(), 0,
                new SimpleCounter());
        for (int i = 0; i < 7; i++) {
            w.write(home(1, "p:" + i, i), null);
        }
        assertThat(c.batches).hasSize(2);
        assertThat(w.buffered()).isEqualTo(1);
    }

    @Test
    void atMostMaxInFlightBatchesAreOutstandingAndFlushWaitsForAll() throws Exception {
        FakeClient c = new FakeClient();
        c.hold = true;
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1, 100, 2, new TestProcessingTimeService(), 0,
                new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        w.write(home(2, "p:1", 1), null);
        AtomicBoolean thirdSent = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                w.write(home(3, "p:1", 1), null); // blocks: two in flight
                thirdSent.set(true);
                w.flush(false);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        TimeUnit.MILLISECONDS.sleep(200);
        assertThat(thirdSent).isFalse();
        assertThat(c.batches).hasSize(2);
        c.pending.get(0).complete(null);
        waitFor(() -> c.batches.size() == 3);
        assertThat(thirdSent.get() || c.batches.size() == 3).isTrue();
        c.pending.get(1).complete(null);
        TimeUnit.MILLISECONDS.sleep(100);
        assertThat(t.isAlive()).isTrue(); // flush waits for the third
        c.pending.get(2).complete(null);
        t.join(5_000);
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void aFailedBatchFailsTheNextFlush() throws Exception {
        FakeClient c = new FakeClient();
        c.hold = true;
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1, 100, 4, new TestProcessingTimeService(), 0,
                new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        c.pending.get(0).completeExceptionally(new IllegalStateException("write timeout"));
        assertThatThrownBy(() -> w.flush(false)).isInstanceOf(IOException.class).hasMessageContaining("write timeout");
        assertThatThrownBy(() -> w.write(home(1, "p:2", 2), null)).isInstanceOf(IOException.class);
    }

    /** A batch that timed out is sent again after a pause, the same batch, and flush waits for it. */
    @Test
    void aBatchThatTimedOutIsSentAgainAndFlushWaitsForIt() throws Exception {
        FakeClient c = new FakeClient();
        c.hold = true;
        c.retryable = t -> t.getMessage().contains("timeout");
        SimpleCounter sent = new SimpleCounter();
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1, 100, 4, new TestProcessingTimeService(), 0,
                sent);
        w.retryPauseMs = 10;
        w.write(home(1, "p:1", 1), null);
        c.pending.get(0).completeExceptionally(new IllegalStateException("write timeout"));
        waitFor(() -> c.pending.size() == 2);
        assertThat(c.batches.get(1)).isEqualTo(c.batches.get(0));
        assertThat(w.retries.get()).isEqualTo(1);
        assertThat(sent.getCount()).isZero();
        var flushed = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                w.flush(false);
                flushed.set(true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        Thread.sleep(50);
        assertThat(flushed).isFalse(); // the retried batch still holds its slot
        c.pending.get(1).complete(null);
        t.join(5_000);
        assertThat(flushed).isTrue();
        assertThat(sent.getCount()).isEqualTo(1);
        w.write(home(1, "p:2", 2), null); // no failure was kept
    }

    /** Retryable failures on every attempt: after MAX_ATTEMPTS sends the failure fails the flush. */
    @Test
    void aBatchThatKeepsTimingOutFailsAfterTheLastAttempt() throws Exception {
        FakeClient c = new FakeClient();
        c.hold = true;
        c.retryable = t -> true;
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1, 100, 4, new TestProcessingTimeService(), 0,
                new SimpleCounter());
        w.retryPauseMs = 1;
        w.write(home(1, "p:1", 1), null);
        for (int i = 0; i < CassandraSinkWriter.MAX_ATTEMPTS; i++) {
            final int n = i + 1;
            waitFor(() -> c.pending.size() == n);
            c.pending.get(i).completeExceptionally(new IllegalStateException("write timeout " + n));
        }
        assertThatThrownBy(() -> w.flush(false)).isInstanceOf(IOException.class)
                .hasMessageContaining("write timeout " + CassandraSinkWriter.MAX_ATTEMPTS);
        assertThat(c.batches).hasSize(CassandraSinkWriter.MAX_ATTEMPTS);
        assertThat(w.retries.get()).isEqualTo(CassandraSinkWriter.MAX_ATTEMPTS - 1);
    }

    static final long INTERVAL = 50;

    /** A writer with the time bound, far from its size bound; the clock starts at 1000. */
    static CassandraSinkWriter<FeedWrite> timed(FakeClient c, TestProcessingTimeService time, SimpleCounter sent)
            throws Exception {
        time.setCurrentTime(1_000);
        return new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1_000, 100, 4, time, INTERVAL, sent);
    }

    @Test
    void sendsTheBufferOnceTheIntervalHasPassedSinceItsFirstElementNotBefore() throws Exception {
        FakeClient c = new FakeClient();
        TestProcessingTimeService time = new TestProcessingTimeService();
        SimpleCounter sent = new SimpleCounter();
        var w = timed(c, time, sent);
        w.write(home(1, "p:1", 1), null);
        time.advance(20);
        w.write(home(2, "p:1", 1), null); // same buffer: no second timer
        assertThat(time.getNumActiveTimers()).isEqualTo(1);
        time.advance(INTERVAL - 21);
        assertThat(c.batches).isEmpty();
        time.advance(1); // 50 ms after the first element
        assertThat(c.batches).hasSize(2);
        assertThat(w.buffered()).isZero();
        assertThat(sent.getCount()).isEqualTo(2);

        // The next element arms a new timer, from its own time.
        time.advance(500);
        w.write(home(1, "p:2", 2), null);
        time.advance(INTERVAL - 1);
        assertThat(c.batches).hasSize(2);
        time.advance(1);
        assertThat(c.batches).hasSize(3);
        assertThat(time.getNumActiveTimers()).isZero();
    }

    @Test
    void noTimerAndNoSendWithoutBufferedMutations() throws Exception {
        FakeClient c = new FakeClient();
        TestProcessingTimeService time = new TestProcessingTimeService();
        var w = timed(c, time, new SimpleCounter());
        time.advance(1_000);
        assertThat(time.getNumActiveTimers()).isZero();

        // Flushed (checkpoint) before the timer fires: the timer then finds nothing to send.
        w.write(home(1, "p:1", 1), null);
        w.flush(false);
        assertThat(c.batches).hasSize(1);
        time.advance(INTERVAL);
        assertThat(c.batches).hasSize(1);
        assertThat(time.getNumActiveTimers()).isZero();
    }

    @Test
    void aZeroIntervalSendsOnlyWhenFullOrFlushed() throws Exception {
        FakeClient c = new FakeClient();
        TestProcessingTimeService time = new TestProcessingTimeService();
        var w = new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 1_000, 100, 4, time, 0,
                new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        assertThat(time.getNumActiveTimers()).isZero();
        time.advance(60_000);
        assertThat(c.batches).isEmpty();
        w.flush(false);
        assertThat(c.batches).hasSize(1);
    }

    @Test
    void theTimedSendDoesNotWaitForRepliesButFlushDoes() throws Exception {
        FakeClient c = new FakeClient();
        c.hold = true;
        TestProcessingTimeService time = new TestProcessingTimeService();
        var w = timed(c, time, new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL); // returns although the batch is unanswered
        assertThat(c.batches).hasSize(1);
        assertThat(c.pending).hasSize(1);
        w.write(home(2, "p:1", 1), null); // the next write does not wait either

        AtomicBoolean flushed = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                w.flush(false); // sends home(2) and waits for both
                flushed.set(true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        t.start();
        waitFor(() -> c.pending.size() == 2);
        c.pending.get(1).complete(null);
        TimeUnit.MILLISECONDS.sleep(100);
        assertThat(flushed).isFalse(); // the timed batch is still in flight
        c.pending.get(0).complete(null);
        t.join(5_000);
        assertThat(flushed).isTrue();
    }

    @Test
    void aFailedTimedBatchFailsTheNextWriteAndFlush() throws Exception {
        FakeClient c = new FakeClient();
        c.hold = true;
        TestProcessingTimeService time = new TestProcessingTimeService();
        var w = timed(c, time, new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL);
        c.pending.get(0).completeExceptionally(new IllegalStateException("write timeout"));
        assertThatThrownBy(() -> w.write(home(1, "p:2", 2), null))
                .isInstanceOf(IOException.class).hasMessageContaining("write timeout");
        assertThatThrownBy(() -> w.flush(false))
                .isInstanceOf(IOException.class).hasMessageContaining("write timeout");
    }

    @Test
    void aTimedSendThatCannotStartFailsTheNextWriteNotTheTimer() throws Exception {
        FakeClient c = new FakeClient();
        c.refuse = new IllegalStateException("session closed");
        TestProcessingTimeService time = new TestProcessingTimeService();
        var w = timed(c, time, new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        time.advance(INTERVAL); // the timer itself does not throw
        assertThatThrownBy(() -> w.write(home(1, "p:2", 2), null))
                .isInstanceOf(IOException.class).hasMessageContaining("session closed");
        assertThatThrownBy(() -> w.flush(false))
                .isInstanceOf(IOException.class).hasMessageContaining("session closed");
    }

    @Test
    void aTimerThatFiresAfterCloseSendsNothing() throws Exception {
        FakeClient c = new FakeClient();
        TestProcessingTimeService time = new TestProcessingTimeService();
        var w = timed(c, time, new SimpleCounter());
        w.write(home(1, "p:1", 1), null);
        w.close();
        time.advance(INTERVAL);
        assertThat(c.batches).isEmpty();
    }

    @Test
    void statementsAndBindValuesAgree() {
        FeedWriteCql feeds = new FeedWriteCql();
        List<Mutation> ms = new ArrayList<>();
        CqlWrite.Mutations out = (p, s, v) -> ms.add(new Mutation(s, v));
        feeds.append(FeedWrite.insert(Feed.HOME, 1, 2, "p:1", 3, 4), out);
        feeds.append(FeedWrite.remove(Feed.HOME, 1, 2, "p:1", 3, 4), out);
        feeds.append(FeedWrite.insert(Feed.PROFILE, 1, 2, "p:1", 3, 4), out);
        feeds.append(FeedWrite.remove(Feed.PROFILE, 1, 2, "p:1", 3, 4), out);
        assertThat(ms).extracting(Mutation::statement).containsExactly(0, 1, 2, 3);
        for (Mutation m : ms) {
            assertThat(markers(feeds.statements("feed").get(m.statement()))).isEqualTo(m.values().length);
        }

        ActivityCql acts = new ActivityCql();
        ms.clear();
        Activity like = new Activity(Verb.LIKE, "l:1", 7, "p:3", 8, 100, null, 55, false);
        acts.append(like, out);
        acts.append(like.undo(66), out);
        assertThat(ms.get(0).values()).containsExactly("l:1", "LIKE", 7L, "p:3", "u:8", null, 100L, 55L);
        assertThat(ms.get(1).values()).containsExactly(66L, "l:1");
        for (Mutation m : ms) {
            assertThat(markers(acts.statements("feed").get(m.statement()))).isEqualTo(m.values().length);
        }
        // Every statement carries the write timestamp.
        feeds.statements("feed").forEach(s -> assertThat(s).contains("USING TIMESTAMP ?"));
        acts.statements("feed").forEach(s -> assertThat(s).contains("USING TIMESTAMP ?"));
    }

    @Test
    void notificationsAreWrittenWholeAtTheGroupsVersion() {
        NotificationCql cql = new NotificationCql();
        List<Mutation> ms = new ArrayList<>();
        List<Object> partitions = new ArrayList<>();
        CqlWrite.Mutations out = (p, s, v) -> {
            partitions.add(p);
            ms.add(new Mutation(s, v));
        };
        cql.append(new NotificationWrite(10, "LIKE:p:1:3600000", Verb.LIKE, "p:1", 3_600_000_000L, 3,
                new long[] {12, 11}, 3_600_000_042L, 777, false), out);
        cql.append(new NotificationWrite(10, "LIKE:p:1:3600000", Verb.LIKE, "p:1", 3_600_000_000L, 0,
                new long[0], 0L, 888, true), out);
        assertThat(ms.get(0).values()).containsExactly(10L, 3_600_000_000L, "LIKE:p:1:3600000", "LIKE", "p:1",
                List.of(12L, 11L), 3, 3_600_000_042L, 777L);
        assertThat(ms.get(1).values()).containsExactly(888L, 10L, 3_600_000_000L, "LIKE:p:1:3600000");
        assertThat(partitions).containsExactly("notif:10", "notif:10");
        for (Mutation m : ms) {
            assertThat(markers(cql.statements("feed").get(m.statement()))).isEqualTo(m.values().length);
        }
        cql.statements("feed").forEach(s -> assertThat(s).contains("USING TIMESTAMP ?"));
        assertThat(cql.statements("feed").get(0)).doesNotContain("actor_ids +").doesNotContain("actor_count +");
    }

    private static long markers(String cql) {
        return cql.chars().filter(ch -> ch == '?').count();
    }

    private static void waitFor(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!cond.getAsBoolean() && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(cond.getAsBoolean()).isTrue();
    }
}
