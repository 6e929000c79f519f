-- feed_head_abort.lua: the API's abort of a failed fill
-- (api/src/read/feed_head.h). KEYS[1] the head; ARGV[1] the placeholder.
-- Deletes the head only while it still holds our placeholder.
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then redis.call('DEL', KEYS[1]) return 1 end
return 0
