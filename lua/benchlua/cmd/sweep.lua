-- cmd/sweep.lua: `benchlua sweep FILE | --model A --model B --benchmark NAME...`:
-- every benchmark on every (model, setting) (lua/benchlua/sweep.lua), or
-- the sweep submitted as a Slurm job array (lua/benchlua/slurm.lua). Reads
-- the command-line form of a sweep into the table a sweep file returns.
local cmd = require("benchlua.cmd")
local options = require("benchlua.options")
local json = require("benchlua.json")
local runner = require("benchlua.runner")
local sweep = require("benchlua.sweep")
local slurm = require("benchlua.slurm")
local run = require("benchlua.cmd.run")
local M = {
  name = "sweep",
  summary = { { "sweep FILE | --model A --model B --benchmark NAME...", "every benchmark on every (model, setting)" } },
}

M.options = {
  { name = "benchmark", type = "list", metavar = "NAME[:OPT=VAL,...]", help = "a benchmark of the sweep (command-line form), with options of its own: human_eval:limit=20,max_tokens=256" },
  { name = "server-arg-set", type = "list", metavar = "ARGS", help = "a set of server arguments, split as a shell would (\"-fa on\"); given again, the sets are a dimension of the product" },
  { name = "resume", default = false, help = "skip the runs already recorded ok for this sweep" },
  { name = "dry-run", default = false, help = "list the cells and exit" },
  { name = "cell", type = "int", min = 1, metavar = "N", help = "run only cell N (what each Slurm array task runs)" },
  { name = "results-dir", type = "string", metavar = "DIR", help = "one results file per cell in DIR (merge with 'benchlua results merge DIR -o FILE')" },
  { name = "slurm", default = false, help = "submit the sweep as one Slurm job array, one task per cell" },
  { name = "slurm-arg", type = "list", metavar = "ARG", help = "passed to sbatch, e.g. --slurm-arg=--partition=gpu" },
  { name = "wait", default = false, help = "with --slurm: wait until the array has ended, then print the summary" },
  { name = "snapshot-of", type = "string", metavar = "FILE", help = "the sweep file given is a copy of FILE (what a --slurm task runs): its relative paths and its runs' file are FILE's" },
  { name = "max-cells", type = "int", default = 10000, min = 1, metavar = "N", help = "refuse a sweep of more than N cells" },
}

-- ---------------------------------------------------------------------------
-- The command-line form: repeated options and comma lists form the product.

-- "a,b" -> {"a", "b"}; a backslash before a comma makes it part of the value ("a\,b.gguf")
local function split_commas(s)
  local out, cur, i = {}, {}, 1
  while i <= #s do
    local c = s:sub(i, i)
    if c == "\\" and s:sub(i + 1, i + 1) == "," then
      cur[#cur + 1] = ","
      i = i + 1
    elseif c == "," then
      out[#out + 1] = table.concat(cur)
      cur = {}
    else
      cur[#cur + 1] = c
    end
    i = i + 1
  end
  out[#out + 1] = table.concat(cur)
  return out
end

-- "-ctk q8_0 'a b'" -> {"-ctk", "q8_0", "a b"}: split as a shell splits
-- words (quotes and backslashes; no expansion). -> list | nil, err
local function shell_words(s)
  local out, cur, quote, i = {}, nil, nil, 1
  while i <= #s do
    local c = s:sub(i, i)
    if quote == "'" then
      if c == "'" then quote = nil else cur[#cur + 1] = c end
    elseif quote == '"' then
      if c == '"' then quote = nil
      elseif c == "\\" and s:sub(i + 1, i + 1):match('["\\$`]') then cur[#cur + 1] = s:sub(i + 1, i + 1); i = i + 1
      else cur[#cur + 1] = c end
    elseif c:match("%s") then
      if cur then out[#out + 1] = table.concat(cur); cur = nil end
    else
      cur = cur or {}
      if c == "'" or c == '"' then quote = c
      elseif c == "\\" and i < #s then cur[#cur + 1] = s:sub(i + 1, i + 1); i = i + 1
      else cur[#cur + 1] = c end
    end
    i = i + 1
  end
  if quote then return nil, string.format("an unclosed %s quote", quote) end
  if cur then out[#out + 1] = table.concat(cur) end
  return out
end

-- The options of one --benchmark NAME:opt=val,opt=val entry, converted and
-- checked by the benchmark's option specs. -> {key = value} | nil, err
local function entry_options(name, spec, text)
  local out = {}
  if not text then return out end
  local function err(fmt, ...) return nil, string.format("--benchmark %s: " .. fmt, name, ...) end
  for _, item in ipairs(split_commas(text)) do
    local k, v = item:match("^([^=]+)=(.*)$")
    if not k then return err("'%s' is not option=value (NAME:option=value,...)", item) end
    local key = options.key(k)
    local o = sweep.spec_option(spec, key)
    for _, so in ipairs(not o and spec.options or {}) do
      if so.short == k then o = so; key = options.key(so.name) end -- (speed:p=16, as llama-bench's -p)
    end
    if not o then
      local ho = sweep.host_option(key)
      if ho and (sweep.SERVER[key] or sweep.NOT_IN_SWEEP[key] or key == "runs_dir" or key == "resume") then
        return err("%s is a server setting, the same for every benchmark of a cell", ho.name)
      end
      o = ho
    end
    if not o then
      local names = {}
      for _, so in ipairs(spec.options or {}) do names[#names + 1] = so.name end
      for _, ho in ipairs(runner.host_options) do
        local hk = options.key(ho.name)
        if not (sweep.SERVER[hk] or sweep.NOT_IN_SWEEP[hk] or hk == "runs_dir" or hk == "resume") then names[#names + 1] = ho.name end
      end
      local near = options.closest((k:gsub("_", "-")), names)
      return err("no option '%s'%s", k, near and string.format(" (did you mean '%s'?)", near) or "")
    end
    if out[key] ~= nil then return err("%s is given twice", o.name) end
    local val, cerr
    if options.typeof(o) == "bool" then
      if v == "true" then val = true elseif v == "false" then val = false
      else cerr = string.format("--benchmark %s: %s expects true or false, got '%s'", name, o.name, v) end
    else
      val, cerr = options.convert(o, v, string.format("--benchmark %s: %s", name, o.name))
    end
    if val == nil then return nil, cerr end
    out[key] = val
  end
  return out
end

-- every setting of `settings` with each of `values` (a setting each): the
-- cross product, make(v) giving what v adds to a copy of the setting
local function cross(settings, values, make)
  local out = {}
  for _, s in ipairs(settings) do
    for _, v in ipairs(values) do
      local c = make(v)
      for kk, vv in pairs(s) do c[kk] = vv end
      out[#out + 1] = c
    end
  end
  return out
end

--- Parse `benchlua sweep [FILE] [options]`. -> {file=, flags=, help=, quiet=,
-- table= (the command-line form: what a sweep file would return)} | nil, err
local function parse_argv(argv, first)
  -- the benchmarks named on the command line, to know their options
  -- (NAME:opt=val,... : the entry's own options)
  local names, own = {}, {}
  for i = first, #argv do
    if argv[i] == "--" then break end
    local v = argv[i]:match("^%-%-benchmark=(.*)$")
    if not v and argv[i] == "--benchmark" then v = argv[i + 1] end
    if v then
      local n, rest = v:match("^([^:]*):(.*)$")
      if not n or runner.find(v) then n, rest = v, nil end
      own[#names + 1] = rest
      names[#names + 1] = n
    end
  end
  local specs = {}
  for i, n in ipairs(names) do
    local path, ferr = runner.find(n)
    if not path then return nil, "--benchmark " .. n .. ": " .. ferr end
    local spec, lerr = runner.load(path)
    if not spec then return nil, lerr end
    specs[#specs + 1] = spec
    local eo, eerr = entry_options(n, spec, own[i])
    if not eo then return nil, eerr end
    own[i] = eo
  end
  -- every common and benchmark option is collected as a list of its texts
  local orig, bench_of, as_lists = {}, {}, {}
  local function collect(o, owner)
    if options.typeof(o) == "bool" then as_lists[#as_lists + 1] = o return end
    local k = options.key(o.name)
    if not orig[k] then
      orig[k] = o
      as_lists[#as_lists + 1] = { name = o.name, type = "list" }
    end
    if owner then bench_of[k] = bench_of[k] or {} table.insert(bench_of[k], owner) end
  end
  for _, o in ipairs(runner.host_options) do collect(o) end
  for _, s in ipairs(specs) do for _, o in ipairs(s.options or {}) do collect(o, s) end end
  local values, positional = options.parse(argv, first, { M.options, as_lists })
  if not values then return nil, positional end
  local flags = {}
  for _, o in ipairs(M.options) do flags[options.key(o.name)] = values[options.key(o.name)] end
  local out = { flags = flags, help = values.help, quiet = values.quiet }
  if #positional > 1 then return nil, string.format("unexpected argument '%s'", positional[2]) end
  out.file = positional[1]
  if out.help then return out end

  -- each given value: comma lists for numbers, choices and models
  local given, order = {}, {}
  for _, o in ipairs(runner.host_options) do order[#order + 1] = options.key(o.name) end
  for _, s in ipairs(specs) do for _, o in ipairs(s.options or {}) do order[#order + 1] = options.key(o.name) end end
  for _, k in ipairs(order) do
    local o, texts = orig[k], orig[k] and values[k]
    if o and #texts > 0 and not given[k] then
      local t, vals = options.typeof(o), {}
      for _, text in ipairs(texts) do
        -- (a model file whose name has a comma is taken whole)
        local whole = k == "model" and text:find(",") and bench.fs.stat(text)
        local parts = not whole and (t == "int" or t == "number" or o.choices or k == "model") and split_commas(text)
          or { text }
        for _, p in ipairs(parts) do
          local v, err = options.convert(o, p, "--" .. o.name)
          if v == nil then return nil, err end
          vals[#vals + 1] = v
        end
      end
      given[k] = t == "list" and { json.array(vals) } or vals
    end
  end
  if out.file then
    local extra = #names > 0 and "benchmark" or #flags.server_arg_set > 0 and "server_arg_set" or nil
    for _, k in ipairs(order) do extra = extra or (given[k] and k) end
    if extra then
      return nil, string.format("--%s: with a sweep file, models, settings, benchmarks and options come from the file", (extra:gsub("_", "-")))
    end
    return out
  end

  -- the command-line form: the same table a sweep file returns
  local t = { models = given.model, settings = { {} }, benchmarks = {}, options = {} }
  if not t.models then return nil, "sweep: --model PATH (repeatable) or a sweep FILE is required" end
  local nsettings = 1.0 -- (counted before the product is built)
  for _, k in ipairs(order) do
    if given[k] and k ~= "model" and k ~= "results" and not bench_of[k] then nsettings = nsettings * #given[k] end
  end
  -- --server-arg-set: each set, after the common --server-arg values, is a setting
  local sets = {}
  for i, text in ipairs(flags.server_arg_set) do
    local words, werr = shell_words(text)
    if not words then return nil, string.format("--server-arg-set '%s': %s", text, werr) end
    sets[i] = words
  end
  if #sets > 0 then nsettings = nsettings * #sets end
  local big = sweep.too_many(#t.models + 0.0, nsettings, flags.max_cells)
  if big then return nil, "sweep: " .. big end
  if #names == 0 then return nil, "sweep: --benchmark NAME (repeatable) is required" end
  if given.results then t.results = given.results[1] end
  if values.quiet then t.options.quiet = true end
  for _, k in ipairs(order) do
    local vals = given[k]
    if vals and k ~= "model" and k ~= "results" and not bench_of[k] then
      if #vals == 1 then
        t.options[k] = vals[1]
      else
        t.settings = cross(t.settings, vals, function(v) return { [k] = v } end)
      end
    end
  end
  if #sets > 0 then
    local common = t.options.server_arg or {}
    t.options.server_arg = nil
    t.settings = cross(t.settings, sets, function(words)
      return { server_arg = json.array(table.move(words, 1, #words, #common + 1, table.move(common, 1, #common, 1, {}))) }
    end)
  end
  for bi, s in ipairs(specs) do
    local b = { names[bi] }
    for k, owners in pairs(bench_of) do
      if given[k] then
        if #given[k] > 1 then return nil, string.format("--%s: a benchmark option takes one value in a sweep", orig[k].name) end
        for _, bs in ipairs(owners) do if bs == s then b[k] = given[k][1] end end
      end
    end
    for k, v in pairs(own[bi]) do b[k] = v end
    t.benchmarks[bi] = b
  end
  out.table = t
  return out
end

M.usage = [[
usage: benchlua sweep FILE [--resume] [--dry-run] [--cell N] [--results-dir DIR]
       benchlua sweep FILE --slurm [--slurm-arg ARG]... [--wait]
       benchlua sweep --model A --model B --gpu-layers 40,99 --benchmark NAME... [options]
       benchlua sweep --model A --server-arg-set "-fa on" --server-arg-set "-fa off" --benchmark NAME:opt=val,...

Runs every benchmark on every (model, setting): one server start per cell;
ends with the leaderboard of its runs and a line for each run not ok.
A sweep FILE is a Lua file returning
  { models = {...}, settings = {{gpu_layers = 40}, ...}, benchmarks = {"throughput", {"human_eval", limit = 20}},
    options = {server_bin = "..."}, results = "sweep_results.json" }
]]

--- `benchlua sweep ...` -> exit code
function M.command(argv)
  local parsed, perr = parse_argv(argv, 2)
  if not parsed then io.stderr:write("benchlua: " .. perr .. "\n") return 2 end
  if parsed.help then
    io.stdout:write(M.usage, "\nsweep options:\n", options.help(M.options), "\n\nsettings and options: the common options (benchlua --help)\n")
    return 0
  end
  local sw, err
  local shown = parsed.flags.slurm and parsed.file and slurm.control_char(sweep.abspath(parsed.file))
  if shown then -- (before any message names it: they are one line)
    io.stderr:write(string.format("benchlua: --slurm: the sweep file's path has a control character ('%s'); it would go into the batch script\n", shown))
    return 2
  end
  if parsed.file then
    sw, err = sweep.load(parsed.file, parsed.flags, parsed.flags.snapshot_of)
  elseif parsed.flags.snapshot_of then
    io.stderr:write("benchlua: --snapshot-of goes with a sweep FILE\n") return 2
  else
    sw, err = sweep.validate(parsed.table, "command line", nil, parsed.flags)
  end
  if not sw then io.stderr:write("benchlua: " .. err .. "\n") return 2 end
  if parsed.quiet then sw.options.quiet = true end
  local flags = parsed.flags
  if flags.wait and not flags.slurm then io.stderr:write("benchlua: --wait goes with --slurm\n") return 2 end
  if #flags.slurm_arg > 0 and not flags.slurm then io.stderr:write("benchlua: --slurm-arg goes with --slurm\n") return 2 end
  if flags.dry_run then
    local done
    if flags.resume then
      local d, derr = sweep.done_set(sw, flags)
      if not d then io.stderr:write("benchlua: " .. derr .. "\n") return 2 end
      done = d
    end
    sweep.list(sw, done)
    return 0
  end
  if flags.slurm then
    if flags.cell then io.stderr:write("benchlua: --cell and --slurm do not go together\n") return 2 end
    return slurm.submit(sw, flags)
  end
  local done, perr = sweep.prepare(sw, flags)
  if not done then return cmd.fail(perr, 2) end
  local all_ok, stopped = sweep.run(sw, flags, done, run.exit_code)
  io.stdout:write("\n")
  local sum_ok = sweep.summary(sw, flags)
  if stopped then
    io.stderr:write(string.format("sweep: %s; the runs done are recorded, continue with: benchlua sweep %s%s%s --resume\n",
      stopped, sw.file or "(the same options)", flags.cell and (" --cell " .. flags.cell) or "",
      flags.results_dir and (" --results-dir " .. sweep.abspath(flags.results_dir)) or ""))
    return 1 -- the exit status becomes 128 + the signal
  end
  return (all_ok and sum_ok) and 0 or 1
end

return M
