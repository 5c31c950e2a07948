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
local errors = require("benchlua.errors")
local json = require("benchlua.json")
local tasks = require("benchlua.tasks")
local script = require("benchlua.script")
local runrecord = require("benchlua.runrecord")
local dirname = require("benchlua.path").dirname
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
  { name = "endpoint", type = "list", metavar = "URL", check = http_url, help = "use this running OpenAI-compatible server instead of starting one; given again, requests are spread over all, each up to its slots (API key: $BENCHLUA_API_KEY or $OPENAI_API_KEY)" },
  { name = "results", default = "benchmark_results.json", metavar = "FILE", check = nonempty, help = "results file" },
  { name = "runs-dir", type = "string", metavar = "DIR", check = nonempty, help = "where per-run logs go (default: benchlua-runs/ beside the results file)" },
  { name = "timeout", default = 600, type = "number", min = 0.001, max = WEEK, metavar = "SECONDS", help = "per-request timeout (and the script's wall-clock limit in run mode)" },
  { name = "max-response", default = 64 << 20, min = 1, max = 1 << 40, metavar = "BYTES", identity = false, help = "largest server answer accepted; a larger one fails its request (ETOOBIG)" },
  { name = "ready-timeout", default = 300, type = "number", min = 0, max = WEEK, metavar = "SECONDS", help = "how long the server may take to load" },
  { name = "concurrency", type = "int", min = 1, max = 4096, metavar = "N", help = "requests in flight (default: the server's slot count)" },
  { name = "max-server-errors", default = 0, min = 0, metavar = "N", identity = false, help = "failed requests (after retries) a run may have and still count as ok" },
  { name = "sandbox", default = "auto", choices = { "auto", "strict", "off" }, help = "how model-written code is isolated (auto, strict, off)" },
  { name = "seed", default = 1234, min = 0, max = (1 << 31) - 1, help = "run seed (per-sample seeds derive from it)" },
  { name = "quiet", default = false, help = "no progress lines" },
  { name = "resume", default = false, run_number = true, metavar = "[N]",
    help = "continue the latest interrupted or failed run of this benchmark, model and settings; --resume N: run N (as `benchlua results --all` numbers it)" },
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
  local exe_dir = dirname(bench.exe)
  dirs[#dirs + 1] = exe_dir .. "/benchmarks"                   -- the source tree
  dirs[#dirs + 1] = exe_dir .. "/../share/benchlua/benchmarks" -- a relocated install
  if bench.datadir then dirs[#dirs + 1] = bench.datadir .. "/benchmarks" end
  return dirs
end

--- shipped([installed]) -> the names of the benchmarks found by name
-- (search_dirs), sorted; only those shipped with benchlua (beside the
-- binary, or installed) when `installed`, unless BENCHLUA_PATH names where
-- they are (a build elsewhere: build/asan/benchlua)
function M.shipped(installed)
  local seen, names = {}, {}
  local dirs = M.search_dirs()
  if installed and not os.getenv("BENCHLUA_PATH") then
    dirs = { dirname(bench.exe) .. "/benchmarks", bench.datadir and bench.datadir .. "/benchmarks" }
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
  local names = {}
  for _, d in ipairs(dirs) do
    for _, f in ipairs(bench.fs.list(d) or {}) do names[#names + 1] = f:match("^(.-)%.lua$") end
  end
  table.sort(names)
  -- humaneval -> human_eval: compared without - and _ first
  local bare = arg:lower():gsub("[%-_]", "")
  local near
  for _, n in ipairs(names) do if n:lower():gsub("[%-_]", "") == bare then near = n break end end
  near = near or options.closest(arg, names)
  return nil, string.format("no benchmark named '%s'%s (looked in %s)", arg,
    near and string.format("; did you mean '%s'?", near) or "", table.concat(dirs, ", "))
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
      -- (one that says `replaces = true` takes the common option's place:
      -- speed's --concurrency is a list, and its validate sets the count)
      if h.name == o.name and not o.replaces then return nil, string.format("%s: option '%s' is one of benchlua's own", path, o.name) end
    end
  end
  spec.path = path
  return spec
end

-- Requests in flight when neither --concurrency nor the server (/props) says:
-- an OpenAI-compatible endpoint that batches (vLLM, a proxy).
M.ENDPOINT_CONCURRENCY = server_mod.UNKNOWN_SLOTS

-- host options refused with --endpoint (a default value is not a choice)
M.SERVER_ONLY = { "model", "gpu_layers", "ctx", "parallel", "server_bin", "server_arg", "port", "host" }
M.DEFAULTS = {}
for _, o in ipairs(M.host_options) do M.DEFAULTS[options.key(o.name)] = o.default end

--- normalize(opts) -> opts | nil, err: --endpoint is repeatable; after this
-- opts.endpoints is the list of URLs (nil when none) and opts.endpoint the
-- URL, or the list when there are several (as recorded and resumed).
function M.normalize(opts)
  local list = opts.endpoints or opts.endpoint
  if type(list) == "string" then list = { list } end
  if list == nil or #list == 0 then
    opts.endpoint, opts.endpoints = nil, nil
    return opts
  end
  -- options of a server benchlua starts: with --endpoint none is started, so
  -- nothing would use them (and the record would claim they were)
  for _, k in ipairs(M.SERVER_ONLY) do
    local v = opts[k]
    if v ~= nil and not (type(v) == "table" and #v == 0) and v ~= M.DEFAULTS[k] then
      return nil, string.format("--%s is for a server benchlua starts; with --endpoint none is started%s",
        (k:gsub("_", "-")), k == "model" and " (--model-name ID sets the model id sent)" or "")
    end
  end
  local seen = {}
  for _, u in ipairs(list) do
    local base = server_mod.base_url(u)
    if seen[base] then return nil, string.format("--endpoint %s given twice", u) end
    seen[base] = true
  end
  opts.endpoints = list
  opts.endpoint = #list == 1 and list[1] or json.array(table.move(list, 1, #list, 1, {}))
  return opts
end

local function concurrency(opts, info, server)
  if opts.concurrency then return opts.concurrency end
  if info and info.slots then return info.slots end
  if server and server.members then -- several endpoints, one without /props
    local n = 0
    for _, m in ipairs(server.members) do n = n + (m.info.slots or M.ENDPOINT_CONCURRENCY) end
    return n, true
  end
  if server and server.external then return M.ENDPOINT_CONCURRENCY, true end
  return 1
end

-- The context handed to a benchmark's run(ctx).
local function make_ctx(spec, opts, server, info, run_dir)
  local conc, guessed = concurrency(opts, info, server)
  if guessed then
    io.stderr:write(string.format("benchlua: %s does not say how many requests it serves at once (no /props); sending %d at a time (set --concurrency N)\n",
      server.members and "an endpoint" or "the endpoint", conc))
  end
  local ctx = {
    opts = opts, server = server, info = info or {}, run_dir = run_dir, name = spec.name,
    concurrency = conc,
    stats = { requests = 0, failed_requests = 0, tokens = 0, prompt_tokens = 0 },
    -- the model id sent with chat requests (OpenAI-compatible servers want one)
    model_id = opts.model_name or (info and info.model),
    seed = opts.seed, sandbox = opts.sandbox ~= "off" and opts.sandbox or false,
  }
  ctx.samples_path = run_dir .. "/samples.jsonl"
  -- what the sample log holds so far (a resumed run's kept samples included):
  -- per-problem counts for the progress line, an interrupted run's record and
  -- the score's interval
  ctx.live = { start = bench.now(), base = 0, samples = 0, n = {}, c = {}, ids = {}, outcomes = {}, unscored = {} }
  ctx.progress = progress.new{ name = spec.name, quiet = opts.quiet, stats = ctx.stats, live = ctx.live }

  -- every request goes through here: counts, and stops at once if the server died
  -- A request that fails after its retries (or whose answer is malformed)
  -- returns nil, err to the benchmark, which counts that sample as a
  -- server_error; the run counts them and fails past --max-server-errors.
  local function call(fn, params)
    if ctx.failed then error(ctx.failed, 0) end
    local o = { timeout = opts.timeout, max_body = opts.max_response }
    local r, err, code
    if server and server.members then -- several endpoints: the one with the most free slots
      r, err, code = server:send(fn, params, o, ctx.drop_endpoint)
      if code == "ENOENDPOINT" and not ctx.failed then
        ctx.failed = err
        bench.http.abort_all(err)
      end
    else
      r, err, code = fn(server, params, o)
      -- one --endpoint that died: the run ends now, not after a failed request per sample
      if not r and server.external and server_mod.SUSPECT[code] and not ctx.failed and not server_mod.answers(server) then
        ctx.failed = string.format("the endpoint %s stopped answering (%s)", server.url, tostring(err))
        bench.http.abort_all(ctx.failed)
      end
    end
    if ctx.failed then error(ctx.failed, 0) end
    ctx.stats.requests = ctx.stats.requests + 1
    if not r then
      ctx.stats.failed_requests = ctx.stats.failed_requests + 1
      ctx.first_server_error = ctx.first_server_error or tostring(err)
      return nil, err, code
    end
    ctx.stats.tokens = ctx.stats.tokens + (r.tokens or 0)
    ctx.stats.prompt_tokens = ctx.stats.prompt_tokens + (r.prompt_tokens or 0)
    return r
  end
  -- a pool member that died: said once, recorded as config.endpoints[i].dropped
  function ctx.drop_endpoint(m, why)
    local live = 0
    for _, x in ipairs(server.members) do if not x.dropped then live = live + 1 end end
    io.stderr:write(string.format("benchlua: endpoint %s stopped answering (%s); dropped it, %s\n", m.url, why,
      live > 0 and string.format("its requests go to the other %d", live) or "no endpoint is left"))
    local e = ctx.info.endpoints and ctx.info.endpoints[m.index]
    if e then e.dropped = why end
  end
  function ctx.completion(params) return call(llm.completion, params) end
  function ctx.stream_completion(params) return call(llm.stream_completion, params) end
  function ctx.chat(params)
    if ctx.model_id and params.model == nil then
      local p = {}
      for k, v in pairs(params) do p[k] = v end
      p.model = ctx.model_id
      params = p
    end
    return call(llm.chat, params)
  end

  -- A line the run's log could not take (a full disk): the run stops and is
  -- recorded as interrupted (resumable once there is room), in one line.
  local function append(path, t)
    local line = assert(cjson.encode(t))
    local ok, err = bench.fs.append(path, line .. "\n")
    if not ok then
      ctx.log_failed = ctx.log_failed or tostring(err):find(path, 1, true) and tostring(err)
        or string.format("cannot write %s: %s", path, tostring(err))
      ctx.failed = ctx.failed or ctx.log_failed
      bench.http.abort_all(ctx.failed)
      error(ctx.failed, 0)
    end
  end

  --- ctx.log_sample(t): one JSON line in the run's sample log, written now.
  function ctx.log_sample(t)
    append(ctx.samples_path, t)
    resume.count_sample(ctx, t)
  end

  --- ctx.log_generated(t): a completion as it arrives, before it is scored
  -- ({task_id, sample, ...what the benchmark needs to score it again}), one
  -- JSON line in RUN_DIR/generated.jsonl: --resume scores it rather than
  -- asking for it again.
  ctx.generated_path = run_dir .. "/generated.jsonl"
  function ctx.log_generated(t)
    append(ctx.generated_path, t)
    resume.count_generated(ctx, t)
  end

  --- ctx.check_fit(items, max_tokens): items = {{id=, prompt=}...}; raises one
  -- message naming every prompt that cannot fit a slot's context.
  function ctx.check_fit(items, max_tokens)
    local per_slot = ctx.info.ctx_per_slot
    if not per_slot or not server or server.external then return true end
    local bad = {}
    tasks.map(items, ctx.concurrency, function(it)
      if ctx.no_tokenize then return end
      local n, err, code = llm.tokenize(server, it.prompt, { timeout = opts.timeout })
      if not n and code == 404 then -- no /tokenize: no context check
        ctx.no_tokenize = true
        return
      end
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

local function start_server(opts, run_dir)
  local server, err
  if opts.endpoints and #opts.endpoints > 1 then
    server = server_mod.pool(opts.endpoints)
  elseif opts.endpoints then
    server = server_mod.endpoint(opts.endpoints[1])
  else
    server, err = server_mod.spawn_server{
      bin = opts.server_bin, model = opts.model, host = opts.host, port = opts.port,
      gpu_layers = opts.gpu_layers, ctx = opts.ctx, parallel = opts.parallel,
      args = opts.server_arg, log = run_dir .. "/server.log",
    }
    if not server then return nil, err end
  end
  -- Ctrl-C or SIGTERM while it loads raises here: the server goes first
  local wok, info, rerr = pcall(server_mod.wait_ready, server, { timeout = opts.ready_timeout })
  if not wok then
    server:stop(0.3)
    error(info, 0)
  end
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

local function interpreter()
  if bench.fs.stat(".venv/bin/python") then return ".venv/bin/python" end
  return "python3"
end

--- check_value(v) -> nil | what cannot be recorded in v (a function, a
-- cycle, nesting past 32 levels), as a path below "results".
function M.check_value(v, where, seen, depth)
  where, seen, depth = where or "", seen or {}, depth or 0
  local t = type(v)
  if t == "nil" or t == "boolean" or t == "number" or t == "string" or v == json.null then return nil end
  if t ~= "table" then return string.format("%s is a %s", where ~= "" and where or "the value", t) end
  if seen[v] then return string.format("%s refers back to a table that contains it (a cycle)", where) end
  if depth > 32 then return string.format("%s is nested more than 32 levels deep", where) end
  seen[v] = true
  for k, x in pairs(v) do
    local kw = where .. (type(k) == "string" and ("." .. k) or ("[" .. tostring(k) .. "]"))
    if type(k) ~= "string" and math.type(k) ~= "integer" then return string.format("%s has a %s key", where, type(k)) end
    local err = M.check_value(x, kw, seen, depth + 1)
    if err then return err end
  end
  seen[v] = nil
  return nil
end

--- check_results(res, path) -> nil | why run()'s value cannot be recorded
-- as an ok run: not a table, a score that is not a finite number (a run
-- without a score says why in `unscored`), or a value check_value refuses.
function M.check_results(res, path, allow_no_score)
  if type(res) ~= "table" then
    return string.format("%s: run() returned a %s, not a table of results", path, type(res))
  end
  local score = res.score
  if score == nil then
    if type(res.unscored) ~= "string" and not allow_no_score then
      return string.format("%s: run() returned no score (give unscored = \"why\" for a run that scores nothing)", path)
    end
  elseif type(score) ~= "number" or score ~= score or score == math.huge or score == -math.huge then
    return string.format("%s: run() returned score = %s; a score must be a finite number", path,
      type(score) ~= "number" and ("a " .. type(score)) or score ~= score and "nan" or tostring(score))
  end
  local err = M.check_value(res, "results")
  if err then return string.format("%s: run() returned results that cannot be recorded: %s", path, err) end
  return nil
end

--- precheck(spec, opts, [starts_server]) -> true | nil, err: what can be
-- checked before a server starts: the server binary and the model file (when
-- benchlua starts the server), then the benchmark's prepare(opts) (a code
-- benchmark loads its data: the file, its format, or the fetch). A failure is
-- a usage error: one line, exit 2, nothing recorded. Sweeps call it for each
-- benchmark entry before the first cell.
--- check_model(path) -> true | nil, err: the model file is there, a file,
-- readable, and (a .gguf) starts with the GGUF magic. Sweeps check each model.
function M.check_model(path)
  local st = bench.fs.stat(path)
  if not st then return nil, string.format("model file '%s' not found", path) end
  if st.type ~= "file" then return nil, string.format("model file '%s' is not a file", path) end
  local f, ferr = io.open(path, "rb")
  if not f then return nil, string.format("model file '%s' cannot be read: %s", path, tostring(ferr)) end
  local magic = f:read(4)
  f:close()
  -- a .gguf file starts with the GGUF magic (another name may be another
  -- server's model format: only a .gguf is held to it)
  if path:lower():match("%.gguf$") and magic ~= "GGUF" then
    return nil, string.format("model file '%s' is not a GGUF file (it does not start with the GGUF magic)", path)
  end
  return true
end

function M.precheck(spec, opts, starts_server)
  if starts_server then
    local bin, berr = server_mod.find_binary(opts.server_bin)
    if not bin then return nil, berr end
    if opts.model then
      local ok, err = M.check_model(opts.model)
      if not ok then return nil, err end
    end
  end
  if type(spec.prepare) == "function" then
    local ok, err = pcall(spec.prepare, opts)
    if not ok then
      local msg, _ = errors.message(err)
      return nil, msg
    end
  end
  return true
end

--- Run a benchmark: spec.run, or with how.script (script mode's option
-- specs) the script opts.script. how.sweep (for sweeps): what to record as
-- run.sweep, with how.server and how.info a ready server that the caller
-- started and stops (the run neither starts nor stops it, and its config
-- reads as for a normal run from opts). Prints nothing of its outcome;
-- returns it: {run= (the run, as recorded when recorded), recorded=,
-- error= (why it was refused, did not start or was not recorded), usage=
-- (refused before anything started), loading= (stopped while the server
-- loaded), signal= ("interrupted", "terminated": Ctrl-C or SIGTERM stopped
-- it), bug_log= (the traceback's file), results= (the results file)}.
function M.run(spec, opts, how)
  how = how or {}
  local mode = how.script and "script" or "native"
  local shared = how.sweep and how or nil
  local t0 = bench.now()
  local function refuse(msg) return { error = msg, usage = true } end
  local function fail(msg, run, sig) return { error = msg, run = run, signal = sig } end
  local nok, nerr = M.normalize(opts)
  if nok and mode == "script" and #(opts.endpoints or {}) > 1 then
    nok, nerr = nil, "run: a script gets one server URL; give --endpoint once"
  end
  if not nok then return refuse(nerr) end
  local needs_server = mode == "script" or spec.server ~= false
  if type(spec.server) == "function" then needs_server = spec.server(opts) end
  if needs_server and not opts.endpoint and not opts.model then
    return refuse("--model PATH is required (or --endpoint URL for a running server)")
  end
  -- a results file the run could not be recorded in is refused before anything starts
  local rok, rerr = results.check(opts.results)
  if not rok then return refuse(rerr) end
  if not shared then -- (a sweep checks each entry before its first cell)
    -- (script mode: the script reads its own data, not the benchmark's)
    local pok, perr = M.precheck(mode == "script" and {} or spec, opts,
      needs_server and not opts.endpoint and mode ~= "script" or (mode == "script" and not opts.endpoint))
    if not pok then return refuse(perr) end
  end
  -- runs whose benchlua was killed are recorded first; --resume finds its run
  resume.recover_orphans(opts.results, opts.runs_dir)
  -- script mode: the benchmark's own options do not apply, the script's do
  local identity = resume.identity(spec, opts, M.host_options, how.script)
  local prev
  if opts.resume then
    local perr
    prev, perr = resume.find(opts.results, spec, identity, math.type(opts.resume) == "integer" and opts.resume or nil)
    if not prev then return refuse(perr) end
  end
  local claim <close> = prev and prev.lock -- no second --resume of that run until this one is recorded
  local run_dir, derr = runrecord.make_run_dir(opts, spec.name)
  if not run_dir then return fail(derr) end

  local run = runrecord.new(spec.name, opts, { run_dir = run_dir, identity = identity, sweep = shared and shared.sweep })
  local state <close> = resume.begin(run, opts.results)

  local server, info
  if needs_server and shared and shared.server then
    server, info = shared.server, shared.info
    if server.log then run.server_log = server.log end
  elseif needs_server then
    local sok
    sok, server, info = pcall(start_server, opts, run_dir)
    if not sok then -- Ctrl-C or SIGTERM while the server loaded: recorded now, by this process
      -- (raised by the signal's hook in running Lua code: "file:line: interrupted")
      local sig = (errors.message(server):gsub("^[^%s:]+:%d+: ", "", 1))
      if sig ~= "interrupted" and sig ~= "terminated" then error(server, 0) end
      run.status = "interrupted"
      run.error = "the run was " .. sig .. " while the server loaded"
      run.results = { time_taken = bench.now() - t0, samples_done = 0, requests = 0 }
      local rok, rerr = results.record(run, { results = opts.results })
      if not rok then return fail(rerr, run, sig) end
      state.recorded = true
      return { run = run, recorded = true, loading = true, signal = sig, results = opts.results }
    end
    if not server then
      state.finish()
      return fail(info)
    end
  end
  if info then
    runrecord.server(run, opts, info, identity)
    state.update(run)
  end
  local ctx = make_ctx(spec, opts, server, info, run_dir)
  if server then run.config.concurrency = ctx.concurrency end
  -- what isolation model-written code gets here: probed once, handed to the
  -- benchmark as ctx.sandbox_status and recorded as config.isolation
  if ctx.sandbox then ctx.sandbox_status = script.sandbox_status() end
  if prev then
    local aerr = resume.attach(ctx, prev, run)
    if aerr then
      ctx.log_failed, ctx.failed = aerr, aerr
    end
    state.update(run) -- killed from here on, it is recorded with resumed_from: prev shows as superseded
  end
  local watcher = server and watch(server, ctx)

  -- the benchmark runs in a task of its own, so that Ctrl-C (which cancels
  -- this main task's wait) can stop its requests and give it a moment to
  -- wind down before it is cancelled too
  local body = bench.spawn(function()
    if mode == "script" then return xpcall(M.script_mode, errors.handler, spec, opts, server, run) end
    return xpcall(spec.run, errors.handler, ctx)
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
    ok, res = false, { msg = ctx.failed }
  elseif not jok then
    ok, res = false, errors.handler(ok)
  end
  if ok then -- what run() returned: a table of results with a finite score
    local verr = M.check_results(res, spec.path or spec.name, mode == "script")
    if verr then ok, res = false, { msg = verr, partial = res } end
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
  if not ok and type(res) == "table" and type(res.partial) == "table" then
    -- results that could not all be kept: what can be recorded is
    for k, v in pairs(res.partial) do
      if k ~= "config" and k ~= "reproducibility" and M.check_value(v) == nil then run.results[k] = v end
    end
    run.results.score = nil
  end
  local msg = not ok and (type(res) == "table" and res.msg or tostring(res)) or nil
  local bug_log
  if not ok and type(res) == "table" and res.bug and not failed then bug_log = errors.log(run_dir, res) end
  if interrupted or ctx.server_died or ctx.log_failed then -- resumable: benchlua ... --resume
    run.status = "interrupted"
    run.error = failed or msg
  elseif not ok or failed then
    run.status = "failed"
    run.error = failed or msg
  elseif run.results.score == nil and mode == "script" then
    run.status = "failed"
    run.error = run.error or "no score found in the script's output"
  elseif ctx.stats.failed_requests > opts.max_server_errors then
    run.status = "failed"
    run.error = string.format("%d request(s) failed (more than --max-server-errors %d); the first: %s",
      ctx.stats.failed_requests, opts.max_server_errors, tostring(ctx.first_server_error))
  else
    run.status = "ok"
  end
  local sb = ctx.sandbox_status
  if sb then
    run.config.isolation = sb.ok and "namespaces" or ("rlimits and process group only: " .. tostring(sb.why))
  end
  run.results.time_taken = run.results.time_taken or (bench.now() - t0)
  run.results.requests = ctx.stats.requests
  run.results.failed_requests = ctx.stats.failed_requests
  if ctx.stats.tokens > 0 then run.results.tokens_generated = ctx.stats.tokens end
  resume.complete(ctx, run)
  local rok, rerr = results.record(run, { results = opts.results })
  if not rok then return fail(rerr, run, interrupted) end
  state.recorded = true
  return { run = run, recorded = true, signal = interrupted, bug_log = bug_log, results = opts.results }
end

M.SCRIPT_OUTPUT = 16 << 20 -- bytes of the script's stdout kept (its tail)
M.SCRIPT_STDERR = 1 << 20

--- tail(path, n) -> the last n bytes of a file, and how many bytes before
-- them were left out (0 when the whole file fits). Reads only the tail.
function M.tail(path, n)
  local f = io.open(path, "rb")
  if not f then return "", 0 end
  local size = f:seek("end")
  local skip = size > n and size - n or 0
  f:seek("set", skip)
  local data = f:read(n) or ""
  f:close()
  return data, skip
end

-- A score from parse(): numbers as they are, numeric strings ("0.9") as numbers.
local function as_score(v)
  if type(v) == "string" then return tonumber((v:gsub("^%s+", ""):gsub("%s+$", ""))) or v end
  return v
end

--- The original plan's script mode: run SCRIPT against the started server
-- and let the benchmark's parse(output) find the score. Its output goes to
-- files in the run directory; the tail of each is kept (tools print the
-- score last), and the record says when the head was cut.
function M.script_mode(spec, opts, server, run)
  if not spec.parse then error(spec.path .. ": this benchmark has no parse(output) for script mode", 0) end
  local py = interpreter()
  local argv = { py, opts.script, "--url", server.url, "--port", tostring(server.port or "") }
  for _, a in ipairs(opts.script_arg or {}) do argv[#argv + 1] = a end
  local env = { BENCHLUA_SERVER_URL = server.url, BENCHLUA_SERVER_PORT = tostring(server.port or ""),
    OPENAI_BASE_URL = server.url .. "/v1", OPENAI_API_BASE = server.url .. "/v1" }
  if server.api_key then env.OPENAI_API_KEY = server.api_key end -- the endpoint's key, for the script's client
  local out_path, err_path = run.run_dir .. "/script.stdout", run.run_dir .. "/script.stderr"
  local t0 = bench.now()
  local r, err = script.run_script{
    argv = argv, env = env, timeout = opts.timeout,
    stdout = { file = out_path }, stderr = { file = err_path },
  }
  if not r then error(err, 0) end
  local stdout, cut = M.tail(out_path, M.SCRIPT_OUTPUT)
  local stderr, ecut = M.tail(err_path, M.SCRIPT_STDERR)
  local output = stdout .. (stderr ~= "" and ("\n" .. stderr) or "")
  if cut > 0 then
    output = string.format("[benchlua: the first %d bytes of the script's output were cut; all of it is in %s]\n", cut, out_path) .. output
  end
  local res = { raw_output = output, time_taken = bench.now() - t0, exit_code = r.code,
    output_cut = cut > 0 and cut or nil, stderr_cut = ecut > 0 and ecut or nil }
  run.config.script = opts.script
  local okp, score = pcall(spec.parse, stdout ~= "" and stdout or output)
  if okp and type(score) == "table" then
    for k, v in pairs(score) do res[k] = v end
    res.score = as_score(res.score)
  elseif okp then
    res.score = as_score(score)
  else
    run.error = "parse failed: " .. errors.message(score)
  end
  if r.timed_out then run.error = "the script timed out after " .. opts.timeout .. "s"
  elseif not r.ok then run.error = run.error or ("the script " .. (r.signal and ("was killed by signal " .. r.signal) or ("exited with status " .. r.code))) end
  if run.error then res.score = nil end
  return res
end

--- start_server(opts, run_dir) -> server, info | nil, err: the server opts
-- describe (started, or the --endpoint(s)), ready; its log in run_dir. A
-- sweep starts one per cell (lua/benchlua/sweep.lua) and runs against it.
M.start_server = start_server
return M
