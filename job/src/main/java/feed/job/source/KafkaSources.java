package feed.job.source;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The production source: Debezium's topics, one per captured table.
 *
 * <p>Consumer settings, and why:
 * <ul>
 *   <li>{@code isolation.level=read_committed}: Connect writes with
 *       exactly-once source support, i.e. in Kafka transactions; without it
 *       the job would see records of aborted transactions.</li>
 *   <li>Start from the group's committed offsets, else the earliest: a new
 *       group reads each topic from the beginning, and a job started again
 *       without a checkpoint resumes where its last checkpoint committed.
 *       When the job restores a checkpoint, the offsets in the checkpoint
 *       win and committed offsets are not used.</li>
 *   <li>Offsets are committed to Kafka when a checkpoint completes (the
 *       connector's default with a group id); they are for monitoring lag
 *       and for that fresh start, never for exactly-once itself.</li>
 *   <li>Partition discovery every {@value #PARTITION_DISCOVERY_MS} ms, so
 *       partitions added to a topic are picked up without a restart.</li>
 *   <li>{@code fetch.min.bytes=1}: answer a fetch as soon as one record is
 *       there; anything larger makes each fetch wait up to
 *       {@code fetch.max.wait.ms} at low traffic.</li>
 * </ul>
 */
public final class KafkaSources {

    /** The tables Debezium captures (publication {@code feed_pub}), in the schema's {@code public}. */
    public static final List<String> TABLES = List.of("users", "follows", "posts", "comments", "likes");

    static final long PARTITION_DISCOVERY_MS = 60_000;

    private KafkaSources() {
    }

    /** Topic names: {@code <prefix>.public.<table>}, Debezium's {@code topic.prefix.schema.table}. */
    public static List<String> topics(String topicPrefix) {
        return TABLES.stream().map(t -> topicPrefix + ".public." + t).collect(Collectors.toList());
    }

    /**
     * Builds the Kafka source of the change topics.
     *
     * @param bootstrapServers Kafka's {@code bootstrap.servers}, e.g. {@code 127.0.0.1:19092}
     * @param topicPrefix      Debezium's {@code topic.prefix}, e.g. {@code feed}
     * @param groupId          the consumer group, e.g. {@code feed-fanout}
     */
    @SuppressWarnings("deprecation") // the connector's API still takes kafka-clients' OffsetResetStrategy
    public static KafkaSource<KafkaRecord> changeTopics(String bootstrapServers, String topicPrefix, String groupId) {
        return KafkaSource.<KafkaRecord>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topics(topicPrefix))
                .setGroupId(groupId)
                .setClientIdPrefix(groupId)
                .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setDeserializer(new KafkaRecordDeserializer())
                .setProperty("isolation.level", "read_committed")
                .setProperty("fetch.min.bytes", "1")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setProperty("partition.discovery.interval.ms", Long.toString(PARTITION_DISCOVERY_MS))
                .build();
    }
}
