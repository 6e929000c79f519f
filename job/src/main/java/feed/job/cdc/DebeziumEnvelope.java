package feed.job.cdc;

import java.util.Map;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Reads a Debezium change event envelope, as the PostgreSQL connector
 * writes it: {@code {before, after, source, transaction, op, ts_ms, ts_us,
 * ts_ns}}, with {@code source} carrying at least {@code table}, {@code lsn},
 * {@code txId} and {@code ts_ms} (the commit time).
 *
 * <p>Strict where the job depends on a field: an envelope without
 * {@code op}, {@code source.table}, {@code source.lsn} or
 * {@code source.ts_ms}, or whose row images do not fit its op (an insert
 * without {@code after}, a delete without {@code before}) is malformed.
 */
public final class DebeziumEnvelope {

    private DebeziumEnvelope() {
    }

    /** Converts a decoded envelope into a change event. */
    public static ChangeEvent toChangeEvent(GenericRecord envelope) throws MalformedRecordException {
        try {
            Object opField = field(envelope, "op");
            Op op = opField instanceof CharSequence ? Op.fromCode((CharSequence) opField) : null;
            if (op == null) {
                throw new MalformedRecordException("envelope op is " + opField + ", not one of c, u, d, r");
            }
            Object sourceField = field(envelope, "source");
            if (!(sourceField instanceof GenericRecord)) {
                throw new MalformedRecordException("envelope has no source record");
            }
            GenericRecord source = (GenericRecord) sourceField;
            Object table = field(source, "table");
            if (!(table instanceof CharSequence)) {
                throw new MalformedRecordException("source.table is missing");
            }
            long lsn = requiredLong(source, "lsn");
            long tsMs = requiredLong(source, "ts_ms");
            Object tx = field(source, "txId");
            long txId = tx instanceof Number ? ((Number) tx).longValue() : ChangeEvent.NO_TX;

            Map<String, Object> before = image(envelope, "before");
            Map<String, Object> after = image(envelope, "after");
            if (op == Op.DELETE ? before == null : after == null) {
                throw new MalformedRecordException("a " + op + " event without its "
                        + (op == Op.DELETE ? "before" : "after") + " image");
            }
            return new ChangeEvent(table.toString(), op, before, after, lsn, txId, tsMs);
        } catch (RuntimeException e) {
            // A schema that does not look like an envelope at all (wrong
            // types in the right places, undecodable decimals, ...).
            throw new MalformedRecordException("not a Debezium envelope: " + e, e);
        }
    }

    private static Map<String, Object> image(GenericRecord envelope, String name) throws MalformedRecordException {
        Object v = field(envelope, name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof GenericRecord)) {
            throw new MalformedRecordException("envelope " + name + " is not a record");
        }
        return AvroValues.row((GenericRecord) v);
    }

    private static long requiredLong(GenericRecord record, String name) throws MalformedRecordException {
        Object v = field(record, name);
        if (!(v instanceof Long) && !(v instanceof Integer)) {
            throw new MalformedRecordException("source." + name + " is " + v + ", not a number");
        }
        return ((Number) v).longValue();
    }

    /** A field's value, or null if the record's schema has no such field. */
    private static Object field(GenericRecord record, String name) {
        Schema.Field f = record.getSchema().getField(name);
        return f == null ? null : record.get(f.pos());
    }
}
