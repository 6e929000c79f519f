package feed.job.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import feed.job.progress.TableProgress;
import feed.job.source.KafkaRecord;

/**
 * Flink's own serializer test suite (round trips, copies, snapshots,
 * concurrency) run over ChangeEvents holding every value type the decoder
 * produces, plus checks that no type in the job falls back to Kryo.
 */
class ChangeEventSerializerTest extends SerializerTestBase<ChangeEvent> {

    @Override
    protected TypeSerializer<ChangeEvent> createSerializer() {
        return new ChangeEventSerializer();
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    @Override
    protected ChangeEvent[] getTestData() {
        Map<String, Object> every = new LinkedHashMap<>();
        every.put("null", null);
        every.put("t", true);
        every.put("f", false);
        every.put("int", -7);
        every.put("long", Long.MAX_VALUE);
        every.put("float", 1.5f);
        every.put("double", -0.125);
        every.put("string", "héllo ✓ " + "x".repeat(70_000)); // longer than writeUTF allows
        every.put("bytes", new byte[] {0, 1, (byte) 0xff});
        every.put("decimal", new BigDecimal("-12345678901234567890.0042"));
        every.put("list", List.of("a", 1L, List.of()));
        every.put("map", Map.of("k", Map.of("deep", new byte[] {9})));
        Map<String, Object> post = new LinkedHashMap<>();
        post.put("id", 11L);
        post.put("body", "hi");
        return new ChangeEvent[] {
            new ChangeEvent("posts", Op.CREATE, null, post, 1, 2, 3),
            new ChangeEvent("posts", Op.UPDATE, post, every, Long.MAX_VALUE, ChangeEvent.NO_TX, 0),
            new ChangeEvent("likes", Op.DELETE, every, null, 0, 0, -1),
            new ChangeEvent("users", Op.READ, new LinkedHashMap<>(), new LinkedHashMap<>(), 5, 6, 7),
        };
    }

    @Test
    void equalityComparesBytesByContent() {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("b", new byte[] {1, 2});
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("b", new byte[] {1, 2});
        ChangeEvent x = new ChangeEvent("t", Op.CREATE, null, a, 1, 1, 1);
        ChangeEvent y = new ChangeEvent("t", Op.CREATE, null, b, 1, 1, 1);
        assertThat(x).isEqualTo(y).hasSameHashCodeAs(y);
        b.put("b", new byte[] {1, 3});
        assertThat(x).isNotEqualTo(new ChangeEvent("t", Op.CREATE, null, b, 1, 1, 1));
    }

    @Test
    void refusesValuesOutsideTheSupportedTypes() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("when", java.time.Instant.EPOCH);
        ChangeEvent e = new ChangeEvent("t", Op.CREATE, null, row, 1, 1, 1);
        assertThatThrownBy(() -> ChangeEventSerializer.INSTANCE.serialize(e, new DataOutputSerializer(64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.time.Instant");
    }

    @Test
    void flinkFindsTheCustomTypeInfoAndPojosForTheRest() {
        assertThat(TypeInformation.of(ChangeEvent.class)).isSameAs(ChangeEventTypeInfo.INSTANCE);
        assertThat(TypeInformation.of(KafkaRecord.class)).isInstanceOf(PojoTypeInfo.class);
        assertThat(TypeInformation.of(TableProgress.class)).isInstanceOf(PojoTypeInfo.class);
        // All fields of the POJOs have Flink serializers of their own.
        PojoTypeInfo<KafkaRecord> record = (PojoTypeInfo<KafkaRecord>) TypeInformation.of(KafkaRecord.class);
        for (int i = 0; i < record.getArity(); i++) {
            assertThat(record.getTypeAt(i).getClass().getSimpleName()).isNotEqualTo("GenericTypeInfo");
        }
    }

    @Test
    void opCodesRoundTrip() {
        for (Op op : Op.values()) {
            assertThat(Op.fromCode(String.valueOf(op.code()))).isSameAs(op);
        }
        assertThat(Op.fromCode("t")).isNull();
        assertThat(Op.fromCode("cu")).isNull();
        assertThat(Arrays.stream(Op.values()).map(Op::code)).containsExactly('c', 'u', 'd', 'r');
    }
}
