-- tools/feedcheck/bench/gen.sql: a synthetic history for timing feedcheck.
--
-- Run with psql -v schema=fc_bench -v users=200000 -f gen.sql. It makes
-- its own schema (never public: the change stream must not see it), the
-- tables of schema/sql/001_core.sql in it, and fills them:
--   users    :users
--   follows  per user 1 + Exp(mean 4) draws, followee ~ N * U^3 (a
--            power law: low ids are the hot accounts), duplicates dropped
--   posts    one per user on average, author ~ N * U^1.5 (hot accounts post
--            more: some dozens each, so a small --backfill bites)
--   likes    half a like, comments 0.3 of a comment per user, on random posts
-- all over 20 days of created_at. Reproducible with setseed.
\set ON_ERROR_STOP on
SELECT setseed(0.42);
DROP SCHEMA IF EXISTS :schema CASCADE;
CREATE SCHEMA :schema;
SET search_path = :schema;
\ir ../../../schema/sql/001_core.sql

INSERT INTO users (id, handle, display_name) OVERRIDING SYSTEM VALUE
SELECT g, 'u' || g, 'User ' || g FROM generate_series(1, :users) g;

INSERT INTO follows (follower_id, followee_id, created_at)
SELECT u, e, ts FROM (
  SELECT u, 1 + floor(:users * power(random(), 3))::bigint AS e,
         timestamptz '2026-11-01 00:00:00+00' + random() * interval '20 days' AS ts
  FROM generate_series(1, :users) u
  CROSS JOIN LATERAL generate_series(1, 1 + floor(-ln(1 - random()) * 4 + u * 0)::int) k
) s
WHERE u <> e
ON CONFLICT DO NOTHING;

INSERT INTO posts (author_id, body, created_at)
SELECT 1 + floor(:users * power(random(), 1.5))::bigint, 'post body number ' || g,
       timestamptz '2026-11-01 00:00:00+00' + random() * interval '20 days'
FROM generate_series(1, :users) g;

INSERT INTO likes (user_id, post_id, post_author_id, created_at)
SELECT r.u, p.id, p.author_id, p.created_at + random() * interval '2 days'
FROM (SELECT 1 + floor(:users * random())::bigint AS u, 1 + floor(:users * random())::bigint AS pid
      FROM generate_series(1, :users / 2)) r
JOIN posts p ON p.id = r.pid
ON CONFLICT DO NOTHING;

INSERT INTO comments (post_id, post_author_id, author_id, body, created_at)
SELECT p.id, p.author_id, r.u, 'a comment', p.created_at + random() * interval '2 days'
FROM (SELECT 1 + floor(:users * random())::bigint AS u, 1 + floor(:users * random())::bigint AS pid
      FROM generate_series(1, :users * 3 / 10)) r
JOIN posts p ON p.id = r.pid;

ANALYZE users, follows, posts, likes, comments;
SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM follows) AS follows,
       (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM likes) AS likes,
       (SELECT count(*) FROM comments) AS comments,
       (SELECT max(c) FROM (SELECT count(*) c FROM follows GROUP BY followee_id) x) AS max_followers;
