-- lua/benchlua/evalplus.lua (and its executor, evalplus_exec.py): every
-- fixture sample gets evalplus's base and plus verdicts and the failing input
-- evalplus names. The expected verdicts are what evalplus.evaluate (evalplus
-- @ 26d6d00) wrote for the same samples on the same data: see
-- tests/fixtures/evalplus/README.md and regen.sh.
local evalplus = require("benchlua.evalplus")
local testing = require("benchlua.testing")
local dataset = require("benchlua.dataset")
local cjson = require("cjson")
local T = {}

local FIX = "tests/fixtures/evalplus/"
-- the ground truth is kept between runs (keyed by the data's digest) in an
-- XDG cache of the build tree
local CACHE_HOME = assert(os.getenv("PWD"), "PWD is not set") .. "/build/test-cache"
local CACHE = CACHE_HOME .. "/benchlua/evalplus"

local eq = testing.eq

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
  for line in assert(bench.fs.read(testing.data(file))):gmatch("[^\n]+") do
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

-- `benchlua humaneval_plus|mbpp_plus --samples FILE.jsonl` writes
-- FILE.eval_results.json; compare_results.py checks it field by field
-- against what evalplus wrote for the same samples and data.
local function samples_file(bench_name, group, file, env)
  local dir <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-samples")) },
    { __close = function(t) bench.fs.rmtree(t.path) end })
  local samples = assert(dataset.read_jsonl(FIX .. group .. "_samples.jsonl"))
  local sfile = dir.path .. "/" .. group .. ".jsonl"
  assert(bench.fs.write_atomic(sfile, assert(bench.fs.read(FIX .. group .. "_samples.jsonl"))))
  local data = subset(file, samples, dir.path .. "/data.jsonl")
  local r = assert(bench.run_script{ argv = { bench.exe, bench_name, "--samples", sfile, "--dataset", data,
    "--results", dir.path .. "/results.json", "--quiet" }, env = env or { XDG_CACHE_HOME = CACHE_HOME }, timeout = 300 })
  assert(r.ok, "benchlua failed: " .. r.stderr)
  if env and env.BENCHLUA_NO_NAMESPACES then
    assert(r.stderr:find("the ground truth is computed for this run, not read from the shared cache", 1, true), r.stderr)
  end
  assert(r.stdout:find("wrote " .. dir.path .. "/" .. group .. ".eval_results.json", 1, true), r.stdout)
  local c = assert(bench.run_script{ argv = { "/usr/bin/python3", FIX .. "compare_results.py", FIX .. group .. ".expected.json",
    dir.path .. "/" .. group .. ".eval_results.json" }, timeout = 60 })
  assert(c.ok, "differs from evalplus's results file:\n" .. c.stdout .. c.stderr)
  local runs = cjson.decode(assert(bench.fs.read(dir.path .. "/results.json"))).runs
  return runs[#runs].results
end

T[#T + 1] = { "humaneval_plus --samples: FILE.eval_results.json equals evalplus's, field by field; base and plus side by side in the record", function()
  local res = samples_file("humaneval_plus", "humaneval", "HumanEvalPlus.jsonl.gz")
  local expected = cjson.decode(assert(bench.fs.read(FIX .. "humaneval.expected.json")))
  eq(res.score, expected.pass_at_k.plus["pass@1"], "score = plus pass@1")
  eq(res.base_pass_at_k["pass@1"], expected.pass_at_k.base["pass@1"], "base pass@1")
  eq(res.plus_pass_at_k["pass@1"], expected.pass_at_k.plus["pass@1"], "plus pass@1")
  -- the samples that pass the base inputs and fail the plus ones, "task#index"
  local want = {}
  local index = {}
  for tid, entries in pairs(expected.eval) do
    for i, e in ipairs(entries) do
      if e.base_status == "pass" and e.plus_status ~= "pass" then want[#want + 1] = string.format("%s#%d", tid, i - 1) end
    end
    index[tid] = true
  end
  table.sort(want)
  eq(table.concat(res.passed_base_failed_plus, " "), table.concat(want, " "), "passed_base_failed_plus")
end }

T[#T + 1] = { "mbpp_plus --samples: FILE.eval_results.json equals evalplus's (failing inputs written back as lists and strings)", function()
  local res = samples_file("mbpp_plus", "mbpp", "MbppPlus.jsonl.gz")
  local expected = cjson.decode(assert(bench.fs.read(FIX .. "mbpp.expected.json")))
  eq(res.score, expected.pass_at_k.plus["pass@1"], "score = plus pass@1")
end }

T[#T + 1] = { "human_eval refuses evalplus's files and names the benchmark to use", function()
  local dir <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-trap")) },
    { __close = function(t) bench.fs.rmtree(t.path) end })
  for file, name in pairs({ ["HumanEvalPlus.jsonl.gz"] = "humaneval_plus", ["MbppPlus-NoExtreme.jsonl.gz"] = "mbpp_plus" }) do
    local r = assert(bench.run_script{ argv = { bench.exe, "human_eval", "--samples", FIX .. "humaneval_samples.jsonl",
      "--dataset", testing.data(file), "--results", dir.path .. "/r.json", "--quiet" }, timeout = 60 })
    eq(r.code, 2, "exit code (found before anything starts)")
    assert(r.stderr:find(testing.data(file) .. ":1: an evalplus file (base_input, plus_input): score it with `benchlua "
      .. name .. " --dataset " .. testing.data(file) .. "`", 1, true), r.stderr)
  end
  -- HumanEval itself is still read
  assert(dataset.human_eval(testing.data("HumanEval.jsonl.gz")))
end }

T[#T + 1] = { "--chat against an oracle server: evalplus's instruction, answers sanitized, then judged; records and sample log", function()
  local dir <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-chat")) },
    { __close = function(t) bench.fs.rmtree(t.path) end })
  local data = testing.data("HumanEvalPlus.jsonl.gz")
  local r = assert(bench.run_script{ argv = { bench.exe, "humaneval_plus", "--chat", "--model", data,
    "--server-bin", "tests/fixtures/humaneval/oracle_server.py", "--dataset", data, "--limit", "5",
    "--results", dir.path .. "/r.json", "--quiet" }, env = { XDG_CACHE_HOME = CACHE_HOME }, timeout = 300 })
  eq(r.code, 0, "exit code: " .. r.stderr)
  local run = cjson.decode(assert(bench.fs.read(dir.path .. "/r.json"))).runs[1]
  local by = {}
  for line in assert(bench.fs.read(run.run_dir .. "/samples.jsonl")):gmatch("[^\n]+") do
    local rec = cjson.decode(line)
    by[rec.task_id] = rec
  end
  assert(by["HumanEval/0"].prompt:find("^Please provide a self%-contained Python script that solves the following problem in a markdown code block:\n```python\nfrom typing import List"),
    by["HumanEval/0"].prompt)
  -- style 0: prose and a fenced full function: the sanitized solution is the code alone
  eq(by["HumanEval/0"].outcome, "passed", "fenced full function"); eq(by["HumanEval/0"].base.status, "pass", "base")
  assert(not by["HumanEval/0"].solution:find("```", 1, true), "sanitized: " .. by["HumanEval/0"].solution)
  eq(by["HumanEval/1"].outcome, "passed", "<think> then code")
  eq(by["HumanEval/2"].passed, false, "a bare body is not a solution once sanitized")
  eq(by["HumanEval/3"].outcome, "truncated", "unclosed <think>")
  eq(by["HumanEval/4"].outcome, "passed", "length-cut answer with whole code")
  eq(run.results.score, 3 / 5, "score"); eq(run.results.base_pass_at_k["pass@1"], 3 / 5, "base")
end }

T[#T + 1] = { "ground truth: computed once per task and cached by the data's digest; a damaged cache file is computed again", function()
  local dir <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-cache")) },
    { __close = function(t) bench.fs.rmtree(t.path) end })
  local data = assert(evalplus.load(testing.data("HumanEvalPlus-Mini.jsonl.gz"), "humaneval"))
  local t = data.by_id["HumanEval/53"]
  local function judge_once()
    local judge <close> = assert(evalplus.judge{ data = data, sandbox = "auto", cache_dir = dir.path, workers = 1 })
    local r = judge:check(t.task_id, t.prompt .. t.canonical_solution)
    eq(r.base.status .. " " .. r.plus.status, "pass pass", "canonical")
    r = judge:check(t.task_id, t.prompt .. "    return x - y\n")
    eq(r.base.status .. " " .. r.plus.status, "fail fail", "wrong")
    return judge.truth_computed
  end
  eq(judge_once(), 1, "computed")
  local file = dir.path .. "/" .. data.digest .. "/" .. t.index .. ".truth"
  assert(bench.fs.stat(file), "cached as " .. file)
  eq(judge_once(), 0, "read from the cache")
  assert(bench.fs.write_atomic(file, "garbage"))
  eq(judge_once(), 1, "damaged: computed again")
  assert(assert(bench.fs.stat(file)).size > 100, "repaired")
  -- a well-formed truth that is not this task's (as a sample running as the
  -- user could write it: the outputs of "return x - y") is computed again,
  -- and the verdicts stay right
  local line, n = t.line:gsub("return x %+ y", "return x - y")
  eq(n, 1, "the canonical solution")
  local other = setmetatable({ line = line }, { __index = t })
  local odir <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-cache")) },
    { __close = function(x) bench.fs.rmtree(x.path) end })
  do
    local judge <close> = assert(evalplus.judge{ data = setmetatable({ by_id = { [t.task_id] = other } }, { __index = data }),
      sandbox = "auto", cache_dir = odir.path, workers = 1 })
    local r = judge:check(t.task_id, t.prompt .. "    return x - y\n")
    eq(r.base.status .. " " .. r.plus.status, "pass pass", "x - y against the tampered truth")
  end
  local forged = assert(bench.fs.read(odir.path .. "/" .. data.digest .. "/" .. t.index .. ".truth"))
  assert(bench.fs.write_atomic(file, forged))
  eq(judge_once(), 1, "tampered: computed again (judge_once checks the verdicts)")
  assert(bench.fs.read(file) ~= forged, "the tampered file is replaced")
  eq(judge_once(), 0, "then read from the cache")
end }

-- evalplus's sanitizer cannot be run here (tree-sitter is not packaged);
-- these expectations are derived by hand from evalplus/sanitize.py.
T[#T + 1] = { "sanitizer: the longest parseable region, then imports and the definitions reachable from the entry point", function()
  local data = assert(evalplus.load(testing.data("HumanEvalPlus-Mini.jsonl.gz"), "humaneval"))
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

-- Without the namespace sandbox a sample runs as the user and could rewrite
-- the shared cache and the digests beside it for every later run: there the
-- ground truth is computed for the run alone, and the shared cache (here
-- forged, digests and all) is neither read nor written.
T[#T + 1] = { "without the namespace sandbox the shared ground-truth cache is not used: a forged cache and digest change no verdict", function()
  local home <close> = setmetatable({ path = assert(bench.fs.mkdtemp("ep-home")) }, { __close = function(t) bench.fs.rmtree(t.path) end })
  local root = home.path .. "/benchlua/evalplus"
  -- a cache that a sample (running as the user) forged: every file of every
  -- digest directory replaced by nonsense, with digests that match it
  local function forge()
    for _, d in ipairs(bench.fs.list(root) or {}) do
      for _, f in ipairs(bench.fs.list(root .. "/" .. d) or {}) do
        if f:match("%.truth$") then
          local forged = string.rep("forged ", 10)
          assert(bench.fs.write_atomic(root .. "/" .. d .. "/" .. f, forged))
          assert(bench.fs.write_atomic(root .. "/" .. d .. "/" .. f .. ".sha256", bench.codec.sha256(forged) .. "\n"))
        end
      end
    end
  end
  -- a run with the sandbox fills the shared cache; forged, then a run without it
  samples_file("humaneval_plus", "humaneval", "HumanEvalPlus.jsonl.gz", { XDG_CACHE_HOME = home.path })
  forge()
  local before = {}
  for _, d in ipairs(bench.fs.list(root) or {}) do for _, f in ipairs(bench.fs.list(root .. "/" .. d)) do before[d .. "/" .. f] = assert(bench.fs.read(root .. "/" .. d .. "/" .. f)) end end
  assert(next(before), "the first run cached its ground truth")
  -- (samples_file compares every verdict with evalplus's: forged truths would make them differ)
  samples_file("humaneval_plus", "humaneval", "HumanEvalPlus.jsonl.gz", { XDG_CACHE_HOME = home.path, BENCHLUA_NO_NAMESPACES = "1" })
  for k, v in pairs(before) do eq(bench.fs.read(root .. "/" .. k), v, "the shared cache is not written: " .. k) end
end }

return T
