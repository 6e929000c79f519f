package feed.job.cassandra;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * What {@link CassandraSinkWriter} needs of a Cassandra session: the seam
 * where tests put a fake.
 */
interface CqlClient extends AutoCloseable {

    /** Prepares the statements; {@link Mutation#statement} indexes this list. */
    void prepare(List<String> statements);

    /**
     * Where the mutation's partition lives, for batching several partitions
     * into one request: with {@link CassandraSink.Grouping#RANGE} the token
     * range (of the cluster's ring) holding the partition's token, with
     * {@link CassandraSink.Grouping#REPLICAS} the set of replicas of that
     * range. Mutations whose answers are equal can share an unlogged batch
     * that one replica coordinates without forwarding. Null when the client
     * cannot tell (no token map, no partition key): then the partition is
     * batched alone. Called on the task thread only.
     */
    Object groupOf(Mutation mutation, CassandraSink.Grouping grouping);

    /**
     * Sends the mutations as one unlogged batch, asynchronously: all of one
     * partition, or of partitions that {@link #groupOf} puts in one group.
     */
    CompletionStage<?> executeBatch(List<Mutation> mutations);

    /**
     * Whether a batch that failed with {@code failure} may succeed when sent
     * again after a pause: Cassandra timed out or was overloaded, so the
     * batch may or may not have been applied. Sending it again is harmless
     * (every mutation carries its own timestamp). A node that cannot be
     * reached, a bad statement and the like are not: they fail the job,
     * which restarts from its last checkpoint.
     */
    default boolean retryable(Throwable failure) {
        return false;
    }

    @Override
    void close();
}
