-- bench.proc and bench.run_script (without the sandbox; see test_sandbox.lua).
local testing = require("benchlua.testing")
local T = {}
local eq = testing.eq

T[#T + 1] = { "run_script captures stdout, stderr and the exit code", function()
  local r = assert(bench.run_script{ cmd = "echo out; echo err >&2; exit 3" })
  eq(r.stdout, "out\n", "stdout"); eq(r.stderr, "err\n", "stderr")
  eq(r.code, 3, "code"); eq(r.ok, false, "ok"); eq(r.timed_out, false, "timed_out")
end }

T[#T + 1] = { "stdin, env and cwd reach the command", function()
  local r = assert(bench.run_script{ cmd = "cat; printf %s \"$FOO\"; pwd", stdin = "in\n", env = { FOO = "bar" }, cwd = "/" })
  eq(r.stdout, "in\nbar/\n", "stdout"); eq(r.ok, true, "ok")
end }

T[#T + 1] = { "a signal is reported as such", function()
  local r = assert(bench.run_script{ cmd = "kill -9 $$" })
  eq(r.status, "signaled", "status"); eq(r.signal, 9, "signal"); eq(r.ok, false, "ok")
end }

T[#T + 1] = { "timeout kills the whole process group, on time", function()
  local t0 = bench.now()
  local r = assert(bench.run_script{ cmd = "trap '' TERM; sleep 30 & sleep 30; wait", timeout = 0.3 })
  local dt = bench.now() - t0
  eq(r.timed_out, true, "timed_out"); eq(r.ok, false, "ok")
  assert(dt < 0.8, "returned after " .. dt .. "s")
end }

T[#T + 1] = { "output is bounded but fully drained", function()
  local r = assert(bench.run_script{ cmd = "head -c 5000000 /dev/zero", max_output = 1000 })
  eq(#r.stdout, 1000, "kept"); eq(r.stdout_bytes, 5000000, "counted"); eq(r.stdout_truncated, true, "truncated")
  eq(r.ok, true, "ok")
end }

T[#T + 1] = { "a missing program is a failure with a message, not a crash", function()
  local r = assert(bench.run_script{ argv = { "/nonexistent/prog" } })
  eq(r.ok, false, "ok"); assert(r.code ~= 0, "code")
  assert(r.stderr:find("nonexistent"), r.stderr)
end }

T[#T + 1] = { "misuse raises with the caller's line", function()
  local ok, err = pcall(bench.run_script, { cmd = 42 })
  eq(ok, false, "pcall"); assert(err:find("cmd option must be a string"), err)
  ok, err = pcall(bench.run_script, { cmd = "true", timeout = -1 })
  assert(not ok and err:find("timeout option"), err)
  ok, err = pcall(bench.run_script, { cmd = "true", limits = { mem = 1 } })
  assert(not ok and err:find("unknown limit 'mem'"), err)
end }

T[#T + 1] = { "files are written into a private directory that is removed", function()
  local r = assert(bench.run_script{ cmd = "cat a.txt; pwd", files = { ["a.txt"] = "hello\n" } })
  local dir = r.stdout:match("hello\n(.-)\n$")
  assert(dir and dir:find("benchlua%-run"), r.stdout)
  eq(bench.fs.stat(dir), nil, "dir removed")
end }

T[#T + 1] = { "many short commands in parallel", function()
  local items = {}
  for i = 1, 50 do items[i] = i end
  local out = bench.map(items, 8, function(i)
    return assert(bench.run_script{ cmd = "echo " .. i }).stdout
  end)
  for i = 1, 50 do eq(out[i], i .. "\n", "item " .. i) end
end }

T[#T + 1] = { "a long-lived child: write to its stdin, read its stdout line by line", function()
  local p <close> = assert(bench.proc.spawn{ argv = { "/bin/sh", "-c", "while read x; do echo \"got $x\"; done" },
    stdin = { pipe = true }, stdout = "stream" })
  for i = 1, 3 do
    assert(p:write("line" .. i .. "\n"))
    eq(p:readline(5), "got line" .. i, "reply " .. i)
  end
  local none, why = p:readline(0.05)
  eq(none, nil, "nothing more"); eq(why, "timeout", "why")
  p:close_stdin()
  local eof, why2 = p:readline(5)
  eq(eof, nil, "eof"); eq(why2, "eof", "why")
  local r = p:wait()
  eq(r.code, 0, "exit code")
end }

T[#T + 1] = { "a misuse error of proc.spawn leaves no descriptor open", function()
  local dir = assert(bench.fs.mkdtemp("benchlua-proc"))
  local n0 = bench.fs.open_fds()
  local ok, err = pcall(bench.proc.spawn, { argv = { "true" }, stdout = { file = dir .. "/out" }, stderr = 42 })
  assert(not ok and err:find("stderr option"), err)
  ok, err = pcall(bench.proc.spawn, { argv = { "true" }, stdout = { file = dir .. "/out" }, max_output = -1 })
  assert(not ok and err:find("max_output option"), err)
  ok, err = pcall(bench.proc.spawn, { argv = { "true" }, stdout = { file = dir .. "/out" }, stderr = { file = true } })
  assert(not ok and err:find("stderr option"), err)
  local n1 = bench.fs.open_fds()
  bench.fs.rmtree(dir)
  eq(n1, n0, "descriptors open")
end }

T[#T + 1] = { "a stdout file that cannot be opened is nil, err, code", function()
  local p, err, code = bench.proc.spawn{ argv = { "true" }, stdout = { file = "/nonexistent/dir/out" } }
  eq(p, nil, "process"); eq(code, "ENOENT", "code")
  assert(err:find("cannot open '/nonexistent/dir/out'"), err)
end }

local function children()
  local f <close> = assert(io.open("/proc/self/task/" .. bench.fs.getpid() .. "/children"))
  local out = {}
  for pid in f:read("a"):gmatch("%d+") do
    local st <close> = io.open("/proc/" .. pid .. "/stat")
    out[#out + 1] = pid .. ":" .. (st and st:read("a"):match("%) (%a)") or "?")
  end
  return table.concat(out, " ")
end

T[#T + 1] = { "what a child daemonizes is adopted, killed by kill_orphans, and reaped", function()
  local r = assert(bench.run_script{ cmd = "setsid sleep 100 > /dev/null 2>&1 < /dev/null & exit 0" })
  eq(r.ok, true, "script")
  bench.sleep(0.2)
  local kids = children()
  assert(kids:find(":S"), "the daemon is not benchlua's child: [" .. kids .. "]")
  eq(bench.proc.kill_orphans(), 1, "killed")
  eq(children(), "", "children left")
  -- one that ends on its own is reaped, not left a zombie
  r = assert(bench.run_script{ cmd = "setsid sleep 0.2 > /dev/null 2>&1 < /dev/null & exit 0" })
  bench.sleep(0.6)
  eq(children(), "", "children left")
end }

return T
