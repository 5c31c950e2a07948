-- testing.lua: `benchlua test FILE...`, the Lua test tier. A test file
-- returns a list of {name, fn} pairs (or a table name -> fn); each test runs
-- in its own task, then a leak check asserts that it left no tasks, child
-- processes, HTTP transfers, loop handles or open descriptors behind. Prints one line per test,
-- "PASS name", "FAIL name: message" or "SKIP name: reason", and returns the
-- number of failures. A test that cannot run here raises testing.skip(why).
local M = {}

local Skip = { __name = "benchlua.testing.skip" }
Skip.__index = Skip
Skip.__tostring = function(s) return "skipped: " .. s.why end

--- error(testing.skip("why")): the test cannot run here; it counts as
-- skipped, never as passed.
function M.skip(why)
  return setmetatable({ why = tostring(why) }, Skip)
end

--- testing.data_dir() -> the directory of benchmark data files the tests
-- read: $BENCHLUA_DATA, else ../shared/data
function M.data_dir()
  local d = os.getenv("BENCHLUA_DATA")
  if not d or d == "" then d = "../shared/data" end
  return (d:gsub("/+$", ""))
end

--- testing.data(name) -> the path of data file `name` (in data_dir());
-- raises testing.skip naming the file when it is not there: a test whose
-- data is missing is skipped and counted, not failed
function M.data(name)
  local path = M.data_dir() .. "/" .. name
  if not bench.fs.stat(path) then
    error(M.skip(string.format("no data file %s in %s (set BENCHLUA_DATA)", name, M.data_dir())), 0)
  end
  return path
end

--- testing.eq(got, want, what): raises "what: expected want, got got".
function M.eq(a, b, what)
  if a ~= b then error(string.format("%s: expected %s, got %s", what or "value", tostring(b), tostring(a)), 2) end
end

--- testing.tmpdir(prefix) -> {path=} removed when the <close> variable goes
function M.tmpdir(prefix)
  local d = assert(bench.fs.mkdtemp(prefix or "benchlua-test"))
  return setmetatable({ path = d }, { __close = function(t) bench.fs.rmtree(t.path) end })
end

--- testing.benchlua(args, env) -> run_script's result for this benchlua with args
function M.benchlua(args, env)
  local argv = { bench.exe }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return assert(require("benchlua.script").run_script{ argv = argv, env = env, timeout = 120 })
end

local function leaks(fds_before)
  local out = {}
  bench.http.close_idle() -- connections kept for reuse are not a leak
  collectgarbage() -- nor is a file the collector would close
  -- let closed handles finish closing
  for _ = 1, 20 do
    if bench.live_tasks() <= 1 and bench.proc.count() == 0 and bench.http.inflight() == 0 and bench.handles() == 0
      and bench.fs.open_fds() <= fds_before then
      break
    end
    bench.sleep(0.01)
  end
  if bench.live_tasks() > 1 then out[#out + 1] = (bench.live_tasks() - 1) .. " live task(s)" end
  if bench.proc.count() > 0 then out[#out + 1] = bench.proc.count() .. " child process(es)" end
  if bench.http.inflight() > 0 then out[#out + 1] = bench.http.inflight() .. " HTTP transfer(s)" end
  if bench.handles() > 0 then out[#out + 1] = bench.handles() .. " active loop handle(s)" end
  local fds = bench.fs.open_fds()
  if fds > fds_before then out[#out + 1] = (fds - fds_before) .. " descriptor(s)" end
  return #out > 0 and table.concat(out, ", ") or nil
end

local function list_tests(t)
  if t[1] then return t end
  local names, out = {}, {}
  for k in pairs(t) do names[#names + 1] = k end
  table.sort(names)
  for _, k in ipairs(names) do out[#out + 1] = { k, t[k] } end
  return out
end

-- Descriptors benchlua opens once and keeps (libuv's on the first spawn, the
-- sandbox's shared network namespace): opened before the first test, so the
-- descriptor count compares like with like.
local function warm_up()
  local p = bench.proc.spawn{ argv = { "true" }, sandbox = "auto", stdout = "null", stderr = "null" }
  if p then p:wait(); p:close() end
end

function M.run_files(files, filter)
  local failed, passed = 0, 0
  bench.wait(bench.spawn(warm_up))
  for _, path in ipairs(files) do
    local chunk, err = loadfile(path)
    local tests
    if chunk then
      local ok, v = xpcall(chunk, debug.traceback)
      if ok and type(v) == "table" then tests = list_tests(v) else err = ok and (path .. ": must return a table of tests") or v end
    end
    if not tests then
      print("FAIL " .. path .. ": " .. tostring(err))
      failed = failed + 1
    else
      local short = path:match("([^/]+)%.lua$")
      for _, t in ipairs(tests) do
        local name, fn = t[1], t[2]
        if not filter or name:find(filter, 1, true) then
          local fds_before = bench.fs.open_fds()
          local task = bench.spawn(function() return xpcall(fn, debug.traceback) end)
          local _, ok, terr = bench.join(task)
          local leak = leaks(fds_before)
          if not ok and getmetatable(terr) == Skip and not leak then
            print("SKIP " .. short .. ": " .. name .. ": " .. terr.why)
          elseif ok and not leak then
            print("PASS " .. short .. ": " .. name)
            passed = passed + 1
          else
            print("FAIL " .. short .. ": " .. name .. ": " .. tostring(leak and ("leaked " .. leak) or terr))
            failed = failed + 1
          end
        end
      end
    end
  end
  return failed, passed
end

return M
