package feed.job.cassandra;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.ProtocolVersion;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.metadata.TokenMap;
import com.datastax.oss.driver.api.core.metadata.token.Token;
import com.datastax.oss.driver.api.core.metadata.token.TokenRange;
import com.datastax.oss.driver.api.core.type.codec.TypeCodec;

/**
 * {@link CqlClient} on Apache's Java driver (4.x): one session, prepared
 * statements.
 *
 * <p>Routing: the driver's default load-balancing policy sends a request
 * to a replica of its routing key's token first (token-aware); a batch's
 * routing key is that of its first statement with one, i.e. the partition
 * key of its first mutation. Batches the writer groups by {@link #groupOf}
 * hold partitions of one token range (or one replica set) only, so that
 * replica owns every partition of the batch and applies it without
 * forwarding (with RF 1) or forwards only to the other replicas.
 */
final class DriverCqlClient implements CqlClient {

    private final CqlSession session;
    private final List<PreparedStatement> prepared = new ArrayList<>();
    /** Per prepared statement: its partition key's bind indices and their codecs. */
    private final List<int[]> keyIndices = new ArrayList<>();
    private final List<TypeCodec<Object>[]> keyCodecs = new ArrayList<>();
    /** The keyspace of the prepared statements (the replicas of a token depend on it). */
    private CqlIdentifier keyspace;
    /** The token map {@link #ranges} was built from (the driver replaces it on topology changes). */
    private TokenMap ringOf;
    /** {@link #ringOf}'s ranges sorted by their end token. */
    private TokenRange[] ranges;

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
                // The server's warnings on a write are not logged: the feed sink's batches of many
                // partitions of one token range are the shape chosen (job/README.md), and a cluster
                // with upstream's unlogged_batch_across_partitions_warn_threshold (10) would answer
                // every such batch with a warning, which the driver logs with the whole batch, per
                // request. Failures still fail the write.
                .withBoolean(DefaultDriverOption.REQUEST_LOG_WARNINGS, false)
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
    @SuppressWarnings("unchecked")
    public void prepare(List<String> statements) {
        prepared.clear();
        keyIndices.clear();
        keyCodecs.clear();
        var codecs = session.getContext().getCodecRegistry();
        for (String cql : statements) {
            PreparedStatement p = session.prepare(cql);
            prepared.add(p);
            int[] idx = p.getPartitionKeyIndices().stream().mapToInt(Integer::intValue).toArray();
            TypeCodec<Object>[] c = new TypeCodec[idx.length];
            for (int i = 0; i < idx.length; i++) {
                c[i] = codecs.codecFor(p.getVariableDefinitions().get(idx[i]).getType());
            }
            keyIndices.add(idx);
            keyCodecs.add(c);
            if (p.getVariableDefinitions().size() > 0) {
                keyspace = p.getVariableDefinitions().get(0).getKeyspace();
            }
        }
    }

    @Override
    public Object groupOf(Mutation m, CassandraSink.Grouping grouping) {
        Optional<TokenMap> map = session.getMetadata().getTokenMap();
        ByteBuffer key = routingKey(m);
        if (map.isEmpty() || key == null) {
            return null;
        }
        TokenMap tokens = map.get();
        Token token = tokens.newToken(key);
        switch (grouping) {
            case REPLICAS:
                return keyspace == null ? null : tokens.getReplicas(keyspace, token);
            case RANGE:
                return rangeOf(tokens, token);
            default:
                return null;
        }
    }

    /** The range of the ring holding {@code token} ({@link #rangeContaining}). */
    private TokenRange rangeOf(TokenMap tokens, Token token) {
        if (tokens != ringOf) {
            ranges = tokens.getTokenRanges().toArray(new TokenRange[0]);
            Arrays.sort(ranges, Comparator.comparing(TokenRange::getEnd));
            ringOf = tokens;
        }
        return rangeContaining(ranges, token);
    }

    /**
     * The range holding {@code token}, of the ranges of a whole ring sorted by their end: ranges are
     * (start, end], and the one that wraps around the ring's end holds the tokens past the last end.
     * Null if there is no range.
     */
    static TokenRange rangeContaining(TokenRange[] sortedByEnd, Token token) {
        if (sortedByEnd.length == 0) {
            return null;
        }
        int lo = 0;
        int hi = sortedByEnd.length; // the first range whose end is >= token
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sortedByEnd[mid].getEnd().compareTo(token) < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return sortedByEnd[lo == sortedByEnd.length ? 0 : lo];
    }

    private ByteBuffer routingKey(Mutation m) {
        return routingKey(keyIndices.get(m.statement()), keyCodecs.get(m.statement()), m.values(),
                session.getContext().getProtocolVersion());
    }

    /**
     * The serialized partition key of a row, as the driver computes a bound statement's routing key:
     * the one key column's value, or the composite of several (CompositeType: length, bytes, 0 each).
     * Null if the statement has no key or a key value is unset.
     *
     * @param keyIndices the partition key's bind indices, in key order
     * @param codecs     their codecs
     * @param values     the statement's bind values
     */
    static ByteBuffer routingKey(int[] keyIndices, TypeCodec<Object>[] codecs, Object[] values,
                                 ProtocolVersion version) {
        if (keyIndices.length == 0) {
            return null;
        }
        ByteBuffer[] parts = new ByteBuffer[keyIndices.length];
        int size = 0;
        for (int i = 0; i < keyIndices.length; i++) {
            Object v = values[keyIndices[i]];
            if (v == null) {
                return null;
            }
            parts[i] = codecs[i].encode(v, version);
            size += 2 + parts[i].remaining() + 1;
        }
        if (parts.length == 1) {
            return parts[0];
        }
        ByteBuffer composite = ByteBuffer.allocate(size);
        for (ByteBuffer part : parts) {
            composite.putShort((short) part.remaining()).put(part.duplicate()).put((byte) 0);
        }
        composite.flip();
        return composite;
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

    /**
     * Timeouts (the coordinator's write timeout, the driver's request
     * timeout) and an overloaded or not-yet-ready coordinator: what a busy
     * machine or a node that just died gives for a moment.
     */
    @Override
    public boolean retryable(Throwable failure) {
        Throwable t = failure;
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException
                || t instanceof com.datastax.oss.driver.api.core.servererrors.OverloadedException
                || t instanceof com.datastax.oss.driver.api.core.servererrors.UnavailableException
                || t instanceof com.datastax.oss.driver.api.core.DriverTimeoutException;
    }

    @Override
    public void close() {
        session.close();
    }
}
