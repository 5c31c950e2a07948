-- tasks.lua: conveniences over the C task primitives (bench.spawn, bench.wait,
-- bench.join, bench.parker): a bounded parallel map, the one wait primitive
-- (a semaphore: a task waits parked, and is woken, never polls), and a queue
-- built on it.
local M = {}

--- bench.map(items, n, fn) -> results
-- Calls fn(item, index) for every item, at most n at a time, each in its own
-- task; returns the results in input order. If a call raises, no new items
-- start, the calls in flight finish, and the first error is raised again
-- (with the failing task's traceback).
function M.map(items, n, fn)
  assert(type(items) == "table", "bench.map: items must be a list")
  assert(type(fn) == "function", "bench.map: fn must be a function")
  n = math.max(1, math.floor(tonumber(n) or 1))
  local results, next_i, total, first_err = {}, 1, #items, nil
  local function worker()
    while not first_err and next_i <= total do
      local i = next_i
      next_i = i + 1
      results[i] = fn(items[i], i)
    end
  end
  local workers = {}
  for w = 1, math.min(n, total) do
    workers[w] = bench.spawn(function()
      local ok, err = xpcall(worker, debug.traceback)
      if not ok and not first_err then first_err = err end
    end)
  end
  for _, t in ipairs(workers) do bench.join(t) end
  if first_err then error(first_err, 0) end
  return results
end

-- A line of waiters: first come, first served; a waiter that leaves it
-- (cancelled) leaves a hole that shift skips.
local Sem = {}
Sem.__index = Sem

--- tasks.semaphore([n]) -> sem with n units (default 0).
-- sem:wait() -> true once it holds a unit (it parks the task, in arrival
--   order, while none is free) | false once sem:close() was called and no
--   unit is left. Yields.
-- sem:post() gives a unit back: to the first waiter, else to the count.
-- sem:wake() gives one to the first waiter only, if any (a condition's
--   signal: the waiter checks again what it waits for).
-- sem:close() wakes every waiter with false.
-- A waiter cancelled while parked leaves the line; one cancelled after it was
-- handed a unit, before it ran, posts the unit again: no wake-up is lost.
function M.semaphore(n)
  return setmetatable({ count = n or 0, line = {}, head = 1, tail = 0, closed = false }, Sem)
end

function Sem:wake(v)
  while self.head <= self.tail do
    local w = self.line[self.head]
    self.line[self.head] = nil
    self.head = self.head + 1
    if w and w.parker:unpark(v ~= false) then
      w.handed = v ~= false
      return true
    end
  end
  return false
end

function Sem:post()
  if not self:wake() then self.count = self.count + 1 end
end

function Sem:close()
  self.closed = true
  while self:wake(false) do end
end

function Sem:wait()
  if self.count > 0 then
    self.count = self.count - 1
    return true
  end
  if self.closed then return false end
  local w = { parker = bench.parker(), i = self.tail + 1 }
  self.tail = w.i
  self.line[w.i] = w
  local ok, got = pcall(w.parker.park, w.parker)
  if ok then return got end
  if w.handed then self:post() elseif self.line[w.i] == w then self.line[w.i] = nil end
  error(got, 0)
end

local Queue = {}
Queue.__index = Queue

--- tasks.queue() -> q: q:put(item) adds an item (never waits); q:get() ->
-- the oldest item, parking the task while there is none | nil once
-- q:close() was called and every item was taken. Yields.
function M.queue()
  return setmetatable({ items = {}, head = 1, tail = 0, ready = M.semaphore(0) }, Queue)
end

function Queue:put(item)
  assert(item ~= nil, "queue:put: item is nil")
  self.tail = self.tail + 1
  self.items[self.tail] = item
  self.ready:post()
end

function Queue:get()
  if not self.ready:wait() then return nil end
  local item = self.items[self.head]
  self.items[self.head] = nil
  self.head = self.head + 1
  return item
end

function Queue:close() self.ready:close() end

return M
