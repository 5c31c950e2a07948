-- main.lua: the command line. Returns the function main.c runs as the main
-- task with the argument list; its return value is the exit code.
require("benchlua.api")
local options = require("benchlua.options")
local runner = require("benchlua.runner")

local usage = [[
usage: benchlua BENCHMARK [options]          run a benchmark (a .lua file or a shipped name)
       benchlua BENCHMARK --help             its options
       benchlua run --benchmark NAME --script SCRIPT [options]
                                             run an external benchmark script against the server
       benchlua sweep FILE | --model A --model B --benchmark NAME...
                                             every benchmark on every (model, setting)
       benchlua results [FILE] [--format table|md|csv|json|jsonl]
                                             the recorded runs, numbered from 1
       benchlua compare [A B]                run B against run A: delta, interval, paired test, flips
       benchlua leaderboard [FILE]           models x settings against benchmarks, the best marked
       benchlua report [FILE] -o report.html one self-contained HTML page of the runs
       benchlua list                         shipped benchmarks
       benchlua fetch [BENCHMARK...]         download their datasets ahead of time (default: all)
       benchlua test FILE...                 run Lua test files (see tests/lua)
       benchlua --version
       benchlua --man                        the man page (roff), from the option specs

examples:
  benchlua human_eval --model m.gguf --gpu-layers 80
  benchlua benchmarks/human_eval.lua --endpoint http://127.0.0.1:8080
  benchlua run --benchmark human_eval --script run_eval.py --model m.gguf --gpu-layers 80
]]

local script_options = {
  { name = "benchmark", type = "string", metavar = "NAME", help = "benchmark whose parse() reads the script's output" },
  { name = "script", type = "string", metavar = "SCRIPT", help = "the script to run (.venv/bin/python if present, else python3)" },
  { name = "script-arg", type = "list", metavar = "ARG", help = "extra argument for the script" },
}
runner.script_options = script_options

local function fail(msg)
  io.stderr:write("benchlua: " .. msg .. "\n")
  return 2
end

-- the benchmarks found by name (BENCHLUA_PATH, ./benchmarks, ...), sorted;
-- only those shipped with benchlua (beside the binary, or installed) when
-- `installed`, unless BENCHLUA_PATH names where they are (a build elsewhere:
-- build/asan/benchlua)
local function shipped(installed)
  local seen, names = {}, {}
  local dirs = runner.search_dirs()
  if installed and not os.getenv("BENCHLUA_PATH") then
    dirs = { (bench.exe:match("^(.*)/[^/]*$") or ".") .. "/benchmarks", bench.datadir and bench.datadir .. "/benchmarks" }
  end
  for _, d in ipairs(dirs) do
    for _, f in ipairs(bench.fs.list(d) or {}) do
      local name = f:match("^(.-)%.lua$")
      if name and not seen[name] then seen[name] = true; names[#names + 1] = name end
    end
  end
  table.sort(names)
  return names
end

-- `benchlua fetch [BENCHMARK...]`: every dataset the benchmarks use (default:
-- all shipped), into the cache, digest-checked; says where each is
local function fetch(argv)
  local dataset = require("benchlua.dataset")
  local names = {}
  for i = 2, #argv do
    if argv[i] == "--help" or argv[i] == "-h" then
      io.stdout:write("usage: benchlua fetch [BENCHMARK...]   download the datasets of these benchmarks (default: every shipped one)\n",
        "  into the cache (", dataset.cache_dir(), "), checked by digest; files already in $BENCHLUA_DATA or the cache are used as they are\n")
      return 0
    end
    if argv[i]:match("^%-") then return fail(string.format("fetch: unknown option '%s'", argv[i])) end
    names[#names + 1] = argv[i]
  end
  if #names == 0 then names = shipped(true) end
  local specs = {}
  for _, name in ipairs(names) do
    local path, ferr = runner.find(name)
    if not path then return fail("fetch: " .. ferr) end
    local spec, lerr = runner.load(path)
    if not spec then return fail(lerr) end
    specs[#specs + 1] = spec
  end
  local WHERE = { data = "in BENCHLUA_DATA", cache = "cached", downloaded = "downloaded" }
  local ready, failed = 0, 0
  for _, spec in ipairs(specs) do
    local list = spec.datasets
    if type(list) == "function" then list = list() end
    for _, d in ipairs(list or {}) do
      local got, where = (d.fetch or dataset.fetch)(d)
      if got then
        ready = ready + 1
        io.stdout:write(string.format("%s: %s  %s (%s)\n", spec.name, d.file, got, WHERE[where] or where or "ready"))
        io.stdout:flush()
      else
        failed = failed + 1
        io.stderr:write(string.format("benchlua: fetch: %s: %s\n", spec.name, where))
      end
    end
  end
  io.stdout:write(string.format("fetch: %d file%s ready%s\n", ready, ready == 1 and "" or "s",
    failed > 0 and string.format(", %d could not be fetched (offline? put them in a directory named by BENCHLUA_DATA)", failed) or ""))
  return failed > 0 and 1 or 0
end

local function list()
  for _, name in ipairs(shipped()) do
    local spec = runner.load(runner.find(name))
    print(string.format("%-16s %s", name, spec and spec.description or ""))
  end
  return 0
end

return function(argv)
  local first = argv[1]
  if first == nil or first == "--help" or first == "-h" or first == "help" then
    io.stdout:write(usage, "\ncommon options:\n", options.help(runner.host_options), "\n")
    return first == nil and 2 or 0
  end
  if first == "--version" then
    print("benchlua " .. bench.version .. " (" .. _VERSION .. ")")
    return 0
  end
  if first == "--man" then
    local readback, sweep = require("benchlua.readback"), require("benchlua.sweep")
    local commands = {
      { name = "sweep", usage = sweep.usage:match("^(.-)\n\n") or sweep.usage, spec = sweep.options },
      { name = "results", usage = readback.usage.results, spec = readback.specs.results },
      { name = "results merge", usage = "benchlua results merge DIR... -o FILE   the runs of every DIR/*.json added to FILE",
        spec = { { name = "output", type = "string", metavar = "FILE", help = "the results file to add the runs to (-o)" } } },
      { name = "leaderboard", usage = readback.usage.leaderboard, spec = readback.specs.leaderboard },
      { name = "compare", usage = readback.usage.compare, spec = readback.specs.compare },
      { name = "report", usage = readback.usage.report, spec = readback.specs.report },
      { name = "list", usage = "benchlua list   the shipped benchmarks, one a line" },
      { name = "fetch", usage = "benchlua fetch [BENCHMARK...]   their datasets into the cache ahead of time (default: every shipped one),\n" ..
        "digest-checked; files in $BENCHLUA_DATA or the cache are used as they are" },
      { name = "test", usage = "benchlua test FILE...   run Lua test files (tests/lua), a leak check after each" },
    }
    local benchmarks = {}
    for _, name in ipairs(shipped(true)) do
      local spec = runner.load(runner.find(name))
      if spec then benchmarks[#benchmarks + 1] = spec end
    end
    io.stdout:write(require("benchlua.manpage").render(bench.version, runner.host_options, script_options, commands, benchmarks))
    return 0
  end
  if first == "list" then return list() end
  if first == "fetch" then return fetch(argv) end
  if first == "sweep" then return require("benchlua.sweep").main(argv) end
  if first == "results" and argv[2] == "merge" then return require("benchlua.sweep").merge(argv, 3) end
  if first == "results" or first == "compare" or first == "report" or first == "leaderboard" then
    local code = require("benchlua.readback")[first](argv)
    -- They only read and started nothing: exit now rather than free every
    -- decoded run one at a time in lua_close (a tenth of `results` on a
    -- large file).
    io.stdout:flush()
    os.exit(code)
  end
  if first == "test" then
    local files, filter = {}, os.getenv("BENCHLUA_TEST_FILTER")
    for i = 2, #argv do files[#files + 1] = argv[i] end
    local failed = require("benchlua.testing").run_files(files, filter)
    return failed > 0 and 1 or 0
  end

  local mode, specs_extra, name = "native", {}, first
  if first == "run" then
    mode = "script"
    specs_extra = script_options
  elseif first:match("^%-") then
    return fail(string.format("unknown option '%s'; the first argument is a benchmark (see --help)", first))
  end

  -- first pass in script mode: which benchmark?
  if mode == "script" then
    local pre, perr = options.parse(argv, 2, { runner.host_options, script_options })
    -- benchmark options are not allowed in script mode; host + script options only
    if not pre then return fail(perr) end
    if pre.help then
      io.stdout:write(usage, "\nscript mode options:\n", options.help(script_options), "\n", options.help(runner.host_options), "\n")
      return 0
    end
    if not pre.benchmark then return fail("run: --benchmark NAME is required") end
    if not pre.script then return fail("run: --script SCRIPT is required") end
    if not bench.fs.stat(pre.script) then return fail(string.format("run: script '%s' not found", pre.script)) end
    name = pre.benchmark
  end

  local path, ferr = runner.find(name)
  if not path then return fail(ferr) end
  local spec, lerr = runner.load(path)
  if not spec then return fail(lerr) end

  local specs = { runner.host_options, spec.options or {}, specs_extra }
  local opts, posarg = options.parse(argv, 2, specs)
  if not opts then return fail(opts == nil and posarg or "bad arguments") end
  if #posarg > 0 then return fail(string.format("unexpected argument '%s'", posarg[1])) end
  if opts.help then
    io.stdout:write(string.format("%s: %s\n\nusage: benchlua %s [options]\n", spec.name, spec.description or "", name))
    if spec.options and #spec.options > 0 then
      io.stdout:write("\nbenchmark options:\n", options.help(spec.options), "\n")
    end
    io.stdout:write("\ncommon options:\n", options.help(runner.host_options), "\n")
    return 0
  end
  if mode == "native" and not spec.run then
    return fail(path .. ": this benchmark has no run(ctx); use it with 'benchlua run --benchmark " .. spec.name .. " --script ...'")
  end
  if spec.validate then
    local ok, verr = spec.validate(opts)
    if not ok then return fail(verr) end
  end
  return runner.run(spec, opts, mode)
end
