-- bench/wrk/post.lua: POST /v1/posts as one author (bench/run, part
-- "write"). BENCH_TOKEN the author's token; BENCH_IDEMPOTENCY=1 sends a
-- fresh Idempotency-Key with every request (each a new write, never a
-- replay).
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local figures = require("figures")
local token = os.getenv("BENCH_TOKEN")
local idem = os.getenv("BENCH_IDEMPOTENCY") == "1"
local n, tag = 0, ""

function init(args)
  tag = string.format("%d-%s", os.time(), tostring({}):match("0x(%x+)") or "0")
end

function request()
  n = n + 1
  local headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  if idem then
    headers["Idempotency-Key"] = string.format("bench-%s-%d", tag, n)
  end
  return wrk.format("POST", "/v1/posts", headers, string.format('{"body":"benchmark post %d"}', n))
end

done = figures.done
