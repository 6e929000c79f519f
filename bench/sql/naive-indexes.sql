-- bench/sql/naive-indexes.sql: the indexes a competent team would add
-- for the naive home feed (feed-api --home-source=sql, api/src/handlers/
-- home_sql.h): each activity table by (actor, created_at DESC), so that
-- "the newest activities of these users" is an index scan per user, and
-- follows by (follower_id, created_at DESC) for the FOLLOW activities.
-- "Who does U follow" is follows' primary key (follower_id, followee_id).
--
-- Bench-only: bench/run applies it after bench-datagen's load (it is not
-- a schema/sql migration, because the product never runs that query).
-- Idempotent; `bench/run` drops nothing afterwards: the data set is the
-- benchmark's own.
CREATE INDEX IF NOT EXISTS bench_posts_author_created_idx ON posts (author_id, created_at DESC);
CREATE INDEX IF NOT EXISTS bench_comments_author_created_idx ON comments (author_id, created_at DESC);
CREATE INDEX IF NOT EXISTS bench_likes_user_created_idx ON likes (user_id, created_at DESC);
CREATE INDEX IF NOT EXISTS bench_follows_follower_created_idx ON follows (follower_id, created_at DESC);
ANALYZE posts, comments, likes, follows;
