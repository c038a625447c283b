-- wrk script of `cargo xtask bench` for c15t's backend: one new consent per request
-- (`POST /subjects`). c15t derives a consent's id from the subject, domain, policy and time and
-- answers a repeated body with the stored record, so each request names a new subject; its ids
-- are `sub_` and base58. The figures line is the one bench/wrk-consent.lua prints.
local B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
local threads = {}
local next_id = 0

local function b58(n)
  if n == 0 then return "1" end
  local s = ""
  while n > 0 do
    local r = n % 58
    s = B58:sub(r + 1, r + 1) .. s
    n = (n - r) / 58
  end
  return s
end

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  -- The run's name keeps the subjects of the warm-up and the measured run apart.
  prefix = "sub_" .. (args[1] or "run"):gsub("[^1-9A-HJ-NP-Za-km-z]", "") .. "x" .. b58(tid + 1) .. "x"
  n = 0
end

function request()
  n = n + 1
  local body = '{"type":"cookie_banner","subjectId":"' .. prefix .. b58(n) ..
    '","domain":"shop.example","preferences":{"necessary":true,"measurement":false,"marketing":true},' ..
    '"givenAt":1735689600000}'
  return wrk.format("POST", "/subjects", { ["content-type"] = "application/json" }, body)
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
