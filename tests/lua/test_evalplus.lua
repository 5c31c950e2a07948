-- lua/benchlua/evalplus.lua (and its executor, evalplus_exec.py): every
-- fixture sample gets evalplus's base and plus verdicts and the failing input
-- evalplus names. The expected verdicts are what evalplus.evaluate (evalplus
-- @ 26d6d00) wrote for the same samples on the same data: see
-- tests/fixtures/evalplus/README.md and regen.sh.
local evalplus = require("benchlua.evalplus")
local dataset = require("benchlua.dataset")
local cjson = require("cjson")
local T = {}

local DATA = "../shared/data/"
local FIX = "tests/fixtures/evalplus/"
local CACHE = "build/test-cache/evalplus" -- ground truth kept between runs (keyed by digest)

local function eq(a, b, what)
  if a ~= b then error(string.format("%s: expected %s, got %s", what or "value", tostring(b), tostring(a)), 2) end
end

-- deep equality of decoded JSON values
local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  for k in pairs(b) do if a[k] == nil then return false end end
  return true
end

-- The dataset's lines whose task has a sample, in file order (subset.py).
local function subset(file, samples, out)
  local want = {}
  for _, s in ipairs(samples) do want[s.task_id] = true end
  local keep = {}
  for line in assert(bench.fs.read(DATA .. file)):gmatch("[^\n]+") do
    local id = line:match('^{"task_id": "([^"]+)"')
    if id and want[id] then keep[#keep + 1] = line .. "\n" end
  end
  assert(bench.fs.write_atomic(out, table.concat(keep)))
  return out
end

-- Judge every sample of a fixture group; compare with evalplus's file.
local function check_group(group, kind, file, opts)
  local samples = assert(dataset.read_jsonl(FIX .. group .. "_samples.jsonl"))
  local expected = cjson.decode(assert(bench.fs.read(FIX .. group .. ".expected.json")))
  local dir <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-test")) },
    { __close = function(t) bench.fs.rmtree(t.path) end })
  local data = assert(evalplus.load(subset(file, samples, dir.path .. "/data.jsonl"), kind))
  local o = { data = data, sandbox = "auto", cache_dir = CACHE }
  for k, v in pairs(opts or {}) do o[k] = v end
  local judge <close> = assert(evalplus.judge(o))
  eq(judge:md5(), expected.hash, "dataset hash")
  local index, items = {}, {}
  for i, s in ipairs(samples) do
    index[s.task_id] = (index[s.task_id] or 0) + 1
    items[i] = { s = s, want = expected.eval[s.task_id][index[s.task_id]] }
  end
  local bad = {}
  bench.map(items, judge.pool.size, function(it)
    local s, want = it.s, it.want
    local solution = s.solution or (data.by_id[s.task_id].prompt .. s.completion)
    eq(want.solution, solution, "fixture order")
    local r = judge:check(s.task_id, solution)
    for _, set in ipairs({ "base", "plus" }) do
      local got_fail = r[set].fail_input and { cjson.decode(r[set].fail_input) } or {}
      if r[set].status ~= want[set .. "_status"] or not same(got_fail, want[set .. "_fail_tests"]) then
        bad[#bad + 1] = string.format("%s (%s): %s %s, failing %s; evalplus: %s, failing %s", s.task_id, s.note, set,
          r[set].status, cjson.encode(got_fail), want[set .. "_status"], cjson.encode(want[set .. "_fail_tests"]))
      end
    end
  end)
  table.sort(bad)
  assert(#bad == 0, #bad .. " verdicts differ from evalplus's:\n  " .. table.concat(bad, "\n  "))
  return #items
end

T[#T + 1] = { "HumanEval+: every fixture sample gets evalplus's base and plus verdicts", function()
  eq(check_group("humaneval", "humaneval", "HumanEvalPlus.jsonl.gz"), 47, "samples")
end }

T[#T + 1] = { "HumanEval+ Mini, 0.5 s limits: slow samples, alarms swallowed, module code that never ends", function()
  eq(check_group("slow", "humaneval", "HumanEvalPlus-Mini.jsonl.gz", { min_time_limit = 0.5 }), 7, "samples")
end }

T[#T + 1] = { "MBPP+: tuples, sets, complex numbers, special oracles, Infinity inputs", function()
  eq(check_group("mbpp", "mbpp", "MbppPlus.jsonl.gz"), 28, "samples")
end }

-- evalplus's sanitizer cannot be run here (tree-sitter is not packaged);
-- these expectations are derived by hand from evalplus/sanitize.py.
T[#T + 1] = { "sanitizer: the longest parseable region, then imports and the definitions reachable from the entry point", function()
  local data = assert(evalplus.load(DATA .. "HumanEvalPlus-Mini.jsonl.gz", "humaneval"))
  local judge <close> = assert(evalplus.judge{ data = data, sandbox = "auto", cache_dir = CACHE, workers = 1 })
  local answer = table.concat({
    "Here is the solution:", "```python", "import math", "from typing import List", "",
    "def helper(x):", "    return math.sqrt(x)", "",
    "def unused(y):", "    return y", "",
    "def noreturn(z):", "    print(z)", "",
    "@cache", "def decorated(n):", "    return n", "",
    "LIMIT = 10", "OTHER = 3", "",
    "def f(x: List[int]) -> float:", "    return helper(x[0]) + LIMIT", "",
    "if __name__ == '__main__':", "    print(f([4]))", "```", "It works." }, "\n")
  eq(judge:sanitize(answer, "f"), table.concat({ "import math", "from typing import List",
    "def helper(x):\n    return math.sqrt(x)", "LIMIT = 10", "def f(x: List[int]) -> float:\n    return helper(x[0]) + LIMIT" }, "\n"),
    "chat answer")
  -- without an entry point every kept definition stays (not the decorated one, nor the one without return)
  eq(judge:sanitize("def a():\n    return 1\ndef b():\n    pass\nx = a()\n", nil), "def a():\n    return 1\nx = a()", "no entry point")
  -- nothing kept: the region itself; nothing parses: the first line
  eq(judge:sanitize("print(1)\nprint(2)\n", "f"), "print(1)\nprint(2)", "no definitions")
  eq(judge:sanitize("no code at all", "f"), "no code at all", "prose")
  -- the first of the longest regions wins; a single line is never a region
  eq(judge:sanitize("def f():\n    return 1\n```\ndef f():\n    return 2\n", "f"), "def f():\n    return 1", "tie")
  -- the first definition of a name wins
  eq(judge:sanitize("def f():\n    return 1\ndef f():\n    return 2\n", "f"), "def f():\n    return 1", "first definition")
end }

return T
