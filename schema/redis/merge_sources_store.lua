-- merge_sources_store.lua: the API's fenced store of a reader's merge
-- sources (api/src/read/merge_sources.h). KEYS[1] feed:hotf:<uid>,
-- KEYS[2] feed:hotf:gen:<uid>; ARGV: the generation read before the
-- Cassandra read ('0' when there was none), the text, the expiry (ms).
-- Stores only while the generation is unchanged: the job bumps it (then
-- deletes KEYS[1]) after every change of the reader's sources.
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
