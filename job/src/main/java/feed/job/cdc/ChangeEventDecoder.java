package feed.job.cdc;

import java.io.IOException;

/**
 * Turns the value bytes of one Debezium Kafka record into a
 * {@link ChangeEvent}: Confluent wire format, then the envelope.
 *
 * <p>Not thread-safe: one decoder per operator instance.
 */
public final class ChangeEventDecoder {

    private final ConfluentAvroDecoder avro;

    public ChangeEventDecoder(SchemaLookup lookup) {
        this.avro = new ConfluentAvroDecoder(lookup);
    }

    /**
     * Decodes one record value.
     *
     * @param value the Kafka record's value; null for the tombstone Debezium writes after each delete
     * @return the change event, or null for a tombstone (nothing to do: the delete event came first)
     * @throws MalformedRecordException if the bytes are not a change event
     * @throws IOException              if the writer schema cannot be had from the registry
     */
    public ChangeEvent decode(byte[] value) throws MalformedRecordException, IOException {
        if (value == null) {
            return null;
        }
        return DebeziumEnvelope.toChangeEvent(avro.decode(value));
    }
}
