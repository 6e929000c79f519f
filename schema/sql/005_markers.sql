-- 005: read markers, Mastodon's model: per user and timeline, the feed
-- position the user has seen up to (api/README.md "Markers"). A position
-- is a feed position (ts_us, item id), the one a cursor of that feed
-- holds; item ids compare as bytes, as in the feeds (COLLATE "C").
-- Not captured (the publication names its tables): nothing downstream
-- needs markers.

CREATE TABLE markers (
  user_id    bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  timeline   text        NOT NULL CHECK (timeline IN ('home', 'notifications')),
  ts_us      bigint      NOT NULL CHECK (ts_us >= 0),
  item_id    text        COLLATE "C" NOT NULL CHECK (length(item_id) BETWEEN 1 AND 64),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, timeline)
);
