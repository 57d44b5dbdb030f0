-- Shared by every wrk script: a distinct random seed per thread (`seed`), and one machine-readable
-- line with the figures bench/ingest.py reads.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"failed":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
