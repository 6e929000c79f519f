package feed.job.cdc;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.avro.LogicalType;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;

/**
 * Turns values read by Avro's generic reader into the plain Java values a
 * {@link ChangeEvent} holds: {@code Utf8} becomes {@link String}, bytes and
 * fixed become {@code byte[]} (or {@link BigDecimal} where the schema says
 * {@code decimal}, as Debezium does for {@code numeric(p,s)}), enum symbols
 * become their names, records and maps become unmodifiable {@link Map}s,
 * arrays unmodifiable {@link List}s. Numbers and booleans pass through.
 */
final class AvroValues {

    private AvroValues() {
    }

    /** Converts a record into a column name to value map, in field order. */
    static Map<String, Object> row(GenericRecord record) {
        Schema schema = record.getSchema();
        Map<String, Object> row = new LinkedHashMap<>(schema.getFields().size() * 4 / 3 + 1);
        for (Schema.Field f : schema.getFields()) {
            row.put(f.name(), toJava(record.get(f.pos()), f.schema()));
        }
        return row;
    }

    /** Converts one value written with {@code schema}. */
    static Object toJava(Object value, Schema schema) {
        if (value == null) {
            return null;
        }
        if (schema.getType() == Schema.Type.UNION) {
            int branch = GenericData.get().resolveUnion(schema, value);
            return toJava(value, schema.getTypes().get(branch));
        }
        switch (schema.getType()) {
            case STRING:
                return value.toString();
            case BYTES: {
                ByteBuffer buf = ((ByteBuffer) value).duplicate();
                byte[] bytes = new byte[buf.remaining()];
                buf.get(bytes);
                return decimalOrBytes(bytes, schema);
            }
            case FIXED:
                return decimalOrBytes(((GenericFixed) value).bytes().clone(), schema);
            case ENUM:
                return value instanceof GenericEnumSymbol ? value.toString() : String.valueOf(value);
            case RECORD:
                return Collections.unmodifiableMap(row((GenericRecord) value));
            case ARRAY: {
                Collection<?> items = (Collection<?>) value;
                List<Object> list = new ArrayList<>(items.size());
                for (Object item : items) {
                    list.add(toJava(item, schema.getElementType()));
                }
                return Collections.unmodifiableList(list);
            }
            case MAP: {
                Map<?, ?> in = (Map<?, ?>) value;
                Map<String, Object> out = new LinkedHashMap<>(in.size() * 4 / 3 + 1);
                for (Map.Entry<?, ?> e : in.entrySet()) {
                    out.put(e.getKey().toString(), toJava(e.getValue(), schema.getValueType()));
                }
                return Collections.unmodifiableMap(out);
            }
            default: // INT, LONG, FLOAT, DOUBLE, BOOLEAN: already plain Java
                return value;
        }
    }

    private static Object decimalOrBytes(byte[] bytes, Schema schema) {
        LogicalType logical = schema.getLogicalType();
        if (logical instanceof LogicalTypes.Decimal) {
            return new BigDecimal(new BigInteger(bytes), ((LogicalTypes.Decimal) logical).getScale());
        }
        return bytes;
    }
}
