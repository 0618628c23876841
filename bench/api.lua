-- Deal pushes through the JSON API with an API key: each request one new order (unique order
-- numbers across threads and connections), money in fen.
local counter = 0
local key = os.getenv("BENCH_KEY")
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
  local body = string.format('[{"order_no":"B-%d-%d","customer_phone":"139%08d","amount_fen":%d,"currency":"CNY","signed_on":"2026-11-05"}]',
    id, counter, (id * 10000000 + counter) % 100000000, 10000 + counter)
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. key}
  return wrk.format("POST", "/api/v1/deals", headers, body)
end
function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("WRK requests=%d non2xx=%d errors=%d duration_us=%d p99_us=%d\n",
    summary.requests, summary.errors.status, errors, summary.duration, latency:percentile(99)))
end
