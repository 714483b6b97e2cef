-- One request shape for bench/run.py. The method and JSON body come from the
-- environment (BENCH_METHOD, BENCH_BODY), headers from wrk's -H; done()
-- prints one line of JSON that run.py reads.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\": %d, \"duration_us\": %d, \"non_2xx\": %d, " ..
    "\"connect_errors\": %d, \"read_errors\": %d, \"write_errors\": %d, " ..
    "\"timeouts\": %d, \"p50_us\": %d, \"p99_us\": %d}\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
