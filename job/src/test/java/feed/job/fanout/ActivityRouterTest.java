package feed.job.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.streaming.api.operators.StreamFlatMap;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import feed.job.cdc.BadRecordPolicy;
import feed.job.cdc.ChangeEvent;
import feed.job.cdc.MalformedRecordException;
import feed.job.cdc.Op;

class ActivityRouterTest {

    static final String AT = "2026-11-25T16:00:00.123456Z";
    static final long AT_US = 1_795_622_400_123_456L;

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static ChangeEvent insert(String table, Map<String, Object> row, long lsn) {
        return new ChangeEvent(table, Op.CREATE, null, row, lsn, 1, 0);
    }

    static ChangeEvent delete(String table, Map<String, Object> row, long lsn) {
        return new ChangeEvent(table, Op.DELETE, row, null, lsn, 1, 0);
    }

    @Test
    void timestamptzStringsBecomeMicroseconds() throws Exception {
        assertThat(ActivityRouter.parseTimestampUs(AT)).isEqualTo(AT_US);
        assertThat(ActivityRouter.parseTimestampUs("2026-11-25T18:00:00.123456+02:00")).isEqualTo(AT_US);
        assertThat(ActivityRouter.parseTimestampUs("2026-11-25T16:00:00Z")).isEqualTo(AT_US - 123_456);
        assertThat(ActivityRouter.parseTimestampUs("1970-01-01T00:00:00.000001Z")).isEqualTo(1);
        assertThatThrownBy(() -> ActivityRouter.parseTimestampUs("2026-11-25 16:00:00"))
                .isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void everyActivityTableIsRouted() throws Exception {
        assertThat(ActivityRouter.route(insert("follows",
                row("id", 3L, "follower_id", 7L, "followee_id", 9L, "created_at", AT), 100)))
                .isEqualTo(new Activity(Verb.FOLLOW, "f:3", 7, "u:9", 9, AT_US, null, 100, false));
        assertThat(ActivityRouter.route(insert("posts",
                row("id", 42L, "author_id", 7L, "body", "hello", "created_at", AT), 101)))
                .isEqualTo(new Activity(Verb.SHARD, "p:42", 7, "p:42", Activity.NO_TARGET, AT_US, "hello", 101, false));
        assertThat(ActivityRouter.route(insert("comments", row("id", 5L, "post_id", 42L, "post_author_id", 7L,
                "author_id", 8L, "body", "nice", "created_at", AT), 102)))
                .isEqualTo(new Activity(Verb.COMMENT, "c:5", 8, "p:42", 7, AT_US, "nice", 102, false));
        assertThat(ActivityRouter.route(insert("likes",
                row("id", 6L, "user_id", 9L, "post_id", 42L, "post_author_id", 7L, "created_at", AT), 103)))
                .isEqualTo(new Activity(Verb.LIKE, "l:6", 9, "p:42", 7, AT_US, null, 103, false));
    }

    @Test
    void onesOwnPostNotifiesNobody() throws Exception {
        assertThat(ActivityRouter.route(insert("likes",
                row("id", 6L, "user_id", 7L, "post_id", 42L, "post_author_id", 7L, "created_at", AT), 1)).targetUserId)
                .isEqualTo(Activity.NO_TARGET);
        assertThat(ActivityRouter.route(insert("comments", row("id", 5L, "post_id", 42L, "post_author_id", 7L,
                "author_id", 7L, "body", "me", "created_at", AT), 1)).targetUserId).isEqualTo(Activity.NO_TARGET);
    }

    @Test
    void aDeleteIsTheUndoBuiltFromTheBeforeImage() throws Exception {
        Map<String, Object> r = row("id", 42L, "author_id", 7L, "body", "hello", "created_at", AT);
        assertThat(ActivityRouter.route(delete("posts", r, 200)))
                .isEqualTo(ActivityRouter.route(insert("posts", r, 101)).undo(200));
        assertThat(ActivityRouter.route(new ChangeEvent("posts", Op.READ, null, r, 90, 1, 0)).delete).isFalse();
        assertThat(ActivityRouter.route(new ChangeEvent("posts", Op.UPDATE, r, r, 300, 1, 0)).lsn).isEqualTo(300);
    }

    @Test
    void aSnapshotReadIsMarkedAndAChangeIsNot() throws Exception {
        Map<String, Object> r = row("id", 42L, "author_id", 7L, "body", "hello", "created_at", AT);
        assertThat(ActivityRouter.route(new ChangeEvent("posts", Op.READ, null, r, 90, 1, 0)).snapshot).isTrue();
        assertThat(ActivityRouter.route(insert("posts", r, 101)).snapshot).isFalse();
        assertThat(ActivityRouter.route(new ChangeEvent("posts", Op.UPDATE, r, r, 300, 1, 0)).snapshot).isFalse();
        assertThat(ActivityRouter.route(delete("posts", r, 200)).snapshot).isFalse();
    }

    @Test
    void usersAndUnknownTablesGiveNothing() throws Exception {
        assertThat(ActivityRouter.route(insert("users",
                row("id", 1L, "handle", "ana", "display_name", "Ana", "created_at", AT), 1))).isNull();
        assertThat(ActivityRouter.route(insert("other", row("id", 1L), 1))).isNull();
    }

    @Test
    void aRowWithoutItsRoutingColumnsFailsOrIsSkippedByPolicy() throws Exception {
        ChangeEvent bad = insert("likes", row("id", 6L, "post_id", 42L, "created_at", AT), 1);
        ChangeEvent good = insert("posts", row("id", 1L, "author_id", 7L, "body", "x", "created_at", AT), 2);
        try (var h = new OneInputStreamOperatorTestHarness<>(
                new StreamFlatMap<>(new ActivityRouter(BadRecordPolicy.SKIP)))) {
            h.open();
            h.processElement(bad, 0);
            h.processElement(good, 0);
            List<Activity> out = h.extractOutputValues();
            assertThat(out).extracting(a -> a.id).containsExactly("p:1");
        }
        try (var h = new OneInputStreamOperatorTestHarness<>(
                new StreamFlatMap<>(new ActivityRouter(BadRecordPolicy.FAIL)))) {
            h.open();
            assertThatThrownBy(() -> h.processElement(bad, 0)).isInstanceOf(MalformedRecordException.class);
        }
    }
}
