-- feed_head_read.lua: the API's read of a cached feed head
-- (api/src/read/feed_head.h). KEYS[1] the head; ARGV: has cursor (0/1),
-- cursor score, count, TTL ms, fill placeholder, fill lock ms, ties + 1,
-- body key prefix ('' for none). Returns {0} (placeholder placed: fill),
-- {1} (a fill is running), or {2 (items) | 3 (~end: all of it), lower,
-- ties[, bodies]}.
local low = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #low == 0 then
  redis.call('ZADD', KEYS[1], -1, ARGV[5])
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  return {0}
end
if string.sub(low[1], 1, 6) == '~fill:' then return {1} end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local state = 2
if low[1] == '~end' then state = 3 end
local lower, ties
if ARGV[1] == '0' then
  lower = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', '0', 'WITHSCORES', 'LIMIT', 0, ARGV[3])
  ties = {}
else
  lower = redis.call('ZREVRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '0', 'WITHSCORES', 'LIMIT', 0, ARGV[3])
  ties = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[2], 'LIMIT', 0, ARGV[7])
end
if ARGV[8] == '' then return {state, lower, ties} end
local keys = {}
for i = 1, #lower, 2 do keys[#keys + 1] = ARGV[8] .. lower[i] end
for i = 1, #ties do keys[#keys + 1] = ARGV[8] .. ties[i] end
local bodies = {}
if #keys > 0 then bodies = redis.call('MGET', unpack(keys)) end
return {state, lower, ties, bodies}
