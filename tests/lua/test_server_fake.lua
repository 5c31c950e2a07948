-- Server lifecycle and HTTP against tests/fake_server.py, for the failures a
-- real llama-server cannot produce on demand (the e2e tier uses the real one).
local testing = require("benchlua.testing")
local T = {}
local FAKE = "tests/fake_server.py"
local eq = testing.eq
local function start(args)
  local s = assert(bench.spawn_server{ bin = FAKE, args = args })
  return setmetatable({ s = s }, { __close = function(g) g.s:stop() end })
end

T[#T + 1] = { "wait_ready returns soon after the server turns ready", function()
  local g <close> = start{ "--ready-after", "0.5" }
  local info = assert(bench.wait_ready(g.s, { timeout = 30 }))
  -- not a timing check (flaky on a loaded machine): the server counts the
  -- health checks; wait_ready polled while it loaded and returned on the
  -- very first 200
  local r = assert(bench.http.request{ url = g.s.url .. "/fake/counts" })
  local counts = bench.json.decode(r.body)
  eq(counts.health200, 1, "health checks answered 200")
  assert(counts.health503 >= 3, "polled only " .. counts.health503 .. " times while loading")
  eq(info.build, "b0-fake", "build"); eq(info.slots, 4, "slots"); eq(info.ctx_per_slot, 4096, "ctx")
  eq(info.model, "fake.gguf", "model"); eq(info.n_params, 1000, "n_params")
  g.s:stop()
  eq(g.s:running(), false, "stopped")
end }

T[#T + 1] = { "a server that exits while loading fails wait_ready at once, with its log", function()
  local g <close> = start{ "--exit-at-start", "2" }
  local t0 = bench.now()
  local info, err = bench.wait_ready(g.s, { timeout = 30 })
  eq(info, nil, "info")
  assert(bench.now() - t0 < 2, "took " .. (bench.now() - t0))
  assert(err:find("exited with status 2 before it was ready"), err)
  assert(err:find("error loading model"), "log tail missing: " .. err)
end }

T[#T + 1] = { "a server that never gets ready times out", function()
  local g <close> = start{ "--never-ready" }
  -- first let it listen (python starts slowly on a loaded machine), then time out
  local deadline = bench.now() + 30
  repeat
    local r = bench.http.request{ url = g.s.url .. "/health", timeout = 1 }
    if not (r and r.status == 503) then bench.sleep(0.05) end
  until (r and r.status == 503) or bench.now() > deadline
  local info, err = bench.wait_ready(g.s, { timeout = 0.5 })
  eq(info, nil, "info"); assert(err:find("not ready after 0.5s %(last health check: HTTP 503%)"), err)
end }

T[#T + 1] = { "an explicit port that is taken is a clear error", function()
  local g <close> = start{}
  assert(bench.wait_ready(g.s, { timeout = 10 }))
  local s2, err = bench.spawn_server{ bin = FAKE, port = g.s.port }
  eq(s2, nil, "second server"); assert(err:find("port " .. g.s.port .. " on 127.0.0.1 is already in use"), err)
end }

T[#T + 1] = { "a missing binary or model is a clear error", function()
  local s, err = bench.spawn_server{ bin = "/nonexistent/llama-server" }
  eq(s, nil, "s"); assert(err:find("not found"), err)
  s, err = bench.spawn_server{ bin = FAKE, model = "/nonexistent/m.gguf" }
  eq(s, nil, "s"); assert(err:find("model file '/nonexistent/m.gguf' not found"), err)
end }

T[#T + 1] = { "503s are retried, 500s are not", function()
  local g <close> = start{ "--status-503-first", "2", "--status-500-every", "5" }
  assert(bench.wait_ready(g.s, { timeout = 10 }))
  local r = assert(bench.llm.completion(g.s, { prompt = "x", n_predict = 4 }))
  eq(r.text, "    return 1\n", "text"); eq(r.tokens, 5, "tokens")
  local r2 = assert(bench.llm.chat(g.s, { messages = { { role = "user", content = "hi" } } }))
  assert(r2.text:find("```python"), r2.text)
  local r3, err, code = bench.llm.completion(g.s, { prompt = "x" })
  eq(r3, nil, "500"); eq(code, 500, "code"); assert(err:find("internal failure"), err)
end }

T[#T + 1] = { "a request to a hung server times out on its own timeout", function()
  local g <close> = start{ "--hang" }
  assert(bench.wait_ready(g.s, { timeout = 10 }))
  local t0 = bench.now()
  local r, err, code = bench.llm.completion(g.s, { prompt = "x" }, { timeout = 0.5, retries = 0 })
  eq(r, nil, "r"); eq(code, "ETIMEDOUT", "code")
  assert(bench.now() - t0 < 1.5, "took " .. (bench.now() - t0))
end }

T[#T + 1] = { "abort_all ends every request in flight at once", function()
  local g <close> = start{ "--hang" }
  assert(bench.wait_ready(g.s, { timeout = 10 }))
  local ts = {}
  for i = 1, 5 do ts[i] = bench.spawn(bench.llm.completion, g.s, { prompt = "x" }, { retries = 0 }) end
  bench.sleep(0.2)
  eq(bench.http.abort_all("server died"), 5, "aborted")
  for i = 1, 5 do
    local r, err, code = bench.wait(ts[i])
    eq(r, nil, "r"); eq(code, "EABORTED", "code"); eq(err, "server died", "err")
  end
end }

T[#T + 1] = { "misuse of spawn_server raises", function()
  local ok, err = pcall(bench.spawn_server, { port = "80" })
  eq(ok, false, "pcall"); assert(err:find("port option must be an integer"), err)
end }

local function vm_hwm_kb()
  local f <close> = assert(io.open("/proc/self/status"))
  return tonumber(f:read("a"):match("VmHWM:%s*(%d+)"))
end

T[#T + 1] = { "a response over max_body is ETOOBIG and memory stays bounded", function()
  for _, extra in ipairs{ {}, { "--no-length" } } do
    local g <close> = start{ "--huge-reply", tostring(300 * 1000 * 1000), table.unpack(extra) }
    assert(bench.wait_ready(g.s, { timeout = 10 }))
    local hwm0 = vm_hwm_kb()
    local r, err, code = bench.llm.completion(g.s, { prompt = "x" }, { retries = 0 })
    eq(r, nil, "a 300 MB answer"); eq(code, "ETOOBIG", "code")
    eq(err, "response larger than 67108864 bytes", "message")
    local grew = (vm_hwm_kb() - hwm0) // 1024
    assert(grew < 150, "peak RSS grew by " .. grew .. " MB reading a 300 MB answer " .. table.concat(extra))
  end
  local g <close> = start{}
  assert(bench.wait_ready(g.s, { timeout = 10 }))
  local r, err, code = bench.llm.completion(g.s, { prompt = "x" }, { max_body = 10 })
  eq(r, nil, "max_body = 10"); eq(code, "ETOOBIG", "code"); eq(err, "response larger than 10 bytes", "message")
  assert(bench.llm.completion(g.s, { prompt = "x" }, { max_body = 1000 }))
end }

T[#T + 1] = { "the log tail reads only the end of a 500 MB log", function()
  local server = require("benchlua.server")
  local dir = assert(bench.fs.mkdtemp("benchlua-tail"))
  local log = dir .. "/server.log"
  local r = assert(bench.run_script{ cmd = "printf 'first\\n' > " .. log .. " && truncate -s 500M " .. log
    .. " && printf '\\nline 1\\nline 2\\nline 3\\n' >> " .. log })
  eq(r.ok, true, "setup")
  local hwm0, t0 = vm_hwm_kb(), bench.now()
  local tail = server.tail(log, 2)
  local dt, grew = bench.now() - t0, (vm_hwm_kb() - hwm0) // 1024
  bench.fs.rmtree(dir)
  eq(tail, "line 2\nline 3", "tail")
  assert(dt < 0.5 and grew < 20, string.format("%.2f s, peak RSS +%d MB", dt, grew))
  eq(server.tail("/nonexistent/log", 5), "", "missing log")
end }

T[#T + 1] = { "the log tail cuts long lines in the middle; a last line longer than the window keeps its end", function()
  local server = require("benchlua.server")
  local dir = assert(bench.fs.mkdtemp("benchlua-tail"))
  local log = dir .. "/server.log"
  assert(bench.fs.write_atomic(log, "start\n" .. string.rep("a", 50000) .. "z\nfatal: no luck\n"))
  local tail = server.tail(log, 2)
  eq(tail, string.rep("a", 200) .. " [... 49601 bytes ...] " .. string.rep("a", 199) .. "z\nfatal: no luck", "cut")
  assert(bench.fs.write_atomic(log, string.rep("b", 100000) .. "the end"))
  tail = server.tail(log, 2)
  bench.fs.rmtree(dir)
  eq(tail:sub(-7), "the end", "the end of a line longer than the window")
  assert(#tail < 500, "cut: " .. #tail .. " bytes")
end }

return T
