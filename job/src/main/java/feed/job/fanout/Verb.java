package feed.job.fanout;

/** The activity verbs of the public API (docs/DATA-MODEL.md), spelled as there. */
public enum Verb {
    /** A row of {@code follows}: actor follows the target. */
    FOLLOW("f:"),
    /** A row of {@code posts} (a "share"). */
    SHARD("p:"),
    /** A row of {@code comments}. */
    COMMENT("c:"),
    /** A row of {@code likes}. */
    LIKE("l:");

    private final String idPrefix;

    Verb(String idPrefix) {
        this.idPrefix = idPrefix;
    }

    /** The activity id of the row with primary id {@code rowId}, e.g. {@code p:42}. */
    public String activityId(long rowId) {
        return idPrefix + rowId;
    }
}
