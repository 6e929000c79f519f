package feed.job.cdc;

import java.io.IOException;

import org.apache.avro.Schema;

/**
 * Finds the Avro writer schema registered under an id, the id that the
 * Confluent wire format carries in front of every message.
 *
 * <p>Implementations need not be thread-safe or serializable: each parallel
 * decoder makes its own in {@code open()} through a {@link Factory}.
 */
public interface SchemaLookup {

    /**
     * Returns the writer schema registered under {@code id}.
     *
     * @throws UnknownSchemaException if the registry answers that it has no such id
     * @throws IOException            if the registry could not be asked, or answered nonsense
     */
    Schema schema(int id) throws IOException;

    /**
     * Makes a lookup where it is used. This is what jobs carry around: it is
     * serializable, the lookup (with its HTTP client) is not.
     */
    @FunctionalInterface
    interface Factory extends java.io.Serializable {
        SchemaLookup create();
    }
}
