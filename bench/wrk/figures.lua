-- bench/wrk/figures.lua: what every wrk run of bench/run shares: the
-- figures of a run as FIGURE/SERIES lines (bench/bench_report.h) from
-- wrk's own latency histogram, and a list of requests to pick from.
--
-- Environment: BENCH_FIGURE the figures' prefix (e.g. read.hot);
-- BENCH_SERIES the latency distribution's series name (e.g. lat.hot,
-- optional); BENCH_UNIT the rate's unit (pages/s).
local M = {}

function M.done(summary, latency, requests)
  local prefix = os.getenv("BENCH_FIGURE") or "wrk"
  local series = os.getenv("BENCH_SERIES")
  if series == "" then series = nil end
  local unit = os.getenv("BENCH_UNIT") or "requests/s"
  local secs = summary.duration / 1e6
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("FIGURE %s.rps %.1f %s\n", prefix, summary.requests / secs, unit))
  io.write(string.format("FIGURE %s.p50_ms %.3f ms\n", prefix, latency:percentile(50) / 1000))
  io.write(string.format("FIGURE %s.p99_ms %.3f ms\n", prefix, latency:percentile(99) / 1000))
  io.write(string.format("FIGURE %s.p999_ms %.3f ms\n", prefix, latency:percentile(99.9) / 1000))
  io.write(string.format("FIGURE %s.errors %d requests\n", prefix, errors))
  if series then
    for p = 1, 99 do
      io.write(string.format("SERIES %s %d %.3f\n", series, p, latency:percentile(p) / 1000))
    end
    for _, p in ipairs({99.5, 99.9, 99.99}) do
      io.write(string.format("SERIES %s %.2f %.3f\n", series, p, latency:percentile(p) / 1000))
    end
  end
end

return M
