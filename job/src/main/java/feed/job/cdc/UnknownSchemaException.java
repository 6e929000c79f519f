package feed.job.cdc;

import java.io.IOException;

/**
 * The registry has no schema under an id that a message names. This is an
 * {@link IOException}, not a {@link MalformedRecordException}: it says the
 * registry lost its schemas (e.g. restarted with an in-memory store) or is
 * the wrong one, which no amount of skipping records would fix.
 */
public final class UnknownSchemaException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int id;

    public UnknownSchemaException(int id, String detail) {
        super("no schema with id " + id + " in the registry" + (detail == null ? "" : ": " + detail));
        this.id = id;
    }

    /** The id that was not found. */
    public int id() {
        return id;
    }
}
