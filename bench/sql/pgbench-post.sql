-- bench/sql/pgbench-post.sql: pgbench's side of the write path (bench/run,
-- part "write"): the very statement feed-api runs for POST /v1/posts
-- without an Idempotency-Key (api/src/handlers/posts.c POSTS_INSERT, the
-- RSQL_CREATE of resource_sql.h: the INSERT and its JSON answer, made by
-- PostgreSQL), one per transaction as the API sends it (BEGIN/COMMIT
-- around it: store_call with tx). The author is -D author=<id>.
\set n random(1, 1000000000)
BEGIN;
WITH w AS (INSERT INTO posts (author_id, body) VALUES (:author, 'pgbench post ' || :n) RETURNING *),
a AS (SELECT (SELECT '{"post":' || row_to_json(r)::text || '}' FROM (SELECT w.id AS id, 'p:' || w.id AS activity_id,
  w.author_id AS author_id, w.body AS body,
  to_char(w.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
  (extract(epoch FROM w.created_at) * 1000000)::bigint AS ts_us FROM w) r) AS body FROM w)
SELECT body FROM a;
COMMIT;
