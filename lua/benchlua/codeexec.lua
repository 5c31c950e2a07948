-- codeexec.lua: runs model-written Python programs for code benchmarks with
-- the reference harness's semantics, fast. A pool of warm executors
-- ("zygotes": lua/benchlua/zygote.py and a front end, by default
-- humaneval_exec.py), each a long-lived Python in its own namespace sandbox
-- that forks one child per program; see docs/human_eval.md for what is
-- isolated from what.
--
--   local pool <close> = codeexec.pool{size = 2, sandbox = "auto"}
--   local r = pool:run(program, 3.0) -- {result = "passed" | "failed: ..." |
--                                    --  "timed out", exc = NAME, time = S, detail = ...}
--
-- Every front end (harness = an embedded .py; modules = embedded .py files
-- it imports, zygote.py always) speaks zygote.py's one framing: a ready line,
-- then per request a JSON line {"op" =, "bytes" = N, ...} and N bytes of
-- payload, answered by a JSON line. pool:request sends one (pool:readline
-- reads a further line); lcb_grade.lua, evalplus.lua and pygrade.lua use
-- them between pool:acquire and pool:release.
local cjson = require("cjson.safe")
local script = require("benchlua.script")
local tasks = require("benchlua.tasks")
local M = {}

local HARNESS = "benchlua/humaneval_exec.py"
local START_TIMEOUT = 30 -- seconds for an executor to start and say it is ready
local MARGIN = 3         -- beyond timeout + 1 before an executor counts as wedged

--- codeexec.cpus() -> the number of CPUs this process may run on.
function M.cpus()
  local f = io.open("/proc/self/status")
  local s = f and f:read("a") or ""
  if f then f:close() end
  local list, n = s:match("Cpus_allowed_list:%s*(%S+)"), 0
  for a, b in (list or ""):gmatch("(%d+)%-?(%d*)") do
    n = n + (b ~= "" and (tonumber(b) - tonumber(a) + 1) or 1)
  end
  return n > 0 and n or 1
end

--- codeexec.python() -> the interpreter for model-written code: the
-- system's /usr/bin/python3 when present, else python3 from PATH.
function M.python()
  return bench.fs.stat("/usr/bin/python3") and "/usr/bin/python3" or "python3"
end

local Pool = {}
Pool.__index = Pool

local function stop(z, hard)
  if not z.p then return end
  local p = z.p
  z.p, z.state = nil, nil
  p:close_stdin()
  if hard then p:kill("KILL") end
  if not p:wait(2) then
    p:kill("KILL")
    p:wait()
  end
  p:close()
end

-- Start executor z; -> true | nil, err
local function start(pool, z)
  local sandboxed = pool.sandbox and pool.sandbox ~= "fallback"
  local argv = { pool.python, "-I", "-c", pool.harness, "--zygote" }
  if sandboxed then argv[#argv + 1] = "--pidns" end
  local p, err = bench.proc.spawn{
    argv = argv, sandbox = pool.sandbox or nil, workdir = pool.sandbox and z.dir or nil,
    cwd = not pool.sandbox and z.dir or nil, clear_env = true, -- in every mode, --sandbox off too
    env = script.program_env(z.dir, sandboxed and "/tmp" or z.dir),
    stdin = { pipe = true }, stdout = "stream", stderr = "capture", max_output = pool.max_output,
    rlimits = pool.sandbox and { cpu = 1 << 30, nofile = 1024 }
      or { cpu = 1 << 30, nofile = 1024, as = 4 << 30, fsize = 64 << 20 },
  }
  if not p then return nil, err end
  local line, rerr = p:readline(START_TIMEOUT)
  local ready = line and cjson.decode(line)
  if type(ready) ~= "table" or not ready.ready then
    p:kill("KILL")
    local r = p:wait()
    p:close()
    local why = (r.stderr or ""):sub(-2000)
    return nil, string.format("the code executor (%s) did not start: %s%s", pool.python,
      line and ("said '" .. line:sub(1, 200) .. "'") or tostring(rerr), why ~= "" and ("\n" .. why) or "")
  end
  z.p, z.info, z.state = p, ready, {}
  pool.info = pool.info or ready
  return true
end

--- codeexec.program(harness, modules) -> the -c program of a front end
-- (harness, an embedded .py text): zygote.py and each of modules (embedded
-- .py names) installed in sys.modules under its base name (so the harness
-- can import it), then the harness.
function M.program(harness, modules)
  local parts = { "import sys as _s, types as _t\n" }
  for _, name in ipairs({ "benchlua/zygote.py", table.unpack(modules or {}) }) do
    local src = bench.embedded(name)
    if not src then error("codeexec: " .. name .. " is not embedded in this benchlua", 3) end
    local mod = name:match("([^/]+)%.py$")
    parts[#parts + 1] = string.format(
      "_m = _t.ModuleType(%q); _m.__file__ = %q; _s.modules[%q] = _m\n"
        .. "exec(compile(b'%s'.decode('utf-8'), %q, 'exec'), _m.__dict__)\n",
      mod, name, mod, src:gsub("[%c\\'\128-\255]", function(c) return string.format("\\x%02x", c:byte()) end), name)
  end
  parts[#parts + 1] = harness
  return table.concat(parts)
end

--- codeexec.pool{size = N (default: CPUs), sandbox = "auto" | "strict" | false,
--   python = PATH, harness = embedded .py (humaneval_exec.py), modules = {embedded
--   .py the harness imports besides zygote.py}, max_output = bytes of reply lines buffered (64 MiB)}
--   -> pool | nil, err. Starts every executor now. Yields.
-- Close it with pool:close() or a <close> variable.
function M.pool(o)
  o = o or {}
  local name = o.harness or HARNESS
  local harness = bench.embedded(name)
  if not harness then error("codeexec: " .. name .. " is not embedded in this benchlua", 2) end
  local pool = setmetatable({
    size = o.size or M.cpus(), sandbox = o.sandbox, python = o.python or M.python(),
    harness = M.program(harness, o.modules), idle = {}, free = tasks.semaphore(0), all = {}, restarts = 0,
    max_output = o.max_output or (64 << 20),
  }, Pool)
  if pool.sandbox == true then pool.sandbox = "auto" end
  if pool.sandbox then
    local st = script.sandbox_status()
    if not st.ok then
      if pool.sandbox == "strict" then
        return nil, "--sandbox strict: the namespace sandbox is not available here (" .. tostring(st.why) .. ")"
      end
      pool.sandbox = "fallback" -- rlimits, own process group, unprivileged user; said once on stderr
    end
  end
  for i = 1, pool.size do
    local dir, err = bench.fs.mkdtemp("benchlua-exec")
    if not dir then pool:close() return nil, err end
    pool.all[i] = { dir = dir }
  end
  local errs = {}
  tasks.map(pool.all, pool.size, function(z)
    local ok, err = start(pool, z)
    if not ok then errs[#errs + 1] = err end
  end)
  if #errs > 0 then
    pool:close()
    return nil, errs[1]
  end
  for i = 1, pool.size do pool:release(pool.all[i]) end
  return pool
end

--- pool:acquire([prefer]) -> z: waits for an idle executor (parked on
-- pool.free, a tasks.semaphore counting them); with prefer, an idle one for
-- which prefer(z) is true is taken first. Give it back with pool:release(z).
function Pool:acquire(prefer)
  if not self.free:wait() then error("codeexec: the pool is closed", 2) end
  if prefer then
    for i = #self.idle, 1, -1 do
      if self.idle[i].state and prefer(self.idle[i]) then return table.remove(self.idle, i) end
    end
  end
  return table.remove(self.idle)
end

function Pool:release(z)
  self.idle[#self.idle + 1] = z
  self.free:post()
end

-- One program on executor z; a dead or wedged executor is restarted and
-- the program gets the verdict the reference gives a child that never
-- reported: "timed out".
local function exec_on(pool, z, program, timeout)
  if pool.closed then error("codeexec: the pool is closed", 0) end
  local t0 = bench.now()
  local r, why = pool:request(z, { op = "run", timeout = timeout }, program, timeout + 1 + MARGIN)
  if r and r.result then
    if r.exc == cjson.null then r.exc = nil end
    return r
  end
  if r and r.error then error("codeexec: " .. tostring(r.error), 0) end
  if r then -- an answer that is not one
    stop(z, true)
    pool.restarts, why = pool.restarts + 1, "the executor died; restarted"
  end
  return { result = "timed out", time = bench.now() - t0, detail = why }
end

--- pool:run(program, timeout) -> {result = VERDICT, exc = EXCEPTION NAME | nil,
-- time = seconds, detail = why there is no verdict}. Waits for an idle
-- executor. Raises only when an executor cannot be (re)started.
function Pool:run(program, timeout)
  assert(type(program) == "string", "pool:run: program must be a string")
  timeout = timeout or 3.0
  local z = self:acquire()
  local ok, r = pcall(exec_on, self, z, program, timeout)
  self:release(z)
  if not ok then error(r, 0) end
  return r
end

--- pool:request(z, req, payload, timeout) -> reply | nil, why
-- Sends req (a table with op: one JSON line, with bytes = #payload) and
-- payload (if any) to executor z (started again if it had died) and reads
-- one JSON line back.
-- z.state is a table the caller may keep things in while z lives. An
-- executor that does not answer within timeout, dies or says garbage is
-- stopped (restarted on the next request): nil, why. Raises only when it
-- cannot be (re)started.
function Pool:request(z, req, payload, timeout)
  if self.closed then error("codeexec: the pool is closed", 2) end
  if not z.p then
    local ok, err = start(self, z)
    if not ok then error(err, 0) end
  end
  req.bytes = payload and #payload or nil
  z.p:write(assert(cjson.encode(req)) .. "\n" .. (payload or ""))
  return self:readline(z, timeout)
end

--- pool:readline(z, timeout) -> the next JSON line of z as a table | nil, why
function Pool:readline(z, timeout)
  local line, err = z.p:readline(timeout)
  local r = line and cjson.decode(line)
  if type(r) == "table" then return r end
  stop(z, true)
  self.restarts = self.restarts + 1
  return nil, err == "timeout" and "the executor did not answer; restarted" or "the executor died; restarted"
end

--- pool:close(): stops every executor and removes their directories. Idempotent.
function Pool:close()
  if self.closed then return end
  self.closed = true
  self.free:close()
  for _, z in ipairs(self.all) do -- every executor sees EOF and exits at once; then each is waited for
    if z.p then z.p:close_stdin() end
  end
  for _, z in ipairs(self.all) do
    stop(z)
    bench.fs.rmtree(z.dir)
  end
end
Pool.__close = Pool.close

return M
