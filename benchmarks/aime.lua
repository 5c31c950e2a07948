-- aime.lua: AIME 2024 and 2025 (30 problems each; --year 2024|2025, default
-- both) with lm-eval's aime process_results verdicts (the last \boxed{} by
-- brace counting, its fallbacks, strip_string). Prompt: "Please reason step
-- by step, and put your final answer within \boxed{}."; default --n 8,
-- --max-tokens 32768; the score is avg@n, pass@k beside it.
-- Grader: lua/benchlua/grade_aime.lua; library: lua/benchlua/answerbench.lua.
local answer = require("benchlua.answerbench")

local FILES = {
  ["2024"] = { file = "aime_2024.jsonl", sha256 = "af2b8bd2aa911b6333ad0df32f3ca05c7ae8ed10f1731f4372c8ae26990bf7ac",
    url = "https://github.com/QwenLM/Qwen2.5-Math/raw/a45202bd/evaluation/data/aime24/test.jsonl" },
  ["2025"] = { file = "aime_2025.jsonl", how = "built from eth-sri/matharena's problem files; see SOURCES" },
}

local ok, G = pcall(require, "benchlua.grade_aime")
local has_year = false
for _, o in ipairs(ok and G.options or {}) do has_year = has_year or o.name == "year" end

return answer.benchmark(ok and G or "grade_aime", {
  name = "aime",
  description = "AIME 2024/2025 avg@8 with lm-eval's aime verdicts (--chat or base models, or --samples FILE.jsonl)",
  options = not has_year and {
    { name = "year", type = "string", choices = { "2024", "2025" }, help = "only this year's problems (default: both)" },
  } or nil,
  files = function(o)
    local y = o.year and tostring(o.year)
    if y and FILES[y] then return { FILES[y] } end
    return { FILES["2024"], FILES["2025"] }
  end,
})
