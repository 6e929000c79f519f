-- 001: the core tables: users, follows, posts, comments, likes.
--
-- PostgreSQL is the source of truth; Debezium captures these tables from
-- the WAL (publication feed_pub, see 002) and the Flink job derives every
-- feed from the change stream.
--
-- Every activity row carries the user it belongs to (the actor) and, where
-- the activity is aimed at someone, that user too (post_author_id on
-- comments and likes). The job can then route an event, and undo it,
-- from the row alone, whatever order events arrive in. A composite foreign
-- key keeps post_author_id honest.

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  handle        text        NOT NULL,
  display_name  text        NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_handle_key UNIQUE (handle),
  CONSTRAINT users_handle_format CHECK (handle ~ '^[a-z0-9_]{1,32}$'),
  CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 64)
);

-- FOLLOW: follower_id follows followee_id. The pair is the key, so a
-- duplicate follow is refused by the database itself.
CREATE TABLE follows (
  id           bigint GENERATED ALWAYS AS IDENTITY,
  follower_id  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  followee_id  bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (follower_id, followee_id),
  CONSTRAINT follows_id_key UNIQUE (id),
  CONSTRAINT follows_not_self CHECK (follower_id <> followee_id)
);
-- "who follows U": the followers list and the fan-out oracle.
CREATE INDEX follows_followee_idx ON follows (followee_id, follower_id);

-- SHARD: a post.
CREATE TABLE posts (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author_id   bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  body        text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT posts_id_author_key UNIQUE (id, author_id),
  CONSTRAINT posts_body_length CHECK (char_length(body) BETWEEN 1 AND 5000)
);
CREATE INDEX posts_author_idx ON posts (author_id, id DESC);

-- COMMENT on a post. Deleting the post deletes its comments.
CREATE TABLE comments (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id         bigint      NOT NULL,
  post_author_id  bigint      NOT NULL,
  author_id       bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  body            text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (post_id, post_author_id) REFERENCES posts (id, author_id) ON DELETE CASCADE,
  CONSTRAINT comments_body_length CHECK (char_length(body) BETWEEN 1 AND 2000)
);
CREATE INDEX comments_post_idx ON comments (post_id, id);
CREATE INDEX comments_author_idx ON comments (author_id, id DESC);

-- LIKE of a post; one per user and post.
CREATE TABLE likes (
  id              bigint GENERATED ALWAYS AS IDENTITY,
  user_id         bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  post_id         bigint      NOT NULL,
  post_author_id  bigint      NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, post_id),
  CONSTRAINT likes_id_key UNIQUE (id),
  FOREIGN KEY (post_id, post_author_id) REFERENCES posts (id, author_id) ON DELETE CASCADE
);
CREATE INDEX likes_post_idx ON likes (post_id);
CREATE INDEX likes_user_idx ON likes (user_id, id DESC);
