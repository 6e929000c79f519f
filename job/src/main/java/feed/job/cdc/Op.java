package feed.job.cdc;

/**
 * What a Debezium change event did to its row, from the envelope's
 * {@code op} field.
 *
 * <p>Debezium can also write {@code t} (truncate) and {@code m}
 * (logical decoding message), but the PostgreSQL connector skips truncates
 * by default ({@code skipped.operations=t}) and messages go to their own
 * topic, so neither reaches this job; a record carrying one is malformed
 * here.
 */
public enum Op {
    /** A row was inserted: {@code after} is set, {@code before} is null. */
    CREATE('c'),
    /** A row was updated: {@code after} is set; {@code before} is set with REPLICA IDENTITY FULL. */
    UPDATE('u'),
    /** A row was deleted: {@code before} is set, {@code after} is null. */
    DELETE('d'),
    /** A row was read by a snapshot: like CREATE, for rows that existed before capture began. */
    READ('r');

    private final char code;

    Op(char code) {
        this.code = code;
    }

    /** The one-letter code Debezium writes. */
    public char code() {
        return code;
    }

    /** Returns the operation for Debezium's code, or null if the code is not one of c, u, d, r. */
    public static Op fromCode(CharSequence code) {
        if (code == null || code.length() != 1) {
            return null;
        }
        return fromCode(code.charAt(0));
    }

    /** Returns the operation for Debezium's one-letter code, or null if it is not one of c, u, d, r. */
    public static Op fromCode(char code) {
        switch (code) {
            case 'c': return CREATE;
            case 'u': return UPDATE;
            case 'd': return DELETE;
            case 'r': return READ;
            default: return null;
        }
    }
}
