package feed.job.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

import feed.job.fanout.Verb;
import feed.job.notify.NotificationWrite;
import feed.job.testing.RedisServer;

/** Notification heads and group bodies in a real redis-server on loopback. */
class NotificationCacheWriteTest {

    static final long HOUR_US = 3_600_000_000L;
    static final long W = 1_732_500_000_000L / 3_600_000L * 3_600_000L; // a window start, ms

    @TempDir
    static Path dir;
    static RedisServer redis;

    @BeforeAll
    static void startRedis() throws Exception {
        assertTrue(RedisServer.available(), "redis-server is not installed (run make install)");
        redis = RedisServer.start(dir);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        if (redis != null) {
            redis.close();
        }
    }

    @BeforeEach
    void emptyRedis() {
        try (Jedis j = redis.client()) {
            j.flushAll();
            j.scriptFlush();
        }
    }

    static RedisSinkWriter<NotificationWrite> writer(int window) {
        return new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new NotificationCacheWrite(window, 86_400),
                1_000, new TestProcessingTimeService(), 0, new SimpleCounter());
    }

    static NotificationWrite group(long user, long post, long windowMs, long ts, long... actors) {
        String gid = "LIKE:p:" + post + ":" + windowMs;
        return new NotificationWrite(user, gid, Verb.LIKE, "p:" + post, windowMs * 1_000L, actors.length + 3, actors,
                windowMs * 1_000L + 42, ts, false);
    }

    static NotificationWrite gone(NotificationWrite g, long ts) {
        return new NotificationWrite(g.userId, g.groupId, g.verb, g.objectId, g.windowStartUs, 0, new long[0], 0L, ts,
                true);
    }

    @Test
    void theBodyIsTheGroupsJsonWithADayOfExpiryAndTheHeadIsOnlyKeptIfCached() throws Exception {
        NotificationWrite g = group(10, 1, W, 100, 12, 11);
        try (var w = writer(500)) {
            w.write(g, null);
            w.flush(false);
        }
        try (Jedis j = redis.client()) {
            assertThat(j.exists("feed:notif:10")).isFalse(); // nobody read it: not created
            String key = "notif:10:LIKE:p:1:" + W;
            assertThat(j.get(key)).isEqualTo("{\"group_id\":\"LIKE:p:1:" + W + "\",\"verb\":\"LIKE\",\"object_id\":\"p:1\","
                    + "\"actor_count\":5,\"actor_ids\":[12,11],\"latest_us\":" + (W * 1_000L + 42) + ",\"ts_us\":"
                    + W * 1_000L + "}");
            assertThat(j.ttl(key)).isBetween(86_000L, 86_400L);
        }
    }

    @Test
    void aCachedHeadGetsNewerGroupsTrimmedToTheWindowAndLosesEmptiedOnes() throws Exception {
        try (Jedis j = redis.client()) {
            j.zadd("feed:notif:10", W * 1_000.0, "LIKE:p:1:" + W); // as the API's fill leaves it
        }
        NotificationWrite older = group(10, 9, W - 3_600_000L, 100, 13);
        NotificationWrite same = group(10, 1, W, 101, 11);
        NotificationWrite newer = group(10, 2, W + 3_600_000L, 102, 12);
        NotificationWrite newest = group(10, 3, W + 7_200_000L, 103, 12);
        try (var w = writer(2)) {
            w.write(older, null);  // older than the head's oldest: the head would skip others
            w.write(same, null);
            w.write(newer, null);
            w.write(newest, null);
            w.flush(false);
        }
        try (Jedis j = redis.client()) {
            assertThat(j.zrevrange("feed:notif:10", 0, -1)).containsExactly(newest.groupId, newer.groupId);
            assertThat(j.zscore("feed:notif:10", newer.groupId)).isEqualTo((double) (W + 3_600_000L) * 1_000);
        }
        try (var w = writer(2)) {
            w.write(gone(newer, 200), null);
            w.flush(false);
        }
        try (Jedis j = redis.client()) {
            assertThat(j.zrevrange("feed:notif:10", 0, -1)).containsExactly(newest.groupId);
            assertThat(j.exists("notif:10:" + newer.groupId)).isFalse();
            assertThat(j.exists("notif:10:" + newest.groupId)).isTrue();
        }
    }

    @Test
    void onlyTheLastBufferedValueOfAGroupIsWrittenAndReplayingItChangesNothing() throws Exception {
        NotificationWrite v1 = group(10, 1, W, 100, 11);
        NotificationWrite v2 = group(10, 1, W, 110, 12, 11);
        try (var w = writer(500)) {
            w.write(v1, null);
            w.write(v2, null);
            assertThat(w.buffered()).isEqualTo(1);
            w.flush(false);
            String once;
            try (Jedis j = redis.client()) {
                once = j.get("notif:10:" + v2.groupId);
            }
            w.write(v2, null); // replayed
            w.flush(false);
            try (Jedis j = redis.client()) {
                assertThat(j.get("notif:10:" + v2.groupId)).isEqualTo(once).contains("[12,11]");
            }
        }
    }

    /** Each group write is published on its owner's channel, after its body is set. */
    @Test
    void everyGroupWriteIsPublishedAfterItsBody() throws Exception {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch two = new CountDownLatch(2);
        CountDownLatch one = new CountDownLatch(1);
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                try (Jedis j = redis.client()) {
                    got.add(channel + " " + message + " body=" + (j.get("notif:10:LIKE:p:1:" + W) != null));
                }
                one.countDown();
                two.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = redis.client()) {
                j.psubscribe(sub, RedisKeys.CHANNEL_FEED_EVENTS + "*");
            }
        });
        t.start();
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        NotificationWrite g = group(10, 1, W, 100, 12, 11);
        try (var w = writer(500)) {
            w.write(g, null);
            w.flush(false);
            assertTrue(one.await(10, TimeUnit.SECONDS)); // the subscriber looks at the body before the delete
            w.write(gone(g, 200), null);
            w.flush(false);
        }
        assertTrue(two.await(10, TimeUnit.SECONDS));
        sub.punsubscribe();
        t.join(10_000);
        assertThat(got).containsExactly(
                "feed:events:10 - notifications + " + W * 1_000L + " LIKE:p:1:" + W + " body=true",
                "feed:events:10 - notifications - " + W * 1_000L + " LIKE:p:1:" + W + " body=false");
    }
}
