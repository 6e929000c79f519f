package feed.job.cassandra;

import java.io.Serializable;
import java.util.List;

/**
 * How one stream element becomes CQL mutations, for {@link CassandraSink}.
 *
 * <p>Every mutation must carry its own write timestamp ({@code USING
 * TIMESTAMP ?}, taken from the source change), so that writes are
 * idempotent and their order does not matter: the sink sends them in
 * concurrent batches and a replay sends them again.
 *
 * @param <T> the element type
 */
public interface CqlWrite<T> extends Serializable {

    /** The statements to prepare, in the keyspace given; {@link Mutations#add} names them by index. */
    List<String> statements(String keyspace);

    /** Adds the element's mutations. */
    void append(T element, Mutations out);

    /** Where {@link #append} puts mutations. */
    interface Mutations {
        /**
         * @param partition the Cassandra partition written (equal objects = same partition):
         *                  mutations of one partition are batched together
         * @param statement index into {@link #statements}
         * @param values    the bind values in order; null leaves a value unset (no tombstone)
         */
        void add(Object partition, int statement, Object... values);
    }
}
