package feed.job.fanout;

import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * Addresses each activity to the keys of {@link FanOut} it touches: its
 * actor's key always; for a FOLLOW also the followee's key, as a change of
 * the followee's follower list. See {@link FanOut} for why.
 */
public final class FanOutKeys implements FlatMapFunction<Activity, FanOutInput> {

    private static final long serialVersionUID = 1L;

    @Override
    public void flatMap(Activity a, Collector<FanOutInput> out) {
        out.collect(FanOutInput.activity(a));
        if (a.verb == Verb.FOLLOW) {
            out.collect(FanOutInput.edge(a));
        }
    }
}
