package feed.job;

import java.time.Duration;

import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import feed.job.cassandra.ActivityCql;
import feed.job.cassandra.CassandraSink;
import feed.job.cassandra.FeedWriteCql;
import feed.job.cassandra.MergeSourceCql;
import feed.job.cassandra.NotificationCql;
import feed.job.cdc.ChangeEvent;
import feed.job.cdc.DecodeChangeEvents;
import feed.job.cdc.RegistrySchemaLookup;
import feed.job.cdc.SchemaLookup;
import feed.job.fanout.Activity;
import feed.job.fanout.ActivityRouter;
import feed.job.fanout.FanOut;
import feed.job.fanout.FanOutInput;
import feed.job.fanout.FanOutKeys;
import feed.job.fanout.FeedWrite;
import feed.job.fanout.MergeSource;
import feed.job.notify.NotificationTargets;
import feed.job.notify.NotificationWrite;
import feed.job.notify.Notifications;
import feed.job.progress.ProgressRecorder;
import feed.job.progress.ProgressWrite;
import feed.job.progress.TableProgress;
import feed.job.redis.ActivityCacheWrite;
import feed.job.redis.FeedCacheWrite;
import feed.job.redis.MergeSourceCacheWrite;
import feed.job.redis.NotificationCacheWrite;
import feed.job.redis.RedisSink;
import feed.job.source.KafkaRecord;
import feed.job.source.KafkaSources;

/**
 * The feed fan-out job:
 *
 * <pre>
 *   Kafka (Debezium topics, read_committed)
 *     -> decode (Confluent wire format + registry schema -> ChangeEvent)
 *     |-> keyBy(table) -> ProgressRecorder (events, max LSN, commit time)
 *     |     -> Redis: HSET feed:pipeline:progress &lt;table&gt; {"events":N,"lsn":L,"ts_ms":T}
 *     |-> activities (ActivityRouter: follows/posts/comments/likes -> Activity)
 *           |-> Cassandra: feed.activities (bodies, once per activity)
 *           |-> Redis: act:&lt;id&gt; (bodies, with a TTL)
 *           |-> fanout-keys (actor's key; for FOLLOW also the followee's)
 *           |     -> keyBy(user) -> FanOut (followers + activities in state)
 *           |     -> Cassandra: feed.home_feed / feed.profile_feed
 *           |          then Redis: feed:home:&lt;uid&gt; / feed:profile:&lt;uid&gt; (cached heads only), once acknowledged
 *           |     -> side output: hot accounts' merge sources -> Cassandra: feed.home_merge
 *           |          then Redis: feed:hotf:&lt;uid&gt; invalidated, once acknowledged
 *           |-> notif-targets (FOLLOW, LIKE, COMMENT aimed at somebody else)
 *                 -> notif-watermarks (event time = created_at, bounded out-of-orderness)
 *                 -> keyBy(group id) -> Notifications (1-hour event-time groups, emitted on every change)
 *                 -> Cassandra: feed.notifications (whole group, USING TIMESTAMP = group version)
 *                      then Redis: feed:notif:&lt;uid&gt; (cached heads only) + notif:&lt;uid&gt;:&lt;group&gt; (JSON)
 * </pre>
 *
 * <p>The job takes its source, schema lookup and sinks in its constructor, so
 * tests run the very graph that production runs, against a bounded source
 * of encoded records, schemas from memory and collecting sinks.
 *
 * <p>Event time and watermarks are used by the notification branch only:
 * its watermarks are assigned after the router, from each activity's
 * {@code created_at}, with {@code --notif-out-of-order-ms} of bounded
 * out-of-orderness and {@link #NOTIF_IDLENESS} of idleness (a subtask that
 * sees no notification holds nobody back). Groups are emitted on every
 * change; watermarks only decide when a group's undo markers can go
 * ({@code --notif-lateness-ms} after its window) and which events count as
 * late. Nothing is dropped for being late ({@link Notifications}).
 *
 * <p>Exactly-once: checkpoints (EXACTLY_ONCE) hold the Kafka offsets and the
 * keyed state together; the sinks flush (and wait for acknowledgements)
 * before each checkpoint barrier and write values computed from state, so a
 * replay rewrites the same values.
 *
 * <p>Latency: the sinks buffer, but send at the latest
 * {@code --flush-interval-ms} after the first buffered element (a timer on
 * the task's mailbox thread), so an item does not wait for the next
 * checkpoint; records wait at most {@code --buffer-timeout-ms} in a network
 * buffer at the one shuffle on the feed path (keyBy user before the
 * fan-out). Watermarks exist only on the notification branch and delay no
 * write: groups are emitted on every change.
 */
public final class FeedJob {

    /** The job's name in Flink. */
    public static final String NAME = "feed-fanout";

    private static final Logger LOG = LoggerFactory.getLogger(FeedJob.class);

    /** The progress sink flushes early past this many buffered tables (there are five). */
    static final int REDIS_MAX_BUFFERED = 1_000;
    /** The feed-cache and body sinks flush early past this many buffered (key, member)s. */
    static final int REDIS_FEED_MAX_BUFFERED = 5_000;
    /** Cassandra sinks send early past this many buffered mutations. */
    static final int CASSANDRA_MAX_BUFFERED = 5_000;
    /**
     * Most mutations in one (single-partition, unlogged) batch of the notification sink; the feed sink's
     * shape is a job parameter ({@code --feed-batch-rows}, {@code --feed-in-flight}, {@code --feed-grouping}).
     */
    static final int CASSANDRA_MAX_BATCH = 100;
    /** Most batches awaiting Cassandra's reply, per writer of the activity and notification sinks. */
    static final int CASSANDRA_MAX_IN_FLIGHT = 64;
    /** A notification-watermark subtask with no input this long is idle (does not hold the watermark back). */
    static final Duration NOTIF_IDLENESS = Duration.ofSeconds(30);

    private final Source<KafkaRecord, ?, ?> source;
    private final SchemaLookup.Factory schemas;
    private final Sinks sinks;
    private final JobParameters params;

    /** Where the job's outputs go; production: {@link #production}, tests: collecting sinks. */
    public static final class Sinks {
        /** Per-table progress (Redis). */
        public final Sink<TableProgress> progress;
        /**
         * Home and profile feed rows (Cassandra), then the cached feed heads (Redis), each write only
         * after Cassandra acknowledged it: one sink, so the order holds ({@link CassandraSink#thenCache}).
         */
        public final Sink<FeedWrite> feeds;
        /** Activity bodies (Cassandra). */
        public final Sink<Activity> activities;
        /** Cached activity bodies (Redis); independent of Cassandra's (the API reads Cassandra for a missing body). */
        public final Sink<Activity> activityCache;
        /** Notification groups (Cassandra), then the cached notification heads and group bodies (Redis), as feeds. */
        public final Sink<NotificationWrite> notifications;
        /** Hot accounts' merge sources (Cassandra), then the API's cached copies invalidated (Redis). */
        public final Sink<MergeSource> mergeSources;

        public Sinks(Sink<TableProgress> progress, Sink<FeedWrite> feeds, Sink<Activity> activities,
                     Sink<Activity> activityCache, Sink<NotificationWrite> notifications,
                     Sink<MergeSource> mergeSources) {
            this.progress = progress;
            this.feeds = feeds;
            this.activities = activities;
            this.activityCache = activityCache;
            this.notifications = notifications;
            this.mergeSources = mergeSources;
        }
    }

    /**
     * @param source       the Debezium topics' records (production: {@link KafkaSources#changeTopics})
     * @param schemas      where writer schemas come from (production: the registry)
     * @param sinks        where progress, feeds and bodies go
     * @param params       checkpointing, decoding and fan-out settings; the addresses in it are not used here
     */
    public FeedJob(Source<KafkaRecord, ?, ?> source, SchemaLookup.Factory schemas, Sinks sinks,
                   JobParameters params) {
        this.source = source;
        this.schemas = schemas;
        this.sinks = sinks;
        this.params = params;
    }

    /** Builds the graph on the current execution environment and runs it. */
    public JobExecutionResult execute() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        build(env);
        return env.execute(NAME);
    }

    /** Configures {@code env} and adds the job's graph to it. */
    public void build(StreamExecutionEnvironment env) {
        Configuration conf = new Configuration();
        // Every type in the graph has a Flink serializer of its own; a Kryo
        // fallback would be slow and fragile across versions, so forbid it.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(conf);
        env.enableCheckpointing(params.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);
        // Keep the last checkpoint when the job is cancelled, so it can be
        // started again from it (flink run -s <checkpoint>) without losing state.
        env.getCheckpointConfig().setExternalizedCheckpointRetention(
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        env.setBufferTimeout(params.bufferTimeoutMs);

        // No watermarks at the source: only the notification branch uses event
        // time, and assigns its own from created_at after routing.
        DataStream<KafkaRecord> records = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "debezium-topics")
                .uid("debezium-topics");

        DataStream<ChangeEvent> changes = records
                .flatMap(new DecodeChangeEvents(schemas, params.badRecords))
                .name("decode").uid("decode");

        changes
                .keyBy(ChangeEvent::table, Types.STRING)
                .process(new ProgressRecorder())
                .name("progress").uid("progress")
                .sinkTo(sinks.progress)
                .name("progress-redis").uid("progress-redis");

        DataStream<Activity> activities = changes
                .flatMap(new ActivityRouter(params.badRecords))
                .name("activities").uid("activities");

        activities
                .sinkTo(sinks.activities)
                .name("activities-cassandra").uid("activities-cassandra");
        activities
                .sinkTo(sinks.activityCache)
                .name("activities-redis").uid("activities-redis");

        SingleOutputStreamOperator<FeedWrite> feedWrites = activities
                .flatMap(new FanOutKeys())
                .name("fanout-keys").uid("fanout-keys")
                .keyBy(FanOutInput::key, Types.LONG)
                .process(new FanOut(params.backfill, Duration.ofMillis(params.markerTtlMs), params.hotFollowers,
                        params.coldFollowers))
                .name("fanout").uid("fanout");
        // Hot accounts' followers: their merge sources (Cassandra), then the API's cached copy invalidated.
        feedWrites.getSideOutput(FanOut.MERGE_SOURCES)
                .sinkTo(sinks.mergeSources)
                .name("merge-sources-cassandra").uid("merge-sources-cassandra");
        // Cassandra, then the Redis heads, in one sink: an item's head write is sent only after its
        // Cassandra write is acknowledged (the API fills a missing head from Cassandra). Name and uid
        // are the Cassandra sink's of old; the old "feeds-redis" sink held no state, so a savepoint
        // that has it restores without it.
        feedWrites
                .sinkTo(sinks.feeds)
                .name("feeds-cassandra").uid("feeds-cassandra");

        DataStream<NotificationWrite> notifications = activities
                .filter(new NotificationTargets())
                .name("notif-targets").uid("notif-targets")
                .assignTimestampsAndWatermarks(WatermarkStrategy
                        .<Activity>forBoundedOutOfOrderness(Duration.ofMillis(params.notifOutOfOrderMs))
                        .withTimestampAssigner((a, previous) -> Notifications.eventTimeMs(a))
                        .withIdleness(NOTIF_IDLENESS))
                .name("notif-watermarks").uid("notif-watermarks")
                .keyBy(Notifications::groupId, Types.STRING)
                .process(new Notifications(params.notifLatenessMs, Duration.ofMillis(params.markerTtlMs)))
                .name("notifications").uid("notifications");
        // As feeds: Cassandra, then the Redis head and group body (the old "notifications-redis" is gone).
        notifications
                .sinkTo(sinks.notifications)
                .name("notifications-cassandra").uid("notifications-cassandra");
    }

    /** Runs the job against Kafka, the registry and Redis named by the arguments. */
    public static void main(String[] args) throws Exception {
        JobParameters params;
        try {
            params = JobParameters.parse(args);
        } catch (IllegalArgumentException e) {
            // No System.exit: submitted through the REST API, main runs inside
            // the JobManager. The exception carries the usage to the client.
            System.err.println(NAME + ": " + e.getMessage());
            System.err.println(JobParameters.USAGE);
            throw new IllegalArgumentException(e.getMessage() + "\n" + JobParameters.USAGE, e);
        }
        if (params.help) {
            System.out.println(JobParameters.USAGE);
            return;
        }
        LOG.info("{} starting with {}", NAME, params);
        production(params).execute();
    }

    /** The job wired to Kafka, the registry, Redis and Cassandra as the parameters say. */
    public static FeedJob production(JobParameters params) {
        long flushMs = params.flushIntervalMs;
        return new FeedJob(
                KafkaSources.changeTopics(params.kafka, params.topicPrefix, params.groupId),
                RegistrySchemaLookup.factory(params.registry),
                new Sinks(
                        new RedisSink<>(params.redisHost, params.redisPort, new ProgressWrite(), REDIS_MAX_BUFFERED,
                                flushMs),
                        // The heads' writer is flushed by the Cassandra writer (after each acknowledged
                        // send and before each barrier), so it has no timer of its own (interval 0).
                        // Most of the job's writes: batches by token range (--feed-grouping).
                        new CassandraSink<>(params.cassandra, params.cassandraDc, params.cassandraConsistency,
                                params.keyspace, new FeedWriteCql(),
                                CASSANDRA_MAX_BUFFERED, params.feedBatchRows, params.feedInFlight, flushMs)
                                .groupedBy(params.feedGrouping)
                                .thenCache(new RedisSink<>(params.redisHost, params.redisPort,
                                        new FeedCacheWrite(FeedCacheWrite.DEFAULT_WINDOW), REDIS_FEED_MAX_BUFFERED, 0)),
                        new CassandraSink<>(params.cassandra, params.cassandraDc, params.cassandraConsistency,
                                params.keyspace, new ActivityCql(),
                                CASSANDRA_MAX_BUFFERED, 1, CASSANDRA_MAX_IN_FLIGHT, flushMs),
                        new RedisSink<>(params.redisHost, params.redisPort,
                                new ActivityCacheWrite(ActivityCacheWrite.DEFAULT_TTL_SECONDS), REDIS_FEED_MAX_BUFFERED,
                                flushMs),
                        new CassandraSink<>(params.cassandra, params.cassandraDc, params.cassandraConsistency,
                                params.keyspace,
                                new NotificationCql(), CASSANDRA_MAX_BUFFERED, CASSANDRA_MAX_BATCH,
                                CASSANDRA_MAX_IN_FLIGHT, flushMs)
                                .thenCache(new RedisSink<>(params.redisHost, params.redisPort,
                                        new NotificationCacheWrite(FeedCacheWrite.DEFAULT_WINDOW,
                                                NotificationCacheWrite.DEFAULT_TTL_SECONDS), REDIS_FEED_MAX_BUFFERED,
                                        0)),
                        new CassandraSink<>(params.cassandra, params.cassandraDc, params.cassandraConsistency,
                                params.keyspace, new MergeSourceCql(), CASSANDRA_MAX_BUFFERED, CASSANDRA_MAX_BATCH,
                                CASSANDRA_MAX_IN_FLIGHT, flushMs)
                                .thenCache(new RedisSink<>(params.redisHost, params.redisPort,
                                        new MergeSourceCacheWrite(), REDIS_FEED_MAX_BUFFERED, 0))),
                params);
    }
}
