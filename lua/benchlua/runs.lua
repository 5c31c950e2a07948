-- runs.lua: the results file read back, for `results`, `compare`, `report`
-- and `--resume`. Runs are numbered from 1 in file order. view(run) turns
-- one recorded run (of any benchlua version, script mode included) into the
-- flat fields the commands show: model and what the server said of it, the
-- settings, score with its 95% interval, tokens/s, duration, status.
local cjson = require("cjson.safe")
local json = require("benchlua.json")
local dirname = require("benchlua.path").dirname
local stats = require("benchlua.stats")
local M = {}

local MAX_BYTES = require("benchlua.results").MAX_BYTES -- a larger file is refused, not read

local null = cjson.null
local function val(x) if x == null then return nil end return x end
M.val = val

-- What view() reads of a run: `results` decodes only this (json.pick), so
-- that a file of thousands of runs is not built into tables it never shows.
-- Runs of one sweep have the same config and reproducibility: "shared"
-- builds each distinct one once, and settings() is memoized on them.
M.VIEW_FIELDS = {
  runs = {
    benchmark = true, model = true, timestamp = true, status = true, error = true, run_dir = true,
    resumed_from = { run_dir = true },
    config = "shared", reproducibility = "shared",
    results = { score = true, ci95 = true, ci_method = true, outcomes = { passed = true }, problems = true,
      samples = true, tokens_per_s = true, metrics = { tokens_per_s = true }, time_taken = true },
  },
}

--- load(path [, fields]) -> runs (list; runs[i].num == i), text | nil, err
-- A missing file is an error here (nothing to read back), and so is one that
-- is not a regular file (a directory, a FIFO: reading one would wait or read
-- nothing) or is not strict JSON (RFC 8259: no NaN, Infinity or hex numbers,
-- which lua-cjson would take). fields: decode only these (a json.pick keep
-- table, such as M.VIEW_FIELDS); the tables it shares must not be changed.
function M.load(path, fields)
  local st = bench.fs.stat(path)
  if st and st.type == "dir" then return nil, string.format("results file '%s' is a directory", path) end
  local text, rerr, code = bench.fs.read(path, MAX_BYTES)
  if not text then
    if code == "ENOENT" then return nil, string.format("no results file '%s' (run a benchmark first, or give --results FILE)", path) end
    if code == "EINVAL" then return nil, string.format("results file '%s' is not a regular file", path) end
    if code == "ETOOBIG" then return nil, string.format("results file '%s' is larger than %d MiB", path, MAX_BYTES >> 20) end
    return nil, string.format("cannot read results file '%s' (%s)", path, tostring(rerr))
  end
  if text:match("^%s*$") then return {}, text end
  local doc, perr = json.pick(text, fields)
  if doc == nil then
    return nil, string.format("results file '%s' is not valid JSON (%s)", path, tostring(perr))
  end
  if type(doc) ~= "table" or type(doc.runs) ~= "table" or not text:find('"runs"%s*:%s*%[') then
    return nil, string.format("results file '%s' is not a benchlua results file (no \"runs\" list)", path)
  end
  local runs = {}
  for i, r in ipairs(doc.runs) do
    if type(r) ~= "table" then r = { benchmark = "?", status = "invalid" } end
    r.num, r.superseded_by = i, nil -- (ours to set, whatever the file says)
    runs[i] = r
  end
  -- a resumed run supersedes the interrupted run it continued
  local by_dir = {}
  for _, r in ipairs(runs) do
    local from = type(r.resumed_from) == "table" and val(r.resumed_from.run_dir)
    if from and by_dir[from] then by_dir[from].superseded_by = r.num end
    if type(val(r.run_dir)) == "string" then by_dir[r.run_dir] = r end
  end
  return runs
end

-- quantisation from the file name, as llama.cpp names them (Q4_K_M, Q8_0, IQ4_XS, F16, BF16)
local quant_memo = {}
local function quant_of(name)
  if type(name) ~= "string" then return nil end
  local q = quant_memo[name]
  if q == nil then
    local u = name:upper()
    q = u:match("[%-%._](I?Q%d[%w_]-)%.GGUF$") or u:match("[%-%._](B?F%d%d)%.GGUF$") or false
    quant_memo[name] = q
  end
  return q or nil
end
M.quant_of = quant_of

local SI = { { 1e12, "T" }, { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" } }
local si_memo = { B = {}, [""] = {} }
local function si(n, unit)
  if type(n) ~= "number" or n ~= n then return nil end
  local memo = si_memo[unit]
  local m = memo[n]
  if m then return m end
  m = string.format("%.0f%s", n, unit) -- (a file not written by benchlua may hold 1.5)
  for _, s in ipairs(SI) do
    if n >= s[1] then m = string.format("%.1f%s%s", n / s[1], s[2], unit) break end
  end
  memo[n] = m
  return m
end

-- setting name -> column name
local SHORT = { gpu_layers = "ngl", parallel = "np", concurrency = "conc", temperature = "temp",
  max_tokens = "max_tok", server_args = "server_args", server_build = "build", dataset_sha256 = "dataset_sha" }
-- options shown in columns of their own
local SHOWN_ELSEWHERE = { model = true, server_arg = true, benchmark = true }
local NOT_SAMPLING = { stop = true, seed = true } -- the seed is the run's, shown once
-- config keys that are not settings (the model, what the servers said, long text)
local NOT_SETTING = { path = true, server = true, endpoints = true, isolation = true, options = true, sampling = true, stop = true }

local tointeger = math.tointeger
-- a setting's value as shown: lists joined, whole floats as integers
local function scalar(v)
  local t = type(v)
  if t == "string" or t == "boolean" then return v end
  if t == "number" then return tointeger(v) or v end
  if t == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = tostring(val(x)) end
    if #parts == 0 and next(v) ~= nil then return nil end
    return table.concat(parts, " ")
  end
  return nil -- null
end

-- s[name] = the shown value of v, unless s has name already (the first
-- source wins) or v shows as nothing (an empty string or list, null)
local function put(s, name, v)
  if s[name] ~= nil then return end
  local t = type(v)
  if t == "number" then s[name] = tointeger(v) or v
  elseif t == "string" then if v ~= "" then s[name] = v end
  elseif t == "boolean" then s[name] = v
  elseif t == "table" then
    v = scalar(v)
    if v ~= nil and v ~= "" then s[name] = v end
  end
end

--- settings(run) -> {name -> value}: every server, sampling and benchmark
-- setting the run recorded, flattened (sampling.temperature is "temp").
-- (Written for speed: `results` calls it for every run of a large file.)
-- Memoized by the config and reproducibility tables: those of runs read with
-- VIEW_FIELDS are shared between runs with the same ones, and nobody changes
-- them. The table returned is shared too: read it, do not change it.
local memo = setmetatable({}, { __mode = "k" })
local NONE = {}
function M.settings(run)
  local cfg, rep = run.config, run.reproducibility
  if type(cfg) ~= "table" then cfg = NONE end
  local by_rep = memo[cfg]
  if not by_rep then
    by_rep = setmetatable({}, { __mode = "k" })
    memo[cfg] = by_rep
  end
  local key = type(rep) == "table" and rep or NONE
  local s = by_rep[key]
  if s then return s end
  s = {}
  by_rep[key] = s
  for k, v in pairs(cfg) do
    if not NOT_SETTING[k] then put(s, SHORT[k] or k, v) end
  end
  local sampling, options = cfg.sampling, cfg.options
  if type(sampling) == "table" then
    for k, v in pairs(sampling) do
      if not NOT_SAMPLING[k] then put(s, SHORT[k] or k, v) end
    end
  end
  if type(rep) == "table" then
    put(s, "seed", rep.seed)
    put(s, "build", rep.server_build)
    local sha = rep.dataset_sha256
    if type(sha) == "string" then put(s, "dataset_sha", sha:sub(1, 12)) end
  end
  if type(options) == "table" then
    for k, v in pairs(options) do
      if not SHOWN_ELSEWHERE[k] then put(s, SHORT[k] or k, v) end
    end
  end
  return s
end

--- status(run) -> "ok" | "failed" | "interrupted" | "superseded" | ...
function M.status(run)
  if run.superseded_by then return "superseded" end
  local st = val(run.status)
  if type(st) == "string" then return st end
  local res = type(run.results) == "table" and run.results or {}
  return type(val(res.score)) == "number" and "ok" or "failed"
end

--- interval(run [, results]) -> lo, hi, method: the recorded 95% interval of the score,
-- else, for one sample per problem, Wilson from the passed count.
function M.interval(run, res)
  res = res or type(run.results) == "table" and run.results or {}
  local ci = res.ci95
  if type(ci) == "table" then
    local lo, hi = ci[1], ci[2]
    if type(lo) == "number" and type(hi) == "number" then return lo, hi, val(res.ci_method) end
  end
  local oc, problems, score = val(res.outcomes), val(res.problems), val(res.score)
  if type(oc) == "table" and type(problems) == "number" and problems > 0 and type(score) == "number"
    and (val(res.samples) == nil or val(res.samples) == problems) and type(oc.passed) == "number"
    and math.abs(oc.passed / problems - score) < 1e-9 then
    local lo, hi = stats.wilson(oc.passed, problems)
    return lo, hi, "wilson"
  end
  return nil
end

--- view(run) -> flat fields for the tables
-- (Written for speed, as settings() is: type() is checked once per field,
-- and null, a userdata, fails every check.)
local EMPTY = {}
function M.view(run)
  local cfg, res = run.config, run.results
  if type(cfg) ~= "table" then cfg = EMPTY end
  if type(res) ~= "table" then res = EMPTY end
  local srv, path = cfg.server, cfg.path
  if type(srv) ~= "table" then srv = EMPTY end
  if type(path) ~= "string" then path = nil end
  local model = run.model
  if type(model) ~= "string" then model = path and path:match("([^/]+)$") or "-" end
  local ts, date = run.timestamp, "-"
  if type(ts) == "string" then
    date = ts:byte(11) == 84 and (ts:sub(1, 10) .. " " .. ts:sub(12, 16)) or ts -- 84: "T"
  else
    ts = nil
  end
  local lo, hi, method = M.interval(run, res)
  local tps = res.tokens_per_s
  if type(tps) ~= "number" then
    local metrics = res.metrics
    tps = type(metrics) == "table" and metrics.tokens_per_s or nil
    if type(tps) ~= "number" then tps = nil end
  end
  local score, duration, benchmark = res.score, res.time_taken, run.benchmark
  local n_params, model_size = srv.n_params, srv.model_size
  local err, run_dir = run.error, run.run_dir
  local tb = type(benchmark)
  return {
    num = run.num, timestamp = ts, date = date,
    benchmark = (tb == "string" or tb == "number") and tostring(benchmark) or benchmark == nil and "-" or "?", model = model,
    quant = quant_of(model) or quant_of(path),
    size = si(model_size, "B"), params = si(n_params, ""),
    n_params = n_params ~= null and n_params or nil, model_size = model_size ~= null and model_size or nil,
    settings = M.settings(run),
    score = type(score) == "number" and score or nil,
    ci95 = lo and { lo, hi } or nil, ci_method = method,
    tokens_per_s = tps,
    duration = type(duration) == "number" and duration or nil,
    status = M.status(run), error = type(err) == "string" and err or nil,
    run_dir = type(run_dir) == "string" and run_dir or nil,
    superseded_by = run.superseded_by, file = run.file,
  }
end

--- run_dir(run, results_path) -> the run's directory as seen from here | nil.
-- run_dir is recorded as benchlua made it, relative to the directory it ran
-- in (by default benchlua-runs/ beside the results file): when it is not
-- there from here, it is looked for in benchlua-runs/ beside the results file.
function M.run_dir(run, results_path)
  results_path = run.file or results_path -- (read from one of several files)
  local dir = val(run.run_dir)
  if type(dir) ~= "string" then return nil end
  if dir:sub(1, 1) == "/" or bench.fs.stat(dir) then return dir end
  local beside = string.format("%s/benchlua-runs/%s", dirname(results_path), dir:match("([^/]*)/*$"))
  return bench.fs.stat(beside) and beside or dir
end

--- glob(pattern) -> a Lua pattern for a shell glob: * ? [abc] [a-z] [!abc];
-- every other character (an unclosed "[" too) stands for itself
function M.glob(g)
  local out, i = { "^" }, 1
  while i <= #g do
    local c = g:sub(i, i)
    if c == "*" then
      if out[#out] ~= ".*" then out[#out + 1] = ".*" end -- (many .* in a row backtrack for long)
    elseif c == "?" then
      out[#out + 1] = "."
    elseif c == "[" then
      -- a class: "!" (or "^") first negates it; a "]" right after that is a member
      local first = g:find("^[!^]", i + 1) and i + 2 or i + 1
      local close = g:find("]", g:sub(first, first) == "]" and first + 1 or first, true)
      if close then
        local body = g:sub(i + 1, close - 1):gsub("^!", "^"):gsub("%%", "%%%%")
        out[#out + 1] = "[" .. body .. "]"
        i = close
      else
        out[#out + 1] = "%["
      end
    else
      out[#out + 1] = c:find("^%w") and c or "%" .. c
    end
    i = i + 1
  end
  out[#out + 1] = "$"
  return table.concat(out)
end

return M
