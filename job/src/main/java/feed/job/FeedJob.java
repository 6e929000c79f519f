package feed.job;

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
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import feed.job.cdc.ChangeEvent;
import feed.job.cdc.DecodeChangeEvents;
import feed.job.cdc.RegistrySchemaLookup;
import feed.job.cdc.SchemaLookup;
import feed.job.progress.ProgressRecorder;
import feed.job.progress.ProgressWrite;
import feed.job.progress.TableProgress;
import feed.job.redis.RedisSink;
import feed.job.source.KafkaRecord;
import feed.job.source.KafkaSources;

/**
 * The feed fan-out job. For now it proves the pipeline end to end:
 *
 * <pre>
 *   Kafka (Debezium topics, read_committed)
 *     -> decode (Confluent wire format + registry schema -> ChangeEvent)
 *     -> keyBy(table) -> ProgressRecorder (events, max LSN, commit time)
 *     -> Redis: HSET feed:pipeline:progress &lt;table&gt; {"events":N,"lsn":L,"ts_ms":T}
 * </pre>
 *
 * <p>The job takes its source, schema lookup and sink in its constructor, so
 * tests run the very graph that production runs, against a bounded source
 * of encoded records, schemas from memory and a collecting sink. Fan-out to
 * feeds and notifications will hang off the decoded change stream.
 *
 * <p>Exactly-once: checkpoints (EXACTLY_ONCE) hold the Kafka offsets and the
 * keyed state together; the sink flushes before each checkpoint and writes
 * values computed from state, so a replay rewrites the same values.
 */
public final class FeedJob {

    /** The job's name in Flink. */
    public static final String NAME = "feed-fanout";

    private static final Logger LOG = LoggerFactory.getLogger(FeedJob.class);

    /** The progress sink flushes early past this many buffered tables (there are five). */
    static final int REDIS_MAX_BUFFERED = 1_000;

    private final Source<KafkaRecord, ?, ?> source;
    private final SchemaLookup.Factory schemas;
    private final Sink<TableProgress> progressSink;
    private final JobParameters params;

    /**
     * @param source       the Debezium topics' records (production: {@link KafkaSources#changeTopics})
     * @param schemas      where writer schemas come from (production: the registry)
     * @param progressSink where per-table progress goes (production: Redis)
     * @param params       checkpointing and decoding settings; the addresses in it are not used here
     */
    public FeedJob(Source<KafkaRecord, ?, ?> source, SchemaLookup.Factory schemas,
                   Sink<TableProgress> progressSink, JobParameters params) {
        this.source = source;
        this.schemas = schemas;
        this.progressSink = progressSink;
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

        // No watermarks yet: nothing here uses event time. Notifications will
        // assign them from the commit time (ChangeEvent.tsMs) after decoding.
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
                .sinkTo(progressSink)
                .name("progress-redis").uid("progress-redis");
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

    /** The job wired to Kafka, the registry and Redis as the parameters say. */
    public static FeedJob production(JobParameters params) {
        return new FeedJob(
                KafkaSources.changeTopics(params.kafka, params.topicPrefix, params.groupId),
                RegistrySchemaLookup.factory(params.registry),
                new RedisSink<>(params.redisHost, params.redisPort, new ProgressWrite(), REDIS_MAX_BUFFERED),
                params);
    }
}
