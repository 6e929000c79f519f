package feed.job.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts of {@code schema/redis/}, each with one source: the
 * build copies {@code schema/redis/*.lua} onto the classpath under
 * {@code redis/} (job/pom.xml), and the API embeds the same files at its
 * build, so both send the file's exact bytes.
 */
public final class RedisScripts {

    /** The classpath folder the scripts are copied to. */
    public static final String RESOURCE_DIR = "redis/";

    private RedisScripts() {
    }

    /** The text of {@code schema/redis/<name>.lua}; fails if it is not on the classpath. */
    public static String load(String name) {
        String path = RESOURCE_DIR + name + ".lua";
        try (InputStream in = RedisScripts.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + path + " (schema/redis, see job/pom.xml)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-1 Redis names a script by (EVALSHA), hex. */
    public static String sha1(String script) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
