-- benchmarks/mbpp.lua through the CLI: the canonical solutions of the test
-- split pass (500/500; sanitized 257/257: ../shared/docs/datasets.md 3.5,
-- verified there with the programs bigcode builds plus the setup code), the
-- setup code is run (task 367 needs it), a wrong solution fails.
local dataset = require("benchlua.dataset")
local testing = require("benchlua.testing")
local cjson = require("cjson")
local T = {}


local eq = testing.eq

local tmpdir = testing.tmpdir

-- the samples file {task_id, completion} of the given records (split only)
local function samples(path, recs, completion)
  local out = {}
  for _, r in ipairs(recs) do
    local id = math.tointeger(r.task_id)
    if id >= 11 and id <= 510 then
      out[#out + 1] = string.format('{"task_id": "%d", "completion": %s}', id, dataset.py_string(completion(r)))
    end
  end
  assert(bench.fs.write_atomic(path, table.concat(out, "\n") .. "\n"))
  return #out
end

local function run(d, args)
  -- (task 123 takes 2-3.4 s alone; a generous limit keeps a loaded machine from failing it)
  local argv = { bench.exe, "mbpp", "--results", d.path .. "/r.json", "--quiet", "--exec-timeout", "20" }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  local r = assert(bench.run_script{ argv = argv, timeout = 300 })
  assert(r.ok, r.stderr)
  local runs = cjson.decode(assert(bench.fs.read(d.path .. "/r.json"))).runs
  return runs[#runs].results, r
end

T[#T + 1] = { "mbpp: the test split's canonical solutions pass 500/500 (with the setup code of task 367)", function()
  local d <close> = tmpdir()
  local recs = assert(dataset.read_jsonl(testing.data("mbpp.jsonl")))
  eq(samples(d.path .. "/s.jsonl", recs, function(r) return r.code end), 500, "samples")
  local res = run(d, { "--samples", d.path .. "/s.jsonl", "--dataset", testing.data("mbpp.jsonl") })
  local results = assert(dataset.read_jsonl(d.path .. "/s.jsonl_results.jsonl"))
  eq(#results, 500, "results lines")
  local failed = {}
  for _, x in ipairs(results) do if not x.passed then failed[#failed + 1] = x.task_id .. " " .. x.result end end
  eq(res.problems, 500, "problems"); eq(res.outcomes.passed, 500, "passed (failed: " .. table.concat(failed, "; ") .. ")")
  eq(res.score, 1.0, "score")
  -- only task 367 needs its setup code; without it, it fails (as in bigcode)
  eq(samples(d.path .. "/s.jsonl", recs, function(r)
    return math.tointeger(r.task_id) == 367 and r.code or "def nothing():\n    return None\n"
  end), 500, "samples")
  res = run(d, { "--samples", d.path .. "/s.jsonl", "--dataset", testing.data("mbpp.jsonl") })
  eq(res.outcomes.passed, 1, "only 367 passes (its asserts need the setup's root, root1, root2)")
end }

T[#T + 1] = { "mbpp --sanitized: the 257 sanitized problems of the test split pass (test imports run)", function()
  local d <close> = tmpdir()
  local recs = cjson.decode(assert(bench.fs.read(testing.data("sanitized-mbpp.json"))))
  eq(samples(d.path .. "/s.jsonl", recs, function(r) return r.code end), 257, "samples")
  local res = run(d, { "--sanitized", "--samples", d.path .. "/s.jsonl", "--dataset", testing.data("sanitized-mbpp.json") })
  eq(res.problems, 257, "problems"); eq(res.outcomes.passed, 257, "passed")
end }

T[#T + 1] = { "mbpp: a malformed problem is an error naming the file and line (or item), without a traceback", function()
  local d <close> = tmpdir()
  local good = '{"task_id": 11, "prompt": "p", "code": "", "test_list": ["assert True"], "test_imports": []}'
  local cases = {
    { true, "[" .. good .. ", 5]", ":item 2: not an MBPP problem" },
    { true, "[" .. good .. ', "x"]', ":item 2: not an MBPP problem" },
    { true, '[{"task_id": 11, "prompt": "p", "test_list": ["assert True", {}], "test_imports": []}]', ":item 1: not an MBPP problem" },
    { true, '[{"task_id": 11, "prompt": "p", "test_list": ["assert True"], "test_imports": [{}]}]', ":item 1: not an MBPP problem" },
    { false, '{"task_id": 11, "text": "t", "test_list": ["assert True", []], "test_setup_code": ""}', ":1: not an MBPP problem" },
  }
  local s = d.path .. "/s.jsonl"
  assert(bench.fs.write_atomic(s, '{"task_id": "11", "completion": "pass"}\n'))
  for i, c in ipairs(cases) do
    local f = d.path .. "/bad" .. i .. (c[1] and ".json" or ".jsonl")
    assert(bench.fs.write_atomic(f, c[2] .. "\n"))
    local argv = { bench.exe, "mbpp", "--results", d.path .. "/r.json", "--quiet", "--samples", s, "--dataset", f }
    if c[1] then argv[#argv + 1] = "--sanitized" end
    local r = assert(bench.run_script{ argv = argv, timeout = 60 })
    eq(r.ok, false, "case " .. i .. " exit")
    assert(r.stderr:find(f .. c[3], 1, true), "case " .. i .. ": " .. r.stderr)
    assert(not r.stderr:find("traceback"), "case " .. i .. ": " .. r.stderr)
  end
end }

return T
