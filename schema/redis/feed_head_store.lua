-- feed_head_store.lua: the API's fenced store of a fill
-- (api/src/read/feed_head.h). KEYS[1] the head; ARGV: placeholder,
-- complete (1: add ~end), window, TTL ms, then score member pairs.
-- Stores only while the placeholder is still there; returns 1 if stored.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local i = 5
while i <= #ARGV do
  local last = math.min(i + 199, #ARGV)
  redis.call('ZADD', KEYS[1], unpack(ARGV, i, last))
  i = last + 1
end
redis.call('ZREM', KEYS[1], ARGV[1])
if ARGV[2] == '1' then redis.call('ZADD', KEYS[1], -1, '~end') end
local n = redis.call('ZCARD', KEYS[1])
local w = tonumber(ARGV[3])
if n > w then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - w - 1) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
