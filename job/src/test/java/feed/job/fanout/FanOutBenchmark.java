package feed.job.fanout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;

/**
 * Micro-benchmark (not a test) of {@link FanOut}'s cost per change where it
 * grows with the state (issue 11, "the write path, lean"), on the keyed
 * operator harness with RocksDB (as the cluster runs) or the heap backend:
 * <ul>
 *   <li>{@code follow}: account V has N live posts, one every 10 minutes; then
 *       2,000 new users follow V. Each follow reads and sorts all N
 *       ({@code newestFirst}) and writes the backfill (100) plus the removals
 *       of the posts made within the marker TTL (a day: 144) past it;</li>
 *   <li>{@code unfollowed}: V has 50 followers and N users who unfollowed
 *       it within the marker TTL; then 2,000 posts by V. Each post loops over
 *       the N ({@code addActivity}'s {@code unfollowed} loop, one
 *       {@code followers.contains} each).</li>
 * </ul>
 * Prints changes/s and rows emitted per change.
 *
 * <pre>
 * mvn -B -q -f job/pom.xml test-compile
 * java -cp "$(cat cp.txt):job/target/classes:job/target/test-classes" feed.job.fanout.FanOutBenchmark follow 10000 rocksdb
 * </pre>
 * (cp.txt: {@code mvn -f job/pom.xml dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 */
public final class FanOutBenchmark {

    static final long V = 1;
    static final long T0 = 1_700_000_000_000_000L;
    static final long POST_EVERY_US = 600_000_000L;

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "follow";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        boolean rocksDb = !(args.length > 2 && args[2].equals("heap"));
        int changes = 2_000;
        List<Activity> setUp = new ArrayList<>();
        List<Activity> measured = new ArrayList<>();
        long lsn = 1_000;
        if (what.equals("follow")) {
            for (int i = 0; i < n; i++) {
                // One post every 10 minutes: 144 of them within the marker TTL (a day) before a follow.
                setUp.add(new Activity(Verb.SHARD, "p:" + i, V, null, Activity.NO_TARGET, T0 + i * POST_EVERY_US, "b",
                        lsn++, false));
            }
            for (int i = 0; i < changes; i++) {
                measured.add(follow(100_000 + i, lsn++, T0 + n * POST_EVERY_US + i));
            }
        } else {
            for (int i = 0; i < 50; i++) {
                setUp.add(follow(10 + i, lsn++, T0));
            }
            for (int i = 0; i < n; i++) {
                Activity f = follow(100_000 + i, lsn++, T0);
                setUp.add(f);
                setUp.add(f.undo(lsn++));
            }
            for (int i = 0; i < changes; i++) {
                measured.add(new Activity(Verb.SHARD, "p:" + i, V, null, Activity.NO_TARGET, T0 + n + i, "b", lsn++,
                        false));
            }
        }
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new FanOut(100, Duration.ofHours(24))), FanOutInput::key, Types.LONG)) {
            if (rocksDb) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            h.open();
            send(h, setUp);
            int before = h.extractOutputValues().size();
            long t0 = System.nanoTime();
            send(h, measured);
            long ns = System.nanoTime() - t0;
            int rows = h.extractOutputValues().size() - before;
            System.out.printf(Locale.ROOT, "%s N=%d %s: %d changes in %.2f s = %,.0f changes/s, %.1f rows each%n",
                    what, n, rocksDb ? "RocksDB" : "heap", changes, ns / 1e9, changes * 1e9 / ns,
                    rows / (double) changes);
        }
    }

    /** U follows V. */
    static Activity follow(long u, long lsn, long tsUs) {
        return new Activity(Verb.FOLLOW, "f:" + u, u, "u:" + V, V, tsUs, null, lsn, false);
    }

    static void send(KeyedOneInputStreamOperatorTestHarness<Long, FanOutInput, FeedWrite> h, List<Activity> as)
            throws Exception {
        List<FanOutInput> inputs = new ArrayList<>();
        Collector<FanOutInput> out = new Collector<>() {
            @Override
            public void collect(FanOutInput in) {
                inputs.add(in);
            }

            @Override
            public void close() {
            }
        };
        for (Activity a : as) {
            inputs.clear();
            new FanOutKeys().flatMap(a, out);
            for (FanOutInput in : inputs) {
                h.processElement(in, 0);
            }
        }
    }
}
