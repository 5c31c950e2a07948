-- answer_grading.lua: grading 10,000 responses with each answer grader
-- (gsm8k both variants, gpqa_diamond, aime, mmlu_pro), in process: the
-- responses are the tests' fixtures (tests/fixtures/<bench>/; MMLU-Pro's are
-- real Llama-3.1-8B outputs plus 10 KB repeats) cycled to 10,000. Prints
-- seconds per benchmark (goal: under 1 s each). bench/answer_grading.sh runs
-- it beside the reference Python graders on the same responses.
--   ./benchlua test bench/answer_grading.lua
-- It is also a test (every grader must return a verdict).
local cjson = require("cjson")
local DIR = os.getenv("BENCHLUA_DATA") or "../shared/data"
local N = tonumber(os.getenv("BENCHLUA_BENCH_N")) or 10000

local function lines(path)
  local out = {}
  for l in assert(bench.fs.read(path)):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(l) end
  return out
end

local function time(name, cases, grade)
  local t0 = os.clock()
  for i = 1, N do
    local v = grade(cases[(i - 1) % #cases + 1])
    assert(v.outcome, "no outcome")
  end
  local dt = os.clock() - t0
  print(string.format("BENCH %-16s %d responses in %.3f s (%.1f us each)", name, N, dt, dt / N * 1e6))
end

local function need(p)
  if not bench.fs.stat(p) then error(require("benchlua.testing").skip("missing data file " .. p)) end
  return p
end

local T = {}
T.gsm8k = function()
  local G = require("benchlua.grade_gsm8k")
  local ps = assert(G.read(need(DIR .. "/gsm8k_test.jsonl")))
  local cases = lines("tests/fixtures/gsm8k/cases.jsonl")
  time("gsm8k", cases, function(c) return G.grade(c.response, ps[tonumber(c.task_id) + 1], {}) end)
  time("gsm8k --chat", cases, function(c) return G.grade(c.response, ps[tonumber(c.task_id) + 1], { chat = true }) end)
end
T.gpqa_diamond = function()
  local G = require("benchlua.grade_gpqa")
  local ps = assert(G.read(need(DIR .. "/gpqa_diamond.csv.gz")))
  time("gpqa_diamond", lines("tests/fixtures/gpqa/cases.jsonl.gz"),
    function(c) return G.grade(c.response, ps[c.row + 1], {}, c["repeat"]) end)
end
T.aime = function()
  local G = require("benchlua.grade_aime")
  local ps = assert(G.read({ need(DIR .. "/aime_2024.jsonl"), need(DIR .. "/aime_2025.jsonl") }))
  local by = {}
  for _, p in ipairs(ps) do by[p.task_id] = p end
  time("aime", lines("tests/fixtures/aime/cases.jsonl.gz"), function(c) return G.grade(c.response, by[c.task_id]) end)
end
T.mmlu_pro = function()
  local G = require("benchlua.grade_mmlu_pro")
  local ps = assert(G.read(need(DIR .. "/mmlu_pro_test.jsonl.gz")))
  local by = {}
  for _, p in ipairs(ps) do by[p.task_id] = p end
  time("mmlu_pro", lines("tests/fixtures/mmlu_pro/cases.jsonl.gz"), function(c) return G.grade(c.response, by[c.task_id]) end)
end
return T
