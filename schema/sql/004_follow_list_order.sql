-- 004: the API lists a user's followers and followees newest follow first,
-- (created_at, id) descending, a page at a time. These indexes give that
-- order directly, so a page of a user with a million followers reads one
-- page of index instead of sorting the whole list.

CREATE INDEX follows_followee_time_idx ON follows (followee_id, created_at DESC, id DESC);
CREATE INDEX follows_follower_time_idx ON follows (follower_id, created_at DESC, id DESC);
