-- lcb_grade.lua: LiveCodeBench's grading client: samples graded in warm
-- executors (lua/benchlua/lcb_exec.py, a front end of zygote.py) with
-- lcb_runner's verdicts, each problem's tests decoded once and kept in the
-- executors that grade it; and pass@k with lcb_runner's k list.
local codeexec = require("benchlua.codeexec")
local data = require("benchlua.lcb_data")
local passk = require("benchlua.passk")
local M = {}

M.HARNESS = "benchlua/lcb_exec.py"

--- lcb_grade.pool{size=, sandbox=, python=} -> a codeexec pool whose
-- executors grade LiveCodeBench samples. Yields.
function M.pool(o)
  return codeexec.pool{ size = o.size, sandbox = o.sandbox, python = o.python, harness = M.HARNESS }
end

-- decoded tests of the last few problems scored (samples are read in
-- windows of M.WINDOW problems): at most CACHE problems, and never more
-- than CACHE_BYTES. Each is kept as the executors take it: {n = tests,
-- fn_name =, blob = input 1 .. output 1 .. input 2 ..., lens = their sizes}.
M.WINDOW = 4
local CACHE, CACHE_BYTES = M.WINDOW, 256 << 20
local cache, order = {}, {}

local function tests_of(p)
  local t = cache[p]
  if t then return t end
  local d = data.tests(p)
  local parts, lens = {}, {}
  for i, s in ipairs(d.inputs) do
    parts[#parts + 1], parts[#parts + 2] = s, d.outputs[i]
    lens[#lens + 1], lens[#lens + 2] = #s, #d.outputs[i]
  end
  t = { n = #d.inputs, fn_name = d.fn_name, blob = table.concat(parts), lens = lens }
  t.bytes = #t.blob
  cache[p], order[#order + 1] = t, p
  local total = 0
  for _, q in ipairs(order) do total = total + cache[q].bytes end
  while #order > 1 and (#order > CACHE or total > CACHE_BYTES) do
    local q = table.remove(order, 1)
    total = total - cache[q].bytes
    cache[q] = nil
  end
  return t
end

-- An executor keeps the tests of up to SLOTS problems (at most
-- M.SLOT_BYTES in all, or one problem's, however big): z.state.lcb =
-- {[slot] = {p =, bytes =, used =}} says which.
local SLOTS = M.WINDOW
M.SLOT_BYTES = 32 << 20
local uses = 0

local function slot_of(z, p)
  for k, s in pairs(z.state and z.state.lcb or {}) do if s.p == p then return k end end
end

-- The request for p on z: its header, and the payload (code, and the tests
-- when z does not keep them yet); -> header, payload, the slot's new record
local function request_for(z, p, t, code, timeout)
  uses = uses + 1
  local slots = z.state and z.state.lcb or {}
  local h = { op = "lcb", code = #code, timeout = timeout, fn_name = t.fn_name, slot = slot_of(z, p) }
  if h.slot then
    slots[h.slot].used = uses
    return h, code
  end
  local total, lru = t.bytes, nil
  for k = 1, SLOTS do
    local s = slots[k]
    if not s then h.slot = h.slot or k
    else
      total = total + s.bytes
      if not lru or s.used < slots[lru].used then lru = k end
    end
  end
  if not h.slot then
    h.slot = lru
    total = total - slots[lru].bytes
  end
  h.lens, h.only = t.lens, total > M.SLOT_BYTES or nil
  return h, code .. t.blob, { p = p, bytes = t.bytes, used = uses }
end

--- lcb_grade.grade(pool, p, code, timeout) -> verdict {passed, results
-- = {true | false | -2 | -3 | -4 ...}, metadata = table, metadata_json =
-- lcb_runner's text of it, outcome, exec_time, detail}. The executor that
-- already keeps p's tests is preferred. Yields.
function M.grade(pool, p, code, timeout)
  local t = tests_of(p)
  local wait = (timeout + 1) * t.n + 5 + 10
  local z = pool:acquire(function(e) return slot_of(e, p) ~= nil end)
  local h, payload, kept = request_for(z, p, t, code, timeout)
  local ok, r, why = pcall(pool.request, pool, z, h, payload, wait)
  if ok and r and not r.error and kept and z.state then -- (a restarted executor has a new state)
    if h.only or not z.state.lcb then z.state.lcb = {} end
    z.state.lcb[h.slot] = kept
  end
  pool:release(z)
  if not ok then error(r, 0) end
  if r and r.error then error("lcb executor: " .. tostring(r.error), 0) end
  if not r then
    r = { results = { -2 }, metadata = { error_code = -5, error_message = "TestRunnerError" }, passed = false, detail = why,
      metadata_json = [[{"error": "IndexError('list index out of range')", "error_code": -5, "error_message": "TestRunnerError"}]] }
  end
  for i, x in ipairs(r.results) do r.results[i] = math.tointeger(x) or x end
  local last = r.results[#r.results]
  local v = { passed = r.passed == true, results = r.results, metadata = r.metadata,
    metadata_json = r.metadata_json, exec_time = r.time, detail = r.detail }
  if v.passed then v.outcome = "passed"
  elseif last == -3 then v.outcome = "timed_out"
  elseif last == -2 or last == false then v.outcome = r.metadata.error_code == -5 and "error" or "wrong"
  else v.outcome = "error" end
  return v
end

---------------------------------------------------------------- scores

-- lcb_runner's k list; a k is reported where every problem has k samples
M.KS = { 1, 5, 10, 20, 40, 50, 75, 100, 125, 150, 200, 500, 1000 }

--- lcb_grade.add_ks(res, tally, problems): pass@k for lcb_runner's k
-- list (so pass@5 with n >= 5), overall and in res.by_difficulty and
-- res.by_platform, from the code-benchmark library's tally (sets[""].n/.c
-- per task_id).
function M.add_ks(res, tally, problems)
  local st = tally.sets[""]
  local function pak(key, value)
    local counts = {}
    for _, p in ipairs(problems) do
      if not key or p[key] == value then counts[#counts + 1] = { n = st.n[p.task_id] or 0, c = st.c[p.task_id] or 0 } end
    end
    return (passk.compute(counts, M.KS))
  end
  res.pass_at_k = pak()
  for _, key in ipairs({ "difficulty", "platform" }) do
    for value, g in pairs(res["by_" .. key] or {}) do g.pass_at_k = pak(key, value) end
  end
end

return M
