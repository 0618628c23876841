-- Each request a new prospect: unique phone numbers across threads and connections.
local counter = 0
-- Through a promoter's link when BENCH_LINK names its code.
local code = os.getenv("BENCH_LINK") or ""
local link = code ~= "" and ("&ref=" .. code) or ""
local thread_id = 0
function setup(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end
function init(args)
  counter = 0
end
function request()
  counter = counter + 1
  local phone = string.format("13%d%08d", 5 + id, counter)
  local body = "name=%E5%8E%8B%E6%B5%8B&consent=1&demand_tags=%E5%88%9A%E9%9C%80%E8%A3%85%E4%BF%AE" .. link .. "&phone=" .. phone
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  if code ~= "" then
    -- As a prospect who came through the link: its redirect's cookies (link, channel, visitor).
    headers["Cookie"] = string.format("ah_ref=%s; ah_ch=moments; ah_vid=b%d-%d", code, id, counter)
  end
  return wrk.format("POST", "/c/winter-home/lead", headers, body)
end
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("WRK requests=%d non3xx=%d errors=%d duration_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, errors, summary.duration, latency:percentile(99)))
end
