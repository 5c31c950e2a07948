-- cmd/run.lua: running one benchmark, `benchlua BENCHMARK [options]` (the
-- default command) and `benchlua run --benchmark NAME --script SCRIPT`
-- (script mode). Finds and loads the benchmark, parses its options and the
-- common ones (runner.host_options), and hands them to runner.run.
local cmd = require("benchlua.cmd")
local options = require("benchlua.options")
local runner = require("benchlua.runner")
local readback = require("benchlua.readback")
local M = {
  name = "run",
  summary = {
    { "BENCHMARK [options]", "run a benchmark (a .lua file or a shipped name)" },
    { "BENCHMARK --help", "its options" },
    { "run --benchmark NAME --script SCRIPT [options]", "run an external benchmark script against the server" },
  },
  usage = "benchlua run --benchmark NAME --script SCRIPT [options]",
}

-- script mode's own options (the man page's "Script mode")
M.options = {
  { name = "benchmark", type = "string", metavar = "NAME", help = "benchmark whose parse() reads the script's output" },
  { name = "script", type = "string", metavar = "SCRIPT", help = "the script to run (.venv/bin/python if present, else python3)" },
  { name = "script-arg", type = "list", metavar = "ARG", help = "extra argument for the script" },
}
local script_options = M.options

local fail = cmd.fail

--- exit_code(outcome) -> the exit code of a run's outcome (runner.run),
-- said: refused (2), not started or not recorded (1), recorded interrupted
-- or failed (1, with where its logs are), or its score (0)
function M.exit_code(o)
  if o.usage then return fail(o.error, 2) end
  if not o.recorded then return fail(o.error, 1) end
  local run = o.run
  if o.loading then
    io.stderr:write(string.format("benchlua: %s; recorded the interrupted run in %s\n", run.error, o.results))
    return 1
  elseif run.status == "interrupted" then
    io.stderr:write("benchlua: run interrupted: " .. run.error .. "\n")
    local unscored = run.results.samples_unscored
    io.stderr:write(string.format("benchlua: recorded the interrupted run in %s with %d samples done%s (logs in %s); continue it with --resume\n",
      o.results, run.results.samples_done or 0,
      unscored and string.format(" and %d generated, not yet scored", unscored) or "", run.run_dir))
    return 1
  elseif run.status ~= "ok" then
    io.stderr:write("benchlua: run failed: " .. run.error .. (o.bug_log and (" (traceback in " .. o.bug_log .. ")") or "") .. "\n")
    io.stderr:write("benchlua: recorded the failed run in " .. o.results .. " (logs in " .. run.run_dir .. ")\n")
    return 1
  end
  io.stdout:write(string.format("%s: score %s  (%.1fs)  recorded in %s\n", run.benchmark,
    readback.sig(run.results.score), run.results.time_taken, o.results))
  return 0
end

--- command(argv, usage): argv[1] is the benchmark, or "run" (script mode);
-- usage() is benchlua's usage text (run --help shows it)
function M.command(argv, usage)
  local first = argv[1]
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
      io.stdout:write(usage(), "\nscript mode options:\n", options.help(script_options), "\n", options.help(runner.host_options), "\n")
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
  return M.exit_code(runner.run(spec, opts, { script = mode == "script" and script_options or nil }))
end

return M
