-- wrk script for the submission benchmark: send each request of a prepared file exactly once.
--
-- Usage: BENCH_WRK_OUT=out.tsv wrk -t T -c C -d S -s requests.lua http://127.0.0.1:PORT -- requests.tsv
-- requests.tsv: one request per line, "METHOD<TAB>PATH<TAB>COOKIE<TAB>BODY" (body url-encoded).
-- Thread k takes lines k, k+T, k+2T... delay() hands out one slot per request so no connection ever
-- sends a request beyond the file (idle connections wait); the thread stops once every answer is in,
-- and leaves a marker file so the benchmark interrupts wrk (which otherwise sleeps the full -d).
-- The elapsed time is measured here, from the first request to the last answer (CLOCK_MONOTONIC).
-- Answers are recorded: status counts, the Location of each redirect (it names the token, so the
-- benchmark can check every acknowledged submission against the database) and, for page loads, the
-- session cookie and CSRF token of the form. done() writes them, with wrk's latency percentiles, to
-- BENCH_WRK_OUT.

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + math.floor(tonumber(clock.tv_nsec) / 1000)
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

local slice = {}
local reserved, sent = 0, 0
responses = 0
first_us, last_us = 0, 0
statuses = {}
acked = {}
captured = {}

function init(args)
  local nthreads = tonumber(os.getenv("BENCH_WRK_THREADS") or "1")
  local i = 0
  for line in io.lines(args[1]) do
    if i % nthreads == id then
      local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
      local headers = {}
      if cookie ~= "" then headers["Cookie"] = cookie end
      if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" end
      if body == "" then body = nil end
      table.insert(slice, wrk.format(method, path, headers, body))
    end
    i = i + 1
  end
  total = #slice
end

function delay()
  if reserved < #slice then
    reserved = reserved + 1
    return 0
  end
  return 3600000 -- nothing left for this connection: wait until the thread stops
end

function request()
  -- wrk calls request() once on thread 1 before the run to check the script: delay() has not run yet.
  if reserved == 0 then return slice[1] end
  sent = sent + 1
  if sent == 1 then first_us = now_us() end
  return slice[sent]
end

function response(status, headers, body)
  responses = responses + 1
  last_us = now_us()
  statuses[status] = (statuses[status] or 0) + 1
  local location = headers["Location"] or headers["location"]
  if location then acked[#acked + 1] = location end
  local set_cookie = headers["Set-Cookie"] or headers["set-cookie"]
  if set_cookie and body then
    local session = set_cookie:match("session=([^;]+)")
    local csrf = body:match('name="csrf_token" value="([^"]+)"')
    if session and csrf then captured[#captured + 1] = session .. "\t" .. csrf end
  end
  if responses >= #slice then
    -- wrk itself sleeps for the whole -d: tell the benchmark this thread is done so it can interrupt wrk.
    local marker = assert(io.open(os.getenv("BENCH_WRK_OUT") .. ".done" .. id, "w"))
    marker:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local out = assert(io.open(os.getenv("BENCH_WRK_OUT"), "w"))
  local e = summary.errors
  out:write(string.format("summary\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", summary.duration, summary.requests,
    e.connect, e.read, e.write, e.status, e.timeout))
  for _, p in ipairs({50, 90, 95, 99, 99.9}) do
    out:write(string.format("latency\t%g\t%d\n", p, latency:percentile(p)))
  end
  out:write(string.format("latency\t100\t%d\n", latency.max))
  local first, last = nil, 0
  for _, thread in ipairs(threads) do
    local f, l = thread:get("first_us"), thread:get("last_us")
    if f > 0 and (first == nil or f < first) then first = f end
    if l > last then last = l end
  end
  out:write(string.format("elapsed\t%d\n", first and (last - first) or 0))
  out:write(string.format("latency\tmean\t%d\n", latency.mean))
  for _, thread in ipairs(threads) do
    for code, n in pairs(thread:get("statuses")) do out:write(string.format("status\t%d\t%d\n", code, n)) end
    for _, location in ipairs(thread:get("acked")) do out:write("ack\t" .. location .. "\n") end
    for _, pair in ipairs(thread:get("captured")) do out:write("cap\t" .. pair .. "\n") end
    out:write(string.format("thread\t%d\t%d\n", thread:get("total"), thread:get("responses")))
  end
  out:close()
end
