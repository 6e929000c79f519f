-- marker_set.lua: the API's cache of a home read marker
-- (api/src/read/marker_cache.h). KEYS[1] feed:marker:home:<uid>; ARGV[1]
-- the marker as "<ts_us> <id>", or "-" for none yet; ARGV[2] the expiry
-- (ms). Like the stored marker (PostgreSQL, which only moves forward) the
-- cached one only moves forward: the value is set when the key is absent
-- or holds a position not newer than ARGV[1], so a fill that read an
-- older row, or two PUTs answered out of order, never move it back.
-- Order as the feed's: ts_us, then the id's bytes (compared byte by byte
-- here: Lua's '<' on strings follows the server's collation locale).
-- Returns 1 when set, 0 when the cached position is newer.
local function newer(a, b) -- is position a newer than position b?
  if b == '-' then return a ~= '-' end
  if a == '-' then return false end
  local ats, aid = string.match(a, '^(%d+) (.*)$')
  local bts, bid = string.match(b, '^(%d+) (.*)$')
  if ats == nil or bts == nil then return bts == nil end -- a malformed cached value yields
  if #ats ~= #bts then return #ats > #bts end -- digits, no leading zeros
  if ats ~= bts then
    for i = 1, #ats do
      local x, y = string.byte(ats, i), string.byte(bts, i)
      if x ~= y then return x > y end
    end
  end
  local n = math.min(#aid, #bid)
  for i = 1, n do
    local x, y = string.byte(aid, i), string.byte(bid, i)
    if x ~= y then return x > y end
  end
  return #aid > #bid
end
local cur = redis.call('GET', KEYS[1])
if cur and newer(cur, ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
