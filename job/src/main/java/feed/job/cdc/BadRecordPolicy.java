package feed.job.cdc;

/** What the job does with a record that is not a readable change event. */
public enum BadRecordPolicy {
    /**
     * Fail the job. It restarts from its last checkpoint and meets the same
     * record again, so the feed stops until someone looks: nothing is lost
     * without anyone noticing. The default.
     */
    FAIL,
    /** Log the record's position, count it in the {@code badRecords} metric, and go on. */
    SKIP;

    /** Parses {@code fail} or {@code skip}, any case. */
    public static BadRecordPolicy parse(String s) {
        for (BadRecordPolicy p : values()) {
            if (p.name().equalsIgnoreCase(s.trim())) {
                return p;
            }
        }
        throw new IllegalArgumentException("not fail or skip: " + s);
    }
}
