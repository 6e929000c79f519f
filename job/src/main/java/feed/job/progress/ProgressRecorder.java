package feed.job.progress;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import feed.job.cdc.ChangeEvent;

/**
 * Keeps, per table, a running {@link TableProgress} and emits it after every
 * change event, for a sink to store. The emitted values come from state, so
 * a replay after a failure emits exactly the values emitted the first time:
 * a sink that overwrites (HSET, not HINCRBY) stays right.
 *
 * <p>Keyed by table name.
 *
 * <p>What it assumes of its input:
 * <ul>
 *   <li><b>Order:</b> none. Events of one table come from several Kafka
 *       partitions and interleave in any order; the highest LSN wins
 *       whatever the arrival order, and the count does not care.</li>
 *   <li><b>Duplicates:</b> none from Flink itself: after a failure the
 *       source rewinds to the offsets of the checkpoint this state came
 *       from. A change Debezium delivered twice (it can, e.g. after a
 *       connector crash without exactly-once source delivery) is counted
 *       twice; the LSN and commit time are unaffected.</li>
 *   <li><b>Lost events:</b> none expected; the count would simply be lower.</li>
 * </ul>
 *
 * <p>State: one {@link TableProgress} per table, kept for the life of the
 * job and never cleared: it is a running total, and there are five tables.
 * No TTL for the same reason.
 */
public final class ProgressRecorder extends KeyedProcessFunction<String, ChangeEvent, TableProgress> {

    private static final long serialVersionUID = 1L;

    private transient ValueState<TableProgress> progress;

    @Override
    public void open(OpenContext context) {
        progress = getRuntimeContext().getState(
                new ValueStateDescriptor<>("table-progress", TypeInformation.of(TableProgress.class)));
    }

    @Override
    public void processElement(ChangeEvent event, Context ctx, Collector<TableProgress> out) throws Exception {
        TableProgress p = progress.value();
        if (p == null) {
            p = new TableProgress(ctx.getCurrentKey(), 0, 0, 0);
        }
        p.events++;
        if (event.lsn() >= p.lsn) {
            p.lsn = event.lsn();
            p.tsMs = event.tsMs();
        }
        progress.update(p);
        // A copy: the state object may be the very instance the heap state
        // backend keeps, and the sink buffers what it gets.
        out.collect(new TableProgress(p.table, p.events, p.lsn, p.tsMs));
    }
}
