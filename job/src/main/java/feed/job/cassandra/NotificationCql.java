package feed.job.cassandra;

import java.util.ArrayList;
import java.util.List;

import feed.job.notify.NotificationWrite;

/**
 * {@link NotificationWrite} as rows of {@code notifications}
 * (schema/cql/001_feeds.cql; actor_ids is a frozen list, one cell): clustering
 * {@code ts_us} = the group's window start, every column written whole from
 * state ({@code actor_ids} as a list overwrite, {@code actor_count} as a
 * value, never incremented), at the group's version
 * ({@link feed.job.notify.Notifications} explains why that timestamp makes
 * replays and reordering converge). A removal deletes the row at its version.
 */
public final class NotificationCql implements CqlWrite<NotificationWrite> {

    private static final long serialVersionUID = 1L;

    static final int UPSERT = 0;
    static final int DELETE = 1;

    @Override
    public List<String> statements(String ks) {
        return List.of(
                "INSERT INTO " + ks + ".notifications (user_id, ts_us, group_id, verb, object_id, actor_ids,"
                        + " actor_count, latest_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".notifications USING TIMESTAMP ? WHERE user_id = ? AND ts_us = ? AND group_id = ?");
    }

    @Override
    public void append(NotificationWrite w, Mutations out) {
        String partition = "notif:" + w.userId;
        if (w.delete) {
            out.add(partition, DELETE, w.writeTs, w.userId, w.windowStartUs, w.groupId);
            return;
        }
        List<Long> actors = new ArrayList<>(w.actorIds.length);
        for (long id : w.actorIds) {
            actors.add(id);
        }
        out.add(partition, UPSERT, w.userId, w.windowStartUs, w.groupId, w.verb.name(), w.objectId, actors,
                w.actorCount, w.latestUs, w.writeTs);
    }
}
