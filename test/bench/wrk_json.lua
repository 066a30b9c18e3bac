-- wrk script of test/bench/http_bench.sh: prints ONE JSON line at the end
-- (requests/s, latency percentiles in ms, errors). From the environment:
--   WRK_METHOD   GET (default) or POST
--   WRK_BODY     a POST body; "%d" in it is replaced per request by a
--                counter (unique message ids: a task per request)
--   WRK_HEADERS  "Name: value|Name: value"
--   WRK_EXPECT   a substring every answer body must contain (counted as
--                "unexpected" when missing; the request still counts in
--                requests/s, so check unexpected == 0)
local method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
local expect = os.getenv("WRK_EXPECT")
local headers = {}
for h in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^|]+") do
  local k, v = string.match(h, "^%s*([^:]+):%s*(.*)$")
  if k then headers[k] = v end
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

local n = 0
unexpected = 0
function request()
  n = n + 1
  local b = nil
  if body then b = string.gsub(body, "%%d", id .. "-" .. n) end
  return wrk.format(method, nil, headers, b)
end

if expect then
  function response(status, hdrs, resp)
    if status ~= 200 or not string.find(resp, expect, 1, true) then
      unexpected = unexpected + 1
    end
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + (t:get("unexpected") or 0) end
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p90_ms":%.3f,"p99_ms":%.3f,"max_ms":%.3f,' ..
    '"bytes":%d,"non_2xx":%d,"socket_errors":%d,"unexpected":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout, bad))
end
