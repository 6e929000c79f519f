-- feed_live_open.lua: a stream's start, and its heartbeat (the API's
-- api/src/stream/feed_stream.c). KEYS[1] the user's live key
-- (feed:live:<uid>), KEYS[2] the user's event log (feed:log:<uid>); ARGV:
-- the resume window in ms, the log entry id to resume after ("" for
-- none), how many entries of history to return (0: none, the heartbeat).
-- Sets the live key for the window (the job logs the user's events while
-- it exists) and gives the log the same expiry. Returns {found, history,
-- sources}: found 1 when the resume entry is still in the log (the log is
-- trimmed from its oldest end only, so then every entry after it is
-- there too); history the entries up to and including it (up to the
-- newest when there is none or it is gone), newest first, at most
-- ARGV[3]; sources as below (1 for a stream other than home).
--
-- A home stream also keeps its hot followees' events coming into the
-- log (docs/DATA-MODEL.md "Hot accounts: live"): KEYS[3] the user's merge
-- sources' generation (feed:hotf:gen:<uid>), KEYS[4..] the live-follower
-- set (feed:livef:<V>) of each merge source V; ARGV[4] the generation the
-- stream read its sources at ('0' for none), ARGV[5] the user id. Then:
--   sources 0: the generation moved since (the sources changed): nothing
--     is done, the stream reads its sources again (or ends, if live);
--   else the user joins every set (given the window as expiry), and the
--     live key's value says since which log entry the log holds every
--     event of these sources: "<generation> <entry>". It stays while the
--     generation is the same and the user was in every set already;
--     otherwise a new entry (no field e) is appended and becomes it
--     (sources 2: the log lacks some hot events before it). found is 0
--     for a resume entry before it: the stream reads by position. With
--     no source at all the entry is 0-0: nothing can be missing.
-- A stream other than home leaves the value as it is (or sets '-').
local window = ARGV[1]
local sources = 1
local since = nil
if ARGV[4] ~= nil and ARGV[4] ~= '' then
  local gen = redis.call('GET', KEYS[3]) or '0'
  if gen ~= ARGV[4] then
    return {0, {}, 0}
  end
  local prev = redis.call('GET', KEYS[1])
  if prev then
    local g, e = string.match(prev, '^(%S+) (%d+%-%d+)$')
    if g == gen then
      since = e
    end
  end
  for i = 4, #KEYS do
    if redis.call('SADD', KEYS[i], ARGV[5]) == 1 then
      since = nil
    end
    redis.call('PEXPIRE', KEYS[i], window)
  end
  if #KEYS == 3 then
    since = '0-0' -- no hot followee: nothing can be missing
  elseif since == nil then
    since = redis.call('XADD', KEYS[2], 'MAXLEN', '~', '2000', '*', 's', gen)
    sources = 2
  end
  redis.call('SET', KEYS[1], gen .. ' ' .. since, 'PX', window)
elseif redis.call('PEXPIRE', KEYS[1], window) == 0 then
  redis.call('SET', KEYS[1], '-', 'PX', window)
end
redis.call('PEXPIRE', KEYS[2], window)
local found = 0
local top = '+'
if ARGV[2] ~= '' and #redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2]) > 0 then
  found = 1
  top = ARGV[2]
  if since ~= nil then
    local rm, rs = string.match(ARGV[2], '^(%d+)-(%d+)$')
    local sm, ss = string.match(since, '^(%d+)-(%d+)$')
    rm, rs, sm, ss = tonumber(rm), tonumber(rs), tonumber(sm), tonumber(ss)
    if rm < sm or (rm == sm and rs < ss) then
      found = 0
      top = '+'
    end
  end
end
local history = {}
if tonumber(ARGV[3]) > 0 then
  history = redis.call('XREVRANGE', KEYS[2], top, '-', 'COUNT', ARGV[3])
end
return {found, history, sources}
