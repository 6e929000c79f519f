package feed.job.cdc;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink serializer for {@link ChangeEvent}: a hand-written binary layout, so
 * neither Kryo nor reflection is involved on the hot path or in state.
 *
 * <p>Layout: table (Flink string), op (its one-letter code as a byte), lsn,
 * txId, tsMs (longs), then before and after, each a row: an int column
 * count (-1 for a missing row) followed by name/value pairs. A value is a
 * one-byte tag and its payload; the tags are part of the state format, so
 * never renumber them, only add new ones.
 *
 * <p>A value of a type outside the list in {@link ChangeEvent} is refused
 * with an {@link IllegalArgumentException}: the decoder never makes one.
 */
public final class ChangeEventSerializer extends TypeSerializerSingleton<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    public static final ChangeEventSerializer INSTANCE = new ChangeEventSerializer();

    private static final byte T_NULL = 0;
    private static final byte T_TRUE = 1;
    private static final byte T_FALSE = 2;
    private static final byte T_INT = 3;
    private static final byte T_LONG = 4;
    private static final byte T_FLOAT = 5;
    private static final byte T_DOUBLE = 6;
    private static final byte T_STRING = 7;
    private static final byte T_BYTES = 8;
    private static final byte T_DECIMAL = 9;
    private static final byte T_LIST = 10;
    private static final byte T_MAP = 11;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    /** What {@link #createInstance} returns: an immutable type has nothing to reuse. */
    private static final ChangeEvent EMPTY = new ChangeEvent("", Op.READ, null, null, 0, ChangeEvent.NO_TX, 0);

    @Override
    public ChangeEvent createInstance() {
        return EMPTY;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from) {
        return from;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ChangeEvent e, DataOutputView out) throws IOException {
        StringValue.writeString(e.table(), out);
        out.writeByte(e.op().code());
        out.writeLong(e.lsn());
        out.writeLong(e.txId());
        out.writeLong(e.tsMs());
        writeRow(e.before(), out);
        writeRow(e.after(), out);
    }

    @Override
    public ChangeEvent deserialize(DataInputView in) throws IOException {
        String table = StringValue.readString(in);
        byte code = in.readByte();
        Op op = Op.fromCode((char) code);
        if (op == null) {
            throw new IOException("corrupt ChangeEvent: op code " + code);
        }
        long lsn = in.readLong();
        long txId = in.readLong();
        long tsMs = in.readLong();
        Map<String, Object> before = readRow(in);
        Map<String, Object> after = readRow(in);
        return new ChangeEvent(table, op, before, after, lsn, txId, tsMs);
    }

    @Override
    public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Snapshot for state and savepoints; a format change needs a new version here. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChangeEvent> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static void writeRow(Map<String, Object> row, DataOutputView out) throws IOException {
        if (row == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(row.size());
        for (Map.Entry<String, Object> col : row.entrySet()) {
            StringValue.writeString(col.getKey(), out);
            writeValue(col.getValue(), out);
        }
    }

    private static Map<String, Object> readRow(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        Map<String, Object> row = new LinkedHashMap<>(capacity(n));
        for (int i = 0; i < n; i++) {
            String name = StringValue.readString(in);
            row.put(name, readValue(in));
        }
        return row;
    }

    private static void writeValue(Object v, DataOutputView out) throws IOException {
        if (v == null) {
            out.writeByte(T_NULL);
        } else if (v instanceof String) {
            out.writeByte(T_STRING);
            StringValue.writeString((String) v, out);
        } else if (v instanceof Long) {
            out.writeByte(T_LONG);
            out.writeLong((Long) v);
        } else if (v instanceof Integer) {
            out.writeByte(T_INT);
            out.writeInt((Integer) v);
        } else if (v instanceof Boolean) {
            out.writeByte((Boolean) v ? T_TRUE : T_FALSE);
        } else if (v instanceof Double) {
            out.writeByte(T_DOUBLE);
            out.writeDouble((Double) v);
        } else if (v instanceof Float) {
            out.writeByte(T_FLOAT);
            out.writeFloat((Float) v);
        } else if (v instanceof byte[]) {
            out.writeByte(T_BYTES);
            writeBytes((byte[]) v, out);
        } else if (v instanceof BigDecimal) {
            BigDecimal d = (BigDecimal) v;
            out.writeByte(T_DECIMAL);
            out.writeInt(d.scale());
            writeBytes(d.unscaledValue().toByteArray(), out);
        } else if (v instanceof List) {
            List<?> list = (List<?>) v;
            out.writeByte(T_LIST);
            out.writeInt(list.size());
            for (Object x : list) {
                writeValue(x, out);
            }
        } else if (v instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) v;
            out.writeByte(T_MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                StringValue.writeString(String.valueOf(e.getKey()), out);
                writeValue(e.getValue(), out);
            }
        } else {
            throw new IllegalArgumentException("ChangeEvent cannot hold a " + v.getClass().getName());
        }
    }

    private static Object readValue(DataInputView in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case T_NULL: return null;
            case T_TRUE: return Boolean.TRUE;
            case T_FALSE: return Boolean.FALSE;
            case T_INT: return in.readInt();
            case T_LONG: return in.readLong();
            case T_FLOAT: return in.readFloat();
            case T_DOUBLE: return in.readDouble();
            case T_STRING: return StringValue.readString(in);
            case T_BYTES: return readBytes(in);
            case T_DECIMAL: {
                int scale = in.readInt();
                return new BigDecimal(new BigInteger(readBytes(in)), scale);
            }
            case T_LIST: {
                int n = in.readInt();
                List<Object> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    list.add(readValue(in));
                }
                return Collections.unmodifiableList(list);
            }
            case T_MAP: {
                int n = in.readInt();
                Map<String, Object> map = new LinkedHashMap<>(capacity(n));
                for (int i = 0; i < n; i++) {
                    String k = StringValue.readString(in);
                    map.put(k, readValue(in));
                }
                return Collections.unmodifiableMap(map);
            }
            default:
                throw new IOException("corrupt ChangeEvent: value tag " + tag);
        }
    }

    private static void writeBytes(byte[] b, DataOutputView out) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("corrupt ChangeEvent: byte length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    private static int capacity(int n) {
        return (int) Math.min(1 << 30, n * 4L / 3 + 1);
    }
}
