-- Verify API: POST each SC1 string of the file in CREDENTIALS (one per line), round robin.
local bodies, n = {}, 0
for line in io.lines(os.getenv("CREDENTIALS")) do
  bodies[#bodies + 1] = '{"payload": "' .. line .. '"}'
end
request = function()
  n = n + 1
  return wrk.format("POST", "/api/v1/verify", {["Content-Type"] = "application/json"},
                    bodies[(n % #bodies) + 1])
end
-- PACE_MS > 0: each connection waits on average that long before its next request, for a
-- paced load (bench/query.py sets it from the target rate, corrected by the latency it
-- measured). The wait is drawn uniformly from [0, 2 x PACE_MS] so that the connections do not
-- fire in lockstep bursts, which no real crowd of users does.
local pace = tonumber(os.getenv("PACE_MS") or "0")
if pace > 0 then
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
  delay = function() return math.random(0, 2 * pace) end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"socket_errors": %d, "non_2xx": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
