-- sweep.lua: `benchlua sweep`, many models and settings in one command. A
-- sweep is the product models x settings (a "cell" each: one server start)
-- x benchmarks (each run against that cell's server). It comes from a sweep
-- file (a Lua file returning a table) or from the command line (its form is
-- read in cmd/sweep.lua); both become the same validated table. Runs record `sweep = {file=, digest=, cell=,
-- benchmark=, index=}` so --resume finds what is done, and a Slurm array
-- task (`--cell N`, see slurm.lua) runs one cell.
local options = require("benchlua.options")
local runner = require("benchlua.runner")
local server_mod = require("benchlua.server")
local results = require("benchlua.results")
local json = require("benchlua.json")
local cjson = require("cjson.safe")
local path = require("benchlua.path")
local runrecord = require("benchlua.runrecord")
local M = {}

-- "100 models x 10000 settings = 1000000 cells, more than 10000 (...)" when
-- the product is over the limit (counted, not built) -> message | nil
function M.too_many(nmodels, nsettings, max)
  local n = nmodels * nsettings
  if n <= (max or 10000) then return nil end
  local function count(x, what) return string.format("%.0f %s%s", x, what, x == 1 and "" or "s") end
  return string.format("%s x %s = %s, more than %d (--max-cells N allows more)", count(nmodels, "model"),
    count(nsettings, "setting"), count(n, "cell"), max or 10000)
end

-- host options that belong to the server: one value per cell, never per benchmark
local SERVER = { model = true, gpu_layers = true, ctx = true, parallel = true, port = true, host = true,
  server_bin = true, server_arg = true, ready_timeout = true }
-- host options a sweep sets itself
local NOT_IN_SWEEP = { model = "use models", endpoint = "a sweep starts its own servers",
  results = "use the top-level results field", help = "not an option for runs" }
local FIELDS = { models = true, settings = true, benchmarks = true, options = true, results = true }

M.SERVER, M.NOT_IN_SWEEP = SERVER, NOT_IN_SWEEP

function M.host_option(k)
  for _, o in ipairs(runner.host_options) do
    if options.key(o.name) == k then return o end
  end
end

function M.spec_option(spec, k)
  for _, o in ipairs(spec.options or {}) do
    if options.key(o.name) == k then return o end
  end
end

local cwd_cache
local function cwd()
  if not cwd_cache then
    cwd_cache = bench.fs.realpath(".") or "."
  end
  return cwd_cache
end

local dirname, basename = path.dirname, path.basename
-- (against the real working directory, symbolic links resolved)
local function abspath(p, base) return path.abspath(p, base or cwd()) end
M.abspath = abspath

-- A value from a sweep file, checked against option o. -> value | nil, err
local function check_value(o, v)
  local t = options.typeof(o)
  local function bad(what)
    local shown = type(v) == "string" and string.format("%q", v)
      or v ~= v and "nan" or tostring(v) -- C's printf writes NaN as -nan or nan
    return nil, string.format("expected %s, got %s %s", what, type(v), shown)
  end
  if t == "int" then
    if math.type(v) ~= "integer" then return bad("an integer") end
  elseif t == "number" then
    if type(v) ~= "number" then return bad("a number") end
  elseif t == "bool" then
    if type(v) ~= "boolean" then return bad("true or false") end
  elseif t == "list" then
    if type(v) == "string" then v = { v } end
    if type(v) ~= "table" then return bad("a list of strings") end
    for i, x in ipairs(v) do
      if type(x) ~= "string" then return nil, string.format("[%d] expected a string, got %s", i, type(x)) end
    end
    for k in pairs(v) do
      if math.type(k) ~= "integer" or k < 1 or k > #v then return nil, "expected a list of strings" end
    end
    return json.array({ table.unpack(v) })
  else
    if type(v) ~= "string" then return bad("a string") end
    if o.choices then
      for _, c in ipairs(o.choices) do if c == v then return v end end
      return nil, string.format("must be one of %s, got %q", table.concat(o.choices, ", "), v)
    end
  end
  if type(v) == "number" then
    local n, rerr = options.in_range(o, v, "")
    if not n then return nil, (rerr:gsub("^ ", "")) end
  end
  if o.check and type(v) ~= "table" then
    local ok, why = o.check(v)
    if not ok then return nil, why or "is not allowed" end
  end
  return v
end

-- A list: keys 1..n and nothing else. -> true | false, the index of a
-- hole (a nil in the middle: `{ a, nil, b }`, a variable that is nil)
local function is_list(t)
  if type(t) ~= "table" then return false end
  local n = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 then return false end
    n = n + 1
  end
  for i = 1, n do
    if t[i] == nil then return false, i end
  end
  return true
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b) return tostring(a) < tostring(b) end)
  return ks
end

-- paths in a sweep file are relative to the file
local PATHS = { server_bin = true, runs_dir = true }

--- Validate a sweep table (from a file or the command line) fully.
-- where: the file name for messages; base: directory relative paths start
-- from. -> sweep | nil, "where: field: message"
function M.validate(t, where, base, limits)
  local function err(field, msg) return nil, string.format("%s: %s: %s", where, field, msg) end
  if type(t) ~= "table" then return nil, where .. ": a sweep file must return a table (models, settings, benchmarks, options, results)" end
  for _, k in ipairs(sorted_keys(t)) do
    if not FIELDS[k] then
      return err(tostring(k), "unknown field (a sweep has models, settings, benchmarks, options, results)")
    end
  end
  local sw = { models = {}, settings = {}, benchmarks = {}, options = {}, where = where }
  -- a list field: non-empty, without holes -> true | nil, err
  local function list(field, what)
    local ok, hole = is_list(t[field])
    if hole then return err(string.format("%s[%d]", field, hole), "is nil (a list cannot have holes)") end
    if not ok or #t[field] == 0 then return err(field, what) end
    return true
  end
  -- the same entry twice would run the same thing twice: a typo
  local seen = {}
  local function unique(field, i, key, hint)
    seen[field] = seen[field] or {}
    local j = seen[field][key]
    if j then return err(string.format("%s[%d]", field, i), string.format("the same as %s[%d]%s", field, j, hint or "")) end
    seen[field][key] = i
    return true
  end

  local lok, lerr = list("models", "expected a non-empty list of model paths")
  if not lok then return nil, lerr end
  local big = M.too_many(#t.models + 0.0, type(t.settings) == "table" and #t.settings + 0.0 or 1.0,
    limits and limits.max_cells)
  if big then return nil, where .. ": " .. big end
  for i, m in ipairs(t.models) do
    if type(m) ~= "string" or m == "" then return err(string.format("models[%d]", i), "expected a path") end
    sw.models[i] = abspath(m, base)
    local uok, uerr = unique("models", i, sw.models[i])
    if not uok then return nil, uerr end
  end

  -- options: host options for every run
  local function host_values(tbl, field, allow)
    if tbl == nil then return {} end
    if type(tbl) ~= "table" or (next(tbl) ~= nil and is_list(tbl)) then return err(field, "expected a table of option = value") end
    local out = {}
    for _, k in ipairs(sorted_keys(tbl)) do
      local f = field .. "." .. tostring(k)
      if type(k) ~= "string" then return err(f, "option names are strings") end
      local o = M.host_option(k)
      if not o then return err(f, "unknown option") end
      if NOT_IN_SWEEP[k] then return err(f, "not allowed in a sweep (" .. NOT_IN_SWEEP[k] .. ")") end
      if allow and not allow(k) then return err(f, "a server setting; put it in settings or options") end
      local v, verr = check_value(o, tbl[k])
      if v == nil then return err(f, verr) end
      if PATHS[k] and type(v) == "string" and v:find("/") then v = abspath(v, base) end
      out[k] = v
    end
    return out
  end

  local o, oerr = host_values(t.options, "options")
  if not o then return nil, oerr end
  sw.options = o

  if t.settings == nil then
    sw.settings = { {} }
  else
    lok, lerr = list("settings", "expected a non-empty list of tables of server settings")
    if not lok then return nil, lerr end
    for i, s in ipairs(t.settings) do
      local sv, serr = host_values(s, string.format("settings[%d]", i))
      if not sv then return nil, serr end
      sw.settings[i] = sv
      local uok, uerr = unique("settings", i, json.encode(sv))
      if not uok then return nil, uerr end
    end
  end

  -- the value a benchmark's option k has when the entry does not give it:
  -- the sweep's options, else the option's default (nil when a setting
  -- gives k, since it then differs from cell to cell)
  local function unless_given(k, opt)
    for _, st in ipairs(sw.settings) do
      if st[k] ~= nil then return nil end
    end
    if sw.options[k] ~= nil then return sw.options[k] end
    return opt.default
  end

  lok, lerr = list("benchmarks", "expected a non-empty list (a name, or {name, option = value})")
  if not lok then return nil, lerr end
  for i, b in ipairs(t.benchmarks) do
    local f = string.format("benchmarks[%d]", i)
    local name, given = b, {}
    if type(b) == "table" then
      name = b[1]
      for k, v in pairs(b) do
        if k ~= 1 then
          if type(k) ~= "string" then return err(f, "expected {name, option = value}") end
          given[k] = v
        end
      end
    end
    if type(name) ~= "string" then return err(f, "expected a benchmark name or {name, option = value}") end
    local path, ferr = runner.find(name)
    if not path then return err(f, ferr) end
    local spec, lerr = runner.load(path)
    if not spec then return nil, lerr end
    if not spec.run then return err(f, string.format("benchmark '%s' has no run(ctx) (script mode only)", name)) end
    local bo, same = {}, {} -- same: what differs from what the run would get anyway
    for _, k in ipairs(sorted_keys(given)) do
      local bf = f .. "." .. k
      local opt = M.spec_option(spec, k)
      if not opt then
        opt = M.host_option(k)
        if not opt then return err(bf, string.format("benchmark '%s' has no option '%s'", name, k:gsub("_", "-"))) end
        if SERVER[k] or NOT_IN_SWEEP[k] or k == "runs_dir" then
          return err(bf, "a server setting cannot change per benchmark; put it in settings")
        end
      end
      local v, verr = check_value(opt, given[k])
      if v == nil then return err(bf, verr) end
      bo[k] = v
      if v ~= unless_given(k, opt) then same[k] = v end
    end
    sw.benchmarks[i] = { name = name, spec = spec, opts = bo }
    local uok, uerr = unique("benchmarks", i, json.encode({ name, same }), " (to run it again, give it another seed)")
    if not uok then return nil, uerr end
  end

  if t.results ~= nil and (type(t.results) ~= "string" or t.results == "") then
    return err("results", "expected a file name")
  end
  sw.results = abspath(t.results or "benchmark_results.json", base)

  -- identity: the product, not the file's text (comments may change)
  local canon = { models = json.array(sw.models), settings = json.array({}), options = sw.options,
    benchmarks = json.array({}) }
  for i, s in ipairs(sw.settings) do canon.settings[i] = s end
  for i, b in ipairs(sw.benchmarks) do canon.benchmarks[i] = { name = b.name, opts = b.opts } end
  sw.digest = bench.codec.sha256(json.encode(canon)):sub(1, 16)

  sw.cells = {}
  for _, m in ipairs(sw.models) do
    for si, s in ipairs(sw.settings) do
      sw.cells[#sw.cells + 1] = { n = #sw.cells + 1, model = m, setting = s, setting_index = si }
    end
  end
  return sw
end

-- The environment a sweep file runs in: the safe part of the standard
-- library (copies: the file cannot change benchlua's own), os without exit,
-- io to read files, no require or debug (they reach os.exit), and a
-- setmetatable that refuses __gc (a finalizer runs whenever, even after
-- the sweep). Undefined globals are errors, as in a benchmark file.
local function sweep_env()
  local function copy(lib, only)
    local t = {}
    for k, v in pairs(lib) do
      if not only or only[k] then t[k] = v end
    end
    return t
  end
  local env = { os = copy(os, { getenv = 1, time = 1, date = 1, clock = 1, difftime = 1 }),
    io = copy(io, { open = 1, lines = 1 }), string = copy(string), table = copy(table), math = copy(math),
    utf8 = copy(utf8), coroutine = copy(coroutine), _VERSION = _VERSION }
  for _, k in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall", "print", "select",
    "tonumber", "tostring", "type", "rawequal", "rawget", "rawset", "rawlen" }) do
    env[k] = _G[k]
  end
  env.setmetatable = function(t, mt)
    if type(mt) == "table" and rawget(mt, "__gc") ~= nil then error("a sweep file cannot set __gc", 2) end
    return setmetatable(t, mt)
  end
  env.getmetatable = function(v) -- not a string's (the string library's own)
    if type(v) ~= "table" then return nil end
    return getmetatable(v)
  end
  return setmetatable(env, {
    __index = function(_, k) error(string.format("undefined global '%s'", tostring(k)), 2) end,
    __newindex = function(_, k) error(string.format("assignment to undefined global '%s' (use local)", tostring(k)), 2) end,
  })
end

-- What a sweep file returned, as plain data: tables are copied raw (next,
-- no metamethods) and one with a metatable is refused, so that checking it
-- runs none of the file's code. -> value | nil, err
local function plain(v, where)
  local seen = {}
  local function copy(x, path)
    if type(x) ~= "table" then return x end
    if seen[x] then return seen[x] end
    if debug.getmetatable(x) ~= nil then
      error(string.format("%s: %s: a table with a metatable (a sweep file returns plain tables)", where, path), 0)
    end
    local out = {}
    seen[x] = out
    local k, val = next(x)
    while k ~= nil do
      local name = type(k) == "string" and (path == "" and k or path .. "." .. k)
        or math.type(k) == "integer" and string.format("%s[%d]", path, k) or path .. "[" .. type(k) .. "]"
      local ck = copy(k, name)
      out[ck] = copy(val, name)
      k, val = next(x, k)
    end
    return out
  end
  local ok, r = pcall(copy, v, "")
  if not ok then return nil, (tostring(r):gsub(": : ", ": the table it returns: ", 1)) end
  return r
end

-- an error a sweep file raised, as one line naming the file
local function file_error(path, e)
  local msg = type(e) == "string" and e or type(e) == "number" and tostring(e)
    or string.format("(an error object of type %s)", type(e))
  msg = msg:gsub("\n.*", "")
  if msg:sub(1, #path + 1) ~= path .. ":" then msg = path .. ": " .. msg end
  return msg
end

--- Load and validate a sweep file. -> sweep | nil, err
-- of: the sweep file that path is a snapshot of (--snapshot-of): relative
-- paths start from its directory, and the runs record it as their file.
function M.load(path, limits, of)
  if not bench.fs.stat(path) then return nil, string.format("sweep file '%s' not found", path) end
  local text, rerr = bench.fs.read(path)
  if not text then return nil, string.format("sweep file '%s': %s", path, tostring(rerr)) end
  local chunk, err = load(text, "@" .. path, "t", sweep_env())
  if not chunk then return nil, err end
  local ok, t = pcall(chunk)
  if not ok then return nil, file_error(path, t) end
  t, err = plain(t, path)
  if err then return nil, err end
  local abs = abspath(of or path)
  local sw, verr = M.validate(t, path, dirname(abs), limits)
  if not sw then return nil, verr end
  sw.file = abs
  sw.snapshot = of and abspath(path) or nil
  sw.text = text
  return sw
end

--- The files a run needs, checked before anything starts: every model, and
-- the server binary of every setting (when a benchmark needs a server;
-- with remote, for Slurm nodes, only a server_bin given: their PATH is not
-- ours). -> true | nil, "where: field: message"
function M.check_files(sw, remote)
  for i, m in ipairs(sw.models) do
    local st = bench.fs.stat(m)
    if not st or st.type ~= "file" then
      return nil, string.format("%s: models[%d]: model file '%s' not found", sw.where, i, m)
    end
    local ok, err = runner.check_model(m) -- (readable, the GGUF magic)
    if not ok then return nil, string.format("%s: models[%d]: %s", sw.where, i, err) end
  end
  local any = false
  for _, b in ipairs(sw.benchmarks) do any = any or b.spec.server ~= false end
  if not any then return true end
  for si, s in ipairs(sw.settings) do
    local bin = s.server_bin or sw.options.server_bin
    local ok, err = true, nil
    if bin or not remote then ok, err = server_mod.find_binary(bin) end
    if not ok then
      local field = s.server_bin and string.format("settings[%d].server_bin", si) or "options.server_bin"
      return nil, string.format("%s: %s: %s", sw.where, field, err)
    end
  end
  return true
end

-- "gpu_layers=40 parallel=4"
local function describe(t)
  local parts = {}
  for _, k in ipairs(sorted_keys(t)) do
    local v = t[k]
    if type(v) == "table" then v = table.concat(v, " ") end
    parts[#parts + 1] = k .. "=" .. tostring(v)
  end
  return table.concat(parts, " ")
end
M.describe = describe

local function bench_label(b)
  local d = describe(b.opts)
  return d ~= "" and (b.name .. " " .. d) or b.name
end

-- The options of one run: host defaults, the sweep's options, the cell's
-- setting and model, the benchmark's defaults and its own options.
function M.run_opts(sw, cell, b, flags)
  local opts = assert(options.parse({}, 1, { runner.host_options, b.spec.options or {} }))
  for k, v in pairs(sw.options) do opts[k] = v end
  for k, v in pairs(cell.setting) do opts[k] = v end
  for k, v in pairs(b.opts) do opts[k] = v end
  opts.model = cell.model
  opts.results = M.results_path(sw, cell, flags)
  return assert(runner.normalize(opts))
end

function M.results_path(sw, cell, flags)
  if flags and flags.results_dir then
    return abspath(flags.results_dir) .. string.format("/cell-%d.json", cell.n)
  end
  return sw.results
end

--- Every run recorded for this sweep, in file order (from the results file, or
-- every *.json in the results dir). -> runs | nil, err
function M.recorded(sw, flags)
  local files = {}
  if flags and flags.results_dir then
    for _, f in ipairs(M.list_json(abspath(flags.results_dir))) do files[#files + 1] = f end
  else
    files[1] = sw.results
  end
  local runs = {}
  for _, f in ipairs(files) do
    local text, err = results.load(f)
    if text == nil then return nil, err end
    if text then
      local doc = cjson.decode(text)
      for _, r in ipairs(doc.runs) do
        local s = type(r) == "table" and r.sweep
        if type(s) == "table" and (sw.file and s.file == sw.file or (not sw.file and not s.file and s.digest == sw.digest)) then
          r.file = f -- (where its run directory is looked for)
          runs[#runs + 1] = r
        end
      end
    end
  end
  return runs
end

--- *.json files in a directory, sorted.
function M.list_json(dir)
  local out = {}
  for _, f in ipairs(bench.fs.list(dir) or {}) do
    if f:match("%.json$") then out[#out + 1] = dir .. "/" .. f end
  end
  table.sort(out)
  return out
end

local function run_key(s)
  return tostring(math.tointeger(s.cell)) .. ":" .. tostring(math.tointeger(s.index))
end

-- (cell, benchmark index) -> true for runs recorded ok (with job, only those
-- of that Slurm array job); refuses runs of an earlier version of the file.
function M.done_set(sw, flags, job)
  local runs, err = M.recorded(sw, flags)
  if not runs then return nil, err end
  local done = {}
  for _, r in ipairs(runs) do
    local mine = not job or type(r.slurm) == "table" and tostring(r.slurm.array_job_id) == job
    if mine and r.sweep.digest ~= sw.digest then
      return nil, string.format("%s: the sweep changed since its runs were recorded (models, settings, benchmarks or options differ); run it without --resume", sw.where)
    end
    if mine and r.status == "ok" then done[run_key(r.sweep)] = true end
  end
  return done
end

-- the error a Ctrl-C or SIGTERM raises in the main task
local function signalled(e)
  e = tostring(e)
  return e:match("^interrupted") or e:match("^terminated")
end

-- Does benchmark b need the cell's server? (spec.server: false, or a
-- function of the run's options)
local function needs_server(sw, cell, b, flags)
  local ns = b.spec.server
  if type(ns) == "function" then return ns(M.run_opts(sw, cell, b, flags)) and true or false end
  return ns ~= false
end

-- A failed run for a benchmark that could not run: its cell's server did
-- not start, or its options were refused.
local function record_failure(sw, cell, b, bi, flags, err, run_dir)
  local opts = M.run_opts(sw, cell, b, flags)
  local log = run_dir and run_dir .. "/server.log"
  local run = runrecord.new(b.spec.name, opts, { run_dir = run_dir, sweep = M.identity(sw, cell, b, bi) })
  run.status, run.error = "failed", err
  run.server_log = log and bench.fs.stat(log) and log or nil
  local ok, rerr = results.record(run, { results = opts.results })
  if not ok then io.stderr:write("benchlua: " .. tostring(rerr) .. "\n") end
end

function M.identity(sw, cell, b, bi)
  return { file = sw.file, snapshot = sw.snapshot, digest = sw.digest, cell = cell.n, cells = #sw.cells, index = bi, benchmark = b.name }
end

-- Run one cell: start its server, run every benchmark not done, stop it. A
-- server that dies during a benchmark is started again for the next one; one
-- that does not start fails the cell's remaining benchmarks. A Ctrl-C or
-- SIGTERM is raised on (after the server is stopped).
-- exit_code(outcome of runner.run) says how each run went and maps it to an
-- exit code. -> true when every run of the cell is ok
local function run_cell(sw, cell, flags, done, exit_code)
  local todo = {}
  for bi, b in ipairs(sw.benchmarks) do
    if not done[cell.n .. ":" .. bi] then todo[#todo + 1] = bi end
  end
  if #todo == 0 then
    io.stderr:write(string.format("sweep: cell %d/%d already recorded, skipped\n", cell.n, #sw.cells))
    return true
  end
  local setting = describe(cell.setting)
  io.stderr:write(string.format("sweep: cell %d/%d: %s%s (%d benchmark%s)\n", cell.n, #sw.cells,
    basename(cell.model), setting ~= "" and (" " .. setting) or "", #todo, #todo == 1 and "" or "s"))
  local base_opts = M.run_opts(sw, cell, sw.benchmarks[todo[1]], flags)
  local dok, dir, derr = pcall(runrecord.make_run_dir, base_opts, "sweep-cell" .. cell.n)
  if not dok then dir, derr = nil, dir end

  local server, info, start_err
  local _ <close> = setmetatable({}, { __close = function() if server then server:stop(0.3) end end })
  -- the cell's server, running -> true | false (start_err says why)
  local function ensure_server()
    if server and server:running() then return true end
    if start_err then return false end
    if server then -- it died during the last benchmark (that run says how)
      io.stderr:write(string.format("sweep: cell %d: the server %s; starting it again\n", cell.n, server:exit_message()))
      server:stop()
      server = nil
    end
    local ok, s, i = pcall(function()
      if not dir then error(tostring(derr), 0) end
      return runner.start_server(base_opts, dir)
    end)
    if not ok then
      if signalled(s) then error(s, 0) end
      s, i = nil, tostring(s)
    end
    if not s then
      start_err = "the server did not start: " .. tostring(i)
      io.stderr:write(string.format("sweep: cell %d: %s\n", cell.n, start_err))
      return false
    end
    server, info = s, i
    return true
  end

  local all_ok = true
  for _, bi in ipairs(todo) do
    local b = sw.benchmarks[bi]
    local opts = M.run_opts(sw, cell, b, flags)
    local verr
    if b.spec.validate then
      local vok, vmsg = b.spec.validate(opts)
      if not vok then
        verr = tostring(vmsg)
        io.stderr:write("benchlua: " .. b.name .. ": " .. verr .. "\n")
      end
    end
    if not verr and needs_server(sw, cell, b, flags) and not ensure_server() then verr = start_err end
    if verr then
      all_ok = false
      record_failure(sw, cell, b, bi, flags, verr, dir)
    else
      local ok, o = pcall(runner.run, b.spec, opts, { server = server, info = info, sweep = M.identity(sw, cell, b, bi) })
      if not ok then
        if signalled(o) then error(o, 0) end
        all_ok = false
        io.stderr:write("benchlua: " .. tostring(o) .. "\n")
      else
        local code = exit_code(o)
        if o.signal then error(o.signal, 0) end
        if code ~= 0 then all_ok = false end
      end
    end
  end
  if server then server:stop() end
  return all_ok
end

-- the settings a leaderboard row is told apart by (leaderboard.lua's row keys)
local ROW_SETTING = { gpu_layers = true, ctx = true, parallel = true, server_arg = true }

-- The runs of the summary made to read as the sweep's rows and columns in the
-- leaderboard: a benchmark the sweep has twice (with different options) is
-- a column each, named with its options; cells of one model that differ
-- only in settings the leaderboard does not tell apart (a seed, sampling, a
-- server binary) are a row each, the model named with those settings.
local function as_board_rows(sw, shown)
  local count, rows, clash = {}, {}, false
  for _, b in ipairs(sw.benchmarks) do count[b.name] = (count[b.name] or 0) + 1 end
  for _, cell in ipairs(sw.cells) do
    local part = {}
    for k, v in pairs(cell.setting) do if ROW_SETTING[k] then part[k] = v end end
    local key = cell.model .. "\0" .. json.encode(part)
    if rows[key] and rows[key] ~= cell.n then clash = true end
    rows[key] = cell.n
  end
  for _, x in ipairs(shown) do
    local r, cell, b = x.run, x.cell, x.b
    if count[b.name] > 1 and b.name ~= "speed" then r.benchmark = bench_label(b) end
    if clash then
      local rest = {}
      for k, v in pairs(cell.setting) do if not ROW_SETTING[k] then rest[k] = v end end
      local d = describe(rest)
      if d ~= "" then
        r.model = basename(cell.model) .. " " .. d
        if type(r.config) == "table" then r.config.path = cell.model .. " " .. d end
      end
    end
  end
end

-- the first line of a run's error, shown
local function error_line(r)
  local e = type(r.error) == "string" and r.error:match("^[^\n]*") or ""
  e = require("benchlua.readback").visible(e)
  if utf8.len(e) and utf8.len(e) > 160 then e = e:sub(1, utf8.offset(e, 158) - 1) .. "..." end
  return e
end

--- The summary at the end: the leaderboard of the sweep's runs (the latest
-- of each (cell, benchmark); filter: which recorded runs count), then a line
-- for each run that is not ok or did not run, then the count. -> true when
-- every run is ok
function M.summary(sw, flags, filter)
  local runs, err = M.recorded(sw, flags)
  if not runs then io.stderr:write("benchlua: " .. err .. "\n") return false end
  local latest = {}
  for _, r in ipairs(runs) do
    if not filter or filter(r) then latest[run_key(r.sweep)] = r end
  end
  local shown, lines, nok, total = {}, {}, 0, 0
  for _, cell in ipairs(sw.cells) do
    if not flags.cell or flags.cell == cell.n then
      local s = describe(cell.setting)
      local where = string.format("cell %d (%s%s)", cell.n, basename(cell.model), s ~= "" and (" " .. s) or "")
      for bi, b in ipairs(sw.benchmarks) do
        total = total + 1
        local r = latest[cell.n .. ":" .. bi]
        if not r then
          lines[#lines + 1] = string.format("not run: %s %s", where, bench_label(b))
        elseif r.status ~= "ok" then
          local e = error_line(r)
          lines[#lines + 1] = string.format("not ok: %s %s: %s%s", where, bench_label(b), tostring(r.status),
            e ~= "" and (" (" .. e .. ")") or "")
        else
          nok = nok + 1
        end
        if r then shown[#shown + 1] = { run = r, cell = cell, b = b } end
      end
    end
  end
  as_board_rows(sw, shown)
  local lb = require("benchlua.leaderboard")
  local list = {}
  for i, x in ipairs(shown) do x.run.num = i; list[i] = x.run end
  local board = lb.build(list, { results = M.results_path(sw, sw.cells[flags.cell or 1], flags) })
  local out = io.stdout
  if #board.rows > 0 then
    out:write(require("benchlua.readback").visible_lines(lb.render(board, "table", bench.fs.term_width(1))), "\n\n")
  end
  for _, l in ipairs(lines) do out:write(l, "\n") end
  out:write(string.format("%d of %d run%s ok\n", nok, total, total == 1 and "" or "s"))
  return nok == total
end

--- Print the cells (--dry-run). With done (from --resume), say what is done.
function M.list(sw, done)
  local nb = #sw.benchmarks
  io.stdout:write(string.format("%s: %d model%s x %d setting%s = %d cell%s, %d benchmark%s each (%d runs); results in %s\n",
    sw.file and basename(sw.file) or "sweep", #sw.models, #sw.models == 1 and "" or "s",
    #sw.settings, #sw.settings == 1 and "" or "s", #sw.cells, #sw.cells == 1 and "" or "s",
    nb, nb == 1 and "" or "s", #sw.cells * nb, sw.results))
  local labels = {}
  for i, b in ipairs(sw.benchmarks) do labels[i] = bench_label(b) end
  for _, cell in ipairs(sw.cells) do
    local state = ""
    if done then
      local n = 0
      for bi = 1, nb do if done[cell.n .. ":" .. bi] then n = n + 1 end end
      state = n == nb and "  (done)" or n > 0 and string.format("  (%d of %d done)", n, nb) or ""
    end
    local s = describe(cell.setting)
    io.stdout:write(string.format("cell %d: %s%s: %s%s\n", cell.n, basename(cell.model),
      s ~= "" and (" " .. s) or "", table.concat(labels, ", "), state))
  end
end

--- prepare(sw, flags) -> done (the runs to skip: "cell:index" -> true) |
-- nil, err: what a sweep checks before it starts anything (the runs done,
-- --cell, the models, server binaries, each benchmark entry's options and
-- data, the results file)
function M.prepare(sw, flags)
  local done = {}
  -- an array task Slurm requeued (its node failed): what its job recorded ok
  -- is not run again
  local job = flags.cell and (tonumber(os.getenv("SLURM_RESTART_COUNT")) or 0) > 0 and os.getenv("SLURM_ARRAY_JOB_ID")
  if flags.resume or job then
    local d, err = M.done_set(sw, flags, not flags.resume and job or nil)
    if not d then return nil, err end
    done = d
  end
  if flags.cell and flags.cell > #sw.cells then
    return nil, string.format("--cell %d: the sweep has %d cells", flags.cell, #sw.cells)
  end
  if not flags.cell then -- (an array task records a missing file as its cell's failure)
    local ok, err = M.check_files(sw)
    if not ok then return nil, err end
    -- each benchmark entry's options and data, as a single run checks them
    for _, b in ipairs(sw.benchmarks) do
      local opts = M.run_opts(sw, sw.cells[1], b, flags)
      if b.spec.validate then ok, err = b.spec.validate(opts) end
      if ok then ok, err = runner.precheck(b.spec, opts, false) end
      if not ok then return nil, string.format("%s: %s", b.name, tostring(err)) end
    end
  end
  -- a results file the runs could not be recorded in: refused before anything starts
  local path = M.results_path(sw, sw.cells[flags.cell or 1], flags)
  local ok, err = bench.fs.mkdir_p(dirname(path))
  if ok then ok, err = results.check(path) end
  if not ok then return nil, tostring(err) end
  return done
end

--- Run the sweep (or one cell of it), but the runs in done (prepare's).
-- exit_code(outcome): each run's outcome (runner.run) said, as an exit code
-- (cmd/run.lua's). -> every run ok?, the signal's message ("interrupted",
-- "terminated") when Ctrl-C or SIGTERM stopped it (the runs done are recorded)
function M.run(sw, flags, done, exit_code)
  local all_ok = true
  for _, cell in ipairs(sw.cells) do
    if not flags.cell or flags.cell == cell.n then
      local ok, r = xpcall(run_cell, function(e) return signalled(e) and e or debug.traceback(e, 2) end,
        sw, cell, flags, done, exit_code)
      if not ok then
        if not signalled(r) then error(r, 0) end
        return false, tostring(r)
      end
      if not r then all_ok = false end
    end
  end
  return all_ok
end

return M
