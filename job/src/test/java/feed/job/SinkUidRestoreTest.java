package feed.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import feed.job.source.KafkaRecord;
import feed.job.testing.CollectingSink;
import feed.job.testing.RecordsGenerator;

/**
 * The feed and notification cache sinks ({@code feeds-redis},
 * {@code notifications-redis}) were folded into the Cassandra sinks, which
 * kept their uids. A savepoint (or retained checkpoint) of a job that still
 * had the separate, stateless Sink V2 writer restores into a job without it,
 * with {@code allowNonRestoredState} off (how the job is run): Flink skips
 * an unknown operator whose state is empty.
 */
class SinkUidRestoreTest {

    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(FeedJobTest.loopbackOnly())
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(2)
                    .build());

    @TempDir
    Path savepoints;

    static List<KafkaRecord> records(int n) {
        List<KafkaRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new KafkaRecord("feed.public.posts", 0, i, 0, new byte[] {(byte) i}));
        }
        return out;
    }

    /** Source, then the Cassandra sink's uid, and the old cache sink's uid if {@code oldCacheSink}. */
    static StreamGraph graph(int n, double perSecond, boolean oldCacheSink) {
        StreamExecutionEnvironment env = FeedJobTest.environmentWithoutRestarts();
        env.enableCheckpointing(100);
        DataStream<KafkaRecord> s = env
                .fromSource(RecordsGenerator.source(records(n), perSecond), WatermarkStrategy.noWatermarks(),
                        "debezium-topics")
                .uid("debezium-topics");
        s.sinkTo(new CollectingSink<>("cassandra")).name("feeds-cassandra").uid("feeds-cassandra");
        if (oldCacheSink) {
            s.sinkTo(new CollectingSink<>("redis")).name("feeds-redis").uid("feeds-redis");
        }
        return env.getStreamGraph();
    }

    @Test
    void aSavepointWithTheRemovedCacheSinkRestoresWithoutAllowNonRestoredState() throws Exception {
        CollectingSink.clear();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient old = env.executeAsync(graph(2_000, 200, true));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (CollectingSink.values("redis").size() < 20 && System.nanoTime() < end) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(CollectingSink.values("redis")).hasSizeGreaterThanOrEqualTo(20);
        String savepoint = old.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);

        StreamGraph restored = graph(2_000, 100_000, false); // the same records: the source resumes
        restored.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
        JobClient neu = StreamExecutionEnvironment.getExecutionEnvironment().executeAsync(restored);
        neu.getJobExecutionResult().get(60, TimeUnit.SECONDS); // restored and ran to the end
        // The source's state was restored: the second run went on where the first stopped.
        assertThat(CollectingSink.values("cassandra")).hasSize(2_000);
    }
}
