package feed.job.cassandra;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;

/** {@link CqlClient} on Apache's Java driver (4.x): one session, prepared statements. */
final class DriverCqlClient implements CqlClient {

    private final CqlSession session;
    private final List<PreparedStatement> prepared = new ArrayList<>();

    /**
     * Connects.
     *
     * @param contactPoints {@code host:port[,host:port...]}
     * @param localDc       the data centre to write to (a SimpleSnitch node is in {@code datacenter1})
     * @param consistency   every request's consistency level: LOCAL_QUORUM (the default of
     *                      {@code --cassandra-consistency}) is acknowledged by 2 of 3 replicas, so
     *                      one node may be down and no acknowledged write lives on one disk only
     */
    DriverCqlClient(String contactPoints, String localDc, String consistency, Duration requestTimeout) {
        // The driver reads its defaults (reference.conf) through a class loader;
        // in Flink it must be the user-code loader that holds the (shaded) driver,
        // not the thread's context loader.
        ClassLoader loader = CqlSession.class.getClassLoader();
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder(loader)
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, requestTimeout)
                .withString(DefaultDriverOption.REQUEST_CONSISTENCY, consistency)
                .withString(DefaultDriverOption.SESSION_NAME, "feed-fanout")
                .build();
        var builder = CqlSession.builder().withClassLoader(loader).withConfigLoader(config)
                .withLocalDatacenter(localDc);
        for (String hp : contactPoints.split(",")) {
            String s = hp.trim();
            int colon = s.lastIndexOf(':');
            String host = s.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            builder.addContactPoint(new InetSocketAddress(host, Integer.parseInt(s.substring(colon + 1))));
        }
        session = builder.build();
    }

    @Override
    public void prepare(List<String> statements) {
        prepared.clear();
        for (String cql : statements) {
            prepared.add(session.prepare(cql));
        }
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public CompletionStage<?> executeBatch(List<Mutation> mutations) {
        BatchStatementBuilder batch = new BatchStatementBuilder(DefaultBatchType.UNLOGGED).setIdempotence(true);
        for (Mutation m : mutations) {
            BoundStatementBuilder b = prepared.get(m.statement()).boundStatementBuilder();
            Object[] values = m.values();
            for (int i = 0; i < values.length; i++) {
                if (values[i] instanceof List) {
                    // The one collection we write: list<bigint> (notifications.actor_ids), whole.
                    b = b.setList(i, (List<Long>) values[i], Long.class);
                } else if (values[i] != null) { // unset, not null: no tombstone for an absent body
                    b = b.set(i, values[i], (Class) values[i].getClass());
                }
            }
            batch.addStatement(b.build());
        }
        return session.executeAsync(batch.build());
    }

    @Override
    public void close() {
        session.close();
    }
}
