package feed.job.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

import feed.job.cdc.ChangeEvent;
import feed.job.cdc.Op;

class ProgressRecorderTest {

    static ChangeEvent event(String table, long lsn, long tsMs) {
        return new ChangeEvent(table, Op.CREATE, null, Map.of("id", lsn), lsn, 1, tsMs);
    }

    /** An opened harness. */
    static KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, TableProgress> harness() throws Exception {
        return ProcessFunctionTestHarnesses.forKeyedProcessFunction(
                new ProgressRecorder(), ChangeEvent::table, Types.STRING);
    }

    /** A harness not opened yet, to restore state into. */
    static KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, TableProgress> unopenedHarness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new ProgressRecorder()), ChangeEvent::table, Types.STRING);
    }

    @Test
    void countsEventsAndKeepsTheHighestLsnWithItsCommitTime() throws Exception {
        try (var h = harness()) {
            h.processElement(event("posts", 100, 1_000), 0);
            h.processElement(event("likes", 150, 1_500), 0);
            h.processElement(event("posts", 300, 3_000), 0);
            h.processElement(event("posts", 200, 2_000), 0); // late: arrives after a higher LSN

            assertThat(h.extractOutputValues()).containsExactly(
                    new TableProgress("posts", 1, 100, 1_000),
                    new TableProgress("likes", 1, 150, 1_500),
                    new TableProgress("posts", 2, 300, 3_000),
                    new TableProgress("posts", 3, 300, 3_000));
            assertThat(h.numKeyedStateEntries()).isEqualTo(2); // one entry per table, nothing else
        }
    }

    @Test
    void theSameInputInAnyOrderEndsInTheSameProgress() throws Exception {
        List<ChangeEvent> events = List.of(event("users", 5, 50), event("users", 9, 90), event("users", 7, 70));
        TableProgress forward;
        try (var h = harness()) {
            for (ChangeEvent e : events) {
                h.processElement(e, 0);
            }
            forward = last(h);
        }
        try (var h = harness()) {
            for (int i = events.size() - 1; i >= 0; i--) {
                h.processElement(events.get(i), 0);
            }
            assertThat(last(h)).isEqualTo(forward).isEqualTo(new TableProgress("users", 3, 9, 90));
        }
    }

    @Test
    void aRestoredCheckpointContinuesAndAReplayEmitsTheSameValues() throws Exception {
        OperatorSubtaskState checkpoint;
        List<TableProgress> firstRun;
        try (var h = harness()) {
            h.processElement(event("follows", 10, 100), 0);
            h.processElement(event("follows", 20, 200), 0);
            checkpoint = h.snapshot(1, 0);
            // After the checkpoint: these are lost in a crash and replayed from Kafka.
            h.processElement(event("follows", 30, 300), 0);
            h.processElement(event("follows", 25, 250), 0);
            List<TableProgress> all = h.extractOutputValues();
            firstRun = all.subList(2, all.size());
        }
        try (var h = unopenedHarness()) {
            h.initializeState(checkpoint);
            h.open();
            h.processElement(event("follows", 30, 300), 0);
            h.processElement(event("follows", 25, 250), 0);
            assertThat(h.extractOutputValues())
                    .isEqualTo(firstRun)
                    .containsExactly(new TableProgress("follows", 3, 30, 300), new TableProgress("follows", 4, 30, 300));
        }
    }

    @Test
    void jsonIsWhatTheApiReads() {
        assertThat(new TableProgress("posts", 12, 34, 56).toJson()).isEqualTo("{\"events\":12,\"lsn\":34,\"ts_ms\":56}");
    }

    private static TableProgress last(KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, TableProgress> h) {
        List<TableProgress> out = h.extractOutputValues();
        return out.get(out.size() - 1);
    }
}
