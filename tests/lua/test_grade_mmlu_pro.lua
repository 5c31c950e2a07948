-- MMLU-Pro grader (lua/benchlua/grade_mmlu_pro.lua) against MMLU-Pro's own
-- extract_answer, run on 500 real Llama-3.1-8B-Instruct outputs of the
-- official eval_results and edge cases (tests/fixtures/mmlu_pro/regen.py).
local G = require("benchlua.grade_mmlu_pro")
local cjson = require("cjson")
local testing = require("benchlua.testing")
local T = {}
local FIX = "tests/fixtures/mmlu_pro/"
local DATA = (os.getenv("BENCHLUA_DATA") or "../shared/data") .. "/mmlu_pro_test.jsonl.gz"

local function problems(opts)
  if not bench.fs.stat(DATA) then error(testing.skip("missing data file " .. DATA)) end
  local ps = assert(G.read(DATA, opts))
  local by = {}
  for _, p in ipairs(ps) do by[p.task_id] = p end
  return ps, by
end

T.verdicts_equal_mmlu_pro_extract_answer = function()
  local _, by = problems()
  local n, bad = 0, {}
  for line in assert(bench.fs.read(FIX .. "cases.jsonl.gz")):gmatch("[^\n]+") do
    local c = cjson.decode(line)
    local v = G.grade(c.response, assert(by[c.task_id]), {}, 0)
    local x = c.extracted ~= cjson.null and c.extracted or nil
    if v.extracted ~= x or v.passed ~= c.passed or v.outcome ~= (c.passed and "passed" or (x and "wrong" or "no_answer")) then
      bad[#bad + 1] = string.format("%s %q: got %s want %s", c.task_id, c.response:sub(-40), tostring(v.extracted), tostring(x))
    end
    n = n + 1
  end
  if #bad > 0 then error(#bad .. " of " .. n .. " differ, e.g. " .. table.concat(bad, "; ", 1, math.min(4, #bad))) end
  assert(n >= 500, "cases")
end

T.prompts_equal_generate_cot_prompt = function()
  local _, by = problems()
  local want = cjson.decode(assert(bench.fs.read(FIX .. "prompts.json")))
  for id, sha in pairs(want) do testing.eq(bench.codec.sha256(G.prompt(by[id])), sha, "prompt of " .. id) end
end

T.category_and_per_category = function()
  local ps = problems({ category = { "math", "law" }, per_category = 3 })
  testing.eq(#ps, 6, "problems")
  local ok, err = G.read(DATA, { category = { "maths" } })
  assert(ok == nil and err:find("no category 'maths'", 1, true), err)
end

T.result_counts_no_answer_and_estimate = function()
  local ps = problems({ category = { "math" }, per_category = 4 })
  local scored = {}
  for i, p in ipairs(ps) do
    local resp = ({ "the answer is (" .. p.answer .. ")", "nothing", "nothing", "the answer is (Z) B" })[i]
    scored[i] = { task_id = p.task_id, verdict = G.grade(resp, p) }
  end
  local res = G.result({}, scored, ps)
  testing.eq(res.no_answer, 2, "no_answer")
  testing.eq(res.by_category.math.n, 4, "math n")
  local want = (1 + (scored[4].verdict.passed and 1 or 0) + 1 / #ps[2].options + 1 / #ps[3].options) / 4
  assert(math.abs(res.official_estimate - want) < 1e-12, "estimate " .. res.official_estimate)
end

T.linear_time_on_long_outputs = function()
  local s = ("Answer: " .. ("x"):rep(50) .. "\n"):rep(4000) .. ("a "):rep(100000)
  local t0 = os.clock()
  G.extract(s)
  G.extract(("é"):rep(200000))
  assert(os.clock() - t0 < 0.5, "took " .. (os.clock() - t0) .. " s")
end

return T
