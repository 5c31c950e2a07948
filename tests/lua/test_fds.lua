-- Descriptors: children get only 0, 1 and 2 (issue 7, item 11), and the
-- leak check counts benchlua's own descriptors.
local T = {}
-- the shell's own descriptors; 3 is the directory the glob reads (the lowest
-- free one: a leaked descriptor would push it to 4)
local LIST = "cd /proc/$$/fd && echo *"
local CLEAN = "0 1 2 3"

local function fds_of(r)
  assert(r.ok, "listing failed: " .. tostring(r.stderr))
  return (r.stdout:gsub("%s+$", ""))
end

T[#T + 1] = { "a script sees only 0, 1 and 2", function()
  -- with a lock held meanwhile
  local lock <close> = assert(bench.fs.trylock(os.tmpname()))
  local r = assert(bench.run_script{ cmd = LIST })
  if fds_of(r) ~= CLEAN then
    error("the child saw descriptors " .. fds_of(r) .. ": "
      .. assert(bench.run_script{ cmd = "ls -l /proc/$$/fd" }).stdout)
  end
end }

T[#T + 1] = { "a program started with stdout to a file sees only 0, 1 and 2", function()
  local dir = assert(bench.fs.mkdtemp("benchlua-fds"))
  local p = assert(bench.proc.spawn{ argv = { "/bin/sh", "-c", LIST }, stdout = { file = dir .. "/out" } })
  local r = assert(p:wait(10)); p:close()
  local out = assert(bench.fs.read(dir .. "/out"))
  bench.fs.rmtree(dir)
  assert(r.code == 0 and out == CLEAN .. "\n", "saw " .. out)
end }

T[#T + 1] = { "a sandboxed program sees only 0, 1 and 2", function()
  local r = assert(bench.run_script{ cmd = LIST, sandbox = true })
  local got = fds_of(r)
  assert(got == CLEAN, "saw " .. got)
end }

T[#T + 1] = { "bench.fs.open_fds counts what is open", function()
  local n0, l0 = bench.fs.open_fds()
  assert(math.type(n0) == "integer" and n0 >= 3 and #l0 == n0 and l0[1] == 0, "open_fds")
  local f = assert(io.open("/dev/null"))
  local n1 = bench.fs.open_fds()
  f:close()
  assert(n1 == n0 + 1 and bench.fs.open_fds() == n0, "counts " .. n0 .. " " .. n1)
end }

T[#T + 1] = { "the leak check fails a test that leaves a descriptor open", function()
  local r = assert(bench.run_script{ argv = { bench.exe, "test", "leak.lua" }, files = {
    ["leak.lua"] = 'return { { "keeps a file open", function() KEPT = io.open("/dev/null") end },\n'
      .. '  { "closes it", function() io.open("/dev/null"):close() end } }\n' } })
  assert(r.code == 1, "exit code " .. tostring(r.code) .. ": " .. r.stdout .. r.stderr)
  assert(r.stdout:find("FAIL leak: keeps a file open: leaked 1 descriptor%(s%)"), r.stdout)
  assert(r.stdout:find("PASS leak: closes it"), r.stdout)
end }

return T
