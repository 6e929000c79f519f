package feed.job.cdc;

import static feed.job.testing.DebeziumFixtures.change;
import static feed.job.testing.DebeziumFixtures.confluent;
import static feed.job.testing.DebeziumFixtures.envelope;
import static feed.job.testing.DebeziumFixtures.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

import feed.job.testing.DebeziumFixtures;
import feed.job.testing.StaticSchemas;

class ChangeEventDecoderTest {

    static final Schema POSTS = envelope(DebeziumFixtures.ROWS.get("posts"));
    static final Schema COMMENTS = envelope(DebeziumFixtures.ROWS.get("comments"));
    static final int POSTS_ID = 7;
    static final int COMMENTS_ID = 0x01020304; // exercises all four id bytes

    final StaticSchemas registry = new StaticSchemas().with(POSTS_ID, POSTS).with(COMMENTS_ID, COMMENTS);
    final ChangeEventDecoder decoder = new ChangeEventDecoder(registry.create());

    static GenericRecord post(long id, long author, String body) {
        return row(POSTS, "id", id, "author_id", author, "body", body,
                "created_at", "2024-05-01T10:00:00.123456Z");
    }

    @Test
    void decodesAnInsertIntoPlainJavaValues() throws Exception {
        byte[] bytes = confluent(POSTS_ID, change(POSTS, 'c', null, post(11, 3, "hello"), 26_000_000L, 771, 1_714_557_600_000L));

        ChangeEvent e = decoder.decode(bytes);

        assertThat(e.table()).isEqualTo("posts");
        assertThat(e.op()).isEqualTo(Op.CREATE);
        assertThat(e.before()).isNull();
        assertThat(e.after()).containsExactly(
                Map.entry("id", 11L), Map.entry("author_id", 3L), Map.entry("body", "hello"),
                Map.entry("created_at", "2024-05-01T10:00:00.123456Z"));
        assertThat(e.after().get("body")).isInstanceOf(String.class); // not Avro's Utf8
        assertThat(e.lsn()).isEqualTo(26_000_000L);
        assertThat(e.txId()).isEqualTo(771L);
        assertThat(e.tsMs()).isEqualTo(1_714_557_600_000L);
        assertThat(e.row()).isSameAs(e.after());
    }

    @Test
    void decodesUpdateAndDeleteWithTheirImages() throws Exception {
        ChangeEvent update = decoder.decode(confluent(POSTS_ID,
                change(POSTS, 'u', post(11, 3, "hello"), post(11, 3, "hello, world"), 100, 5, 1000)));
        assertThat(update.op()).isEqualTo(Op.UPDATE);
        assertThat(update.before()).containsEntry("body", "hello");
        assertThat(update.after()).containsEntry("body", "hello, world");

        ChangeEvent delete = decoder.decode(confluent(POSTS_ID,
                change(POSTS, 'd', post(11, 3, "hello, world"), null, 200, 6, 2000)));
        assertThat(delete.op()).isEqualTo(Op.DELETE);
        assertThat(delete.after()).isNull();
        assertThat(delete.before()).containsEntry("id", 11L).containsEntry("author_id", 3L);
        assertThat(delete.row()).isSameAs(delete.before());
    }

    @Test
    void decodesSnapshotReadsAndOtherTables() throws Exception {
        GenericRecord comment = row(COMMENTS, "id", 1L, "post_id", 11L, "post_author_id", 3L, "author_id", 4L,
                "body", "nice", "created_at", "2024-05-01T10:00:00Z");
        ChangeEvent e = decoder.decode(confluent(COMMENTS_ID, change(COMMENTS, 'r', null, comment, 42, 9, 10)));
        assertThat(e.table()).isEqualTo("comments");
        assertThat(e.op()).isEqualTo(Op.READ);
        assertThat(e.after()).containsEntry("post_author_id", 3L);
    }

    @Test
    void tombstoneDecodesToNothing() throws Exception {
        assertThat(decoder.decode(null)).isNull();
    }

    @Test
    void unknownSchemaIdIsAnIoErrorNotABadRecord() {
        byte[] bytes = confluent(99, change(POSTS, 'c', null, post(1, 1, "x"), 1, 1, 1));
        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOf(UnknownSchemaException.class)
                .satisfies(t -> assertThat(((UnknownSchemaException) t).id()).isEqualTo(99));
    }

    @Test
    void badMagicByteIsMalformed() {
        byte[] bytes = confluent(POSTS_ID, change(POSTS, 'c', null, post(1, 1, "x"), 1, 1, 1));
        bytes[0] = 1;
        assertThatThrownBy(() -> decoder.decode(bytes))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("magic byte is 0x01");
    }

    @Test
    void truncatedBytesAreMalformed() throws Exception {
        byte[] whole = confluent(POSTS_ID, change(POSTS, 'c', null, post(1, 1, "a body"), 1, 1, 1));
        // Cut anywhere after the header: every prefix must be refused, never
        // decoded into a wrong event.
        for (int len = ConfluentAvroDecoder.HEADER_LENGTH; len < whole.length; len++) {
            byte[] cut = Arrays.copyOf(whole, len);
            assertThatThrownBy(() -> decoder.decode(cut))
                    .as("prefix of %d of %d bytes", len, whole.length)
                    .isInstanceOf(MalformedRecordException.class);
        }
        assertThat(decoder.decode(whole)).isNotNull();
    }

    @Test
    void messagesShorterThanTheHeaderAreMalformed() {
        for (byte[] b : List.of(new byte[0], new byte[] {0}, new byte[] {0, 0, 0, 0})) {
            assertThatThrownBy(() -> decoder.decode(b))
                    .isInstanceOf(MalformedRecordException.class)
                    .hasMessageContaining("shorter than the 5-byte Confluent header");
        }
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] whole = confluent(POSTS_ID, change(POSTS, 'c', null, post(1, 1, "x"), 1, 1, 1));
        byte[] longer = Arrays.copyOf(whole, whole.length + 3);
        assertThatThrownBy(() -> decoder.decode(longer))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("trailing bytes");
    }

    @Test
    void envelopeWithUnknownOpOrMissingImageIsMalformed() {
        GenericRecord truncate = change(POSTS, 'c', null, post(1, 1, "x"), 1, 1, 1);
        truncate.put("op", "t");
        assertThatThrownBy(() -> decoder.decode(confluent(POSTS_ID, truncate)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("op is t");

        GenericRecord insertWithoutAfter = change(POSTS, 'c', null, null, 1, 1, 1);
        assertThatThrownBy(() -> decoder.decode(confluent(POSTS_ID, insertWithoutAfter)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("without its after");

        GenericRecord deleteWithoutBefore = change(POSTS, 'd', null, null, 1, 1, 1);
        assertThatThrownBy(() -> decoder.decode(confluent(POSTS_ID, deleteWithoutBefore)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("without its before");

        GenericRecord noLsn = change(POSTS, 'c', null, post(1, 1, "x"), 1, 1, 1);
        ((GenericRecord) noLsn.get("source")).put("lsn", null);
        assertThatThrownBy(() -> decoder.decode(confluent(POSTS_ID, noLsn)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("source.lsn");
    }

    @Test
    void aRecordThatIsNotAnEnvelopeIsMalformed() {
        Schema other = SchemaBuilder.record("Key").namespace("feed.public.posts").fields()
                .requiredLong("author_id").endRecord();
        GenericRecord key = new GenericData.Record(other);
        key.put("author_id", 3L);
        ChangeEventDecoder d = new ChangeEventDecoder(new StaticSchemas().with(1, other).create());
        assertThatThrownBy(() -> d.decode(confluent(1, key)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("op is null");
    }

    @Test
    void missingTxIdIsAllowed() throws Exception {
        GenericRecord e = change(POSTS, 'c', null, post(1, 1, "x"), 5, 1, 1);
        ((GenericRecord) e.get("source")).put("txId", null);
        assertThat(decoder.decode(confluent(POSTS_ID, e)).txId()).isEqualTo(ChangeEvent.NO_TX);
    }

    @Test
    void fetchesEachSchemaOncePerId() throws Exception {
        Map<Integer, Integer> fetches = new HashMap<>();
        SchemaLookup inner = registry.create();
        ChangeEventDecoder counting = new ChangeEventDecoder(id -> {
            fetches.merge(id, 1, Integer::sum);
            return inner.schema(id);
        });
        for (int i = 0; i < 50; i++) {
            counting.decode(confluent(POSTS_ID, change(POSTS, 'c', null, post(i, 1, "x"), i + 1, 1, 1)));
        }
        counting.decode(confluent(COMMENTS_ID, change(COMMENTS, 'd',
                row(COMMENTS, "id", 1L, "post_id", 2L, "post_author_id", 3L, "author_id", 4L, "body", "b",
                        "created_at", "t"), null, 60, 1, 1)));
        assertThat(fetches).containsExactlyInAnyOrderEntriesOf(Map.of(POSTS_ID, 1, COMMENTS_ID, 1));
    }

    @Test
    void registryFailurePropagatesAsIoError() {
        ChangeEventDecoder d = new ChangeEventDecoder(id -> {
            throw new IOException("connection refused");
        });
        assertThatThrownBy(() -> d.decode(confluent(POSTS_ID, change(POSTS, 'c', null, post(1, 1, "x"), 1, 1, 1))))
                .isInstanceOf(IOException.class)
                .isNotInstanceOf(UnknownSchemaException.class)
                .hasMessageContaining("connection refused");
    }

    @Test
    void convertsEveryColumnTypeToPlainJava() throws Exception {
        Schema decimal = LogicalTypes.decimal(10, 2).addToSchema(Schema.create(Schema.Type.BYTES));
        Schema rowSchema = DebeziumFixtures.rowBuilder("misc")
                .name("flag").type().booleanType().noDefault()
                .name("small").type().intType().noDefault()
                .name("ratio").type().doubleType().noDefault()
                .name("f").type().floatType().noDefault()
                .name("price").type(decimal).noDefault()
                .name("blob").type().bytesType().noDefault()
                .name("note").type().optional().stringType()
                .name("tags").type().array().items().stringType().noDefault()
                .name("attrs").type().map().values().longType().noDefault()
                .endRecord();
        Schema env = envelope(rowSchema);
        GenericRecord r = new GenericData.Record(rowSchema);
        r.put("flag", true);
        r.put("small", 7);
        r.put("ratio", 0.25);
        r.put("f", 1.5f);
        r.put("price", new Conversions.DecimalConversion().toBytes(new BigDecimal("12.34"), decimal, decimal.getLogicalType()));
        r.put("blob", ByteBuffer.wrap(new byte[] {1, 2, 3}));
        r.put("note", null);
        r.put("tags", List.of(new org.apache.avro.util.Utf8("a"), new org.apache.avro.util.Utf8("b")));
        r.put("attrs", Map.of(new org.apache.avro.util.Utf8("k"), 5L));

        ChangeEventDecoder d = new ChangeEventDecoder(new StaticSchemas().with(3, env).create());
        Map<String, Object> row = d.decode(confluent(3, change(env, 'c', null, r, 1, 1, 1))).after();

        assertThat(row.get("flag")).isEqualTo(true);
        assertThat(row.get("small")).isEqualTo(7);
        assertThat(row.get("ratio")).isEqualTo(0.25);
        assertThat(row.get("f")).isEqualTo(1.5f);
        assertThat(row.get("price")).isEqualTo(new BigDecimal("12.34"));
        assertThat((byte[]) row.get("blob")).containsExactly(1, 2, 3);
        assertThat(row).containsEntry("note", null);
        assertThat(row.get("tags")).isEqualTo(List.of("a", "b"));
        assertThat(row.get("attrs")).isEqualTo(Map.of("k", 5L));
        assertThatThrownBy(() -> row.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }
}
