-- Run by test_fds.sh with only 0, 1 and 2 inherited: every descriptor
-- benchlua itself has open (curl's sockets and socketpair, pipes to
-- children, locks, files) must be close-on-exec.
local O_CLOEXEC = 0x80000 -- 02000000

local function not_cloexec()
  local _, fds = bench.fs.open_fds()
  local bad = {}
  for _, fd in ipairs(fds) do
    if fd >= 3 then
      local f = io.open("/proc/self/fdinfo/" .. fd)
      local flags = f and f:read("a"):match("flags:%s*(%d+)")
      if f then f:close() end
      if flags and tonumber(flags, 8) & O_CLOEXEC == 0 then bad[#bad + 1] = tostring(fd) end
    end
  end
  return bad, #fds
end

return { { "benchlua's own descriptors are close-on-exec", function()
  local port = assert(tonumber(os.getenv("HOLD_PORT")), "HOLD_PORT")
  local t = bench.spawn(function()
    return bench.http.request{ url = "http://127.0.0.1:" .. port .. "/", timeout = 5 }
  end)
  local lock <close> = assert(bench.fs.trylock(os.getenv("PROBE_DIR") .. "/lock"))
  local p = assert(bench.proc.spawn{ argv = { "sleep", "5" }, stdin = { pipe = true } })
  local s = assert(bench.proc.spawn{ argv = { "sleep", "5" }, sandbox = "auto" })
  local gz = assert(bench.fs.read(os.getenv("PROBE_DIR") .. "/data.gz"))
  bench.sleep(0.3)
  local bad, n = not_cloexec()
  p:close(); s:close()
  bench.http.abort_all()
  bench.join(t)
  assert(gz == "hello\n", "gz")
  assert(n > 6, "only " .. n .. " descriptors open: the probe did not exercise much")
  assert(#bad == 0, "not close-on-exec: " .. table.concat(bad, " "))
end } }
