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
--
-- A profile event also goes to the user's live followers while the user
-- is hot (docs/DATA-MODEL.md "Hot accounts: live"): KEYS[3] the set of
-- them (feed:livef:<uid>, kept by the API's home streams), ARGV[4] their
-- event ("home:<uid> <op> <ts_us> <id>"), ARGV[5..7] the prefixes of
-- their live keys, logs and channels (feed:live:, feed:log:,
-- feed:events:). Each follower F whose live key exists gets the event in
-- its own log and on its own channel, as above; one whose live key is
-- gone leaves the set. The follower keys are not in KEYS: fine on the one
-- Redis instance the stack runs (docs/CLUSTER.md "Redis").
local id = '-'
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  id = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('PUBLISH', ARGV[1], id .. ' ' .. ARGV[2])
if KEYS[3] then
  for _, f in ipairs(redis.call('SMEMBERS', KEYS[3])) do
    local fttl = redis.call('PTTL', ARGV[5] .. f)
    if fttl > 0 then
      local fid = redis.call('XADD', ARGV[6] .. f, 'MAXLEN', '~', ARGV[3], '*', 'e', ARGV[4])
      redis.call('PEXPIRE', ARGV[6] .. f, fttl)
      redis.call('PUBLISH', ARGV[7] .. f, fid .. ' ' .. ARGV[4])
    else
      redis.call('SREM', KEYS[3], f)
    end
  end
end
return id
