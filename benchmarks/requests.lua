-- wrk script: cycles through pre-signed Slack requests read from a file (one per line:
-- timestamp, signature and form body, separated by tabs), counts answers that are not what
-- the request should get, and prints the figures as one JSON line.
-- Arguments: the requests file, and the text every answer must contain ("" for an empty body).

local prepared, count, index = {}, 0, 0
local expected = ""
unexpected = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  expected = args[2] or ""
  for line in io.lines(args[1]) do
    local timestamp, signature, body = line:match("^(%d+)\t(%S+)\t(.*)$")
    count = count + 1
    prepared[count] = wrk.format("POST", nil, {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = timestamp,
      ["X-Slack-Signature"] = signature,
    }, body)
  end
end

function request()
  index = index % count + 1
  return prepared[index]
end

function response(status, headers, body)
  local as_expected
  if expected == "" then
    as_expected = body == nil or #body == 0
  else
    as_expected = body ~= nil and body:find(expected, 1, true) ~= nil
  end
  if status ~= 200 or not as_expected then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "errors": %d, "unexpected": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout, bad))
end
