package feed.job.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import feed.job.fanout.Activity;
import feed.job.fanout.Verb;
import feed.job.notify.NotificationWrite;
import feed.job.notify.Notifications;

/**
 * The notification groups that a list of {@link NotificationWrite}s leaves
 * in a store that keeps the last write per row by write timestamp, a delete
 * winning a tie (Cassandra with {@code USING TIMESTAMP}), in whatever order
 * they are applied. Also records every tie between two <em>different</em>
 * values (which Cassandra would resolve cell by cell, and a list by
 * concatenation): there must be none.
 */
public final class NotificationState {

    /** What a reader sees of one group. */
    public record Group(long userId, long windowStartUs, String groupId, Verb verb, String objectId,
                        int actorCount, List<Long> actorIds, long latestUs) {
        @Override
        public String toString() {
            return userId + "/" + groupId + " count=" + actorCount + " actors=" + actorIds + " latest=" + latestUs;
        }
    }

    private final Map<String, NotificationWrite> last = new HashMap<>();
    private final List<String> conflicts = new ArrayList<>();

    public static NotificationState of(Iterable<NotificationWrite> writes) {
        NotificationState s = new NotificationState();
        writes.forEach(s::apply);
        return s;
    }

    public void apply(NotificationWrite w) {
        String row = w.userId + "/" + w.windowStartUs + "/" + w.groupId;
        NotificationWrite prev = last.get(row);
        if (prev != null && prev.writeTs == w.writeTs && !sameValue(prev, w)) {
            conflicts.add(prev + " vs " + w);
        }
        if (prev == null || w.writeTs > prev.writeTs || (w.writeTs == prev.writeTs && w.delete)) {
            last.put(row, w);
        }
    }

    private static boolean sameValue(NotificationWrite a, NotificationWrite b) {
        return a.delete == b.delete && (a.delete || (a.actorCount == b.actorCount && a.latestUs == b.latestUs
                && Arrays.equals(a.actorIds, b.actorIds)));
    }

    /** Ties between different values; empty if every timestamp names one value. */
    public List<String> conflicts() {
        return conflicts;
    }

    /** The groups present, by "user/group id". */
    public Map<String, Group> groups() {
        Map<String, Group> groups = new TreeMap<>();
        last.values().forEach(w -> {
            if (!w.delete) {
                groups.put(w.userId + "/" + w.groupId, group(w));
            }
        });
        return groups;
    }

    /** The write timestamps of the rows present (deleted ones included), by row. */
    public Map<String, Long> timestamps() {
        Map<String, Long> ts = new TreeMap<>();
        last.forEach((row, w) -> ts.put(row, w.writeTs));
        return ts;
    }

    public static Group group(NotificationWrite w) {
        List<Long> ids = new ArrayList<>();
        for (long id : w.actorIds) {
            ids.add(id);
        }
        return new Group(w.userId, w.windowStartUs, w.groupId, w.verb, w.objectId, w.actorCount, ids, w.latestUs);
    }

    /** The last write per group in the order given: what Redis holds (it has no timestamps). */
    public static Map<String, Group> lastWritten(Iterable<NotificationWrite> writes) {
        Map<String, NotificationWrite> byGroup = new HashMap<>();
        writes.forEach(w -> byGroup.put(w.userId + "/" + w.groupId, w));
        Map<String, Group> groups = new TreeMap<>();
        byGroup.forEach((k, w) -> {
            if (!w.delete) {
                groups.put(k, group(w));
            }
        });
        return groups;
    }

    /** The oracle: the groups DATA-MODEL.md's rule gives for a set of live activities. */
    public static Map<String, Group> oracle(Iterable<Activity> live) {
        Map<String, List<Activity>> byGroup = new HashMap<>();
        for (Activity a : live) {
            if (a.verb == Verb.SHARD || a.targetUserId == Activity.NO_TARGET) {
                continue;
            }
            byGroup.computeIfAbsent(a.targetUserId + "/" + Notifications.groupId(a), k -> new ArrayList<>()).add(a);
        }
        Map<String, Group> groups = new TreeMap<>();
        byGroup.forEach((k, as) -> {
            Map<Long, Long> newest = new HashMap<>();
            long latest = Long.MIN_VALUE;
            for (Activity a : as) {
                newest.merge(a.actorId, a.tsUs, Math::max);
                latest = Math.max(latest, a.tsUs);
            }
            List<Long> actors = new ArrayList<>(newest.keySet());
            actors.sort((x, y) -> newest.get(x).equals(newest.get(y)) ? Long.compare(y, x)
                    : Long.compare(newest.get(y), newest.get(x)));
            Activity a = as.get(0);
            groups.put(k, new Group(a.targetUserId, Notifications.windowStartMs(a.tsUs) * 1_000L,
                    Notifications.groupId(a), a.verb, a.objectId, newest.size(),
                    new ArrayList<>(actors.subList(0, Math.min(10, actors.size()))), latest));
        });
        return groups;
    }

    /** Group ids present, for short assertions. */
    public Set<String> ids() {
        return groups().keySet();
    }
}
