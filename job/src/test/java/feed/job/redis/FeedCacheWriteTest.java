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

import feed.job.fanout.Activity;
import feed.job.fanout.FeedWrite;
import feed.job.fanout.FeedWrite.Feed;
import feed.job.fanout.Verb;
import feed.job.testing.RedisServer;

/** Feed heads and activity bodies in a real redis-server on loopback. */
class FeedCacheWriteTest {

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
            j.scriptFlush(); // so every test also proves the prelude loads the script
        }
    }

    static RedisSinkWriter<FeedWrite> feeds(int window) {
        return new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new FeedCacheWrite(window), 1_000,
                new TestProcessingTimeService(), 0, new SimpleCounter());
    }

    static FeedWrite put(long user, String id, long tsUs) {
        return FeedWrite.insert(Feed.HOME, user, tsUs, id, 9, tsUs);
    }

    static List<String> head(String key) {
        try (Jedis j = redis.client()) {
            return j.zrevrange(key, 0, -1);
        }
    }

    /** As the API's cache fill would: the key exists with the feed's newest items. */
    static void cached(String key, Object... scoreMember) {
        try (Jedis j = redis.client()) {
            for (int i = 0; i < scoreMember.length; i += 2) {
                j.zadd(key, ((Number) scoreMember[i]).doubleValue(), (String) scoreMember[i + 1]);
            }
        }
    }

    @Test
    void aHeadNobodyCachedIsNotCreated() throws Exception {
        try (var w = feeds(500)) {
            w.write(put(1, "p:1", 100), null);
            w.flush(false);
        }
        try (Jedis j = redis.client()) {
            assertThat(j.exists("feed:home:1")).isFalse();
        }
    }

    @Test
    void aCachedHeadGetsNewItemsNewestFirstTrimmedToTheWindow() throws Exception {
        cached("feed:home:1", 100, "p:1", 200, "p:2");
        cached("feed:profile:1", 100, "p:1");
        try (var w = feeds(3)) {
            w.write(put(1, "p:3", 300), null);
            w.write(put(1, "p:4", 400), null);
            w.write(FeedWrite.insert(Feed.PROFILE, 1, 300, "p:3", 1, 300), null);
            w.write(put(1, "c:9", 300), null); // same time as p:3: member breaks the tie
            w.flush(false);
        }
        assertThat(head("feed:home:1")).containsExactly("p:4", "p:3", "c:9");
        assertThat(head("feed:profile:1")).containsExactly("p:3", "p:1");
    }

    @Test
    void anItemOlderThanTheHeadStaysOutSoTheHeadRemainsAPrefix() throws Exception {
        cached("feed:home:1", 200, "p:2", 300, "p:3");
        try (var w = feeds(500)) {
            w.write(put(1, "p:1", 100), null); // e.g. a backfill of an old post
            w.write(put(1, "b:2", 200), null); // equal score, member sorts before the oldest: older
            w.flush(false);
        }
        assertThat(head("feed:home:1")).containsExactly("p:3", "p:2");
    }

    @Test
    void deletesRemoveAndReplaysChangeNothing() throws Exception {
        cached("feed:home:1", 100, "p:1", 200, "p:2");
        List<FeedWrite> writes = List.of(put(1, "p:3", 300), FeedWrite.remove(Feed.HOME, 1, 200, "p:2", 9, 500));
        try (var w = feeds(500)) {
            for (FeedWrite x : writes) {
                w.write(x, null);
            }
            w.flush(false);
            assertThat(head("feed:home:1")).containsExactly("p:3", "p:1");
            for (FeedWrite x : writes) {
                w.write(x, null);
            }
            w.flush(false);
            assertThat(head("feed:home:1")).containsExactly("p:3", "p:1");
        }
    }

    @Test
    void bodiesAreSetOnceWithATtlAndDeletedByTheUndo() throws Exception {
        Activity c = new Activity(Verb.COMMENT, "c:1", 7, "p:3", 8, 1_700_000_000_000_001L,
                "say \"hi\"\n\\o/", 55, false);
        try (var w = new RedisSinkWriter<>(RedisSink.client("127.0.0.1", redis.port), new ActivityCacheWrite(60),
                1_000, new TestProcessingTimeService(), 0, new SimpleCounter())) {
            w.write(c, null);
            w.flush(false);
            try (Jedis j = redis.client()) {
                assertThat(j.get("act:c:1")).isEqualTo("{\"id\":\"c:1\",\"verb\":\"COMMENT\",\"actor_id\":7,"
                        + "\"object_id\":\"p:3\",\"target_id\":\"u:8\",\"body\":\"say \\\"hi\\\"\\n\\\\o/\","
                        + "\"ts_us\":1700000000000001}");
                assertThat(j.ttl("act:c:1")).isBetween(1L, 60L);
            }
            w.write(c.undo(66), null);
            w.flush(false);
            try (Jedis j = redis.client()) {
                assertThat(j.exists("act:c:1")).isFalse();
            }
        }
    }

    /** Every write is published on its owner's channel, cached head or not, inserts and deletes. */
    @Test
    void everyWriteIsPublishedOnTheOwnersChannel() throws Exception {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch three = new CountDownLatch(3);
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(channel + " " + message);
                three.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = redis.client()) {
                j.psubscribe(sub, RedisKeys.CHANNEL_FEED_EVENTS + "*");
            }
        });
        t.start();
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        cached("feed:home:1", 50, "p:0");
        try (var w = feeds(500)) {
            w.write(put(1, "p:1", 100), null);
            w.flush(false);
            w.write(FeedWrite.insert(Feed.PROFILE, 2, 200, "p:2", 2, 200), null);
            w.write(FeedWrite.remove(Feed.HOME, 1, 100, "p:1", 9, 300), null);
            w.flush(false);
        }
        assertTrue(three.await(10, TimeUnit.SECONDS));
        sub.punsubscribe();
        t.join(10_000);
        // Nobody has a live key: nothing is logged, every event says "-".
        assertThat(got).containsExactly("feed:events:1 - home + 100 p:1", "feed:events:2 - profile + 200 p:2",
                "feed:events:1 - home - 100 p:1");
        try (Jedis j = redis.client()) {
            assertThat(j.exists("feed:log:1")).isFalse();
            assertThat(j.exists("feed:log:2")).isFalse();
        }
    }

    /**
     * A user with a live key gets every event in the log first, in publish order, the log expiring with the
     * live key; the published message carries the entry id. Others' events are not logged.
     */
    @Test
    void aLiveUsersEventsAreLoggedThenPublishedWithTheEntryId() throws Exception {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch four = new CountDownLatch(4);
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(channel + " " + message);
                four.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = redis.client()) {
                j.psubscribe(sub, RedisKeys.CHANNEL_FEED_EVENTS + "*");
            }
        });
        t.start();
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        try (Jedis j = redis.client()) {
            j.psetex("feed:live:1", 60_000, "1");
        }
        try (var w = feeds(500)) {
            w.write(put(1, "p:1", 100), null);
            w.flush(false);
            w.write(FeedWrite.insert(Feed.PROFILE, 2, 200, "p:2", 2, 200), null);
            w.write(FeedWrite.insert(Feed.PROFILE, 1, 300, "p:3", 1, 300), null);
            w.flush(false);
            w.write(FeedWrite.remove(Feed.HOME, 1, 100, "p:1", 9, 300), null);
            w.flush(false);
        }
        assertTrue(four.await(10, TimeUnit.SECONDS));
        sub.punsubscribe();
        t.join(10_000);
        List<String> log = new ArrayList<>();
        try (Jedis j = redis.client()) {
            for (var e : j.xrange("feed:log:1", (redis.clients.jedis.StreamEntryID) null, null)) {
                log.add("feed:events:1 " + e.getID() + " " + e.getFields().get("e"));
            }
            long live = j.pttl("feed:live:1");
            long logTtl = j.pttl("feed:log:1");
            assertThat(logTtl).isPositive().isLessThanOrEqualTo(60_000);
            assertThat(live).isPositive();
            assertThat(j.exists("feed:log:2")).isFalse();
        }
        assertThat(log).hasSize(3);
        assertThat(log.get(0)).endsWith(" home + 100 p:1");
        assertThat(log.get(1)).endsWith(" profile + 300 p:3");
        assertThat(log.get(2)).endsWith(" home - 100 p:1");
        List<String> mine = got.stream().filter(m -> m.startsWith("feed:events:1 ")).toList();
        assertThat(mine).isEqualTo(log);
        assertThat(got).contains("feed:events:2 - profile + 200 p:2");
    }

    /**
     * A profile event goes to every live follower in feed:livef:<uid> too (their log and channel, as
     * "home:<uid> ..."), after the owner's own; a follower whose live key is gone leaves the set and gets
     * nothing. Home events go to nobody else.
     */
    @Test
    void aProfileEventReachesTheLiveFollowersLogsAndChannels() throws Exception {
        List<String> got = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch subscribed = new CountDownLatch(1);
        CountDownLatch five = new CountDownLatch(5);
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                got.add(channel + " " + message);
                five.countDown();
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = redis.client()) {
                j.psubscribe(sub, RedisKeys.CHANNEL_FEED_EVENTS + "*");
            }
        });
        t.start();
        assertTrue(subscribed.await(10, TimeUnit.SECONDS));
        try (Jedis j = redis.client()) {
            j.psetex("feed:live:7", 60_000, "1");
            j.sadd("feed:livef:2", "7", "8"); // 8 has no live key (any more)
        }
        try (var w = feeds(500)) {
            w.write(FeedWrite.insert(Feed.PROFILE, 2, 200, "p:2", 2, 200), null);
            w.write(FeedWrite.insert(Feed.HOME, 2, 250, "p:5", 5, 250), null);
            w.flush(false);
            w.write(FeedWrite.remove(Feed.PROFILE, 2, 200, "p:2", 2, 300), null);
            w.flush(false);
        }
        assertTrue(five.await(10, TimeUnit.SECONDS));
        sub.punsubscribe();
        t.join(10_000);
        List<String> log = new ArrayList<>();
        try (Jedis j = redis.client()) {
            for (var e : j.xrange("feed:log:7", (redis.clients.jedis.StreamEntryID) null, null)) {
                log.add("feed:events:7 " + e.getID() + " " + e.getFields().get("e"));
            }
            assertThat(j.smembers("feed:livef:2")).containsExactly("7");
            assertThat(j.exists("feed:log:8")).isFalse();
            assertThat(j.pttl("feed:log:7")).isPositive().isLessThanOrEqualTo(60_000);
        }
        assertThat(log).hasSize(2);
        assertThat(log.get(0)).endsWith(" home:2 + 200 p:2");
        assertThat(log.get(1)).endsWith(" home:2 - 200 p:2");
        assertThat(got.stream().filter(m -> m.startsWith("feed:events:7 ")).toList()).isEqualTo(log);
        assertThat(got.stream().filter(m -> m.startsWith("feed:events:2 ")).toList()).containsExactly(
                "feed:events:2 - profile + 200 p:2", "feed:events:2 - home + 250 p:5",
                "feed:events:2 - profile - 200 p:2");
        assertThat(got.stream().filter(m -> m.startsWith("feed:events:8 ")).toList()).isEmpty();
    }
}
