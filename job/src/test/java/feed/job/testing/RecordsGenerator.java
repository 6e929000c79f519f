package feed.job.testing;

import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

import feed.job.source.KafkaRecord;

/**
 * A bounded source of fixed Kafka records, standing in for the Kafka source:
 * record i of the list is emitted for index i (indexes are split between
 * the source's parallel readers).
 */
public final class RecordsGenerator implements GeneratorFunction<Long, KafkaRecord> {

    private static final long serialVersionUID = 1L;

    private final ArrayList<String> topics = new ArrayList<>();
    private final ArrayList<byte[]> values = new ArrayList<>();

    public RecordsGenerator(List<KafkaRecord> records) {
        for (KafkaRecord r : records) {
            topics.add(r.topic);
            values.add(r.value);
        }
    }

    @Override
    public KafkaRecord map(Long i) {
        int n = i.intValue();
        return new KafkaRecord(topics.get(n), 0, n, 0, values.get(n));
    }

    public static DataGeneratorSource<KafkaRecord> source(List<KafkaRecord> records) {
        return new DataGeneratorSource<>(new RecordsGenerator(records), records.size(),
                TypeInformation.of(KafkaRecord.class));
    }

    /** The same, at most {@code perSecond} records a second, so that checkpoints happen meanwhile. */
    public static DataGeneratorSource<KafkaRecord> source(List<KafkaRecord> records, double perSecond) {
        return new DataGeneratorSource<>(new RecordsGenerator(records), records.size(),
                RateLimiterStrategy.perSecond(perSecond), TypeInformation.of(KafkaRecord.class));
    }
}
