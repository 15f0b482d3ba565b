-- wrk script for scripts/load-serve: GET /api/v1/affected/{id}, rotating over the ids
-- given after `--` on wrk's command line (with VIGIL_LOAD_QUERY after each), with the bearer
-- token from VIGIL_LOAD_TOKEN. Prints the summary as one JSON line prefixed `LOAD-JSON ` when done.

local ids = {}
local next_id = 0
local threads = 0
-- `?all_releases=true` or nothing.
local query = os.getenv("VIGIL_LOAD_QUERY") or ""

function setup(thread)
  -- Threads start at different ids so that they do not ask in lockstep.
  thread:set("first", threads * 7)
  threads = threads + 1
end

function init(args)
  for _, id in ipairs(args) do
    ids[#ids + 1] = id
  end
  if #ids == 0 then
    error("give the advisory ids after --")
  end
  next_id = (first or 0) % #ids
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("VIGIL_LOAD_TOKEN")
end

function request()
  next_id = next_id % #ids + 1
  return wrk.format("GET", "/api/v1/affected/" .. ids[next_id] .. query)
end

function done(summary, latency, requests)
  local e = summary.errors
  local p = {}
  for _, q in ipairs({50, 90, 99, 99.9}) do
    p[#p + 1] = string.format('"%s": %d', tostring(q), latency:percentile(q))
  end
  io.write(string.format(
    'LOAD-JSON {"requests": %d, "duration_us": %d, "bytes": %d, '
      .. '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, '
      .. '"latency_us": {"min": %d, "mean": %.1f, "max": %d, %s}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.max, table.concat(p, ", ")))
end
