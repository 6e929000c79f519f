-- 006: what a notifications marker had below it when it was set
-- (api/src/read/notif_seen.h). A group's position is (window start, group
-- id), so a group that appears after the marker can sort below it, in
-- the marker's hour; a PUT records the seen range (seen_lower_ts,
-- seen_lower_id] .. the marker and the ids of the groups it held then, so
-- that a group not among them counts as unseen wherever it sorts. NULL:
-- no range (home markers, and notification markers set before this
-- migration: counted by position alone until their next PUT).

ALTER TABLE markers
  ADD COLUMN seen_lower_ts bigint,
  ADD COLUMN seen_lower_id text COLLATE "C" CHECK (length(seen_lower_id) <= 64),
  ADD COLUMN seen_ids      text[] COLLATE "C" CHECK (cardinality(seen_ids) <= 1000);
