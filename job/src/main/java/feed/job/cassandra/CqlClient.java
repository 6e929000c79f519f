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

    /** Sends the mutations (all of one partition) as one unlogged batch, asynchronously. */
    CompletionStage<?> executeBatch(List<Mutation> mutations);

    @Override
    void close();
}
