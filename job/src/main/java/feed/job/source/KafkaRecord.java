package feed.job.source;

/**
 * One Kafka record as the job's source hands it on: where it came from and
 * its value bytes, still encoded. Decoding is a separate step
 * ({@link feed.job.cdc.DecodeChangeEvents}), so tests can feed the job
 * encoded records without a Kafka broker and still run the decoder.
 *
 * <p>A Flink POJO (public fields, no-arg constructor): Flink serializes it
 * without Kryo. The key is not kept: Debezium's key columns are also in the
 * row images, and the partition already grouped records by it.
 */
public class KafkaRecord {

    public String topic;
    public int partition;
    public long offset;
    /** The record's timestamp (Connect sets it from the source change), epoch ms. */
    public long timestamp;
    /** The value bytes; null for a tombstone. */
    public byte[] value;

    public KafkaRecord() {
    }

    public KafkaRecord(String topic, int partition, long offset, long timestamp, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.value = value;
    }

    /** Where the record lives, for log lines: {@code topic-partition@offset}. */
    public String position() {
        return topic + "-" + partition + "@" + offset;
    }

    @Override
    public String toString() {
        return "KafkaRecord{" + position() + ", " + (value == null ? "tombstone" : value.length + " bytes") + "}";
    }
}
