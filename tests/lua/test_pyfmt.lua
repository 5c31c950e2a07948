-- pyfmt: numbers written as Python writes them, checked against python3
-- itself (repr and json.dumps) on edge values, every power of two and
-- random doubles; and every writer that claims Python's format uses it.
local pyfmt = require("benchlua.pyfmt")
local script = require("benchlua.script")
local testing = require("benchlua.testing")
local T = {}

-- Python's repr and json.dumps of each value (a float given exactly, as a
-- hex float, or an integer), one "repr\tjson" line each
local PY = [[
import json, sys
for line in sys.stdin.read().split("\n"):
    if not line: continue
    kind, v = line.split(" ")
    x = int(v) if kind == "i" else float.fromhex(v)
    print(repr(x) + "\t" + json.dumps(x))
]]

local function python(values)
  local lines = {}
  for i, x in ipairs(values) do
    lines[i] = math.type(x) == "integer" and ("i " .. string.format("%d", x))
      or ("f " .. (x ~= x and "nan" or string.format("%a", x)))
  end
  local r = assert(script.run_script{ argv = { "/usr/bin/python3", "-c", PY }, stdin = table.concat(lines, "\n") .. "\n",
    timeout = 60, max_output = 16 << 20 })
  if not r.ok then error("python3: " .. tostring(r.stderr)) end
  local out = {}
  for l in r.stdout:gmatch("[^\n]+") do out[#out + 1] = l end
  assert(#out == #values, string.format("python3 wrote %d lines for %d values", #out, #values))
  return out
end

local function check(values)
  local want, bad = python(values), {}
  for i, x in ipairs(values) do
    local got = pyfmt.repr(x) .. "\t" .. pyfmt.json_number(x)
    if got ~= want[i] and #bad < 10 then
      bad[#bad + 1] = string.format("%s: python %q, pyfmt %q", math.type(x) == "integer" and x or string.format("%a", x), want[i], got)
    end
  end
  assert(#bad == 0, table.concat(bad, "\n"))
end

T[#T + 1] = { "pyfmt writes edge values as python3's repr and json.dumps do", function()
  check({ 1e15, 1e16, 1e-5, 1e-4, -0.0, 0.0, 0.1 + 0.2, 1e22, 5e-324, 123456789.123, 1.0, 0.5, 1 / 3, 2 / 3,
    9007199254740992.0, 9007199254740993, 2 ^ 53 + 2.0, 2 ^ 63, math.maxinteger, math.mininteger, -1e15, 1e-7,
    123456789012345678, 1.7976931348623157e308, 2.2250738585072014e-308, 0 / 0, math.huge, -math.huge,
    9999999999999998.0, 999999999999999.9, 0.0001, 0.00011, 1e300, 12345.678e-10, 100.0, 4.35, 0.3 })
end }

T[#T + 1] = { "pyfmt writes every power of two as python3 does (where the gap below is half the gap above)", function()
  local v = {}
  for k = -1074, 1023 do v[#v + 1] = 2.0 ^ k; v[#v + 1] = -(2.0 ^ k) end
  check(v)
end }

T[#T + 1] = { "pyfmt writes random doubles and pass@k-like fractions as python3 does", function()
  math.randomseed(17)
  local v = {}
  for _ = 1, 3000 do
    local x = string.unpack("<d", string.pack("<i8", math.random(math.mininteger, math.maxinteger)))
    v[#v + 1] = x
  end
  for n = 1, 60 do for c = 0, n do v[#v + 1] = c / n end end
  for _ = 1, 500 do v[#v + 1] = math.random() * 10 ^ math.random(-20, 25) end
  check(v)
end }

-- Every writer that says it writes as Python does goes through pyfmt:
-- evalplus's eval_results.json, lcb_runner's eval_all file, the samples
-- files (dataset.py_string). Before, codebench and livecodebench.lua had their
-- own, which wrote 1e15 as 1e+15.
T[#T + 1] = { "the Python-format writers of evalplus, lcb_files and dataset are pyfmt's; no module has its own", function()
  local mine = {}
  for _, m in ipairs({ "evalplus", "lcb_files", "dataset" }) do
    local src = assert(bench.fs.read("lua/benchlua/" .. m .. ".lua"))
    if not src:find('require("benchlua.pyfmt")', 1, true) then mine[#mine + 1] = m .. " does not use pyfmt" end
  end
  -- no module but pyfmt searches for the shortest digits itself (codeexec's
  -- protocol, the results file, the table view and the leaderboard csv write %.17g, claiming
  -- nothing of Python)
  local OWN = { ["pyfmt.lua"] = true, ["codeexec.lua"] = true, ["json.lua"] = true, ["readback.lua"] = true, ["leaderboard.lua"] = true }
  for _, name in ipairs(assert(bench.fs.list("lua/benchlua"))) do
    local src = name:find("%.lua$") and not OWN[name] and assert(bench.fs.read("lua/benchlua/" .. name))
    if src and (src:find('"%%%." %.%. [^\n]- %.%. "[eg]"') or src:find("%%%.1[57]g")) then
      mine[#mine + 1] = name .. " has its own float writer"
    end
  end
  assert(#mine == 0, table.concat(mine, "; "))
  testing.eq(require("benchlua.dataset").py_string("caf\u{e9}/\u{1F600}"), pyfmt.json_string("caf\u{e9}/\u{1F600}"), "py_string")
end }

return T
