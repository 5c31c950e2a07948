-- test_hostile.lua: the sandbox's acceptance suite at the Lua level. Each
-- test starts a real llama-server (tiny model, a private copy so that other
-- suites' `pgrep -f llama-server.*MODEL` never match it) and a listener of
-- its own on another loopback port, runs hostile programs through
-- bench.run_script{..., sandbox = true}, and asserts after each that:
--   * the call returned within its timeout plus half a second;
--   * it ran in the namespace sandbox, and the verdict is a failure or a
--     timeout;
--   * benchlua is unharmed (same pid, this task was not interrupted by a
--     signal, its RSS did not balloon), and so are the server (/health 200
--     and a /completion) and the listener (alive, nobody connected to it);
--   * nothing was written outside the sandbox directory (marker files in
--     $HOME, /tmp, /var/tmp, /dev/shm and the repository), and the sandbox
--     directory is gone;
--   * no process is left behind: each program has a unique argv marker and,
--     when the call returns, no process whose /proc/PID/cmdline holds it can
--     still run (zombies, exiting or SIGKILLed processes and those of a PID
--     namespace whose init is dying are allowed GRACE seconds to vanish).
-- A correct program still passes. Run (BENCHLUA_HOSTILE_VERBOSE=1 prints
-- one line per program):
--   BENCHLUA_SERVER_BIN=tests/server/llama-server BENCHLUA_TEST_MODEL=build/tiny.gguf \
--     ./benchlua test tests/e2e/test_hostile.lua
-- All traffic goes to 127.0.0.1.
local testing = require("benchlua.testing")
local T = {}

local PY = "/usr/bin/python3"
local SH = "/bin/sh"
local BENCH_PID = bench.fs.getpid()
local SLACK = 0.5   -- the issue's bound: a call returns within timeout + 0.5 s
local GRACE = 2.0   -- how long killed sandbox processes may take to vanish

local function fail(fmt, ...) error(string.format(fmt, ...), 2) end
local eq = testing.eq

local function rand_id()
  return string.format("%d-%08x%04x", BENCH_PID, math.random(0, 0x7fffffff), math.random(0, 0xffff))
end

local function read_file(path, max)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read(max or "a")
  f:close()
  return s
end

local function exists(path) return bench.fs.stat(path) ~= nil end

local function rss_kb()
  local s = read_file("/proc/self/status") or ""
  return tonumber(s:match("VmRSS:%s*(%d+)")) or 0
end

-- the current directory (the repository when run from its root), absolute
local repo_dir
local function cwd()
  if not repo_dir then
    local r = assert(bench.run_script{ argv = { "/bin/pwd" }, timeout = 10 })
    repo_dir = assert(r.stdout:match("^(/[^\n]*)\n"), "pwd: " .. r.stdout)
  end
  return repo_dir
end

local PF_EXITING = 0x4
local function sigkill_pending(hex)
  local v = tonumber(hex or "0", 16) or 0
  return v & (1 << 8) ~= 0 -- bit SIGKILL - 1
end

--- Processes whose /proc/PID/cmdline contains any of the markers (the exec
-- helper's own cmdline holds the program's argv, so the helper and the
-- sandbox's init are found too): list of {pid, text, doomed, ns_init,
-- in_ns}. doomed: a zombie, exiting (PF_EXITING) or with SIGKILL pending;
-- ns_init: pid 1 of a PID namespace; in_ns: inside a PID namespace.
local function find_procs(marks)
  local r = assert(bench.run_script{ argv = { "/bin/ls", "-1", "/proc" }, timeout = 10 })
  local found = {}
  for pid in r.stdout:gmatch("(%d+)\n") do
    local cl = read_file("/proc/" .. pid .. "/cmdline")
    if cl and cl ~= "" then
      cl = cl:gsub("%z", " ")
      for _, m in ipairs(marks) do
        if cl:find(m, 1, true) then
          local stat = read_file("/proc/" .. pid .. "/stat") or ""
          local status = read_file("/proc/" .. pid .. "/status") or ""
          local state, flags = stat:match("^%d+ %b() (%a) %-?%d+ %-?%d+ %-?%d+ %-?%d+ %-?%d+ (%d+)")
          local nspid = {}
          for n in (status:match("NSpid:([^\n]*)") or ""):gmatch("%d+") do nspid[#nspid + 1] = tonumber(n) end
          local doomed = state == nil or state == "Z" or state == "X"
            or (tonumber(flags) or 0) & PF_EXITING ~= 0
            or sigkill_pending(status:match("SigPnd:%s*(%x+)")) or sigkill_pending(status:match("ShdPnd:%s*(%x+)"))
          found[#found + 1] = {
            pid = tonumber(pid), doomed = doomed, ns_init = nspid[2] == 1, in_ns = #nspid >= 2,
            text = string.format("%s %s flags=0x%x nspid=%s%s %s", pid, tostring(state), tonumber(flags) or 0,
              table.concat(nspid, ","), doomed and " (doomed)" or "", cl:sub(1, 120)),
          }
          break
        end
      end
    end
  end
  return found
end

--- The processes of `found` that can still run: not doomed, and, inside the
-- sandbox's PID namespace, not under an init that is doomed or gone (the
-- kernel SIGKILLs a namespace when its init exits).
local function still_running(found)
  local live_init = false
  for _, p in ipairs(found) do
    if p.ns_init and not p.doomed then live_init = true end
  end
  local out = {}
  for _, p in ipairs(found) do
    if not p.doomed and not (p.in_ns and not live_init) then out[#out + 1] = p end
  end
  return out
end

local function texts(list)
  local t = {}
  for i, p in ipairs(list) do t[i] = p.text end
  return table.concat(t, "\n  ")
end

---------------------------------------------------------------------------
-- the fixture: a real llama-server and a loopback listener, per test

local LISTENER = [[
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(64)
print("PORT", s.getsockname()[1], flush=True)
while True:
    c, a = s.accept()
    print("ACCEPTED", a, flush=True)
    c.close()
]]

local function server_ok(fx, when)
  if not fx.srv:running() then
    fail("%s: llama-server %s\n%s", when, fx.srv:exit_message(), fx.srv:log_tail(10))
  end
  local h, herr = bench.http.request{ url = fx.srv.url .. "/health", timeout = 10, connect_timeout = 5 }
  if not h or h.status ~= 200 then
    fail("%s: llama-server /health: %s", when, h and ("HTTP " .. h.status) or tostring(herr))
  end
  local c, cerr = bench.llm.completion(fx.srv, { prompt = "The", n_predict = 4, temperature = 0, seed = 1 },
    { timeout = 30, retries = 0 })
  if not c then fail("%s: llama-server /completion: %s", when, tostring(cerr)) end
  if type(c.text) ~= "string" then fail("%s: /completion without text", when) end
end

local function listener_ok(fx, when)
  if not fx.listener:running() then fail("%s: the loopback listener died: %s", when, tostring(fx.listener:wait(0) and fx.listener:wait(0).signal)) end
  local line, why = fx.listener:readline(0.05)
  if line then fail("%s: something connected to the listener on 127.0.0.1:%d: %s", when, fx.lport, line) end
  if why ~= "timeout" then fail("%s: listener stdout: %s", when, tostring(why)) end
end

local function start_fixture()
  local fx = { id = rand_id() }
  fx.logdir = assert(bench.fs.mkdtemp("benchlua-hostile-log"))
  -- a private copy of the model: other suites find (and kill -9) "their"
  -- servers with pgrep -f 'llama-server.*MODEL'; ours must not match
  local model = assert(os.getenv("BENCHLUA_TEST_MODEL"), "set BENCHLUA_TEST_MODEL")
  local private = fx.logdir .. "/hostile-model.gguf"
  assert(bench.fs.write_atomic(private, assert(read_file(model), "cannot read " .. model)))
  fx.srv = assert(bench.spawn_server{
    bin = os.getenv("BENCHLUA_SERVER_BIN"), model = private,
    parallel = 2, ctx = 4096, log = fx.logdir .. "/server.log",
  })
  assert(bench.wait_ready(fx.srv, { timeout = 60 }))
  fx.lmark = "hostile-listener-" .. fx.id
  fx.listener = assert(bench.proc.spawn{ argv = { PY, "-I", "-S", "-u", "-c", LISTENER, fx.lmark }, stdout = "stream" })
  local line = assert(fx.listener:readline(10))
  fx.lport = assert(tonumber(line:match("^PORT (%d+)$")), "listener said: " .. line)
  -- positive control: a connection is seen
  bench.http.request{ url = "http://127.0.0.1:" .. fx.lport .. "/", timeout = 5, connect_timeout = 5 }
  local seen = fx.listener:readline(5)
  assert(seen and seen:find("^ACCEPTED"), "listener did not report a test connection: " .. tostring(seen))
  -- positive control: the process scan finds a live process by its marker
  local mine = find_procs({ fx.lmark })
  assert(#mine >= 1 and #still_running(mine) == #mine, "the /proc scan does not see the listener running: " .. texts(mine))
  -- where a program must not be able to write
  local name = "benchlua-hostile-" .. fx.id
  fx.forbidden = {
    home = (os.getenv("HOME") or "/root") .. "/" .. name,
    tmp = "/tmp/" .. name,
    repo = cwd() .. "/" .. name,
    repo_d = cwd() .. "/" .. name .. ".d",
    var_tmp = "/var/tmp/" .. name,
    dev_shm = "/dev/shm/" .. name,
  }
  for _, p in pairs(fx.forbidden) do assert(not exists(p), p .. " exists before the test") end
  server_ok(fx, "before")
  fx.rss0 = rss_kb()
  return fx
end

local function stop_fixture(fx)
  if fx.listener then
    fx.listener:kill("KILL")
    fx.listener:wait()
    fx.listener:close()
  end
  if fx.srv then fx.srv:stop() end
  if fx.forbidden then
    for _, p in pairs(fx.forbidden) do if exists(p) then bench.fs.rmtree(p) end end
  end
  if fx.logdir then bench.fs.rmtree(fx.logdir) end
end

--- with_fixture(fn): fn(fx) between a fresh server + listener and their stop
local function with_fixture(fn)
  local fx
  local ok, err = xpcall(function()
    fx = start_fixture()
    fn(fx)
  end, debug.traceback)
  if fx then stop_fixture(fx) end
  if not ok then error(err, 0) end
end

---------------------------------------------------------------------------
-- running a hostile program and checking everything afterwards

local function expand(src, fx, mark, num)
  local vars = {
    MARK_NUM = num,
    HOME_MARK = fx.forbidden.home, TMP_MARK = fx.forbidden.tmp, REPO_MARK = fx.forbidden.repo,
    TMP_NAME = fx.forbidden.tmp:match("[^/]+$"),
    SPORT = tostring(fx.srv.port), LPORT = tostring(fx.lport),
    BENCH_PID = tostring(BENCH_PID), SERVER_PID = tostring(fx.srv.proc:pid()),
    LISTENER_PID = tostring(fx.listener:pid()), MARK = mark,
  }
  return (src:gsub("{([%u_]+)}", function(k) return assert(vars[k], "unknown placeholder " .. k) end))
end

--- hostile(fx, case) -> result. case: sh = SCRIPT or py = SOURCE (the
-- first thing it prints on stdout is its working directory), timeout,
-- limits, stdin, max_output, marks = {extra argv markers}.
local function hostile(fx, case)
  local mark = "hostile-" .. rand_id()
  local num = string.format("%06d", math.random(0, 999999))
  local argv
  if case.sh then
    argv = { SH, "-c", expand(case.sh, fx, mark, num), mark }
  else
    argv = { PY, "-I", "-S", "-c", expand(case.py, fx, mark, num), mark }
  end
  local timeout = case.timeout or 10
  local t0 = bench.now()
  local r, err = bench.run_script{
    argv = argv, sandbox = true, timeout = timeout, limits = case.limits,
    stdin = case.stdin, max_output = case.max_output,
  }
  local elapsed = bench.now() - t0
  assert(r, "run_script: " .. tostring(err))
  -- what it did, for failure messages
  r.desc = string.format("status=%s code=%s signal=%s timed_out=%s limit=%s elapsed=%.3f stdout=%q stderr=%q",
    tostring(r.status), tostring(r.code), tostring(r.signal), tostring(r.timed_out), tostring(r.limit),
    elapsed, r.stdout:sub(1, 200), r.stderr:sub(1, 300))

  -- 1. the call returned within its timeout plus half a second
  if elapsed > timeout + SLACK then fail("returned after %.3f s (timeout %g s): %s", elapsed, timeout, r.desc) end
  -- 2. it ran in the namespace sandbox
  if not r.sandboxed then
    local st = require("benchlua.script").sandbox_status()
    fail("not sandboxed (the namespace sandbox is unavailable here: %s)", tostring(st.why))
  end
  -- 3. the verdict is a failure or a timeout
  if r.ok ~= false then fail("verdict ok for a hostile program: %s", r.desc) end
  if not (r.timed_out or (r.status == "exited" and r.code ~= 0) or r.status == "signaled") then
    fail("neither a timeout nor a failure: %s", r.desc)
  end
  if case.expect_timeout ~= nil and r.timed_out ~= case.expect_timeout then
    fail("timed_out should be %s: %s", tostring(case.expect_timeout), r.desc)
  end
  -- 4. benchlua is unharmed: same process, still running this task
  eq(bench.fs.getpid(), BENCH_PID, "benchlua pid")
  local grew = rss_kb() - fx.rss0
  if grew > 128 * 1024 then fail("benchlua's RSS grew by %d KiB", grew) end
  -- 5. no process is left behind: when the call returns, nothing with the
  --    marker can still run; what is dying must be gone within GRACE s
  local marks = { mark }
  for _, m in ipairs(case.marks or {}) do marks[#marks + 1] = expand(m, fx, mark, num) end
  local left = find_procs(marks)
  r.left_at_return = #left
  local running = still_running(left)
  if #running > 0 then
    fail("%d process(es) still running after the call returned:\n  %s\nall found:\n  %s\n%s",
      #running, texts(running), texts(left), r.desc)
  end
  if #left > 0 then
    local deadline = bench.now() + GRACE
    while #left > 0 and bench.now() < deadline do
      bench.sleep(0.05)
      left = find_procs(marks)
    end
    if #left > 0 then
      fail("%d process(es) left behind %.1f s after the call returned:\n  %s\n%s",
        #left, GRACE, texts(left), r.desc)
    end
  end
  -- 6. nothing written outside the sandbox directory, which is gone
  for where, p in pairs(fx.forbidden) do
    if exists(p) then fail("the program wrote %s (%s): %s", p, where, r.desc) end
  end
  local wd = r.stdout:match("^(/[^\n]*)\n")
  if not wd then fail("the program did not print its working directory first: %s", r.desc) end
  if not wd:find("benchlua%-run") then fail("unexpected working directory %s", wd) end
  if exists(wd) then fail("the sandbox directory %s was not removed", wd) end
  -- 7. the server and the listener are unharmed
  listener_ok(fx, "after")
  server_ok(fx, "after")
  if case.check then case.check(r) end
  if os.getenv("BENCHLUA_HOSTILE_VERBOSE") then
    print(string.format("  info: %s left_at_return=%d", r.desc:gsub("stdout=.*", ""), r.left_at_return))
  end
  return r
end

local function hostile_test(name, case)
  T[#T + 1] = { name, function()
    with_fixture(function(fx)
      if case[1] then
        for _, c in ipairs(case) do hostile(fx, c) end
      else
        hostile(fx, case)
      end
    end)
  end }
end

---------------------------------------------------------------------------
-- the hostile programs

hostile_test("a fork bomb", {
  -- dash exits (status 2) when its own fork fails: a failure, and the bomb's
  -- other processes must die with it
  sh = [[pwd; f() { f | f & }; while :; do f 2>/dev/null; done]],
  timeout = 3,
})

hostile_test("a python fork bomb that also spins", {
  py = [[
import os
print(os.getcwd(), flush=True)
while True:
    try:
        os.fork()
    except OSError:
        pass
]],
  timeout = 3, expect_timeout = true,
})

hostile_test("an infinite loop", {
  sh = [[pwd; while :; do :; done]],
  timeout = 2, expect_timeout = true,
})

hostile_test("a loop that ignores SIGTERM (and HUP, INT)", {
  sh = [[pwd; trap '' TERM HUP INT; while :; do :; done]],
  timeout = 2, expect_timeout = true,
})

hostile_test("a daemon (double fork + setsid) that keeps stdout open, parent exits 3", {
  py = [[
import os, sys, time
print(os.getcwd(), flush=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.chdir("/")
        while True:
            time.sleep(1)
            print("daemon alive", flush=True)
    os._exit(0)
os.wait()
sys.exit(3)
]],
  timeout = 5, expect_timeout = false,
  check = function(r) eq(r.code, 3, "exit code") end,
})

hostile_test("a daemon (double fork + setsid, stdio closed) while the parent sleeps", {
  sh = [[pwd; ( setsid sh -c 'exec </dev/null >/dev/null 2>&1; while :; do sleep 1; done' "daemon-{MARK}" & ); sleep 1000{MARK_NUM}]],
  marks = { "sleep 1000{MARK_NUM}" }, timeout = 2, expect_timeout = true,
})

hostile_test("allocating far more memory than the limit", {
  py = [[
import os
print(os.getcwd(), flush=True)
chunks = []
for i in range(512):           # 8 GiB in 16 MiB chunks, touched
    b = bytearray(16 << 20)
    b[::4096] = b"x" * len(b[::4096])
    chunks.append(b)
print("allocated 8 GiB")
]],
  limits = { as = 256 * 1024 * 1024 }, timeout = 20, expect_timeout = false,
  check = function(r)
    if not r.stderr:find("MemoryError") then error("no MemoryError: " .. r.desc) end
  end,
})

hostile_test("allocating 8 GiB at once", {
  py = [[
import os
print(os.getcwd(), flush=True)
x = bytearray(8 << 30)
print("allocated")
]],
  limits = { as = 256 * 1024 * 1024 }, timeout = 20, expect_timeout = false,
})

hostile_test("writing a file far larger than the limit", {
  sh = [[pwd; exec head -c 2000{MARK_NUM} /dev/zero > big]],
  marks = { "head -c 2000{MARK_NUM}" }, limits = { fsize = 10 * 1024 * 1024 }, timeout = 20, expect_timeout = false,
  check = function(r)
    eq(r.status, "signaled", "status"); eq(r.signal, 25, "signal (SIGXFSZ)")
    if r.limit ~= nil then eq(r.limit, "fsize", "limit") end
  end,
})

hostile_test("writing a huge file into the private /tmp", {
  sh = [[pwd; exec head -c 2000{MARK_NUM} /dev/zero > /tmp/big]],
  marks = { "head -c 2000{MARK_NUM}" }, limits = { fsize = 10 * 1024 * 1024 }, timeout = 20, expect_timeout = false,
  check = function(r)
    eq(r.status, "signaled", "status"); eq(r.signal, 25, "signal (SIGXFSZ)")
    if r.limit ~= nil then eq(r.limit, "fsize", "limit") end
  end,
})

hostile_test("writing to the home directory, /tmp outside its directory, and the repository", {
  sh = [[pwd; n=0
for f in "{HOME_MARK}" "{TMP_MARK}" "../{TMP_NAME}" "{REPO_MARK}" "$HOME/{TMP_NAME}" \
         "/var/tmp/{TMP_NAME}" "/dev/shm/{TMP_NAME}"; do
  if echo pwned > "$f"; then echo "wrote $f"; else n=$((n+1)); fi
done
mkdir -p "{REPO_MARK}.d" 2>/dev/null && echo "made dir"
ln -s /etc/passwd "{HOME_MARK}" 2>/dev/null && echo "made link"
exit $((n + 1))]],
  timeout = 10, expect_timeout = false,
})

hostile_test("connecting to the llama-server's port and to another loopback listener", {
  py = [[
import os, socket, sys
print(os.getcwd(), flush=True)
# try to bring the loopback up, also as root of a nested user namespace
os.system("for p in '' 'unshare -r'; do $p ip link set lo up; $p ip addr add 127.0.0.1/8 dev lo; done >/dev/null 2>&1")
hits = 0
for port in ({SPORT}, {LPORT}):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            if kind == socket.SOCK_STREAM:
                s.sendall(b"GET /health HTTP/1.0\r\n\r\n")
                print("connected to", port, s.recv(100), flush=True)
                hits += 1
            else:
                s.send(b"x")
        except OSError as e:
            print("port", port, kind, "->", e, flush=True)
        s.close()
sys.exit(0 if hits else 1)
]],
  timeout = 10, expect_timeout = false,
  check = function(r)
    if r.stdout:find("connected to") then error("a connection went through: " .. r.desc) end
  end,
})

hostile_test("sending SIGKILL/SIGTERM to its parent (sh, python)", {
  {
    sh = [[pwd; kill -9 $PPID; kill -TERM $PPID; kill -HUP $PPID; kill -9 1;
kill -9 {BENCH_PID} {SERVER_PID} {LISTENER_PID} 2>/dev/null; kill -TERM {BENCH_PID} 2>/dev/null; sleep 0.3; exit 1]],
    timeout = 10, expect_timeout = false,
  },
  {
    py = [[
import os, signal, sys, time
print(os.getcwd(), flush=True)
for pid in (os.getppid(), 1, {BENCH_PID}, {SERVER_PID}, {LISTENER_PID}):
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        try:
            os.kill(pid, sig)
        except OSError as e:
            pass
time.sleep(0.3)
sys.exit(1)
]],
    timeout = 10, expect_timeout = false,
  },
})

hostile_test("sending signals to every process (kill -1)", {
  {
    sh = [[pwd; kill -9 -1; kill -TERM -1; kill -HUP -1; kill -INT -1; sleep 0.3; echo survived; exit 1]],
    timeout = 10, expect_timeout = false,
  },
  {
    py = [[
import os, signal, sys, time
print(os.getcwd(), flush=True)
for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGSTOP, signal.SIGKILL):
    try:
        os.kill(-1, sig)
    except OSError:
        pass
time.sleep(0.3)
sys.exit(1)
]],
    timeout = 10, expect_timeout = false,
  },
})

local function check_flood(stream, total)
  return function(r)
    local kept, count = r[stream], r[stream .. "_bytes"]
    if #kept > 1024 * 1024 then error(string.format("%s kept %d bytes > max_output", stream, #kept)) end
    eq(r[stream .. "_truncated"], true, stream .. "_truncated")
    if not r.timed_out and total and count < total then
      error(string.format("%s: only %d of %d bytes drained: %s", stream, count, total, r.desc))
    end
  end
end

hostile_test("printing 500 MB to stdout", {
  sh = [[pwd; head -c 500000000 /dev/zero; exit 3]],
  timeout = 5, check = check_flood("stdout", 500000000),
})

hostile_test("printing 500 MB to stderr", {
  sh = [[pwd; head -c 500000000 /dev/zero >&2; exit 3]],
  timeout = 5, check = check_flood("stderr", 500000000),
})

hostile_test("printing to stdout and stderr forever", {
  sh = [[pwd; cat /dev/zero >&2 & exec yes {MARK}]],
  timeout = 3, expect_timeout = true,
  check = function(r) check_flood("stdout")(r); check_flood("stderr")(r) end,
})

hostile_test("reading stdin that never comes", {
  {
    sh = [[pwd; cat; exit 1]], stdin = { pipe = true },
    timeout = 1, expect_timeout = true,
  },
  {
    py = [[
import os, sys
print(os.getcwd(), flush=True)
sys.stdin.read()
sys.exit(1)
]],
    stdin = { pipe = true }, timeout = 1, expect_timeout = true,
  },
})

---------------------------------------------------------------------------
-- and a correct program still passes, with the server up

T[#T + 1] = { "a correct program passes in the sandbox", function()
  with_fixture(function(fx)
    for _, argv in ipairs({
      { PY, "-I", "-S", "-c", "print(sum(range(10)))" },
      { SH, "-c", "echo $((1+2+3+4+5+6+7+8+9))" },
    }) do
      local t0 = bench.now()
      local r = assert(bench.run_script{ argv = argv, sandbox = true, timeout = 10,
        files = { ["input.txt"] = "x" } })
      local dt = bench.now() - t0
      eq(r.sandboxed, true, "sandboxed")
      eq(r.stdout, "45\n", "stdout"); eq(r.stderr, "", "stderr")
      eq(r.ok, true, "ok"); eq(r.code, 0, "code"); eq(r.timed_out, false, "timed_out")
      assert(dt <= 10 + SLACK, "took " .. dt)
    end
    listener_ok(fx, "after")
    server_ok(fx, "after")
  end)
end }

return T
