-- Public certificate query: one GET per sample holder, round robin from the file in SAMPLE.
local holders, n = {}, 0
local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end
for line in io.lines(os.getenv("SAMPLE")) do
  local id, name = line:match("^([^,]+),(.+)$")
  if id and id ~= "id_number" then
    holders[#holders + 1] = "/api/v1/certificates?id_number=" .. id .. "&name=" .. urlencode(name)
  end
end
local bad = 0
request = function()
  n = n + 1
  return wrk.format("GET", holders[(n % #holders) + 1])
end
response = function(status) if status ~= 200 then bad = bad + 1 end end
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
