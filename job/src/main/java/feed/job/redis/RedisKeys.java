package feed.job.redis;

/**
 * The names in Redis the job writes or shares with the API, written once
 * for the job. The C side's copy is {@code schema/redis/redis_keys.h}
 * (same names without {@code REDIS_}); {@code RedisContractTest} reads
 * that header and fails when the two differ. docs/DATA-MODEL.md "Redis"
 * says what each key holds.
 */
public final class RedisKeys {

    /** Cached home feed head, a sorted set: {@code feed:home:<uid>}. */
    public static final String KEY_HOME_FEED = "feed:home:";
    /** Cached profile feed head: {@code feed:profile:<uid>}. */
    public static final String KEY_PROFILE_FEED = "feed:profile:";
    /** Cached notification feed head: {@code feed:notif:<uid>}. */
    public static final String KEY_NOTIF_FEED = "feed:notif:";
    /** Activity body: {@code act:<activity id>}. */
    public static final String KEY_ACTIVITY_BODY = "act:";
    /** Notification group body: {@code notif:<uid>:<group id>}. */
    public static final String KEY_NOTIF_BODY = "notif:";
    /** Live feed events of one user, a pub/sub channel: {@code feed:events:<uid>}. */
    public static final String CHANNEL_FEED_EVENTS = "feed:events:";
    /**
     * A reader's merge sources (hot accounts followed), cached by the API:
     * {@code feed:hotf:<uid>}; the job only deletes it, after bumping
     * {@code feed:hotf:gen:<uid>} ({@link MergeSourceCacheWrite}).
     */
    public static final String KEY_MERGE_SOURCES = "feed:hotf:";
    /** The generation the API's fill of {@link #KEY_MERGE_SOURCES} is fenced by. */
    public static final String KEY_MERGE_SOURCES_GEN = "feed:hotf:gen:";
    /** A user's home read marker, cached by the API (the job never touches it): {@code feed:marker:home:<uid>}. */
    public static final String KEY_HOME_MARKER = "feed:marker:home:";
    /** A user with a stream connected or within its resume window: {@code feed:live:<uid>} (the API's). */
    public static final String KEY_FEED_LIVE = "feed:live:";
    /** That user's event log, a Redis Stream, written while the live key exists: {@code feed:log:<uid>}. */
    public static final String KEY_FEED_LOG = "feed:log:";
    /** The live followers of a hot account, a set kept by the API's home streams: {@code feed:livef:<uid>}. */
    public static final String KEY_FEED_LIVE_FOLLOWERS = "feed:livef:";
    /** The hash of every table's progress. */
    public static final String KEY_PROGRESS = "feed:pipeline:progress";
    /**
     * Members the API puts in a head that are not items: a running fill's
     * placeholder ({@code ~fill:<token>}) and the end of the feed. The job
     * never writes them; its script treats them as members like any other.
     */
    public static final String MEMBER_FILL = "~fill:";
    /** See {@link #MEMBER_FILL}. */
    public static final String MEMBER_END = "~end";

    private RedisKeys() {
    }
}
