-- wrk script: rotate over the paths given in the PATHS environment variable (comma-separated)
-- with the session cookie or token from COOKIE / TOKEN, and print a JSON summary.
local paths = {}
for p in string.gmatch(os.getenv("PATHS") or "/", "([^,]+)") do paths[#paths + 1] = p end
local cookie = os.getenv("COOKIE")
local token = os.getenv("TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local headers = {}
  if cookie then headers["Cookie"] = cookie end
  if token then headers["Authorization"] = "Token " .. token end
  headers["X-Forwarded-Proto"] = "https"
  return wrk.format("GET", paths[(counter % #paths) + 1], headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout
  io.write(string.format('JSON {"requests": %d, "rps": %.1f, "p50_ms": %.1f, "p95_ms": %.1f, "p99_ms": %.1f, "errors": %d}\n',
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
