-- Shared by every scenario (loaded first by each script): counts every response by status and,
-- when wrk is done, prints one line `BENCH_RESULT {json}` that bench.run parses.
--
-- A scenario script may define `on_response(status, body)` to count its own outcomes in the
-- thread-global table `counts` (e.g. orders placed), which are summed over threads as well.

local threads = {}

function setup(thread)
   thread:set("thread_number", #threads + 1)
   table.insert(threads, thread)
end

statuses = {}
counts = {}

function bench_env(name, default)
   local value = os.getenv(name)
   if value == nil or value == "" then
      if default == nil then error("missing environment variable " .. name) end
      return default
   end
   return value
end

function bench_lines(path)
   local lines = {}
   for line in io.lines(path) do
      if line ~= "" then table.insert(lines, line) end
   end
   return lines
end

function count(name, n)
   counts[name] = (counts[name] or 0) + (n or 1)
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if on_response then on_response(status, body) end
end

local function json_object(t)
   local parts = {}
   for key, value in pairs(t) do
      table.insert(parts, string.format('"%s": %d', tostring(key), value))
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

function done(summary, latency, requests)
   local all_statuses, all_counts = {}, {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         all_statuses[status] = (all_statuses[status] or 0) + n
      end
      for name, n in pairs(thread:get("counts")) do
         all_counts[name] = (all_counts[name] or 0) + n
      end
   end
   local non_2xx = 0
   for status, n in pairs(all_statuses) do
      if status < 200 or status > 299 then non_2xx = non_2xx + n end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"duration_us": %d, "requests": %d, "bytes": %d, "non_2xx": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
      '"latency_us": {"p50": %.1f, "p90": %.1f, "p99": %.1f, "max": %.1f, "mean": %.1f}, ' ..
      '"statuses": %s, "counts": %s}\n',
      summary.duration, summary.requests, summary.bytes, non_2xx,
      e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean,
      json_object(all_statuses), json_object(all_counts)))
end
