-- wrk script of `cargo xtask bench`: one new consent per request (a new address and client
-- address each time, so neither idempotency nor per-client limits short-circuit the work).
-- The first argument names the run; the configuration version and hash follow.
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  run = args[1] or "run"
  version = args[2] or "1"
  hash = args[3] or ""
  path = args[4] or "/"
  n = 0
end

function request()
  n = n + 1
  local email = string.format("wrk-%s-%d-%d@example.fr", run, tid, n)
  local body = string.format(
    '{"email":"%s","config_version":%s,"config_hash":"%s","choices":[{"content_type":"special_offers","channel":"email","granted":true},{"content_type":"product_guides","channel":"email","granted":false}]}',
    email, version, hash)
  local ip = string.format("10.%d.%d.%d", tid % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", path, { ["content-type"] = "application/json", ["x-forwarded-for"] = ip }, body)
end

function done(summary, latency, requests)
  local sent = 0
  for _, t in ipairs(threads) do sent = sent + (t:get("n") or 0) end
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"status_errors":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"per_thread":%d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, sent))
end
