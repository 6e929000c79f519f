-- feed_head_write.lua: the job's write into a cached feed head
-- (job FeedCacheWrite and NotificationCacheWrite; the API's integration
-- tests run it too). KEYS[1] the head; ARGV: op (+ or -), score (ts_us),
-- member, window. A missing head is left alone; an insert lands only if
-- it sorts after the head's oldest member; trimmed to window.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '-' then return redis.call('ZREM', KEYS[1], ARGV[3]) end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local s = tonumber(oldest[2])
local score = tonumber(ARGV[2])
if score < s or (score == s and ARGV[3] < oldest[1]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
local window = tonumber(ARGV[4])
local n = redis.call('ZCARD', KEYS[1])
if n > window then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - window - 1) end
return 1
