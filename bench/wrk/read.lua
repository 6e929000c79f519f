-- bench/wrk/read.lua: GET home-feed pages of random users from a list
-- (bench/run, parts "read" and "growth"). BENCH_REQUESTS_FILE holds one
-- "<path> <token>" line per user; each request picks one at random.
package.path = (os.getenv("BENCH_LUA_DIR") or "bench/wrk") .. "/?.lua;" .. package.path
local figures = require("figures")
local reqs = {}

function init(args)
  for line in io.lines(os.getenv("BENCH_REQUESTS_FILE")) do
    local path, token = line:match("^(%S+) (%S+)$")
    if path then
      reqs[#reqs + 1] = wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
    end
  end
  math.randomseed(os.time() + tonumber(tostring(reqs):match("0x(%x+)") or "0", 16) % 100000)
end

function request()
  return reqs[math.random(#reqs)]
end

done = figures.done
