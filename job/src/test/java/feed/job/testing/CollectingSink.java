package feed.job.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A Sink V2 that collects everything written to it into a static queue of
 * its name, for jobs run on a MiniCluster in the same JVM (a job with
 * several sinks gives each its own name). One test at a time.
 */
public final class CollectingSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, ConcurrentLinkedQueue<Object>> VALUES = new ConcurrentHashMap<>();
    private static final AtomicInteger CHECKPOINT_FLUSHES = new AtomicInteger();

    private final String name;

    public CollectingSink(String name) {
        this.name = name;
    }

    public static void clear() {
        VALUES.clear();
        CHECKPOINT_FLUSHES.set(0);
    }

    /** How often any writer was flushed for a checkpoint (not at the end of input). */
    public static int checkpointFlushes() {
        return CHECKPOINT_FLUSHES.get();
    }

    /** What the sinks named {@code name} got. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> values(String name) {
        return new ArrayList<>((ConcurrentLinkedQueue<T>) (ConcurrentLinkedQueue<?>) queue(name));
    }

    private static ConcurrentLinkedQueue<Object> queue(String name) {
        return VALUES.computeIfAbsent(name, n -> new ConcurrentLinkedQueue<>());
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        ConcurrentLinkedQueue<Object> values = queue(name);
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                values.add(element);
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
