-- script.lua: bench.run_script, a command with stdin, environment, working
-- directory, wall-clock timeout (the whole process group is killed), bounded
-- capture of stdout/stderr and, with sandbox = true, the namespace sandbox
-- (see docs/sandbox.md) in a private directory that is removed afterwards.
local M = {}

local sandbox_state -- nil until probed: { ok = bool, why = string }

--- What the sandbox can do on this machine (probed once per process).
function M.sandbox_status()
  if not sandbox_state then
    local ok, why = bench.proc.sandbox_probe()
    if os.getenv("BENCHLUA_NO_NAMESPACES") then -- a test knob: behave as where namespaces are refused
      ok, why = false, "disabled by BENCHLUA_NO_NAMESPACES"
    end
    sandbox_state = { ok = ok, why = why }
    if not ok then
      io.stderr:write("benchlua: warning: no namespace sandbox here (" .. tostring(why)
        .. "); model-written code runs with rlimits and its own process group only\n")
    end
  end
  return sandbox_state
end

--- script.program_env(home, tmpdir, extra) -> env: the whole environment of
-- model-written programs, in every sandbox mode: PATH (benchlua's), LANG,
-- HOME, TMPDIR and what the benchmark adds (extra). Nothing else of
-- benchlua's environment (API keys, tokens) reaches them; see docs/sandbox.md.
function M.program_env(home, tmpdir, extra)
  local env = {
    PATH = os.getenv("PATH") or "/usr/local/bin:/usr/bin:/bin",
    LANG = "C.UTF-8", HOME = home, TMPDIR = tmpdir,
  }
  for k, v in pairs(extra or {}) do env[k] = v end
  return env
end

local limit_names = { as = true, cpu = true, nproc = true, fsize = true, nofile = true }

--- bench.run_script{cmd = STRING | argv = {...}, stdin = STRING, env = {K=V},
--   cwd = DIR, timeout = SECONDS, max_output = BYTES (each stream, 1 MiB),
--   limits = {as=, cpu=, nproc=, fsize=, nofile=}, sandbox = true|"auto"|"strict",
--   files = {NAME = CONTENT}, stdout = / stderr = as for bench.proc.spawn
--   (e.g. {file = PATH}: the stream goes to a file, not into the result)}
-- -> result | nil, err
-- result: ok (exit 0, not timed out), code | signal, timed_out, limit ("cpu",
-- "fsize" where that can be known), stdout, stderr, stdout_truncated,
-- stderr_truncated, elapsed, sandboxed, cpu_ms, maxrss_kb.
-- Yields; runs inside a task.
function M.run_script(o)
  if type(o) ~= "table" then error("run_script: expected an options table", 2) end
  local argv = o.argv
  if o.cmd ~= nil then
    if type(o.cmd) ~= "string" then error("run_script: cmd option must be a string", 2) end
    argv = { "/bin/sh", "-c", o.cmd }
  end
  if type(argv) ~= "table" or #argv == 0 then error("run_script: give cmd (a shell command) or argv (a list)", 2) end
  if o.timeout ~= nil and (type(o.timeout) ~= "number" or o.timeout <= 0) then
    error("run_script: timeout option must be a positive number of seconds", 2)
  end
  if o.stdin ~= nil and type(o.stdin) ~= "string" and type(o.stdin) ~= "table" then
    error("run_script: stdin option must be a string", 2)
  end
  if o.limits ~= nil then
    if type(o.limits) ~= "table" then error("run_script: limits option must be a table", 2) end
    for k, v in pairs(o.limits) do
      if not limit_names[k] then error("run_script: unknown limit '" .. tostring(k) .. "' (as, cpu, nproc, fsize, nofile)", 2) end
      if math.type(v) ~= "integer" or v < 0 then error("run_script: limit " .. k .. " must be a non-negative integer", 2) end
    end
  end
  if o.files ~= nil and type(o.files) ~= "table" then error("run_script: files option must be a table", 2) end
  local mode = o.sandbox
  if mode == true then mode = "auto" end
  if mode and mode ~= "auto" and mode ~= "strict" then
    error("run_script: sandbox option must be true, \"auto\" or \"strict\"", 2)
  end
  local sandboxed = false
  if mode then
    local st = M.sandbox_status()
    if mode == "strict" and not st.ok then
      return nil, "the sandbox is not available here (" .. tostring(st.why) .. ") and strict mode was asked for"
    end
    sandboxed = st.ok
    if not st.ok then mode = "fallback" end -- said once, by sandbox_status
  end

  local dir
  if mode or o.files then
    local err
    dir, err = bench.fs.mkdtemp("benchlua-run")
    if not dir then return nil, err end
    for name, content in pairs(o.files or {}) do
      if type(name) ~= "string" or name:find("/") or name:find("^%.") then
        bench.fs.rmtree(dir)
        error("run_script: file names must be plain names, got '" .. tostring(name) .. "'", 2)
      end
      local ok, werr = bench.fs.write_atomic(dir .. "/" .. name, content)
      if not ok then bench.fs.rmtree(dir) return nil, werr end
    end
  end
  local env, clear_env = o.env, o.clear_env
  if mode then -- model-written code: a fixed environment, whatever the sandbox can do
    local tmp = mode == "fallback" and (os.getenv("TMPDIR") or "/tmp") or "/tmp"
    env, clear_env = M.program_env(dir, tmp, o.env), true
  end
  local p, err = bench.proc.spawn{
    argv = argv, env = env, clear_env = clear_env, cwd = mode and nil or (o.cwd or dir),
    stdin = o.stdin, max_output = o.max_output, rlimits = o.limits, stdout = o.stdout, stderr = o.stderr,
    sandbox = mode, workdir = mode and dir or nil,
  }
  if not p then
    if dir then bench.fs.rmtree(dir) end
    return nil, err
  end
  local r = p:wait(o.timeout)
  local timed_out = false
  if not r then
    timed_out = true
    p:kill("KILL")
    r = p:wait()
  end
  p:close()
  if dir then bench.fs.rmtree(dir) end
  r.timed_out = timed_out
  r.ok = not timed_out and r.status == "exited" and r.code == 0
  r.sandboxed = sandboxed
  -- the helper's status line: "sandbox=ns exit=0 cpu_ms=18 ..." (docs/sandbox.md)
  local st = r.sandbox_status or ""
  r.limit = st:match("limit=(%w+)")
  r.cpu_ms = tonumber(st:match("cpu_ms=(%d+)"))
  r.maxrss_kb = tonumber(st:match("maxrss_kb=(%d+)"))
  if st:match("error=unavailable") then r.error = "the sandbox is not available here" end
  if not r.limit and not timed_out and r.status == "signaled" then
    r.limit = ({ [24] = "cpu", [25] = "fsize" })[r.signal]
  end
  return r
end

return M
