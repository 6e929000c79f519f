-- feed_event_publish.lua: the job's live event of one feed write (job
-- FeedCacheWrite, NotificationCacheWrite), run after the item's Cassandra
-- write was acknowledged, in the pipeline of the head write. KEYS[1] the
-- user's live key (feed:live:<uid>), KEYS[2] the user's event log
-- (feed:log:<uid>); ARGV: the channel (feed:events:<uid>), the event
-- ("<feed> <op> <ts_us> <id>"), the log's approximate length bound.
-- While the live key exists (a stream of the user is connected, or was
-- within its resume window) the event is appended to the log, which is
-- given the live key's expiry (both go at the same instant); then it is
-- published prefixed with the log entry's id, or "-" when not logged.
-- Returns that id. docs/DATA-MODEL.md "Live events".
local id = '-'
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2])
return id
