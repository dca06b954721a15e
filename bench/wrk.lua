-- wrk script of the load benchmark (bench/load.py writes the request file and reads the result).
--
--   wrk -t1 -c50 -d20s -s bench/wrk.lua http://127.0.0.1:PORT -- REQUESTS RESULT EXPECT THINK_MS
--
-- REQUESTS: one request per line, "METHOD<TAB>PATH<TAB>HEADER: value|HEADER: value<TAB>BODY" (the body
-- may hold "{{NIK}}", "{{NAME}}" and "{{DOB}}", replaced by a fresh NIK, child name and birth date per
-- request). Each connection starts at its own line
-- and walks the file, so 50 connections are 50 clients with their own session cookie or token.
-- EXPECT: the status every response must have; any other counts as an error.
-- THINK_MS: mean pause of a client between its requests (uniform 0..2x); 0 for a closed loop.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local specs = {}
local position = 0
local expect = 200
local think = 0
bad = 0
statuses = {}

local function split(line, sep)
  local out, start = {}, 1
  while true do
    local i = string.find(line, sep, start, true)
    if not i then
      table.insert(out, string.sub(line, start))
      return out
    end
    table.insert(out, string.sub(line, start, i - 1))
    start = i + 1
  end
end

function init(args)
  for line in io.lines(args[1]) do
    local f = split(line, "\t")
    local headers = {}
    if f[3] and f[3] ~= "" then
      for _, h in ipairs(split(f[3], "|")) do
        local k, v = string.match(h, "^([^:]+):%s*(.*)$")
        headers[k] = v
      end
    end
    table.insert(specs, {method = f[1], path = f[2], headers = headers, body = f[4] ~= "" and f[4] or nil})
  end
  expect = tonumber(args[3])
  think = tonumber(args[4])
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 100000)
  position = math.random(1, #specs)
end

local given = {"Siti", "Nur", "Wa Ode", "La Ode", "Andi", "Rahmat", "Putri", "Dewi", "Ahmad", "Aisyah"}
local family = {"Hasanah", "Rahman", "Lasandara", "Tamburaka", "Saputra", "Wulandari", "Halim", "Syahrir"}

local function name()
  return given[math.random(1, #given)] .. " " .. given[math.random(1, #given)] .. " " ..
    family[math.random(1, #family)]
end

local function dob()
  return string.format("%04d-%02d-%02d", math.random(2009, 2024), math.random(1, 12), math.random(1, 28))
end

local function nik()
  local day, month, year = math.random(1, 28), math.random(1, 12), math.random(8, 25)
  return string.format("7471%02d%02d%02d%02d%04d", math.random(1, 11), day, month, year, math.random(1, 9999))
end

function request()
  position = position % #specs + 1
  local s = specs[position]
  local body = s.body
  if body then
    body = string.gsub(body, "{{NIK}}", nik())
    body = string.gsub(body, "{{NAME}}", name())
    body = string.gsub(body, "{{DOB}}", dob())
  end
  return wrk.format(s.method, s.path, s.headers, body)
end

function delay()
  if think <= 0 then
    return 0
  end
  return math.random(0, 2 * think)
end

function response(status, headers, body)
  if status ~= expect then
    bad = bad + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local errors, seen = 0, {}
  for _, t in ipairs(threads) do
    errors = errors + t:get("bad")
    for k, v in pairs(t:get("statuses")) do
      seen[#seen + 1] = string.format('"%s": %d', k, v)
    end
  end
  local e = summary.errors
  local f = io.open(threads[1]:get("result_path"), "w")
  f:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"mean_us": %.1f, "bad_status": %d, "statuses": {%s}, "connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, errors, table.concat(seen, ", "),
    e.connect, e.read, e.write, e.timeout))
  f:close()
end

local _init = init
function init(args)
  result_path = args[2]
  _init(args)
end
