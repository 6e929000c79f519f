package feed.job.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import feed.job.progress.ProgressWrite;

/**
 * The job and the API agree on Redis: the job runs the very bytes of
 * schema/redis/feed_head_write.lua (which the API's build embeds too, see
 * schema/redis/tests/test_redis_scripts.c), and RedisKeys spells every
 * name of schema/redis/redis_keys.h as the C code does.
 */
class RedisContractTest {

    private static final Pattern DEFINE = Pattern.compile("^#define (REDIS_[A-Z_]+) \"([^\"\\\\]*)\"$",
            Pattern.MULTILINE);

    private static Path schemaDir() {
        return Path.of(System.getProperty("feed.schema.redis", "../schema/redis"));
    }

    @Test
    void theJobRunsTheScriptFileByteForByte() throws IOException {
        byte[] file = Files.readAllBytes(schemaDir().resolve("feed_head_write.lua"));
        byte[] resource;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("redis/feed_head_write.lua")) {
            assertThat(in).as("classpath redis/feed_head_write.lua").isNotNull();
            resource = in.readAllBytes();
        }
        assertThat(resource).isEqualTo(file);
        assertThat(FeedCacheWrite.SCRIPT.getBytes(StandardCharsets.UTF_8)).isEqualTo(file);
        assertThat(FeedCacheWrite.SHA).isEqualTo(RedisScripts.sha1(new String(file, StandardCharsets.UTF_8)));
    }

    @Test
    void theJobRunsTheEventScriptFileByteForByte() throws IOException {
        byte[] file = Files.readAllBytes(schemaDir().resolve("feed_event_publish.lua"));
        assertThat(FeedCacheWrite.EVENT_SCRIPT.getBytes(StandardCharsets.UTF_8)).isEqualTo(file);
        assertThat(FeedCacheWrite.EVENT_SHA).isEqualTo(RedisScripts.sha1(new String(file, StandardCharsets.UTF_8)));
    }

    @Test
    void everyScriptOfSchemaRedisIsOnTheClasspath() throws IOException {
        try (var files = Files.list(schemaDir())) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".lua"))::iterator) {
                String name = p.getFileName().toString().replaceFirst("\\.lua$", "");
                assertThat(RedisScripts.load(name)).as(name).isEqualTo(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void keyNamesAgreeWithTheCHeader() throws Exception {
        String header = Files.readString(schemaDir().resolve("redis_keys.h"), StandardCharsets.UTF_8);
        Map<String, String> c = new TreeMap<>();
        Matcher m = DEFINE.matcher(header);
        while (m.find()) {
            c.put(m.group(1).substring("REDIS_".length()), m.group(2));
        }
        Map<String, String> java = new TreeMap<>();
        for (Field f : RedisKeys.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isPublic(mod) && Modifier.isStatic(mod) && f.getType() == String.class) {
                java.put(f.getName(), (String) f.get(null));
            }
        }
        assertThat(c).as("redis_keys.h").hasSizeGreaterThanOrEqualTo(8);
        assertThat(java).isEqualTo(c);
    }

    @Test
    void theWritersUseTheSharedNames() {
        assertThat(NotificationCacheWrite.feedKey(7)).isEqualTo(RedisKeys.KEY_NOTIF_FEED + "7");
        assertThat(NotificationCacheWrite.bodyKey(7, "LIKE:p:4:0")).isEqualTo(RedisKeys.KEY_NOTIF_BODY + "7:LIKE:p:4:0");
        assertThat(ActivityCacheWrite.key("p:4")).isEqualTo(RedisKeys.KEY_ACTIVITY_BODY + "p:4");
        assertThat(ProgressWrite.KEY).isEqualTo(RedisKeys.KEY_PROGRESS);
        assertThat(RedisKeys.KEY_FEED_LIVE).isEqualTo("feed:live:");
        assertThat(RedisKeys.KEY_FEED_LOG).isEqualTo("feed:log:");
    }
}
