-- lua/benchlua/pygrade.lua: Python grading helpers in warm sandboxed
-- processes, driven with tests/fixtures/answer/grade_toy.py (a response
-- naming CRASH, HANG or RAISE makes it die, hang or raise).
local testing = require("benchlua.testing")
local pygrade = require("benchlua.pygrade")
local T = {}
local MOD = "tests/fixtures/answer/grade_toy.py"

local eq = testing.eq

T[#T + 1] = { "setup(config) once per helper, grade per item, versions() kept", function()
  local g <close> = assert(pygrade.pool{ module = MOD, size = 2, sandbox = "auto", config = { tag = "x" } })
  local pids = {}
  for i = 1, 6 do
    local r = assert(g:grade({ extracted = tostring(i % 2), answer = "1", response = "r" }))
    eq(r.equal, i % 2 == 1, "verdict " .. i)
    eq(r.setups, 1, "setups")
    eq(r.tag, "x", "config")
    pids[r.pid] = true
  end
  eq(g.versions.toy, "1.0", "versions")
  assert(g.versions.python:match("^3%."), "python version")
end }

T[#T + 1] = { "a helper that crashes, hangs or raises is a grading error for that item; the next item is graded", function()
  local g <close> = assert(pygrade.pool{ module = MOD, size = 1, sandbox = "auto", timeout = 1 })
  local r, why = g:grade({ response = "CRASH" })
  eq(r, nil, "crash result")
  assert(why:find("died"), why)
  r = assert(g:grade({ extracted = "1", answer = "1", response = "ok" }))
  eq(r.equal, true, "after a crash")
  eq(r.setups, 1, "set up again in the new helper")
  local t0 = bench.now()
  r, why = g:grade({ response = "HANG" })
  eq(r, nil, "hang result")
  assert(why:find("did not answer"), why)
  assert(bench.now() - t0 < 5, "the hang was cut at the timeout")
  r, why = g:grade({ response = "RAISE" })
  eq(r, nil, "raise result")
  assert(why:find("ValueError: asked to raise", 1, true), why)
  r = assert(g:grade({ extracted = "2", answer = "1", response = "ok" }))
  eq(r.equal, false, "after a hang and a raise")
  eq(g.errors, 3, "grading errors counted")
end }

T[#T + 1] = { "a setup that fails is one line naming the helper, before any item", function()
  local g, err = pygrade.pool{ module = MOD, size = 1, sandbox = "auto", config = { fail = "no punkt" } }
  eq(g, nil, "pool")
  assert(err:find("the grading helper grade_toy did not start: RuntimeError: setup refused: no punkt", 1, true), err)
  assert(not err:find("\n"), "one line: " .. err)
  g, err = pygrade.pool{ module = "no_such_grader" }
  eq(g, nil, "pool")
  assert(err:find("benchlua/no_such_grader.py is not embedded", 1, true), err)
end }

return T
