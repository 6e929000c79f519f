package feed.job.cdc;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import feed.job.source.KafkaRecord;

/**
 * Decodes Kafka records of Debezium's topics into {@link ChangeEvent}s.
 *
 * <p>Tombstones (null values after each delete) are dropped: the delete
 * event before them carries everything. A malformed record fails the job
 * or is skipped, by {@link BadRecordPolicy}. A schema the registry does not
 * have, or a registry that cannot be reached, always fails the job: that
 * is the registry's fault, not the record's, and skipping would drop every
 * event until it is fixed.
 *
 * <p>Metrics: {@code tombstones}, {@code badRecords}.
 */
public final class DecodeChangeEvents extends RichFlatMapFunction<KafkaRecord, ChangeEvent> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeChangeEvents.class);

    private final SchemaLookup.Factory schemas;
    private final BadRecordPolicy policy;

    private transient ChangeEventDecoder decoder;
    private transient Counter tombstones;
    private transient Counter badRecords;

    public DecodeChangeEvents(SchemaLookup.Factory schemas, BadRecordPolicy policy) {
        this.schemas = schemas;
        this.policy = policy;
    }

    @Override
    public void open(OpenContext context) {
        decoder = new ChangeEventDecoder(schemas.create());
        tombstones = getRuntimeContext().getMetricGroup().counter("tombstones");
        badRecords = getRuntimeContext().getMetricGroup().counter("badRecords");
    }

    @Override
    public void flatMap(KafkaRecord record, Collector<ChangeEvent> out) throws Exception {
        if (record.value == null) {
            tombstones.inc();
            return;
        }
        ChangeEvent event;
        try {
            event = decoder.decode(record.value);
        } catch (MalformedRecordException e) {
            if (policy == BadRecordPolicy.FAIL) {
                throw new MalformedRecordException("bad record at " + record.position() + ": " + e.getMessage(), e);
            }
            badRecords.inc();
            LOG.error("skipping bad record at {}: {}", record.position(), e.getMessage());
            return;
        }
        out.collect(event);
    }
}
