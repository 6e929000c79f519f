-- 002: change capture. Debezium reads these tables through a publication
-- we own (the connector runs with publication.autocreate.mode=disabled).
--
-- REPLICA IDENTITY FULL: a DELETE then carries the whole old row, so the
-- job knows whose feeds the undone activity reached (a comment's post and
-- author, a like's post author) without a lookup. It costs a larger WAL
-- record per delete and update, which these narrow tables can afford.

ALTER TABLE users    REPLICA IDENTITY FULL;
ALTER TABLE follows  REPLICA IDENTITY FULL;
ALTER TABLE posts    REPLICA IDENTITY FULL;
ALTER TABLE comments REPLICA IDENTITY FULL;
ALTER TABLE likes    REPLICA IDENTITY FULL;

CREATE PUBLICATION feed_pub FOR TABLE users, follows, posts, comments, likes;
