package feed.job.cdc;

import static feed.job.testing.DebeziumFixtures.change;
import static feed.job.testing.DebeziumFixtures.confluent;
import static feed.job.testing.DebeziumFixtures.envelope;
import static feed.job.testing.DebeziumFixtures.sampleRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.avro.Schema;
import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import feed.job.source.KafkaRecord;
import feed.job.testing.DebeziumFixtures;
import feed.job.testing.StaticSchemas;

/** The decode step as Flink runs it: tombstones and bad records. */
class DecodeChangeEventsTest {

    static final Schema USERS = envelope(DebeziumFixtures.ROWS.get("users"));

    static KafkaRecord record(long offset, byte[] value) {
        return new KafkaRecord("feed.public.users", 0, offset, 0, value);
    }

    static byte[] insert(long id) {
        return confluent(1, change(USERS, 'c', null, sampleRow(USERS, id), 100 + id, 1, 1000 + id));
    }

    static OneInputStreamOperatorTestHarness<KafkaRecord, ChangeEvent> harness(BadRecordPolicy policy)
            throws Exception {
        OneInputStreamOperatorTestHarness<KafkaRecord, ChangeEvent> h = new OneInputStreamOperatorTestHarness<>(
                new StreamFlatMap<>(new DecodeChangeEvents(new StaticSchemas().with(1, USERS), policy)));
        h.open();
        return h;
    }

    static List<Long> lsns(OneInputStreamOperatorTestHarness<KafkaRecord, ChangeEvent> h) {
        return h.extractOutputValues().stream().map(ChangeEvent::lsn).toList();
    }

    @Test
    void decodesRecordsAndDropsTombstones() throws Exception {
        try (var h = harness(BadRecordPolicy.FAIL)) {
            h.processElement(record(0, insert(1)), 0);
            h.processElement(record(1, null), 0);
            h.processElement(record(2, insert(2)), 0);
            assertThat(lsns(h)).containsExactly(101L, 102L);
            assertThat(h.extractOutputValues().get(0).after()).containsEntry("handle", "handle-1");
        }
    }

    @Test
    void failPolicyFailsOnABadRecordAndSaysWhere() throws Exception {
        try (var h = harness(BadRecordPolicy.FAIL)) {
            byte[] bad = insert(1);
            bad[0] = 9;
            assertThatThrownBy(() -> h.processElement(record(41, bad), 0))
                    .isInstanceOf(MalformedRecordException.class)
                    .hasMessageContaining("feed.public.users-0@41");
        }
    }

    @Test
    void skipPolicySkipsABadRecordAndGoesOn() throws Exception {
        try (var h = harness(BadRecordPolicy.SKIP)) {
            h.processElement(record(0, insert(1)), 0);
            h.processElement(record(1, new byte[] {0, 0, 0, 1}), 0);
            h.processElement(record(2, insert(3)), 0);
            assertThat(lsns(h)).containsExactly(101L, 103L);
        }
    }

    @Test
    void skipPolicyStillFailsWhenTheSchemaIsUnknown() throws Exception {
        try (var h = harness(BadRecordPolicy.SKIP)) {
            byte[] unknownId = confluent(2, change(USERS, 'c', null, sampleRow(USERS, 1), 1, 1, 1));
            assertThatThrownBy(() -> h.processElement(record(0, unknownId), 0))
                    .isInstanceOf(UnknownSchemaException.class);
        }
    }
}
