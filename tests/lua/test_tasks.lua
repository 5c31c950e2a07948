-- Tasks: spawn, wait, join, sleep, cancel, map, errors with tracebacks.
local T = {}
local eq = require("benchlua.testing").eq
local tasks = require("benchlua.tasks")

T[#T + 1] = { "spawn and wait return the task's results", function()
  local t = bench.spawn(function(a, b) bench.sleep(0.01) return a + b, "x" end, 2, 3)
  local s, x = bench.wait(t)
  eq(s, 5, "sum"); eq(x, "x", "second result")
  eq(t:status(), "done", "status")
end }

T[#T + 1] = { "tasks run concurrently: 20 sleeps of 0.1s take ~0.1s", function()
  local t0 = bench.now()
  local ts = {}
  for i = 1, 20 do ts[i] = bench.spawn(bench.sleep, 0.1) end
  for i = 1, 20 do bench.wait(ts[i]) end
  local dt = bench.now() - t0
  assert(dt >= 0.095 and dt < 0.5, "took " .. dt)
end }

T[#T + 1] = { "wait re-raises a task's error with its traceback; join returns it", function()
  local t = bench.spawn(function() local x = nil; return x.field end)
  local ok, err = pcall(bench.wait, t)
  eq(ok, false, "pcall")
  assert(err:find("test_tasks.lua:%d+: attempt to index a nil value"), err)
  assert(err:find("stack traceback"), "no traceback in: " .. err)
  local ok2, err2 = bench.join(t)
  eq(ok2, false, "join ok"); assert(err2:find("attempt to index"), err2)
end }

T[#T + 1] = { "a failing task does not take its siblings down", function()
  local a = bench.spawn(function() bench.sleep(0.01) error("boom") end)
  local b = bench.spawn(function() bench.sleep(0.05) return "fine" end)
  bench.join(a)
  eq(bench.wait(b), "fine", "sibling")
end }

T[#T + 1] = { "cancel raises inside the task and runs its <close> variables", function()
  local closed = false
  local t = bench.spawn(function()
    local guard <close> = setmetatable({}, { __close = function() closed = true end })
    bench.sleep(10)
  end)
  bench.sleep(0.01)
  t:cancel("stop now")
  local ok, err = bench.join(t)
  eq(ok, false, "ok"); assert(err:find("stop now"), err)
  eq(closed, true, "closed")
end }

T[#T + 1] = { "map keeps order, bounds concurrency", function()
  local inflight, peak = 0, 0
  local items = {}
  for i = 1, 30 do items[i] = i end
  local out = bench.map(items, 4, function(x)
    inflight = inflight + 1
    peak = math.max(peak, inflight)
    bench.sleep(0.005 * (x % 3))
    inflight = inflight - 1
    return x * x
  end)
  for i = 1, 30 do eq(out[i], i * i, "item " .. i) end
  eq(peak, 4, "peak concurrency")
end }

T[#T + 1] = { "map raises the first error after the others finish", function()
  local finished = 0
  local ok, err = pcall(bench.map, { 1, 2, 3, 4 }, 4, function(x)
    bench.sleep(0.01 * x)
    if x == 2 then error("item two failed") end
    finished = finished + 1
  end)
  eq(ok, false, "pcall"); assert(err:find("item two failed"), err)
  eq(finished, 3, "others finished")
end }

T[#T + 1] = { "waiting outside a task is a clear error", function()
  -- a plain coroutine is not a task
  local co = coroutine.wrap(function() return pcall(bench.sleep, 0) end)
  local ok, err = co()
  eq(ok, false, "pcall"); assert(err:find("inside a task"), err)
end }

T[#T + 1] = { "bench.now is monotonic and bench.time is the epoch", function()
  local a = bench.now(); bench.sleep(0.02); local b = bench.now()
  assert(b - a >= 0.019, "now advanced " .. (b - a))
  assert(math.abs(bench.time() - os.time()) < 2, "time")
end }

T[#T + 1] = { "semaphore: waiters get units in arrival order, parked (no loop turn polls)", function()
  local sem, order = tasks.semaphore(0), {}
  local ts = {}
  for i = 1, 5 do ts[i] = bench.spawn(function() assert(sem:wait()) order[#order + 1] = i end) end
  bench.sleep(0.01)
  eq(#order, 0, "woken before a post")
  eq(bench.handles(), 0, "a waiter holds a timer (polls)")
  for _ = 1, 5 do sem:post() end
  for i = 1, 5 do bench.wait(ts[i]) end
  eq(table.concat(order, " "), "1 2 3 4 5", "order")
  eq(sem.count, 0, "units left")
  sem:post()
  eq(sem:wait(), true, "a banked unit is taken at once")
end }

T[#T + 1] = { "semaphore: a waiter cancelled while parked leaves the line; the next one gets the unit", function()
  local sem, got = tasks.semaphore(0), {}
  local a = bench.spawn(function() sem:wait() got[#got + 1] = "a" end)
  local b = bench.spawn(function() sem:wait() got[#got + 1] = "b" end)
  bench.sleep(0.01)
  a:cancel("stop")
  local ok, err = bench.join(a)
  eq(ok, false, "a ok"); assert(err:find("stop"), err)
  sem:post()
  bench.wait(b)
  eq(table.concat(got, " "), "b", "woken")
  eq(sem.count, 0, "count")
end }

T[#T + 1] = { "semaphore: a unit handed to a waiter cancelled before it ran is passed on (no lost wake-up)", function()
  local sem, got = tasks.semaphore(0), {}
  local a = bench.spawn(function() sem:wait() got[#got + 1] = "a" end)
  local b = bench.spawn(function() sem:wait() got[#got + 1] = "b" end)
  bench.sleep(0.01)
  sem:post() -- handed to a, which has not run yet
  a:cancel("late")
  eq(bench.join(a), false, "a ok")
  bench.wait(b)
  eq(table.concat(got, " "), "b", "woken")
  -- cancelled before the post: the post goes past it to the count
  local c = bench.spawn(function() sem:wait() end)
  bench.sleep(0.01)
  c:cancel("gone")
  sem:post()
  eq(bench.join(c), false, "c ok")
  eq(sem.count, 1, "the unit is kept")
end }

T[#T + 1] = { "semaphore: 500 waiters, 3 units: at most 3 hold one, every waiter is served", function()
  local sem, held, peak, done = tasks.semaphore(3), 0, 0, 0
  local items = {}
  for i = 1, 500 do items[i] = i end
  bench.map(items, 500, function()
    assert(sem:wait())
    held = held + 1
    peak = math.max(peak, held)
    bench.sleep(0)
    held = held - 1
    done = done + 1
    sem:post()
  end)
  eq(done, 500, "served"); eq(peak, 3, "peak"); eq(sem.count, 3, "units back")
end }

T[#T + 1] = { "semaphore: close wakes every waiter with false; units left are still taken", function()
  local sem, res = tasks.semaphore(0), {}
  local ts = {}
  for i = 1, 3 do ts[i] = bench.spawn(function() res[i] = sem:wait() end) end
  bench.sleep(0.01)
  sem:close()
  for i = 1, 3 do bench.wait(ts[i]) end
  eq(res[1], false, "1"); eq(res[3], false, "3")
  sem:post()
  eq(sem:wait(), true, "a unit after close")
  eq(sem:wait(), false, "none left")
end }

T[#T + 1] = { "semaphore: wake signals a waiter only, banks nothing", function()
  local sem = tasks.semaphore(0)
  eq(sem:wake(), false, "nobody waits")
  eq(sem.count, 0, "banked")
  local t = bench.spawn(function() return sem:wait() end)
  bench.sleep(0.01)
  eq(sem:wake(), true, "a waiter")
  eq(bench.wait(t), true, "its wait")
end }

T[#T + 1] = { "queue: get parks until put, items come out in order, nil after close once drained", function()
  local q, got = tasks.queue(), {}
  local workers = {}
  for w = 1, 3 do
    workers[w] = bench.spawn(function()
      while true do
        local x = q:get()
        if not x then return end
        got[#got + 1] = x
      end
    end)
  end
  bench.sleep(0.01)
  for i = 1, 10 do q:put(i) end
  q:put(11)
  q:close()
  for w = 1, 3 do bench.wait(workers[w]) end
  eq(#got, 11, "items")
  for i = 1, 11 do eq(got[i], i, "item " .. i) end
  eq(q:get(), nil, "after close")
end }

T[#T + 1] = { "parker: unpark passes values, is false with nobody parked; a waiter wakes with no loop turn to poll", function()
  local p = bench.parker()
  eq(p:unpark(1), false, "nobody")
  local t = bench.spawn(function() return p:park() end)
  bench.sleep(0.01)
  eq(t:status(), "running", "parked")
  eq(p:unpark("a", 2), true, "unpark")
  local a, b = bench.wait(t)
  eq(a, "a", "first"); eq(b, 2, "second")
  local t2 = bench.spawn(function() return p:park() end)
  bench.sleep(0.01)
  local ok, err = pcall(p.park, p)
  eq(ok, false, "second park"); assert(err:find("already parked"), err)
  p:unpark()
  bench.wait(t2)
end }

T[#T + 1] = { "every task parked with nothing pending: the deadlock is said, not hung", function()
  local testing = require("benchlua.testing")
  local d <close> = testing.tmpdir()
  assert(bench.fs.write_atomic(d.path .. "/t.lua",
    "return { { 'parked', function() require('benchlua.tasks').semaphore(0):wait() end } }"))
  local r = testing.benchlua({ "test", d.path .. "/t.lua" })
  assert((r.stdout .. r.stderr):find("deadlock: every task is waiting"), r.stdout .. r.stderr)
end }

return T
