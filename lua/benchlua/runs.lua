-- runs.lua: the results file read back, for `results`, `compare`, `report`
-- and `--resume`. Runs are numbered from 1 in file order. view(run) turns
-- one recorded run (of any benchlua version, script mode included) into the
-- flat fields the commands show: model and what the server said of it, the
-- settings, score with its 95% interval, tokens/s, duration, status.
local cjson = require("cjson.safe")
local stats = require("benchlua.stats")
local M = {}

local null = cjson.null
local function val(x) if x == null then return nil end return x end
M.val = val

--- load(path) -> runs (list; runs[i].num == i), text | nil, err
-- A missing file is an error here (nothing to read back).
function M.load(path)
  local text, _, code = bench.fs.read(path)
  if not text then
    if code == "ENOENT" then return nil, string.format("no results file '%s' (run a benchmark first, or give --results FILE)", path) end
    return nil, string.format("cannot read results file '%s'", path)
  end
  if text:match("^%s*$") then return {}, text end
  local doc = cjson.decode(text)
  if doc == nil then
    local _, err = require("benchlua.json").decode(text)
    return nil, string.format("results file '%s' is not valid JSON (%s)", path, tostring(err))
  end
  if type(doc) ~= "table" or type(doc.runs) ~= "table" or not text:find('"runs"%s*:%s*%[') then
    return nil, string.format("results file '%s' is not a benchlua results file (no \"runs\" list)", path)
  end
  local runs = {}
  for i, r in ipairs(doc.runs) do
    if type(r) ~= "table" then r = { benchmark = "?", status = "invalid" } end
    r.num = i
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
  if type(n) ~= "number" then return nil end
  local memo = si_memo[unit]
  local m = memo[n]
  if m then return m end
  m = string.format("%d%s", n, unit)
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

--- settings(run) -> {name -> value}: every server, sampling and benchmark
-- setting the run recorded, flattened (sampling.temperature is "temp").
function M.settings(run)
  local s = {}
  local cfg, rep = type(run.config) == "table" and run.config or {}, type(run.reproducibility) == "table" and run.reproducibility or {}
  local function put(k, v)
    local name = SHORT[k] or k
    if s[name] == nil then
      v = scalar(v)
      if v ~= "" then s[name] = v end
    end
  end
  -- (the loops inline put's fast path: this runs for every run of a large file)
  for k, v in pairs(cfg) do
    if not NOT_SETTING[k] then
      local name = SHORT[k] or k
      local t = type(v)
      if t == "string" or t == "boolean" then if v ~= "" then s[name] = v end
      elseif t == "number" then s[name] = tointeger(v) or v
      else put(k, v) end
    end
  end
  -- a table's keys that are not set yet and not skipped (one call per table)
  local function add_all(t, skip)
    for k, v in pairs(t) do
      local name = SHORT[k] or k
      if s[name] == nil and not skip[k] then
        local ty = type(v)
        if ty == "number" then s[name] = tointeger(v) or v
        elseif ty == "string" or ty == "boolean" then if v ~= "" then s[name] = v end
        else put(k, v) end
      end
    end
  end
  if type(cfg.sampling) == "table" then add_all(cfg.sampling, NOT_SAMPLING) end
  put("seed", rep.seed)
  put("server_build", rep.server_build)
  if type(val(rep.dataset_sha256)) == "string" then put("dataset_sha256", rep.dataset_sha256:sub(1, 12)) end
  if type(cfg.options) == "table" then add_all(cfg.options, SHOWN_ELSEWHERE) end
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

--- interval(run) -> lo, hi, method: the recorded 95% interval of the score,
-- else, for one sample per problem, Wilson from the passed count.
function M.interval(run)
  local res = type(run.results) == "table" and run.results or {}
  local ci = val(res.ci95)
  if type(ci) == "table" and type(ci[1]) == "number" and type(ci[2]) == "number" then
    return ci[1], ci[2], val(res.ci_method)
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
function M.view(run)
  local cfg = type(run.config) == "table" and run.config or {}
  local res = type(run.results) == "table" and run.results or {}
  local srv = type(cfg.server) == "table" and cfg.server or {}
  local model = val(run.model)
  if type(model) ~= "string" then model = type(val(cfg.path)) == "string" and cfg.path:match("([^/]+)$") or "-" end
  local ts = val(run.timestamp)
  local metrics = type(res.metrics) == "table" and res.metrics or {}
  local lo, hi, method = M.interval(run)
  local tps = val(res.tokens_per_s) or val(metrics.tokens_per_s)
  return {
    num = run.num, timestamp = type(ts) == "string" and ts or nil,
    date = type(ts) == "string" and (ts:sub(11, 11) == "T" and (ts:sub(1, 10) .. " " .. ts:sub(12, 16)) or ts) or "-",
    benchmark = tostring(val(run.benchmark) or "-"), model = model,
    quant = quant_of(model) or quant_of(val(cfg.path)),
    size = si(val(srv.model_size), "B"), params = si(val(srv.n_params), ""),
    n_params = val(srv.n_params), model_size = val(srv.model_size),
    settings = M.settings(run),
    score = type(val(res.score)) == "number" and res.score or nil,
    ci95 = lo and { lo, hi } or nil, ci_method = method,
    tokens_per_s = type(tps) == "number" and tps or nil,
    duration = type(val(res.time_taken)) == "number" and res.time_taken or nil,
    status = M.status(run), error = type(val(run.error)) == "string" and run.error or nil,
    run_dir = type(val(run.run_dir)) == "string" and run.run_dir or nil,
    superseded_by = run.superseded_by,
  }
end

--- glob(pattern) -> a Lua pattern for a shell glob (* ? [..])
function M.glob(g)
  local p = g:gsub("[%^%$%(%)%%%.%+%-]", "%%%0"):gsub("%*", ".*"):gsub("%?", ".")
  return "^" .. p .. "$"
end

return M
