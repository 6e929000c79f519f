package feed.job.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * {@link TopActors} alone, against a model that knows every actor: after
 * any sequence of changes the buffer is a prefix of the group's order, its
 * count is the number of actors, and a rebuild gives the first
 * {@code capacity} actors.
 */
class TopActorsTest {

    /** Every actor of a group and its newest live event: what {@code actors} state gives. */
    static final class Model {
        final Map<Long, Long> newest = new HashMap<>();

        /** The group's order: newest first, ties by actor id descending, as [actor, ts] pairs. */
        List<long[]> order() {
            List<long[]> all = new ArrayList<>();
            newest.forEach((a, t) -> all.add(new long[] {a, t}));
            all.sort((x, y) -> TopActors.before(x[1], x[0], y[1], y[0]) ? -1
                    : TopActors.before(y[1], y[0], x[1], x[0]) ? 1 : 0);
            return all;
        }

        /** As MapState.entries() gives them: actor -> live events (only the first, the newest, is read). */
        List<Map.Entry<Long, long[]>> entries() {
            List<Map.Entry<Long, long[]>> out = new ArrayList<>();
            newest.forEach((a, t) -> out.add(new SimpleEntry<>(a, new long[] {t, t - 1})));
            return out;
        }

        /** Applies a change to the model and the same change to the buffer. */
        void set(TopActors b, long actor, Long ts) {
            Long before = newest.get(actor);
            if (ts == null) {
                newest.remove(actor);
            } else {
                newest.put(actor, ts);
            }
            b.move(actor, before != null, ts != null, ts != null ? ts : 0L);
        }
    }

    static void assertPrefix(TopActors b, Model m) {
        List<long[]> order = m.order();
        assertThat(b.count).isEqualTo(order.size());
        assertThat(b.n).isBetween(0, Math.min(b.capacity, order.size()));
        for (int i = 0; i < b.n; i++) {
            assertThat(new long[] {b.ids[i], b.ts[i]}).as("buffer[%d] of %d", i, b.n).containsExactly(order.get(i));
        }
    }

    @Test
    void orderIsNewestFirstThenActorIdDescending() {
        assertThat(TopActors.before(20, 1, 10, 9)).isTrue();
        assertThat(TopActors.before(10, 9, 20, 1)).isFalse();
        assertThat(TopActors.before(10, 9, 10, 1)).isTrue();
        assertThat(TopActors.before(10, 1, 10, 9)).isFalse();
        assertThat(TopActors.before(10, 5, 10, 5)).isFalse();
    }

    @Test
    void insertsKeepOrderAndDropPastCapacity() {
        TopActors b = new TopActors(3);
        Model m = new Model();
        m.set(b, 1, 100L);
        m.set(b, 2, 300L);
        m.set(b, 3, 200L);
        m.set(b, 4, 50L); // after the last of a full buffer that held every actor: dropped
        m.set(b, 5, 400L);
        assertThat(b.count).isEqualTo(5);
        assertThat(Arrays.copyOf(b.ids, b.n)).containsExactly(5, 2, 3);
        assertPrefix(b, m);
    }

    @Test
    void aMoveThatMayLeaveThePrefixShrinksTheBuffer() {
        TopActors b = new TopActors(3);
        Model m = new Model();
        for (long a = 1; a <= 5; a++) {
            m.set(b, a, 100L * a); // buffer: 5, 4, 3 of 5 actors
        }
        m.set(b, 4, 10L); // 4 falls behind the buffer's last: not put back
        assertThat(Arrays.copyOf(b.ids, b.n)).containsExactly(5, 3);
        assertThat(b.needsRebuild(3)).isTrue();
        assertThat(b.needsRebuild(2)).isFalse();
        assertPrefix(b, m);
        m.set(b, 5, null); // an undo of the newest
        assertThat(Arrays.copyOf(b.ids, b.n)).containsExactly(3);
        assertThat(b.count).isEqualTo(4);
        assertPrefix(b, m);
        b.rebuild(m.entries());
        assertThat(Arrays.copyOf(b.ids, b.n)).containsExactly(3, 2, 1);
        assertPrefix(b, m);
    }

    @Test
    void aBufferHoldingEveryActorNeverNeedsARebuild() {
        TopActors b = new TopActors(8);
        Model m = new Model();
        Random r = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            long actor = 1 + r.nextInt(6); // never more actors than the capacity
            m.set(b, actor, r.nextInt(4) == 0 ? null : (Long) (long) r.nextInt(50));
            assertPrefix(b, m);
            assertThat(b.n).isEqualTo(b.count);
            assertThat(b.needsRebuild(8)).isFalse();
        }
    }

    /** Random changes, rebuilding when the caller would: always a prefix, never shorter than shown after. */
    @Test
    void randomChangesKeepAPrefix() {
        Random r = new Random(42);
        for (int round = 0; round < 50; round++) {
            int capacity = 1 + r.nextInt(8);
            int shown = 1 + r.nextInt(capacity);
            TopActors b = new TopActors(capacity);
            Model m = new Model();
            for (int i = 0; i < 400; i++) {
                long actor = 1 + r.nextInt(20);
                Long ts = r.nextInt(3) == 0 ? null : (Long) (long) r.nextInt(100);
                m.set(b, actor, ts);
                assertPrefix(b, m);
                if (b.needsRebuild(shown)) {
                    b.rebuild(m.entries());
                    assertThat(b.n).isEqualTo(Math.min(capacity, b.count));
                    assertPrefix(b, m);
                }
                assertThat(b.n).isGreaterThanOrEqualTo(Math.min(shown, b.count));
            }
        }
    }

    @Test
    void storedFormRoundTripsAndIsCutToCapacity() {
        TopActors b = new TopActors(4);
        Model m = new Model();
        for (long a = 1; a <= 6; a++) {
            m.set(b, a, 10L * a);
        }
        long[] stored = b.toArray();
        assertThat(stored).containsExactly(6, 6, 60, 5, 50, 4, 40, 3, 30);
        TopActors same = TopActors.of(stored, 4);
        assertThat(same.toArray()).containsExactly(stored);
        TopActors cut = TopActors.of(stored, 2); // a prefix stays one if cut
        assertThat(cut.toArray()).containsExactly(6, 6, 60, 5, 50);
        assertThat(new TopActors(4).toArray()).containsExactly(0);
    }

    @Test
    void rebuildRefusesActorsOutOfStepWithTheCount() {
        TopActors b = new TopActors(4);
        Model m = new Model();
        m.set(b, 1, 10L);
        m.set(b, 2, 20L);
        m.newest.put(3L, 30L); // an actor the buffer was never told of
        assertThatThrownBy(() -> b.rebuild(m.entries())).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3 actors, count 2");
    }
}
