-- runner.lua: runs one benchmark file. Loads it in a strict environment,
-- parses its options, starts and watches the server (or uses --endpoint),
-- calls the benchmark's run(ctx) or the script mode, records the run, and
-- stops the server whatever happened.
local options = require("benchlua.options")
local server_mod = require("benchlua.server")
local results = require("benchlua.results")
local llm = require("benchlua.llm")
local cjson = require("cjson.safe")
local resume = require("benchlua.resume")
local progress = require("benchlua.progress")
local M = {}

local function nonempty(v)
  if v == "" then return false, "must not be empty" end
  return true
end

local function http_url(v)
  if not v:match("^[Hh][Tt][Tt][Pp][Ss]?://[^/%s]+") then return false, "must be an http:// or https:// URL" end
  return true
end

local WEEK = 7 * 24 * 3600

M.host_options = {
  { name = "model", type = "string", metavar = "PATH", check = nonempty, help = "GGUF model for the server" },
  { name = "model-name", type = "string", metavar = "ID", check = nonempty, help = "model id sent with every request (default: the first id from /v1/models)" },
  { name = "gpu-layers", type = "int", metavar = "N", min = -1, max = 100000, help = "layers to offload to the GPU (-ngl)" },
  { name = "ctx", type = "int", metavar = "N", min = 0, max = 1 << 30, help = "server context size, all slots together (-c)" },
  { name = "parallel", type = "int", metavar = "N", min = 1, max = 4096, help = "server slots (-np)" },
  { name = "port", default = 0, min = 0, max = 65535, help = "server port; 0 picks a free one" },
  { name = "host", default = "127.0.0.1", check = nonempty, help = "address the server listens on" },
  { name = "server-bin", type = "string", metavar = "PATH", check = nonempty, help = "server binary (else $BENCHLUA_SERVER_BIN, ./build/bin/llama-server, PATH)" },
  { name = "server-arg", type = "list", metavar = "ARG", help = "extra argument passed to the server" },
  { name = "endpoint", type = "string", metavar = "URL", check = http_url, help = "use this running OpenAI-compatible server instead of starting one (API key: $BENCHLUA_API_KEY or $OPENAI_API_KEY)" },
  { name = "results", default = "benchmark_results.json", metavar = "FILE", check = nonempty, help = "results file" },
  { name = "runs-dir", type = "string", metavar = "DIR", check = nonempty, help = "where per-run logs go (default: benchlua-runs/ beside the results file)" },
  { name = "timeout", default = 600, type = "number", min = 0.001, max = WEEK, metavar = "SECONDS", help = "per-request timeout (and the script's wall-clock limit in run mode)" },
  { name = "ready-timeout", default = 300, type = "number", min = 0, max = WEEK, metavar = "SECONDS", help = "how long the server may take to load" },
  { name = "concurrency", type = "int", min = 1, max = 4096, metavar = "N", help = "requests in flight (default: the server's slot count)" },
  { name = "max-server-errors", default = 0, min = 0, metavar = "N", identity = false, help = "failed requests (after retries) a run may have and still count as ok" },
  { name = "sandbox", default = "auto", choices = { "auto", "strict", "off" }, help = "how model-written code is isolated (auto, strict, off)" },
  { name = "seed", default = 1234, min = 0, max = (1 << 31) - 1, help = "run seed (per-sample seeds derive from it)" },
  { name = "quiet", default = false, help = "no progress lines" },
  { name = "resume", default = false, help = "continue the latest interrupted run of this benchmark, model and settings" },
  { name = "help", default = false, help = "show this help" },
}

-- The environment benchmark files run in: the standard library, `bench`,
-- `require`, and an error for any other global (a typo guard).
function M.strict_env(path)
  local allowed = {}
  for _, k in ipairs({ "assert", "error", "ipairs", "next", "pairs", "pcall", "xpcall", "print", "select",
    "tonumber", "tostring", "type", "rawequal", "rawget", "rawset", "rawlen", "setmetatable", "getmetatable",
    "require", "string", "table", "math", "os", "io", "utf8", "coroutine", "debug", "bench", "_VERSION" }) do
    allowed[k] = _G[k]
  end
  return setmetatable(allowed, {
    __index = function(_, k) error(string.format("undefined global '%s'", tostring(k)), 2) end,
    __newindex = function(_, k) error(string.format("assignment to undefined global '%s' (use local)", tostring(k)), 2) end,
  })
end

--- Where benchmarks are looked up by name, in order: $BENCHLUA_PATH,
-- ./benchmarks, beside the binary (the source tree), an install's share/.
function M.search_dirs()
  local dirs = {}
  for d in (os.getenv("BENCHLUA_PATH") or ""):gmatch("[^:]+") do dirs[#dirs + 1] = d end
  dirs[#dirs + 1] = "benchmarks"
  local exe_dir = bench.exe:match("^(.*)/[^/]*$") or "."
  dirs[#dirs + 1] = exe_dir .. "/benchmarks"                   -- the source tree
  dirs[#dirs + 1] = exe_dir .. "/../share/benchlua/benchmarks" -- a relocated install
  if bench.datadir then dirs[#dirs + 1] = bench.datadir .. "/benchmarks" end
  return dirs
end

--- Find a benchmark by path or name. -> path | nil, err
function M.find(arg)
  if arg:match("%.lua$") or arg:find("/") then
    if bench.fs.stat(arg) then return arg end
    return nil, string.format("benchmark file '%s' not found", arg)
  end
  if not arg:match("^[%w_%-]+$") then return nil, string.format("'%s' is not a benchmark name", arg) end
  local dirs = M.search_dirs()
  for _, d in ipairs(dirs) do
    local p = d .. "/" .. arg .. ".lua"
    if bench.fs.stat(p) then return p end
  end
  return nil, string.format("no benchmark named '%s' (looked in %s)", arg, table.concat(dirs, ", "))
end

--- Load a benchmark file -> spec | nil, err. Errors name the file and line.
function M.load(path)
  local chunk, err = loadfile(path, "t", M.strict_env(path))
  if not chunk then return nil, err end
  local ok, spec = pcall(chunk) -- a load-time error is one line: file:line: message
  if not ok then return nil, spec end
  if type(spec) ~= "table" then
    return nil, path .. ": a benchmark file must return a table (name, options, run, parse)"
  end
  spec.name = spec.name or path:match("([^/]+)%.lua$")
  if spec.run ~= nil and type(spec.run) ~= "function" then return nil, path .. ": run must be a function" end
  if spec.parse ~= nil and type(spec.parse) ~= "function" then return nil, path .. ": parse must be a function" end
  local okspec, serr = pcall(options.check_spec, spec.options, path)
  if not okspec then return nil, serr end
  for _, o in ipairs(spec.options or {}) do
    for _, h in ipairs(M.host_options) do
      if h.name == o.name then return nil, string.format("%s: option '%s' is one of benchlua's own", path, o.name) end
    end
  end
  spec.path = path
  return spec
end

local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end

-- The context handed to a benchmark's run(ctx).
local function make_ctx(spec, opts, server, info, run_dir)
  local ctx = {
    opts = opts, server = server, info = info or {}, run_dir = run_dir, name = spec.name,
    concurrency = opts.concurrency or (info and info.slots) or 1,
    stats = { requests = 0, failed_requests = 0, tokens = 0, prompt_tokens = 0 },
    seed = opts.seed, sandbox = opts.sandbox ~= "off" and opts.sandbox or false,
  }
  ctx.samples_path = run_dir .. "/samples.jsonl"
  -- what the sample log holds so far (a resumed run's kept samples included):
  -- per-problem counts for the progress line, an interrupted run's record and
  -- the score's interval
  ctx.live = { start = bench.now(), base = 0, samples = 0, n = {}, c = {}, ids = {}, outcomes = {} }
  ctx.progress = progress.new{ name = spec.name, quiet = opts.quiet, stats = ctx.stats, live = ctx.live }

  -- every request goes through here: counts, and stops at once if the server died
  local function call(fn, params)
    if ctx.failed then error(ctx.failed, 0) end
    local r, err, code = fn(server, params, { timeout = opts.timeout })
    if ctx.failed then error(ctx.failed, 0) end
    ctx.stats.requests = ctx.stats.requests + 1
    if not r then
      ctx.stats.failed_requests = ctx.stats.failed_requests + 1
      return nil, err, code
    end
    ctx.stats.tokens = ctx.stats.tokens + (r.tokens or 0)
    ctx.stats.prompt_tokens = ctx.stats.prompt_tokens + (r.prompt_tokens or 0)
    return r
  end
  function ctx.completion(params) return call(llm.completion, params) end
  function ctx.chat(params) return call(llm.chat, params) end

  --- ctx.log_sample(t): one JSON line in the run's sample log, written now.
  function ctx.log_sample(t)
    local line = assert(cjson.encode(t))
    assert(bench.fs.append(ctx.samples_path, line .. "\n"))
    resume.count_sample(ctx, t)
  end

  --- ctx.check_fit(items, max_tokens): items = {{id=, prompt=}...}; raises one
  -- message naming every prompt that cannot fit a slot's context.
  function ctx.check_fit(items, max_tokens)
    local per_slot = ctx.info.ctx_per_slot
    if not per_slot or not server or server.external then return true end
    local bad = {}
    bench.map(items, ctx.concurrency, function(it)
      local n, err = llm.tokenize(server, it.prompt, { timeout = opts.timeout })
      if not n then error("tokenize failed: " .. tostring(err), 0) end
      if n + max_tokens > per_slot then bad[#bad + 1] = string.format("%s (%d + %d)", it.id, n, max_tokens) end
    end)
    if #bad > 0 then
      table.sort(bad)
      error(string.format("%d prompt(s) do not fit the server's context per slot (%d tokens) with %d tokens to generate: %s; raise --ctx or lower the generation limit",
        #bad, per_slot, max_tokens, table.concat(bad, ", ", 1, math.min(#bad, 10)) .. (#bad > 10 and ", ..." or "")), 0)
    end
    return true
  end
  return ctx
end

local function base_config(opts, info)
  local cfg = {
    path = opts.model, gpu_layers = opts.gpu_layers, ctx = opts.ctx, parallel = opts.parallel,
    server_args = setmetatable(opts.server_arg or {}, require("benchlua.json").array_mt),
    endpoint = opts.endpoint, concurrency = opts.concurrency or (info and info.slots),
  }
  if info then
    cfg.server = { slots = info.slots, ctx_per_slot = info.ctx_per_slot, model = info.model,
      n_params = info.n_params, model_size = info.model_size }
  end
  return cfg
end

local function start_server(opts, run_dir)
  local server, err
  if opts.endpoint then
    server = server_mod.endpoint(opts.endpoint)
  else
    server, err = server_mod.spawn_server{
      bin = opts.server_bin, model = opts.model, host = opts.host, port = opts.port,
      gpu_layers = opts.gpu_layers, ctx = opts.ctx, parallel = opts.parallel,
      args = opts.server_arg, log = run_dir .. "/server.log",
    }
    if not server then return nil, err end
  end
  local info, rerr = server_mod.wait_ready(server, { timeout = opts.ready_timeout })
  if not info then
    server:stop()
    return nil, rerr
  end
  return server, info
end

-- Watch the server: if it exits while the run needs it, fail the run at once.
local function watch(server, ctx)
  if server.external then return nil end
  return bench.spawn(function()
    local r = server:wait_exit()
    if not server.stopping then
      ctx.server_died = true
      ctx.failed = string.format("the server %s during the run\n--- last lines of %s ---\n%s",
        server:exit_message(r), server.log, server:log_tail(15))
      bench.http.abort_all(ctx.failed)
    end
  end)
end

local function make_run_dir(opts, name)
  local base = opts.runs_dir or (dirname(opts.results) .. "/benchlua-runs")
  local stamp = os.date("!%Y%m%dT%H%M%SZ")
  local dir = string.format("%s/%s-%s-%d", base, stamp, name, bench.fs.getpid())
  local ok, err = bench.fs.mkdir_p(dir)
  if not ok then return nil, err end
  return dir
end

local function interpreter()
  if bench.fs.stat(".venv/bin/python") then return ".venv/bin/python" end
  return "python3"
end

-- The Slurm job this process runs in, if any (recorded with every run).
function M.slurm_env()
  local job = os.getenv("SLURM_JOB_ID")
  if not job then return nil end
  return { job_id = job, array_job_id = os.getenv("SLURM_ARRAY_JOB_ID"),
    array_task_id = os.getenv("SLURM_ARRAY_TASK_ID"), node = os.getenv("SLURMD_NODENAME") }
end

--- Run a benchmark. mode: "native" (spec.run) or "script" (opts.script).
-- shared (optional, for sweeps): {server=, info=, sweep=} a ready server that
-- the caller started and stops (the run neither starts nor stops it, and its
-- config reads as for a normal run from opts), and what to record as
-- run.sweep. Returns the process exit code and the recorded run.
function M.run(spec, opts, mode, shared)
  local t0 = bench.now()
  local function fail(msg)
    io.stderr:write("benchlua: " .. msg .. "\n")
    return 1
  end
  local needs_server = mode == "script" or spec.server ~= false
  if type(spec.server) == "function" then needs_server = spec.server(opts) end
  if needs_server and not opts.endpoint and not opts.model then
    io.stderr:write("benchlua: --model PATH is required (or --endpoint URL for a running server)\n")
    return 2
  end
  -- a results file the run could not be recorded in is refused before anything starts
  local rok, rerr = results.check(opts.results)
  if not rok then
    io.stderr:write("benchlua: " .. rerr .. "\n")
    return 2
  end
  -- runs whose benchlua was killed are recorded first; --resume finds its run
  resume.recover_orphans(opts.results, opts.runs_dir)
  -- script mode: the benchmark's own options do not apply, the script's do
  local identity = resume.identity(spec, opts, M.host_options, mode == "script" and M.script_options or nil)
  local prev
  if opts.resume then
    local perr
    prev, perr = resume.find(opts.results, spec, identity)
    if not prev then
      io.stderr:write("benchlua: " .. perr .. "\n")
      return 2
    end
  end
  local run_dir, derr = make_run_dir(opts, spec.name)
  if not run_dir then return fail(derr) end

  local run = {
    benchmark = spec.name,
    model = opts.model and opts.model:match("([^/]+)$") or opts.endpoint,
    config = base_config(opts, nil),
    results = {},
    reproducibility = { benchlua_version = bench.version, seed = opts.seed },
    run_dir = run_dir,
    timestamp = results.iso_time(bench.time()),
    slurm = M.slurm_env(),
  }
  run.config.options = identity
  if shared then run.sweep = shared.sweep end
  local state <close> = resume.begin(run, opts.results)

  local server, info
  if needs_server and shared and shared.server then
    server, info = shared.server, shared.info
    if server.log then run.server_log = server.log end
  elseif needs_server then
    server, info = start_server(opts, run_dir)
    if not server then
      state.finish()
      return fail(info)
    end
  end
  if info then
    run.model = opts.model and run.model or info.model or opts.endpoint
    run.config = base_config(opts, info)
    run.config.options = identity
    run.reproducibility.server_build = info.build
    state.update(run)
  end
  local ctx = make_ctx(spec, opts, server, info, run_dir)
  if prev then resume.attach(ctx, prev, run) end
  local watcher = server and watch(server, ctx)

  -- the benchmark runs in a task of its own, so that Ctrl-C (which cancels
  -- this main task's wait) can stop its requests and give it a moment to
  -- wind down before it is cancelled too
  local body = bench.spawn(function()
    if mode == "script" then return xpcall(M.script_mode, debug.traceback, spec, opts, server, run) end
    return xpcall(spec.run, debug.traceback, ctx)
  end)
  local pok, jok, ok, res = pcall(bench.join, body)
  local interrupted
  if not pok then -- Ctrl-C or SIGTERM: stop every request, then the benchmark
    interrupted = tostring(jok)
    ctx.failed = ctx.failed or ("the run was " .. interrupted)
    bench.http.abort_all(ctx.failed)
    local timer = bench.spawn(function() bench.sleep(0.5) body:cancel(ctx.failed) end)
    bench.join(body)
    timer:cancel()
    bench.join(timer)
    ok, res = false, ctx.failed
  elseif not jok then
    ok, res = false, tostring(ok)
  end
  ctx.progress.finish()
  local failed = ctx.failed
  if shared and shared.server then
    if watcher then watcher:cancel("the run ended") bench.join(watcher) end
  else
    if server then server:stop(interrupted and 0.3 or nil) end
    if watcher then bench.join(watcher) end
  end

  if ok and type(res) == "table" then
    for k, v in pairs(res) do
      if k == "config" or k == "reproducibility" then
        for kk, vv in pairs(v) do run[k][kk] = vv end
      else
        run.results[k] = v
      end
    end
  end
  if interrupted or ctx.server_died then -- resumable: benchlua ... --resume
    run.status = "interrupted"
    run.error = failed or tostring(res)
  elseif not ok or failed then
    run.status = "failed"
    run.error = failed or tostring(res)
  elseif run.results.score == nil and mode == "script" then
    run.status = "failed"
    run.error = run.error or "no score found in the script's output"
  else
    run.status = "ok"
  end
  local sb = require("benchlua.script").sandbox_used()
  if sb then
    run.config.isolation = sb.ok and "namespaces" or ("rlimits and process group only: " .. tostring(sb.why))
  end
  run.results.time_taken = run.results.time_taken or (bench.now() - t0)
  run.results.requests = ctx.stats.requests
  run.results.failed_requests = ctx.stats.failed_requests
  if ctx.stats.tokens > 0 then run.results.tokens_generated = ctx.stats.tokens end
  resume.complete(ctx, run)
  local rok, rerr = results.record(run, { results = opts.results })
  if not rok then return fail(rerr), run end
  state.recorded = true
  if run.status == "interrupted" then
    io.stderr:write("benchlua: run interrupted: " .. run.error .. "\n")
    io.stderr:write(string.format("benchlua: recorded the interrupted run in %s with %d samples done (logs in %s); continue it with --resume\n",
      opts.results, run.results.samples_done or 0, run_dir))
    return 1, run
  elseif run.status ~= "ok" then
    io.stderr:write("benchlua: run failed: " .. run.error .. "\n")
    io.stderr:write("benchlua: recorded the failed run in " .. opts.results .. " (logs in " .. run_dir .. ")\n")
    return 1, run
  end
  io.stdout:write(string.format("%s: score %s  (%.1fs)  recorded in %s\n", spec.name,
    tostring(run.results.score), run.results.time_taken, opts.results))
  return 0, run
end

--- The original plan's script mode: run SCRIPT against the started server
-- and let the benchmark's parse(output) find the score.
function M.script_mode(spec, opts, server, run)
  if not spec.parse then error(spec.path .. ": this benchmark has no parse(output) for script mode", 0) end
  local py = interpreter()
  local argv = { py, opts.script, "--url", server.url, "--port", tostring(server.port or "") }
  for _, a in ipairs(opts.script_arg or {}) do argv[#argv + 1] = a end
  local env = { BENCHLUA_SERVER_URL = server.url, BENCHLUA_SERVER_PORT = tostring(server.port or ""),
    OPENAI_BASE_URL = server.url .. "/v1", OPENAI_API_BASE = server.url .. "/v1" }
  local t0 = bench.now()
  local r, err = require("benchlua.script").run_script{
    argv = argv, env = env, timeout = opts.timeout, max_output = 16 << 20,
  }
  if not r then error(err, 0) end
  local output = r.stdout .. (r.stderr ~= "" and ("\n" .. r.stderr) or "")
  local res = { raw_output = output, time_taken = bench.now() - t0, exit_code = r.code }
  run.config.script = opts.script
  local okp, score = pcall(spec.parse, r.stdout ~= "" and r.stdout or output)
  if okp and type(score) == "table" then
    for k, v in pairs(score) do res[k] = v end
  elseif okp then
    res.score = score
  else
    run.error = "parse failed: " .. tostring(score)
  end
  if r.timed_out then run.error = "the script timed out after " .. opts.timeout .. "s"
  elseif not r.ok then run.error = run.error or ("the script " .. (r.signal and ("was killed by signal " .. r.signal) or ("exited with status " .. r.code))) end
  if run.error then res.score = nil end
  return res
end

-- for sweeps (lua/benchlua/sweep.lua): a server per (model, setting), runs against it
M.start_server, M.make_run_dir, M.base_config = start_server, make_run_dir, base_config
return M
