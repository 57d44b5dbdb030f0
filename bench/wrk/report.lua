-- Shared by every wrk script: a distinct random seed per thread (`seed`), and one machine-readable
-- line with the figures bench/ingest.py reads. A script that counts what the server answered sets the
-- thread globals `recorded` and `duplicates` (batch.lua); they are summed over the threads.
local threads = {}
function setup(thread)
  threads[#threads + 1] = thread
  thread:set("seed", #threads)
end

function done(summary, latency, requests)
  local e = summary.errors
  local recorded, duplicates = 0, 0
  for _, thread in ipairs(threads) do
    recorded = recorded + (thread:get("recorded") or 0)
    duplicates = duplicates + (thread:get("duplicates") or 0)
  end
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"failed":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,' ..
    '"recorded":%d,"duplicates":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), recorded, duplicates))
end
