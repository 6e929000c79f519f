package feed.job.notify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import feed.job.fanout.Activity;
import feed.job.fanout.Verb;

/**
 * Micro-benchmark (not a test): one notification group of N follows of one
 * account within one hour, then N/10 unfollows (half of them among the 20
 * newest followers, the rest anywhere), through {@link Notifications} or the
 * old {@link LegacyNotifications}, on the keyed operator harness with
 * RocksDB (as the cluster runs) or the heap backend. Prints events/s per
 * stretch; the old one stops after {@code budget} seconds.
 *
 * <pre>
 * mvn -B -q -f job/pom.xml test-compile
 * java -cp "$(cat cp.txt):job/target/classes:job/target/test-classes" feed.job.notify.NotificationsBenchmark new 50000 120 rocksdb
 * </pre>
 * (cp.txt: {@code mvn -f job/pom.xml dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 */
public final class NotificationsBenchmark {

    public static void main(String[] args) throws Exception {
        String impl = args.length > 0 ? args[0] : "new";
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        long budgetMs = (args.length > 2 ? Long.parseLong(args[2]) : 120) * 1_000L;
        boolean rocksDb = !(args.length > 3 && args[3].equals("heap"));

        long windowMs = Notifications.windowStartMs(1_700_000_000_000_000L);
        Random rnd = new Random(1);
        List<Activity> follows = new ArrayList<>(n);
        long lsn = 1_000;
        for (int i = 0; i < n; i++) {
            // Nearly in order of created_at across the hour, as a burst of follows arrives.
            long ts = (windowMs * 1_000L) + (long) i * (3_600_000_000L / n) + rnd.nextInt(1_000);
            lsn += 1 + rnd.nextInt(3);
            follows.add(new Activity(Verb.FOLLOW, "f:" + (i + 1), 1_000_000L + i, "u:1", 1L, ts, null, lsn, false));
        }
        List<Activity> unfollows = new ArrayList<>();
        List<Activity> alive = new ArrayList<>(follows);
        for (int i = 0; i < n / 10; i++) {
            int k = i % 2 == 0 ? alive.size() - 1 - rnd.nextInt(20) : rnd.nextInt(alive.size());
            unfollows.add(alive.remove(k).undo(lsn += 1 + rnd.nextInt(3)));
        }

        KeyedProcessFunction<String, Activity, NotificationWrite> fn = impl.equals("old")
                ? new LegacyNotifications(600_000L, Duration.ofHours(24))
                : new Notifications(600_000L, Duration.ofHours(24));
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(fn),
                Notifications::groupId, Types.STRING)) {
            if (rocksDb) {
                h.setStateBackend(new EmbeddedRocksDBStateBackend());
            }
            h.open();
            System.out.printf("%s, %s, group of %d follows then %d unfollows%n", impl,
                    rocksDb ? "RocksDB" : "heap", n, unfollows.size());
            long start = System.nanoTime();
            int done = run(h, follows, "follows", start, budgetMs);
            if (done == follows.size()) {
                run(h, unfollows, "unfollows", start, budgetMs);
            }
            NotificationWrite last = h.extractOutputValues().get(h.extractOutputValues().size() - 1);
            System.out.println("last write: " + last);
            if (fn instanceof Notifications nf) {
                System.out.println("buffer rebuilds: " + nf.rebuildCount());
            }
        }
    }

    private static int run(KeyedOneInputStreamOperatorTestHarness<String, Activity, NotificationWrite> h,
                           List<Activity> events, String what, long start, long budgetMs) throws Exception {
        int stretch = Math.max(1, Math.min(2_500, events.size() / 10));
        long t0 = System.nanoTime();
        long ts = t0;
        int i = 0;
        for (Activity a : events) {
            h.processElement(a, Notifications.eventTimeMs(a));
            i++;
            if (i % stretch == 0 || i == events.size()) {
                long now = System.nanoTime();
                System.out.printf(Locale.ROOT, "  %s %6d..%6d: %,10.0f events/s%n", what, i - (i % stretch == 0
                        ? stretch : i % stretch), i, (i % stretch == 0 ? stretch : i % stretch) * 1e9 / (now - ts));
                ts = now;
                if ((now - start) / 1_000_000L > budgetMs) {
                    break;
                }
            }
        }
        long ns = System.nanoTime() - t0;
        System.out.printf(Locale.ROOT, "  %s: %d events in %.1f s, %,.0f events/s overall%n", what, i, ns / 1e9,
                i * 1e9 / ns);
        return i;
    }
}
