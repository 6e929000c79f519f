package feed.job.cdc;

/**
 * A Kafka record whose bytes are not a Debezium change event we can read:
 * wrong magic byte, too short, not valid Avro for its schema, trailing
 * bytes, or an envelope without the fields every change event has. The
 * fault is in the record itself, so reading it again will fail again.
 */
public final class MalformedRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
