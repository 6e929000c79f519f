package feed.job;

import static feed.job.testing.DebeziumFixtures.change;
import static feed.job.testing.DebeziumFixtures.confluent;
import static feed.job.testing.DebeziumFixtures.envelope;
import static feed.job.testing.DebeziumFixtures.sampleRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import feed.job.cdc.MalformedRecordException;
import feed.job.fanout.Activity;
import feed.job.fanout.FeedWrite;
import feed.job.notify.NotificationWrite;
import feed.job.progress.TableProgress;
import feed.job.source.KafkaRecord;
import feed.job.source.KafkaSources;
import feed.job.testing.CollectingSink;
import feed.job.testing.DebeziumFixtures;
import feed.job.testing.FeedState;
import feed.job.testing.History;
import feed.job.testing.NotificationState;
import feed.job.testing.RecordsGenerator;
import feed.job.testing.StaticSchemas;

/**
 * The production graph of {@link FeedJob} on a MiniCluster, fed encoded
 * Debezium records of all five tables in shuffled order (tombstones, two
 * schema versions of posts), with an in-memory registry and a collecting
 * sink in place of Kafka, Apicurio and Redis.
 */
class FeedJobTest {

    static final int PARALLELISM = 2;

    /** Everything on loopback; the RPC and metrics services are in-process (no ports at all). */
    @RegisterExtension
    static final MiniClusterExtension CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setConfiguration(loopbackOnly())
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(PARALLELISM)
                    .build());

    static Configuration loopbackOnly() {
        Configuration c = new Configuration();
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1"); // blob server
        c.set(TaskManagerOptions.HOST, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, "0");
        return c;
    }

    static final Map<String, Schema> ENVELOPES = new HashMap<>();
    static final Map<String, Integer> IDS = new HashMap<>();
    static final Schema POSTS_V2 = envelope(DebeziumFixtures.postsV2());
    static final int POSTS_V2_ID = 100;
    static final StaticSchemas REGISTRY = new StaticSchemas();

    static {
        int id = 1;
        for (String table : KafkaSources.TABLES) {
            ENVELOPES.put(table, envelope(DebeziumFixtures.ROWS.get(table)));
            IDS.put(table, id);
            REGISTRY.with(id, ENVELOPES.get(table));
            id++;
        }
        REGISTRY.with(POSTS_V2_ID, POSTS_V2);
    }

    static long commitTime(long lsn) {
        return 1_700_000_000_000L + lsn * 3;
    }

    /** Change records of every table, shuffled, and the progress they must end in. */
    static final class Input {
        final List<KafkaRecord> records = new ArrayList<>();
        final Map<String, TableProgress> expected = new HashMap<>();
    }

    static Input input(int perTable, long seed) {
        Input in = new Input();
        Random rnd = new Random(seed);
        long lsn = 20_000_000L;
        for (String table : KafkaSources.TABLES) {
            String topic = "feed.public." + table;
            for (int i = 1; i <= perTable; i++) {
                lsn += 1 + rnd.nextInt(100);
                char op = i % 10 == 0 ? 'd' : i % 3 == 0 ? 'u' : 'c';
                boolean v2 = table.equals("posts") && i % 2 == 0;
                Schema env = v2 ? POSTS_V2 : ENVELOPES.get(table);
                GenericRecord row = sampleRow(env, i);
                GenericRecord e = change(env, op, op == 'c' ? null : row, op == 'd' ? null : row,
                        lsn, lsn / 16, commitTime(lsn));
                in.records.add(new KafkaRecord(topic, 0, 0, 0, confluent(v2 ? POSTS_V2_ID : IDS.get(table), e)));
                if (op == 'd') {
                    in.records.add(new KafkaRecord(topic, 0, 0, 0, null));
                }
            }
            in.expected.put(table, new TableProgress(table, perTable, lsn, commitTime(lsn)));
        }
        Collections.shuffle(in.records, rnd);
        return in;
    }

    /** The last value the sink got per table: the one with the most events. */
    static Map<String, TableProgress> finalProgress(List<TableProgress> values) {
        return values.stream().collect(Collectors.toMap(p -> p.table, p -> p,
                (a, b) -> a.events >= b.events ? a : b));
    }

    /** An activity as the Debezium record of its row (insert, or delete with the before-image). */
    static KafkaRecord record(Activity a) {
        String table;
        switch (a.verb) {
            case FOLLOW: table = "follows"; break;
            case SHARD: table = "posts"; break;
            case COMMENT: table = "comments"; break;
            default: table = "likes"; break;
        }
        Schema env = ENVELOPES.get(table);
        long id = Long.parseLong(a.id.substring(2));
        String createdAt = java.time.Instant.ofEpochSecond(a.tsUs / 1_000_000, (a.tsUs % 1_000_000) * 1_000).toString();
        long postAuthor = a.targetUserId == Activity.NO_TARGET ? a.actorId : a.targetUserId;
        long postId = a.objectId.startsWith("p:") ? Long.parseLong(a.objectId.substring(2)) : 0;
        GenericRecord row;
        switch (a.verb) {
            case FOLLOW:
                row = DebeziumFixtures.row(env, "id", id, "follower_id", a.actorId, "followee_id", a.targetUserId,
                        "created_at", createdAt);
                break;
            case SHARD:
                row = DebeziumFixtures.row(env, "id", id, "author_id", a.actorId, "body", a.body, "created_at", createdAt);
                break;
            case COMMENT:
                row = DebeziumFixtures.row(env, "id", id, "post_id", postId, "post_author_id", postAuthor,
                        "author_id", a.actorId, "body", a.body, "created_at", createdAt);
                break;
            default:
                row = DebeziumFixtures.row(env, "id", id, "user_id", a.actorId, "post_id", postId,
                        "post_author_id", postAuthor, "created_at", createdAt);
                break;
        }
        GenericRecord e = change(env, a.delete ? 'd' : 'c', a.delete ? row : null, a.delete ? null : row,
                a.lsn, a.lsn / 16, commitTime(a.lsn));
        return new KafkaRecord("feed.public." + table, 0, 0, 0, confluent(IDS.get(table), e));
    }

    /** The job with collecting sinks named progress, feeds and activities. */
    static FeedJob job(Source<KafkaRecord, ?, ?> source, JobParameters params) {
        return new FeedJob(source, REGISTRY, new FeedJob.Sinks(new CollectingSink<>("progress"),
                new CollectingSink<>("feeds"), new CollectingSink<>("activities"),
                new CollectingSink<>("activity-cache"), new CollectingSink<>("notifications"),
                new CollectingSink<>("merge-sources")), params);
    }

    static StreamExecutionEnvironment environmentWithoutRestarts() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration noRestarts = new Configuration();
        noRestarts.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        env.configure(noRestarts);
        return env;
    }

    @BeforeEach
    void clearSink() {
        CollectingSink.clear();
    }

    @Test
    void everyTablesProgressComesOutRightWhateverTheArrivalOrder() throws Exception {
        Input in = input(40, 7);
        job(RecordsGenerator.source(in.records), JobParameters.parse()).execute();

        List<TableProgress> values = CollectingSink.<TableProgress>values("progress");
        assertThat(finalProgress(values)).isEqualTo(in.expected);
        assertThat(values).hasSize(5 * 40); // one value per change event, none per tombstone
    }

    @Test
    void feedsComeOutAsTheRulesSayWhateverTheArrivalOrder() throws Exception {
        History.Scenario sc = History.scenario(new Random(5), 8, 300);
        List<KafkaRecord> records = new ArrayList<>();
        for (Activity a : sc.events) {
            records.add(record(a));
        }
        Collections.shuffle(records, new Random(5));
        job(RecordsGenerator.source(records), JobParameters.parse("--backfill", "1000")).execute();

        FeedState feeds = FeedState.of(CollectingSink.<FeedWrite>values("feeds"));
        assertThat(feeds.rows()).isEqualTo(sc.oracle().rows()).isNotEmpty();

        // Bodies: one insert and at most one delete per activity; the live ones are the survivors.
        Map<String, Activity> last = new HashMap<>();
        for (Activity a : CollectingSink.<Activity>values("activities")) {
            last.merge(a.id, a, (x, y) -> x.lsn >= y.lsn ? x : y);
        }
        assertThat(last.values().stream().filter(a -> !a.delete).map(a -> a.id).collect(Collectors.toSet()))
                .isEqualTo(sc.live.keySet());
        assertThat(CollectingSink.<Activity>values("activities")).hasSize(sc.events.size());
        // The body cache gets the very same stream (the feed and notification caches are written
        // by the feeds and notifications sinks themselves, after Cassandra: CassandraSinkWriterTest).
        assertThat(CollectingSink.<Activity>values("activity-cache"))
                .containsExactlyInAnyOrderElementsOf(CollectingSink.<Activity>values("activities"));

        // Notification groups: the oracle's, with no two values at one write timestamp.
        NotificationState notifications = NotificationState.of(CollectingSink.<NotificationWrite>values("notifications"));
        assertThat(notifications.conflicts()).isEmpty();
        assertThat(notifications.groups()).isEqualTo(NotificationState.oracle(sc.live.values())).isNotEmpty();
    }

    @Test
    void checkpointsFlushTheSinkWhileTheJobRuns() throws Exception {
        Input in = input(30, 11);
        // ~1.5 s of input at 100 records/s, checkpoints every 100 ms.
        Source<KafkaRecord, ?, ?> slow = RecordsGenerator.source(in.records, 100);
        job(slow, JobParameters.parse("--checkpoint-interval-ms", "100")).execute();

        assertThat(finalProgress(CollectingSink.<TableProgress>values("progress"))).isEqualTo(in.expected);
        assertThat(CollectingSink.checkpointFlushes()).isPositive();
    }

    @Test
    void theGraphHasNoKryoFallbackAndStableOperatorIds() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        job(RecordsGenerator.source(input(1, 1).records), JobParameters.parse()).build(env);
        assertThat(env.getConfig().getSerializerConfig().hasGenericTypesDisabled()).isTrue();
        assertThat(env.getCheckpointConfig().isCheckpointingEnabled()).isTrue();
        assertThat(env.getCheckpointConfig().getCheckpointingConsistencyMode().name()).isEqualTo("EXACTLY_ONCE");
        List<String> uids = new ArrayList<>();
        env.getStreamGraph().getStreamNodes().forEach(n -> uids.add(n.getTransformationUID()));
        assertThat(uids).contains("debezium-topics", "decode", "progress", "progress-redis", "activities",
                "activities-cassandra", "activities-redis", "fanout-keys", "fanout", "feeds-cassandra",
                "notif-targets", "notif-watermarks", "notifications", "notifications-cassandra");
        // The cache heads are written by the Cassandra sinks, after Cassandra acknowledged.
        assertThat(uids).doesNotContain("feeds-redis", "notifications-redis");
        assertThat(uids).doesNotHaveDuplicates();
    }

    @Test
    void theProductionGraphSerializesWithoutTouchingTheNetwork() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        FeedJob.production(JobParameters.parse("--kafka", "127.0.0.1:1", "--registry", "http://127.0.0.1:1",
                "--redis", "127.0.0.1:1")).build(env);
        // Making the job graph serializes every operator: the Kafka source,
        // the registry lookup factory and the Redis sink must all survive it.
        JobGraph graph = env.getStreamGraph().getJobGraph();
        assertThat(graph.getNumberOfVertices()).isGreaterThanOrEqualTo(2); // source+decode | progress+sink
    }

    @Test
    void aBadRecordFailsTheJobByDefault() {
        Input in = input(5, 3);
        in.records.add(2, new KafkaRecord("feed.public.users", 0, 0, 0, new byte[] {0x7f, 1, 2, 3, 4, 5}));

        StreamExecutionEnvironment env = environmentWithoutRestarts();
        job(RecordsGenerator.source(in.records), JobParameters.parse()).build(env);

        assertThatThrownBy(() -> env.execute(FeedJob.NAME))
                .satisfies(t -> assertThat(ExceptionUtils.findThrowable(t, MalformedRecordException.class))
                        .isPresent());
    }

    @Test
    void withSkipABadRecordIsLeftOutAndTheRestCounted() throws Exception {
        Input in = input(5, 3);
        in.records.add(2, new KafkaRecord("feed.public.users", 0, 0, 0, new byte[] {0x7f, 1, 2, 3, 4, 5}));

        StreamExecutionEnvironment env = environmentWithoutRestarts();
        job(RecordsGenerator.source(in.records), JobParameters.parse("--bad-records", "skip")).build(env);
        env.execute(FeedJob.NAME);

        assertThat(finalProgress(CollectingSink.<TableProgress>values("progress"))).isEqualTo(in.expected);
    }
}
