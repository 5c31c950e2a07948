-- gsm8k.lua: GSM8K (openai/grade-school-math test split, 1,319 problems)
-- with lm-evaluation-harness's verdicts. Base models get gsm8k_cot's 8 fixed
-- exemplars ("Q: ... A: ... The answer is N."); --chat models
-- gsm8k_cot_llama's (the exemplars as turns). The score is strict-match;
-- flexible-extract is recorded beside it per sample. `--samples FILE.jsonl`
-- grades responses without a server (--chat picks the llama variant there
-- too). The exemplars share one long prefix: requests keep the server's
-- prompt cache (results.prompt_tokens_evaluated / _cached).
-- Grader: lua/benchlua/grade_gsm8k.lua; library: lua/benchlua/answerbench.lua.
local answer = require("benchlua.answerbench")

return answer.benchmark("grade_gsm8k", {
  name = "gsm8k",
  description = "GSM8K 8-shot CoT with lm-eval's strict-match verdicts (base or --chat models, or --samples FILE.jsonl)",
  data = { file = "gsm8k_test.jsonl", sha256 = "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14",
    url = "https://github.com/openai/grade-school-math/raw/3101c7d5072418e28b9008a6636bde82a006892c/grade_school_math/data/test.jsonl" },
})
