package feed.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import feed.job.cassandra.CassandraSink;
import feed.job.cdc.BadRecordPolicy;
import feed.job.source.KafkaSources;

class JobParametersTest {

    @Test
    void defaultsFitTheLocalStack() {
        JobParameters p = JobParameters.parse();
        assertThat(p.kafka).isEqualTo("127.0.0.1:19092");
        assertThat(p.registry).isEqualTo("http://127.0.0.1:18081");
        assertThat(p.redis()).isEqualTo("127.0.0.1:16379");
        assertThat(p.cassandra).isEqualTo("127.0.0.1:19042");
        assertThat(p.checkpointIntervalMs).isEqualTo(5000);
        assertThat(p.topicPrefix).isEqualTo("feed");
        assertThat(p.groupId).isEqualTo("feed-fanout");
        assertThat(p.badRecords).isEqualTo(BadRecordPolicy.FAIL);
        assertThat(p.bufferTimeoutMs).isEqualTo(10);
        assertThat(p.flushIntervalMs).isEqualTo(50);
        assertThat(p.cassandraDc).isEqualTo("datacenter1");
        assertThat(p.cassandraConsistency).isEqualTo("LOCAL_QUORUM");
        assertThat(p.keyspace).isEqualTo("feed");
        assertThat(p.backfill).isEqualTo(100);
        assertThat(p.markerTtlMs).isEqualTo(86_400_000L);
        assertThat(p.notifOutOfOrderMs).isEqualTo(5_000L);
        assertThat(p.notifLatenessMs).isEqualTo(3_600_000L);
        assertThat(p.feedGrouping).isEqualTo(CassandraSink.Grouping.RANGE);
        assertThat(p.feedBatchRows).isEqualTo(32);
        assertThat(p.feedInFlight).isEqualTo(256);
        assertThat(p.help).isFalse();
    }

    @Test
    void readsEveryParameter() {
        JobParameters p = JobParameters.parse("--kafka", "k1:9092,k2:9093", "--registry", "https://reg:8443/",
                "--redis", "cache:6380", "--checkpoint-interval-ms", "250", "--topic-prefix", "test_1",
                "--group-id", "g", "--bad-records", "SKIP", "--buffer-timeout-ms", "0",
                "--cassandra-dc", "dc2", "--cassandra-consistency", "quorum", "--keyspace", "feed_test", "--backfill", "0", "--marker-ttl-ms", "60000",
                "--notif-out-of-order-ms", "0", "--notif-lateness-ms", "120000", "--flush-interval-ms", "0",
                "--feed-grouping", "REPLICAS", "--feed-batch-rows", "1", "--feed-in-flight", "4096");
        assertThat(p.flushIntervalMs).isZero();
        assertThat(p.feedGrouping).isEqualTo(CassandraSink.Grouping.REPLICAS);
        assertThat(p.feedBatchRows).isEqualTo(1);
        assertThat(p.feedInFlight).isEqualTo(4096);
        assertThat(p.notifOutOfOrderMs).isZero();
        assertThat(p.notifLatenessMs).isEqualTo(120_000L);
        assertThat(p.cassandraDc).isEqualTo("dc2");
        assertThat(p.cassandraConsistency).isEqualTo("QUORUM");
        assertThat(p.keyspace).isEqualTo("feed_test");
        assertThat(p.backfill).isZero();
        assertThat(p.markerTtlMs).isEqualTo(60_000L);
        assertThat(p.kafka).isEqualTo("k1:9092,k2:9093");
        assertThat(p.registry).isEqualTo("https://reg:8443/");
        assertThat(p.redisHost).isEqualTo("cache");
        assertThat(p.redisPort).isEqualTo(6380);
        assertThat(p.checkpointIntervalMs).isEqualTo(250);
        assertThat(p.topicPrefix).isEqualTo("test_1");
        assertThat(p.groupId).isEqualTo("g");
        assertThat(p.badRecords).isEqualTo(BadRecordPolicy.SKIP);
        assertThat(p.bufferTimeoutMs).isZero();
        assertThat(KafkaSources.topics(p.topicPrefix)).containsExactly("test_1.public.users",
                "test_1.public.follows", "test_1.public.posts", "test_1.public.comments", "test_1.public.likes");
    }

    @Test
    void acceptsWhatStackPartsJobShPasses() {
        // The argument list stack/parts/job.sh submits through the REST API.
        JobParameters p = JobParameters.parse("--kafka", "127.0.0.1:19092", "--registry", "http://127.0.0.1:18081",
                "--redis", "127.0.0.1:16379", "--cassandra", "127.0.0.1:19042", "--cassandra-consistency", "LOCAL_QUORUM",
                "--checkpoint-interval-ms", "5000",
                "--topic-prefix", "feed", "--group-id", "feed-fanout");
        assertThat(p.cassandra).isEqualTo("127.0.0.1:19042");
        assertThat(p.toString()).isEqualTo("--kafka 127.0.0.1:19092 --registry http://127.0.0.1:18081"
                + " --redis 127.0.0.1:16379 --cassandra 127.0.0.1:19042 --cassandra-dc datacenter1"
                + " --cassandra-consistency LOCAL_QUORUM --keyspace feed"
                + " --backfill 100 --marker-ttl-ms 86400000 --notif-out-of-order-ms 5000 --notif-lateness-ms 3600000"
                + " --checkpoint-interval-ms 5000"
                + " --topic-prefix feed --group-id feed-fanout --bad-records fail --buffer-timeout-ms 10"
                + " --flush-interval-ms 50 --feed-grouping range --feed-batch-rows 32 --feed-in-flight 256");
    }

    @Test
    void refusesWhatItCannotUse() {
        String[][] bad = {
            {"--kafak", "x:1"},
            {"--kafka"},
            {"--kafka", "localhost"},
            {"--kafka", "a:1,b"},
            {"--redis", "host:0"},
            {"--cassandra-consistency", "ANY"},
            {"--cassandra-consistency", "SERIAL"},
            {"--cassandra-consistency", "most"},
            {"--redis", "host:http"},
            {"--cassandra", "c1"},
            {"--backfill", "-1"},
            {"--backfill", "1000000"},
            {"--marker-ttl-ms", "0"},
            {"--notif-out-of-order-ms", "-1"},
            {"--notif-lateness-ms", "1h"},
            {"--keyspace", "feed; DROP"},
            {"--registry", "127.0.0.1:18081"},
            {"--registry", "ftp://x"},
            {"--checkpoint-interval-ms", "5s"},
            {"--checkpoint-interval-ms", "5"},
            {"--topic-prefix", "a b"},
            {"--bad-records", "ignore"},
            {"--buffer-timeout-ms", "-1"},
            {"--flush-interval-ms", "-1"},
            {"--flush-interval-ms", "50ms"},
            {"--flush-interval-ms"},
            {"--feed-grouping", "token"},
            {"--feed-batch-rows", "0"},
            {"--feed-batch-rows", "1001"},
            {"--feed-in-flight", "0"},
            {"--feed-in-flight", "4097"},
            {"positional"},
        };
        for (String[] args : bad) {
            assertThatThrownBy(() -> JobParameters.parse(args))
                    .as(String.join(" ", args))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> JobParameters.parse("--kafak", "x:1"))
                .hasMessageContaining("unknown parameter(s): --kafak");
        assertThatThrownBy(() -> JobParameters.parse("--redis", "h:99999")).hasMessageContaining("--redis");
        assertThatThrownBy(() -> JobParameters.parse("--flush-interval-ms", "-5"))
                .hasMessageContaining("--flush-interval-ms: must be at least 0");
    }

    /** Runs main with stdout and stderr captured; returns what it printed. */
    static String mainPrints(String... args) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(buf, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);
        try {
            FeedJob.main(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(30) // past the usage, main would start a job that never ends
    void helpPrintsTheUsageAndRunsNothing() throws Exception {
        assertThat(JobParameters.parse("--help").help).isTrue();
        assertThat(mainPrints("--help")).startsWith("usage: feed-job.jar").contains("--flush-interval-ms");
    }

    @Test
    void mainRefusesBadArgumentsWithTheUsage() {
        assertThatThrownBy(() -> mainPrints("--redis", "nope"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--redis: not HOST:PORT")
                .hasMessageContaining("usage: feed-job.jar");
    }

    @Test
    void theKafkaSourceBuildsWithoutABroker() {
        assertThat(KafkaSources.changeTopics("127.0.0.1:1", "feed", "feed-fanout").getBoundedness().name())
                .isEqualTo("CONTINUOUS_UNBOUNDED");
    }
}
