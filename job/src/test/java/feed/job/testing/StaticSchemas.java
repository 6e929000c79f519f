package feed.job.testing;

import java.util.HashMap;
import java.util.Map;

import org.apache.avro.Schema;

import feed.job.cdc.SchemaLookup;
import feed.job.cdc.UnknownSchemaException;

/**
 * A schema "registry" in memory: a serializable lookup factory over fixed
 * schemas, which go through their JSON form as they would over HTTP.
 */
public final class StaticSchemas implements SchemaLookup.Factory {

    private static final long serialVersionUID = 1L;

    private final HashMap<Integer, String> schemas = new HashMap<>();

    public StaticSchemas with(int id, Schema schema) {
        schemas.put(id, schema.toString());
        return this;
    }

    public Map<Integer, String> asMap() {
        return schemas;
    }

    @Override
    public SchemaLookup create() {
        Map<Integer, String> copy = new HashMap<>(schemas);
        return id -> {
            String json = copy.get(id);
            if (json == null) {
                throw new UnknownSchemaException(id, null);
            }
            return new Schema.Parser().parse(json);
        };
    }
}
