-- mmlu_pro.lua: MMLU-Pro (12,032 questions, 14 categories) zero-shot CoT
-- with MMLU-Pro's instruction and the verdicts of TIGER-AI-Lab's
-- evaluate_from_api.py extract_answer (three stages, on linear-time
-- patterns); no letter is no_answer, never a random guess (the official
-- guess-credited estimate is recorded beside the score). --category NAME
-- (repeatable), --per-category N for subsets; results by category.
-- The data (built from MMLU-Pro's published outputs) is not downloaded:
-- --dataset PATH or $BENCHLUA_DATA.
-- Grader: lua/benchlua/grade_mmlu_pro.lua; library: lua/benchlua/answerbench.lua.
local answer = require("benchlua.answerbench")

return answer.benchmark("grade_mmlu_pro", {
  name = "mmlu_pro",
  description = "MMLU-Pro zero-shot CoT with the official extract_answer verdicts (--chat or base models, or --samples FILE.jsonl)",
  data = { file = "mmlu_pro_test.jsonl.gz", how = "built from TIGER-AI-Lab/MMLU-Pro's published outputs; see SOURCES" },
})
