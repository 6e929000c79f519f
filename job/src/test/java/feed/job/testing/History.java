package feed.job.testing;

import static feed.job.fanout.FeedWrite.Feed.HOME;
import static feed.job.fanout.FeedWrite.Feed.PROFILE;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import feed.job.fanout.Activity;
import feed.job.fanout.FeedWrite;
import feed.job.fanout.Verb;

/** Activities as the router makes them, and random but consistent database histories of them. */
public final class History {

    private History() {
    }

    /** created_at of LSN 0, microseconds; created_at follows the LSN (10 us per LSN unit). */
    public static final long T0 = 1_700_000_000_000_000L;

    // ---- activities as the router makes them; created_at follows the LSN ----

    public static Activity post(long id, long author, long lsn) {
        return new Activity(Verb.SHARD, "p:" + id, author, "p:" + id, Activity.NO_TARGET, T0 + lsn * 10,
                "post " + id, lsn, false);
    }

    public static Activity comment(long id, long author, Activity post, long lsn) {
        return new Activity(Verb.COMMENT, "c:" + id, author, post.objectId,
                author == post.actorId ? Activity.NO_TARGET : post.actorId, T0 + lsn * 10, "comment " + id, lsn, false);
    }

    public static Activity like(long id, long user, Activity post, long lsn) {
        return new Activity(Verb.LIKE, "l:" + id, user, post.objectId,
                user == post.actorId ? Activity.NO_TARGET : post.actorId, T0 + lsn * 10, null, lsn, false);
    }

    public static Activity follow(long id, long follower, long followee, long lsn) {
        return new Activity(Verb.FOLLOW, "f:" + id, follower, "u:" + followee, followee, T0 + lsn * 10, null, lsn,
                false);
    }

    // ---- a random but consistent database history ----

    public static final class Scenario {
        public final List<Activity> events = new ArrayList<>();
        /** Live activities at the end, by id. */
        public final Map<String, Activity> live = new HashMap<>();
        /** Follow edges at the end: follower -> followees. */
        public final Map<Long, Set<Long>> following = new HashMap<>();

        /** The feeds the rules give with a backfill larger than any history. */
        public FeedState oracle() {
            List<FeedWrite> writes = new ArrayList<>();
            for (Activity a : live.values()) {
                writes.add(FeedWrite.insert(PROFILE, a.actorId, a.tsUs, a.id, a.actorId, 1));
                writes.add(FeedWrite.insert(HOME, a.actorId, a.tsUs, a.id, a.actorId, 1));
                following.forEach((u, vs) -> {
                    if (vs.contains(a.actorId)) {
                        writes.add(FeedWrite.insert(HOME, u, a.tsUs, a.id, a.actorId, 1));
                    }
                });
            }
            return FeedState.of(writes);
        }
    }

    /**
     * A history of follows, unfollows, posts, comments, likes and their
     * deletes among {@code users} users, LSNs increasing; a post's delete
     * cascades to its comments and likes first. No pair follows twice.
     */
    public static Scenario scenario(Random rnd, int users, int steps) {
        return scenario(rnd, users, steps, false);
    }

    /**
     * The same; with {@code refollows}, a pair may follow, unfollow and
     * follow again any number of times (each follow a new row and id).
     */
    public static Scenario scenario(Random rnd, int users, int steps, boolean refollows) {
        Scenario sc = new Scenario();
        Map<String, Activity> follows = new HashMap<>(); // "u>v" -> live follow
        Set<String> everFollowed = new HashSet<>();
        Set<String> liked = new HashSet<>();              // "u>post"
        long lsn = 1_000;
        long nextId = 1;
        for (int step = 0; step < steps; step++) {
            lsn += 1 + rnd.nextInt(20);
            long u = 1 + rnd.nextInt(users);
            List<Activity> posts = new ArrayList<>();
            for (Activity a : sc.live.values()) {
                if (a.verb == Verb.SHARD) {
                    posts.add(a);
                }
            }
            posts.sort((x, y) -> x.id.compareTo(y.id));
            int what = rnd.nextInt(10);
            if (what <= 2) { // follow or unfollow
                long v = 1 + rnd.nextInt(users);
                String pair = u + ">" + v;
                if (u == v) {
                    continue;
                }
                Activity live = follows.remove(pair);
                if (live != null) {
                    sc.events.add(live.undo(lsn));
                    sc.live.remove(live.id);
                    sc.following.get(u).remove(v);
                } else if (everFollowed.add(pair) || refollows) {
                    Activity f = follow(nextId++, u, v, lsn);
                    follows.put(pair, f);
                    sc.events.add(f);
                    sc.live.put(f.id, f);
                    sc.following.computeIfAbsent(u, k -> new HashSet<>()).add(v);
                }
            } else if (what <= 4 || posts.isEmpty()) {
                Activity p = post(nextId++, u, lsn);
                sc.events.add(p);
                sc.live.put(p.id, p);
            } else if (what == 5) {
                Activity c = comment(nextId++, u, posts.get(rnd.nextInt(posts.size())), lsn);
                sc.events.add(c);
                sc.live.put(c.id, c);
            } else if (what == 6) {
                Activity p = posts.get(rnd.nextInt(posts.size()));
                if (liked.add(u + ">" + p.id)) {
                    Activity l = like(nextId++, u, p, lsn);
                    sc.events.add(l);
                    sc.live.put(l.id, l);
                }
            } else { // delete something live that is not a follow
                List<Activity> candidates = new ArrayList<>();
                for (Activity a : sc.live.values()) {
                    if (a.verb != Verb.FOLLOW) {
                        candidates.add(a);
                    }
                }
                candidates.sort((x, y) -> x.id.compareTo(y.id));
                Activity a = candidates.get(rnd.nextInt(candidates.size()));
                if (a.verb == Verb.SHARD) { // cascade: comments and likes of the post go first
                    List<Activity> children = new ArrayList<>();
                    for (Activity x : sc.live.values()) {
                        if (x.verb != Verb.SHARD && x.verb != Verb.FOLLOW && x.objectId.equals(a.objectId)) {
                            children.add(x);
                        }
                    }
                    children.sort((x, y) -> x.id.compareTo(y.id));
                    for (Activity x : children) {
                        sc.events.add(x.undo(lsn++));
                        sc.live.remove(x.id);
                    }
                }
                sc.events.add(a.undo(lsn));
                sc.live.remove(a.id);
            }
        }
        return sc;
    }

    // ---- arrival orders the job can see ----

    /**
     * The Kafka stream a change travels in: its table's topic, keyed by the
     * owning user (schema/connect: follows by follower, posts and comments by
     * author, likes by the liker). One stream per (topic, user) is finer than
     * 4 partitions per topic, so every order of real partitions is among these.
     */
    public static String stream(Activity a) {
        return a.verb + ":" + a.actorId;
    }

    /**
     * A random arrival order of {@code events} that keeps each stream's order
     * (as a Kafka partition does) and interleaves the streams arbitrarily, some
     * running far ahead of others.
     */
    public static List<Activity> interleave(List<Activity> events, Random rnd) {
        Map<String, java.util.ArrayDeque<Activity>> streams = new java.util.LinkedHashMap<>();
        for (Activity a : events) {
            streams.computeIfAbsent(stream(a), k -> new java.util.ArrayDeque<>()).add(a);
        }
        List<java.util.ArrayDeque<Activity>> open = new ArrayList<>(streams.values());
        double[] weight = new double[open.size()];
        boolean skewed = rnd.nextBoolean();
        for (int i = 0; i < weight.length; i++) {
            double w = rnd.nextDouble();
            weight[i] = skewed ? w * w * w + 1e-3 : 1.0;
        }
        List<Activity> out = new ArrayList<>(events.size());
        while (out.size() < events.size()) {
            double total = 0;
            for (int i = 0; i < open.size(); i++) {
                if (!open.get(i).isEmpty()) {
                    total += weight[i];
                }
            }
            double pick = rnd.nextDouble() * total;
            for (int i = 0; i < open.size(); i++) {
                if (open.get(i).isEmpty()) {
                    continue;
                }
                pick -= weight[i];
                if (pick <= 0 || i == open.size() - 1) {
                    out.add(open.get(i).poll());
                    break;
                }
            }
        }
        return out;
    }
}
