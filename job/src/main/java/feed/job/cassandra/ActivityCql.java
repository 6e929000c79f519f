package feed.job.cassandra;

import java.util.List;

import feed.job.fanout.Activity;

/**
 * {@link Activity} bodies as rows of {@code activities}, stored once per
 * activity whatever the fan-out, at the change's LSN. An undo deletes the
 * row at its own LSN; an undo that arrives before its insert still wins,
 * because its timestamp is higher. {@code target_id} is {@code u:<user>}
 * (or unset); a null body is left unset, not written as a tombstone.
 */
public final class ActivityCql implements CqlWrite<Activity> {

    private static final long serialVersionUID = 1L;

    static final int INSERT = 0;
    static final int DELETE = 1;

    @Override
    public List<String> statements(String ks) {
        return List.of(
                "INSERT INTO " + ks + ".activities (activity_id, verb, actor_id, object_id, target_id, body, ts_us)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
                "DELETE FROM " + ks + ".activities USING TIMESTAMP ? WHERE activity_id = ?");
    }

    @Override
    public void append(Activity a, Mutations out) {
        if (a.delete) {
            out.add(a.id, DELETE, a.lsn, a.id);
        } else {
            out.add(a.id, INSERT, a.id, a.verb.name(), a.actorId, a.objectId,
                    a.targetUserId == Activity.NO_TARGET ? null : "u:" + a.targetUserId, a.body, a.tsUs, a.lsn);
        }
    }
}
