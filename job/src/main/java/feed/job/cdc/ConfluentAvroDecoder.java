package feed.job.cdc;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;

/**
 * Decodes Avro in the Confluent wire format, as Kafka Connect's converter
 * writes it with {@code as-confluent=true}: byte 0 is the magic byte 0x00,
 * bytes 1-4 the writer schema's id (big-endian), the rest one Avro binary
 * datum written with that schema.
 *
 * <p>The datum is read with its writer schema as the reader schema, so it
 * comes out exactly as written; making sense of it is the caller's job.
 * Schemas are fetched once per id and kept for the decoder's lifetime
 * (schemas under an id never change, and a job sees a handful of ids).
 *
 * <p>Not thread-safe: one decoder per operator instance.
 */
public final class ConfluentAvroDecoder {

    /** First byte of every message in the Confluent wire format. */
    public static final byte MAGIC_BYTE = 0x00;
    /** Magic byte plus schema id. */
    public static final int HEADER_LENGTH = 5;

    private final SchemaLookup lookup;
    private final Map<Integer, GenericDatumReader<Object>> readers = new HashMap<>();
    private BinaryDecoder decoder; // reused between messages

    public ConfluentAvroDecoder(SchemaLookup lookup) {
        this.lookup = lookup;
    }

    /**
     * Decodes one message.
     *
     * @param message the Kafka record's bytes, not null (a tombstone is the caller's to skip)
     * @return the top-level record
     * @throws MalformedRecordException if the bytes are not one Avro record in the wire format
     * @throws UnknownSchemaException   if the registry has no schema under the message's id
     * @throws IOException              if the registry could not be asked
     */
    public GenericRecord decode(byte[] message) throws MalformedRecordException, IOException {
        if (message.length < HEADER_LENGTH) {
            throw new MalformedRecordException("message of " + message.length
                    + " bytes is shorter than the 5-byte Confluent header");
        }
        if (message[0] != MAGIC_BYTE) {
            throw new MalformedRecordException(String.format(
                    "magic byte is 0x%02x, not 0x00: not Confluent wire format", message[0] & 0xff));
        }
        int id = schemaId(message);
        GenericDatumReader<Object> reader = reader(id);
        decoder = DecoderFactory.get().binaryDecoder(message, HEADER_LENGTH, message.length - HEADER_LENGTH, decoder);
        Object datum;
        try {
            datum = reader.read(null, decoder);
        } catch (IOException | RuntimeException e) {
            // EOFException for truncated bytes; Avro throws assorted runtime
            // exceptions (bad union index, negative length, ...) for garbage.
            throw new MalformedRecordException("bytes are not valid Avro for schema id " + id + ": " + e, e);
        }
        if (!decoder.isEnd()) {
            throw new MalformedRecordException("trailing bytes after the Avro datum for schema id " + id);
        }
        if (!(datum instanceof GenericRecord)) {
            throw new MalformedRecordException("schema id " + id + " is not a record schema");
        }
        return (GenericRecord) datum;
    }

    /** The writer schema id carried in a message's header (bytes 1-4, big-endian). */
    public static int schemaId(byte[] message) {
        return ((message[1] & 0xff) << 24) | ((message[2] & 0xff) << 16)
                | ((message[3] & 0xff) << 8) | (message[4] & 0xff);
    }

    private GenericDatumReader<Object> reader(int id) throws IOException {
        GenericDatumReader<Object> reader = readers.get(id);
        if (reader == null) {
            Schema schema = lookup.schema(id);
            reader = new GenericDatumReader<>(schema);
            readers.put(id, reader);
        }
        return reader;
    }
}
