-- AIME grader (lua/benchlua/grade_aime.lua) against lm-eval's
-- lm_eval/tasks/aime/utils.py process_results, run on 3060 responses
-- (tests/fixtures/aime/regen.py made cases.jsonl.gz).
local G = require("benchlua.grade_aime")
local cjson = require("cjson")
local testing = require("benchlua.testing")
local T = {}
local FIX = "tests/fixtures/aime/"
local DIR = os.getenv("BENCHLUA_DATA") or "../shared/data"

local function problems()
  local paths = {}
  for _, f in ipairs(G.files({})) do
    local p = DIR .. "/" .. f
    if not bench.fs.stat(p) then error(testing.skip("missing data file " .. p)) end
    paths[#paths + 1] = p
  end
  local ps = assert(G.read(paths))
  local by = {}
  for _, p in ipairs(ps) do by[p.task_id] = p end
  return ps, by
end

T.verdicts_equal_lm_eval_process_results = function()
  local _, by = problems()
  local n, bad = 0, {}
  for line in assert(bench.fs.read(FIX .. "cases.jsonl.gz")):gmatch("[^\n]+") do
    local c = cjson.decode(line)
    local v = G.grade(c.response, assert(by[c.task_id], c.task_id), {}, 0)
    local box = c.box ~= cjson.null and c.box or nil
    local want_outcome = c.passed and "passed" or (box and "wrong" or "no_answer")
    if v.passed ~= c.passed or v.outcome ~= want_outcome or (box and v.extracted ~= box) then
      bad[#bad + 1] = string.format("%s %q: got %s/%s want %s/%s", c.task_id, c.response:sub(1, 50),
        tostring(v.extracted), tostring(v.passed), tostring(box), tostring(c.passed))
    end
    n = n + 1
  end
  if #bad > 0 then error(#bad .. " of " .. n .. " differ, e.g. " .. table.concat(bad, "; ", 1, math.min(4, #bad))) end
  testing.eq(n, 3060, "cases")
end

T.read_both_years_ids = function()
  local ps = problems()
  testing.eq(#ps, 60, "problems")
  testing.eq(ps[1].task_id, "60", "first 2024 id")
  testing.eq(ps[31].task_id, "2025-I-1", "first 2025 id")
  testing.eq(#G.files({ year = { "2025" } }), 1, "one year")
end

T.edge_cases = function()
  local p = { answer = "70" }
  testing.eq(G.grade("\\boxed{70^\\circ}", p).passed, true, "degrees")
  testing.eq(G.grade("\\boxed{070}", p).passed, false, "leading zero")
  testing.eq(G.grade("\\boxed{70} and \\boxed{71}", p).extracted, "71", "two boxes: last")
  testing.eq(G.grade("\\fbox{70}", p).outcome, "no_answer", "fbox")
  testing.eq(G.grade("", p).outcome, "no_answer", "empty")
end

T.prompt_records_instruction = function()
  local s = G.prompt({ problem = "P?" })
  testing.eq(s, "P?\nPlease reason step by step, and put your final answer within \\boxed{}.", "prompt")
end

return T
