package feed.job.notify;

import org.apache.flink.api.common.functions.FilterFunction;

import feed.job.fanout.Activity;
import feed.job.fanout.Verb;

/**
 * Keeps the activities that notify somebody (docs/DATA-MODEL.md
 * "notifications(U)"): FOLLOW, LIKE and COMMENT with a target, i.e. not on
 * one's own post ({@link Activity#NO_TARGET}); undos included, since an
 * undone activity must leave its group. Stateless.
 */
public final class NotificationTargets implements FilterFunction<Activity> {

    private static final long serialVersionUID = 1L;

    @Override
    public boolean filter(Activity a) {
        return a.verb != Verb.SHARD && a.verb != null && a.targetUserId != Activity.NO_TARGET;
    }
}
