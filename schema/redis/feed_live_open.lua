-- feed_live_open.lua: a stream's start, and its heartbeat (the API's
-- api/src/stream/feed_stream.c). KEYS[1] the user's live key
-- (feed:live:<uid>), KEYS[2] the user's event log (feed:log:<uid>); ARGV:
-- the resume window in ms, the log entry id to resume after ("" for
-- none), how many entries of history to return (0: none, the heartbeat).
-- Sets the live key for the window (the job logs the user's events while
-- it exists) and gives the log the same expiry. Returns {found, history}:
-- found 1 when the resume entry is still in the log (the log is trimmed
-- from its oldest end only, so then every entry after it is there too);
-- history the entries up to and including it (up to the newest when
-- there is none or it is gone), newest first, at most ARGV[3].
redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
local found = 0
local top = '+'
if ARGV[2] ~= '' and #redis.call('XRANGE', KEYS[2], ARGV[2], ARGV[2]) > 0 then
  found = 1
  top = ARGV[2]
end
local history = {}
if tonumber(ARGV[3]) > 0 then
  history = redis.call('XREVRANGE', KEYS[2], top, '-', 'COUNT', ARGV[3])
end
return {found, history}
