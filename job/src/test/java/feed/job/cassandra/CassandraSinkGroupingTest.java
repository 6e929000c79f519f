package feed.job.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.Test;

import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import com.datastax.oss.driver.internal.core.metadata.token.Murmur3Token;
import com.datastax.oss.driver.internal.core.metadata.token.Murmur3TokenFactory;
import com.datastax.oss.driver.internal.core.metadata.token.Murmur3TokenRange;

import feed.job.cassandra.CassandraSink.Grouping;
import feed.job.cassandra.CassandraSinkWriterTest.FakeClient;
import feed.job.fanout.FeedWrite;
import feed.job.fanout.FeedWrite.Feed;

/**
 * Batches of several partitions of one token range (or replica set): what
 * a batch holds, the order of a partition's mutations, and the driver-side
 * pieces (routing key, the range holding a token).
 */
class CassandraSinkGroupingTest {

    static final int RANGES = 3;

    /** The user a feed mutation writes (the partition key's value). */
    static long userOf(Mutation m) {
        boolean delete = m.statement() == FeedWriteCql.HOME_DELETE || m.statement() == FeedWriteCql.PROFILE_DELETE;
        return (Long) m.values()[delete ? 1 : 0];
    }

    /** A fake ring: user mod 3. */
    static FakeClient ranged() {
        FakeClient c = new FakeClient();
        c.groups = (m, g) -> g == Grouping.RANGE ? "range-" + Math.floorMod(userOf(m), RANGES) : null;
        return c;
    }

    static CassandraSinkWriter<FeedWrite> writer(FakeClient c, int maxBatch, Grouping g, SimpleCounter batches) {
        return new CassandraSinkWriter<>(c, "feed", new FeedWriteCql(), 10_000, maxBatch, 8,
                new TestProcessingTimeService(), 0, new SimpleCounter(), null, null, g, batches);
    }

    @Test
    void eachBatchIsOneRangeAndKeepsEveryPartitionsMutationsInWriteOrder() throws Exception {
        FakeClient c = ranged();
        SimpleCounter batches = new SimpleCounter();
        var w = writer(c, 4, Grouping.RANGE, batches);
        Random rnd = new Random(7);
        List<Mutation> written = new ArrayList<>();
        CqlWrite.Mutations record = (p, s, v) -> written.add(new Mutation(s, v));
        FeedWriteCql cql = new FeedWriteCql();
        for (int i = 0; i < 200; i++) {
            long user = rnd.nextInt(20);
            FeedWrite fw = rnd.nextInt(4) == 0
                    ? FeedWrite.remove(rnd.nextBoolean() ? Feed.HOME : Feed.PROFILE, user, 1_000 + i, "p:" + i, 9, i)
                    : FeedWrite.insert(rnd.nextBoolean() ? Feed.HOME : Feed.PROFILE, user, 1_000 + i, "p:" + i, 9, i);
            w.write(fw, null);
            cql.append(fw, record);
        }
        w.flush(false);

        // Every mutation once, each batch within one range and at most 4 long.
        assertThat(c.batches.stream().mapToInt(List::size).sum()).isEqualTo(written.size());
        for (List<Mutation> b : c.batches) {
            assertThat(b).hasSizeBetween(1, 4);
            assertThat(b.stream().map(m -> Math.floorMod(userOf(m), RANGES)).distinct()).hasSize(1);
        }
        // Per range: all full batches but the last (one send cuts each range's list in order).
        Map<Long, Integer> perRange = new HashMap<>();
        for (Mutation m : written) {
            perRange.merge((long) Math.floorMod(userOf(m), RANGES), 1, Integer::sum);
        }
        int expected = perRange.values().stream().mapToInt(n -> (n + 3) / 4).sum();
        assertThat(c.batches).hasSize(expected);
        assertThat(batches.getCount()).isEqualTo(expected);
        // Per partition (feed, user): the order written.
        assertThat(byPartition(flatten(c.batches))).isEqualTo(byPartition(written));
    }

    @Test
    void anInsertAndItsDeleteInOneSendBothGoInWriteOrderAndKeepTheirTimestamps() throws Exception {
        FakeClient c = ranged();
        var w = writer(c, 100, Grouping.RANGE, new SimpleCounter());
        w.write(FeedWrite.insert(Feed.HOME, 1, 1_010, "p:1", 9, 10), null);
        w.write(FeedWrite.insert(Feed.HOME, 4, 1_010, "p:1", 9, 10), null); // same range as user 1
        w.write(FeedWrite.remove(Feed.HOME, 1, 1_010, "p:1", 9, 12), null);
        w.flush(false);
        assertThat(c.batches).hasSize(1);
        // Not coalesced away: Cassandra keeps the one with the higher timestamp (the delete).
        assertThat(c.batches.get(0)).containsExactly(
                new Mutation(FeedWriteCql.HOME_INSERT, new Object[] {1L, 1_010L, "p:1", 9L, 10L}),
                new Mutation(FeedWriteCql.HOME_DELETE, new Object[] {12L, 1L, 1_010L, "p:1"}),
                new Mutation(FeedWriteCql.HOME_INSERT, new Object[] {4L, 1_010L, "p:1", 9L, 10L}));
    }

    @Test
    void aPartitionTheClientCannotPlaceIsBatchedAlone() throws Exception {
        FakeClient c = new FakeClient();
        c.groups = (m, g) -> userOf(m) == 5 ? null : "all";
        var w = writer(c, 100, Grouping.REPLICAS, new SimpleCounter());
        for (long user : new long[] {1, 5, 2, 5, 3}) {
            w.write(FeedWrite.insert(Feed.HOME, user, 1_000 + user, "p:" + user, 9, 1), null);
        }
        w.flush(false);
        assertThat(c.batches).hasSize(2);
        assertThat(c.batches.get(0)).extracting(CassandraSinkGroupingTest::userOf).containsExactly(1L, 2L, 3L);
        assertThat(c.batches.get(1)).extracting(CassandraSinkGroupingTest::userOf).containsExactly(5L, 5L);
    }

    @Test
    void partitionGroupingNeverAsksForRanges() throws Exception {
        FakeClient c = new FakeClient();
        c.groups = (m, g) -> {
            throw new AssertionError("asked for " + g);
        };
        var w = writer(c, 100, Grouping.PARTITION, new SimpleCounter());
        w.write(FeedWrite.insert(Feed.HOME, 1, 1_001, "p:1", 9, 1), null);
        w.write(FeedWrite.insert(Feed.HOME, 2, 1_001, "p:1", 9, 1), null);
        w.flush(false);
        assertThat(c.batches).hasSize(2);
    }

    @Test
    void theRoutingKeyOfABigintKeyGivesCassandrasToken() {
        @SuppressWarnings("unchecked")
        TypeCodec<Object>[] bigint = new TypeCodec[] {(TypeCodec<?>) TypeCodecs.BIGINT};
        Murmur3TokenFactory murmur3 = new Murmur3TokenFactory();
        // SELECT token(user_id) on Cassandra 5.0.9 (the same values as bench/tests/test_bench_ceiling.c).
        long[][] known = {{0, 2945182322382062539L}, {1, 6292367497774912474L}, {-1, 7071048584287372947L},
                          {42, 8623491988607824794L}, {Long.MIN_VALUE, 9204767954415360687L}};
        for (long[] k : known) {
            // home_feed's INSERT binds user_id first, its DELETE second.
            ByteBuffer insert = DriverCqlClient.routingKey(new int[] {0}, bigint,
                    new Object[] {k[0], 1L, "p:1", 2L, 3L}, ProtocolVersion.V5);
            ByteBuffer delete = DriverCqlClient.routingKey(new int[] {1}, bigint,
                    new Object[] {3L, k[0], 1L, "p:1"}, ProtocolVersion.V5);
            assertThat(murmur3.hash(insert)).isEqualTo(new Murmur3Token(k[1]));
            assertThat(murmur3.hash(delete)).isEqualTo(new Murmur3Token(k[1]));
        }
        assertThat(DriverCqlClient.routingKey(new int[] {0}, bigint, new Object[] {null}, ProtocolVersion.V5)).isNull();
    }

    @Test
    void theRangeHoldingATokenIsFoundAlsoPastTheLastEnd() {
        Random rnd = new Random(11);
        for (int n : new int[] {1, 2, 16, 48}) {
            long[] tokens = rnd.longs(n).sorted().toArray();
            TokenRange[] ring = new TokenRange[n];
            for (int i = 0; i < n; i++) {
                ring[i] = new Murmur3TokenRange(new Murmur3Token(tokens[(i + n - 1) % n]), new Murmur3Token(tokens[i]));
            }
            Arrays.sort(ring, Comparator.comparing(TokenRange::getEnd));
            List<Long> probes = new ArrayList<>(List.of(Long.MIN_VALUE + 1, Long.MAX_VALUE, 0L));
            for (long t : tokens) {
                probes.add(t);
                probes.add(t + 1);
                probes.add(t - 1);
            }
            rnd.longs(200).forEach(probes::add);
            for (long t : probes) {
                if (t == Long.MIN_VALUE) {
                    continue; // Murmur3's minimum token is no partition's token
                }
                Token token = new Murmur3Token(t);
                TokenRange r = DriverCqlClient.rangeContaining(ring, token);
                if (n == 1) {
                    assertThat(r).isSameAs(ring[0]); // (t, t]: the whole ring
                } else {
                    assertThat(r.contains(token)).as("token %d in %s (n=%d)", t, r, n).isTrue();
                }
            }
        }
        assertThat(DriverCqlClient.rangeContaining(new TokenRange[0], new Murmur3Token(1))).isNull();
    }

    static List<Mutation> flatten(List<List<Mutation>> batches) {
        List<Mutation> all = new ArrayList<>();
        batches.forEach(all::addAll);
        return all;
    }

    /** The mutations of each (table, user), in order. */
    static Map<String, List<Mutation>> byPartition(List<Mutation> ms) {
        Map<String, List<Mutation>> by = new LinkedHashMap<>();
        for (Mutation m : ms) {
            boolean home = m.statement() == FeedWriteCql.HOME_INSERT || m.statement() == FeedWriteCql.HOME_DELETE;
            by.computeIfAbsent((home ? "home:" : "profile:") + userOf(m), k -> new ArrayList<>()).add(m);
        }
        return by;
    }
}
