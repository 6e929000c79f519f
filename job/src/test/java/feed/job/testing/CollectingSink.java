package feed.job.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that collects everything written to it into a static queue,
 * for jobs run on a MiniCluster in the same JVM. One test at a time.
 */
public final class CollectingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final ConcurrentLinkedQueue<Object> VALUES = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger CHECKPOINT_FLUSHES = new AtomicInteger();

    public static void clear() {
        VALUES.clear();
        CHECKPOINT_FLUSHES.set(0);
    }

    /** How often a writer was flushed for a checkpoint (not at the end of input). */
    public static int checkpointFlushes() {
        return CHECKPOINT_FLUSHES.get();
    }

    @SuppressWarnings("unchecked")
    public static <T> List<T> values() {
        return new ArrayList<>((ConcurrentLinkedQueue<T>) (ConcurrentLinkedQueue<?>) VALUES);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                VALUES.add(element);
            }

            @Override
            public void flush(boolean endOfInput) {
                if (!endOfInput) {
                    CHECKPOINT_FLUSHES.incrementAndGet();
                }
            }

            @Override
            public void close() {
            }
        };
    }
}
