package feed.job.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/**
 * Debezium-shaped Avro schemas and records for tests, modelled on what the
 * PostgreSQL connector 3.7 registers: an Envelope {before, after, source,
 * transaction, op, ts_ms, ts_us, ts_ns} around a row record "Value", and
 * Confluent wire-format encoding (0x00, 4-byte id, Avro binary).
 */
public final class DebeziumFixtures {

    private DebeziumFixtures() {
    }

    /** A timestamptz column as Debezium writes it: an ISO string tagged ZonedTimestamp. */
    public static Schema zonedTimestamp() {
        return SchemaBuilder.builder().stringBuilder()
                .prop("connect.version", 1)
                .prop("connect.name", "io.debezium.time.ZonedTimestamp")
                .endString();
    }

    /** The row schemas of schema/sql/001_core.sql, by table. */
    public static final Map<String, Schema> ROWS = new LinkedHashMap<>();

    static {
        ROWS.put("users", rowBuilder("users").name("id").type().longType().noDefault()
                .name("handle").type().stringType().noDefault()
                .name("display_name").type().stringType().noDefault()
                .name("created_at").type(zonedTimestamp()).noDefault()
                .endRecord());
        ROWS.put("follows", rowBuilder("follows").name("id").type().longType().noDefault()
                .name("follower_id").type().longType().noDefault()
                .name("followee_id").type().longType().noDefault()
                .name("created_at").type(zonedTimestamp()).noDefault()
                .endRecord());
        ROWS.put("posts", postsV1());
        ROWS.put("comments", rowBuilder("comments").name("id").type().longType().noDefault()
                .name("post_id").type().longType().noDefault()
                .name("post_author_id").type().longType().noDefault()
                .name("author_id").type().longType().noDefault()
                .name("body").type().stringType().noDefault()
                .name("created_at").type(zonedTimestamp()).noDefault()
                .endRecord());
        ROWS.put("likes", rowBuilder("likes").name("id").type().longType().noDefault()
                .name("user_id").type().longType().noDefault()
                .name("post_id").type().longType().noDefault()
                .name("post_author_id").type().longType().noDefault()
                .name("created_at").type(zonedTimestamp()).noDefault()
                .endRecord());
    }

    public static Schema postsV1() {
        return rowBuilder("posts").name("id").type().longType().noDefault()
                .name("author_id").type().longType().noDefault()
                .name("body").type().stringType().noDefault()
                .name("created_at").type(zonedTimestamp()).noDefault()
                .endRecord();
    }

    /** posts after a migration added a nullable column: a second schema id for the same topic. */
    public static Schema postsV2() {
        return rowBuilder("posts").name("id").type().longType().noDefault()
                .name("author_id").type().longType().noDefault()
                .name("body").type().stringType().noDefault()
                .name("created_at").type(zonedTimestamp()).noDefault()
                .name("lang").type().optional().stringType()
                .endRecord();
    }

    /** Starts a row schema named like Debezium's: {@code feed.public.<table>.Value}. */
    public static SchemaBuilder.FieldAssembler<Schema> rowBuilder(String table) {
        return SchemaBuilder.record("Value").namespace("feed.public." + table)
                .prop("connect.name", "feed.public." + table + ".Value")
                .fields();
    }

    /** The envelope around a row schema. */
    public static Schema envelope(Schema row) {
        String ns = row.getNamespace();
        Schema optionalRow = Schema.createUnion(Schema.create(Schema.Type.NULL), row);
        Schema block = SchemaBuilder.record("block").namespace("event").fields()
                .requiredString("id")
                .requiredLong("total_order")
                .requiredLong("data_collection_order")
                .endRecord();
        return SchemaBuilder.record("Envelope").namespace(ns)
                .prop("connect.name", ns + ".Envelope")
                .fields()
                .name("before").type(optionalRow).withDefault(null)
                .name("after").type(Schema.createUnion(Schema.create(Schema.Type.NULL), row)).withDefault(null)
                .name("source").type(source()).noDefault()
                .name("transaction").type(Schema.createUnion(Schema.create(Schema.Type.NULL), block)).withDefault(null)
                .requiredString("op")
                .optionalLong("ts_ms")
                .optionalLong("ts_us")
                .optionalLong("ts_ns")
                .endRecord();
    }

    private static Schema source() {
        Schema snapshot = SchemaBuilder.builder().stringBuilder()
                .prop("connect.version", 1)
                .prop("connect.name", "io.debezium.data.Enum")
                .prop("connect.default", "false")
                .endString();
        return SchemaBuilder.record("Source").namespace("io.debezium.connector.postgresql")
                .prop("connect.name", "io.debezium.connector.postgresql.Source")
                .fields()
                .requiredString("version")
                .requiredString("connector")
                .requiredString("name")
                .requiredLong("ts_ms")
                .name("snapshot").type(Schema.createUnion(snapshot, Schema.create(Schema.Type.NULL)))
                .withDefault("false")
                .requiredString("db")
                .optionalString("sequence")
                .optionalLong("ts_us")
                .optionalLong("ts_ns")
                .requiredString("schema")
                .requiredString("table")
                .optionalLong("txId")
                .optionalLong("lsn")
                .optionalLong("xmin")
                .endRecord();
    }

    /** The row schema inside an envelope. */
    public static Schema rowOf(Schema envelope) {
        return envelope.getField("after").schema().getTypes().get(1);
    }

    /** A row of the envelope's row schema from name/value pairs; unset fields stay null. */
    public static GenericRecord row(Schema envelope, Object... nameValues) {
        GenericRecord r = new GenericData.Record(rowOf(envelope));
        for (int i = 0; i < nameValues.length; i += 2) {
            r.put((String) nameValues[i], nameValues[i + 1]);
        }
        return r;
    }

    /** A row with every field filled from {@code id}: longs get id, timestamps an ISO time, strings name-id. */
    public static GenericRecord sampleRow(Schema envelope, long id) {
        GenericRecord r = new GenericData.Record(rowOf(envelope));
        for (Schema.Field f : r.getSchema().getFields()) {
            Schema s = f.schema();
            if (s.getType() == Schema.Type.UNION) {
                continue; // optional columns stay null
            }
            switch (s.getType()) {
                case LONG: r.put(f.pos(), id); break;
                case STRING:
                    r.put(f.pos(), "io.debezium.time.ZonedTimestamp".equals(s.getProp("connect.name"))
                            ? iso(1_700_000_000_000L + id) : f.name() + "-" + id);
                    break;
                default: throw new IllegalArgumentException("no sample for " + f);
            }
        }
        return r;
    }

    /** A change event envelope, as Debezium's PostgreSQL connector fills it. */
    public static GenericRecord change(Schema envelope, char op, GenericRecord before, GenericRecord after,
                                       long lsn, long txId, long tsMs) {
        Schema sourceSchema = envelope.getField("source").schema();
        GenericRecord source = new GenericData.Record(sourceSchema);
        String table = envelope.getNamespace().substring("feed.public.".length());
        source.put("version", "3.7.0.Final");
        source.put("connector", "postgresql");
        source.put("name", "feed");
        source.put("ts_ms", tsMs);
        source.put("snapshot", op == 'r' ? "true" : "false");
        source.put("db", "feed");
        source.put("sequence", "[null,\"" + lsn + "\"]");
        source.put("ts_us", tsMs * 1000);
        source.put("ts_ns", tsMs * 1_000_000);
        source.put("schema", "public");
        source.put("table", table);
        source.put("txId", txId);
        source.put("lsn", lsn);
        source.put("xmin", null);

        GenericRecord e = new GenericData.Record(envelope);
        e.put("before", before);
        e.put("after", after);
        e.put("source", source);
        e.put("transaction", null);
        e.put("op", String.valueOf(op));
        e.put("ts_ms", tsMs + 7);
        e.put("ts_us", (tsMs + 7) * 1000);
        e.put("ts_ns", (tsMs + 7) * 1_000_000);
        return e;
    }

    /** Encodes a record in the Confluent wire format under {@code schemaId}. */
    public static byte[] confluent(int schemaId, GenericRecord record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0);
            out.write(ByteBuffer.allocate(4).putInt(schemaId).array());
            BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
            new GenericDatumWriter<GenericRecord>(record.getSchema()).write(record, enc);
            enc.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An ISO-8601 instant, as Debezium writes timestamptz. */
    public static String iso(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }
}
