-- results.lua: bench.record, the results file. One JSON object with a
-- "runs" array (other keys are kept as they are) that any number of
-- benchlua processes append to: each append takes an exclusive lock on
-- FILE.lock, re-reads the file, checks it, adds the run and replaces the file
-- atomically (temp + rename), so concurrent writers lose nothing and a kill
-- -9 mid-write leaves the old file.
local json = require("benchlua.json")
-- strict, as `benchlua results` reads it: no NaN, Infinity or hex numbers
local cjson = require("cjson.safe").new()
cjson.decode_invalid_numbers(false)
local M = {}

--- Lock `path` (a lock file), waiting up to `timeout` seconds. -> lock | nil, err
function M.lock(path, timeout)
  local deadline = bench.now() + (timeout or 30)
  while true do
    local l, err, code = bench.fs.trylock(path)
    if l then return l end
    if code ~= "EAGAIN" or bench.now() > deadline then return nil, err end
    if bench.in_task() then bench.sleep(0.005) end
  end
end

M.MAX_BYTES = 1 << 30 -- a results file larger than this is refused, not read

local function not_ours(path, why)
  return string.format("results file '%s' %s; not touching it", path, why)
end

--- Read and validate a results file, reading at most M.MAX_BYTES of a
-- regular file (a directory or a device is refused).
-- -> false (missing or empty) | text, layout | nil, err
-- Any JSON object with a "runs" array is accepted. layout.fast is true only
-- for the common file, {"runs": [...]} and nothing else, checked with
-- lua-cjson (C) so that appending costs the same however many runs the file
-- holds; otherwise layout.members lists the top-level members (json.members)
-- so the run can be spliced in with every other byte kept.
function M.load(path)
  if path == "" then return nil, "the results file name is empty" end
  local st = bench.fs.stat(path)
  if not st then
    local f = io.open(path, "rb")
    if f then f:close() else return false end -- missing: a new file
  elseif st.type == "dir" then
    return nil, string.format("results file '%s' is a directory", path)
  elseif st.type ~= "file" then
    return nil, string.format("results file '%s' is not a regular file", path)
  elseif st.size > M.MAX_BYTES then
    return nil, string.format("results file '%s' is larger than %d MiB; start a new one", path, M.MAX_BYTES >> 20)
  end
  local text, rerr, code = bench.fs.read(path)
  if not text then
    if code == "ENOENT" then return false end
    return nil, "cannot read results file: " .. tostring(rerr)
  end
  if text:match("^%s*$") then return false end
  local doc = cjson.decode(text)
  if doc == nil then
    local _, err = json.decode(text) -- for a message with the line and column
    return nil, not_ours(path, string.format("is not valid JSON (%s)", tostring(err)))
  end
  if type(doc) ~= "table" or not text:match("^%s*{") then
    return nil, not_ours(path, "is not a JSON object")
  end
  local keys = 0
  for _ in pairs(doc) do keys = keys + 1 end
  if keys == 1 and type(doc.runs) == "table" and text:match('^%s*{%s*"runs"%s*:%s*%[') and M.tail_at(text) then
    return text, { fast = true, nruns = #doc.runs }
  end
  local members, merr = json.members(text)
  if not members then return nil, not_ours(path, "is not valid JSON (" .. tostring(merr) .. ")") end
  local runs
  for _, m in ipairs(members) do if m.key == "runs" then runs = m end end -- the last one counts, as for cjson
  if not runs or text:sub(runs.vstart, runs.vstart) ~= "[" then
    return nil, not_ours(path, "is not a benchlua results file (no \"runs\" list)")
  end
  return text, { runs = runs, nruns = type(doc.runs) == "table" and #doc.runs or 0 }
end

-- Where the document's closing "] }" starts, scanning back from the end
-- (whitespace allowed); the index of the last byte before them, or nil.
local function skip_space_back(text, i)
  while i > 0 and text:find("^%s", i) do i = i - 1 end
  return i
end
function M.tail_at(text)
  local i = skip_space_back(text, #text)
  if text:sub(i, i) ~= "}" then return nil end
  i = skip_space_back(text, i - 1)
  if text:sub(i, i) ~= "]" then return nil end
  return skip_space_back(text, i - 1)
end

-- The file with one more run. Fast layout: the run's text goes before the
-- closing "]}". Any other: it goes before the "]" that closes the top-level
-- "runs" array; every other byte stays as it was.
local function append_run(text, layout, run)
  local entry = json.encode(run, "  ", 2)
  if not text then
    return '{\n  "runs": [\n    ' .. entry .. '\n  ]\n}\n'
  end
  if layout.fast then
    local head = text:sub(1, M.tail_at(text))
    return head .. (layout.nruns > 0 and "," or "") .. "\n    " .. entry .. "\n  ]\n}\n"
  end
  local close = layout.runs.vend - 1 -- the array's "]"
  local last = skip_space_back(text, close - 1)
  local empty = last == layout.runs.vstart
  return text:sub(1, last) .. (empty and "" or ",") .. "\n    " .. entry .. "\n  " .. text:sub(close)
end

--- results.check(path) -> true | nil, err: can a run be recorded in path?
-- Before a run starts: the file is missing, or a readable JSON object with a
-- "runs" array, and both it and its directory can be written (the lock file
-- is created beside it, as every record does).
function M.check(path)
  if type(path) ~= "string" or path == "" then return nil, "the results file name is empty" end
  local lock, lerr = M.lock(path .. ".lock", 5)
  if not lock then return nil, "cannot use results file '" .. path .. "': " .. tostring(lerr) end
  local text, layout = M.load(path)
  local ok, err = text ~= nil, layout
  if text then
    local f, ferr = io.open(path, "r+b")
    if f then
      f:close()
    else
      ok, err = nil, string.format("cannot write results file '%s': %s", path, tostring(ferr):gsub("^.-: ", ""))
    end
  end
  if ok then -- the atomic replace writes a temporary file beside it
    local probe = string.format("%s.tmp.%d", path, bench.fs.getpid())
    local f, ferr = io.open(probe, "wb")
    if f then
      f:close()
      os.remove(probe)
    else
      ok, err = nil, string.format("cannot write beside results file '%s': %s", path, tostring(ferr):gsub("^.-: ", ""))
    end
  end
  lock:close()
  if not ok then return nil, err end
  return true
end

local function iso_time(t)
  local secs = math.floor(t)
  return os.date("!%Y-%m-%dT%H:%M:%S", secs) .. string.format(".%03dZ", math.floor((t - secs) * 1000))
end
M.iso_time = iso_time

--- bench.record(run, {results = PATH}) -> true | nil, err
-- run: {benchmark=, model=, config={path=, gpu_layers=, ...}, results={score=,
-- time_taken=, raw_output=, ...}, ...}; timestamp and benchlua_version are
-- added when missing. Appends under a lock, atomically.
function M.record(run, o)
  if type(run) ~= "table" then error("record: expected a run table", 2) end
  if type(run.benchmark) ~= "string" then error("record: run.benchmark must be a string", 2) end
  if run.results ~= nil and type(run.results) ~= "table" then error("record: run.results must be a table", 2) end
  o = o or {}
  local path = o.results or "benchmark_results.json"
  run.timestamp = run.timestamp or iso_time(bench.time())
  run.config = run.config or {}
  run.results = run.results or {}
  run.reproducibility = run.reproducibility or {}
  run.reproducibility.benchlua_version = run.reproducibility.benchlua_version or bench.version
  local lock, lerr = M.lock(path .. ".lock", o.lock_timeout)
  if not lock then return nil, lerr end
  local text, layout = M.load(path)
  if text == nil then lock:close() return nil, layout end
  local ok, new = pcall(append_run, text or nil, layout, run)
  if not ok then lock:close() error("record: " .. new, 2) end
  local wrote, werr = bench.fs.write_atomic(path, new)
  lock:close()
  if not wrote then return nil, werr end
  return true
end

return M
