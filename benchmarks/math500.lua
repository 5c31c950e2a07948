-- math500.lua: MATH-500 (OpenAI's prm800k test split of MATH, 500 problems):
-- zero-shot, final answer in \boxed{}; extraction is lm-eval's
-- last_boxed_only_string + remove_boxed, equivalence openai/prm800k's
-- grade_answer (sympy, pylatexenc), decided in a warm sandboxed Python
-- helper (lua/benchlua/grade_math.py through pygrade.lua). Details:
-- docs/math500.md. Grader: lua/benchlua/grade_math500.lua.
local answer = require("benchlua.answerbench")

return answer.benchmark("grade_math500", {
  name = "math500",
  description = "MATH-500 with prm800k's grade_answer verdicts (--chat or base models, or --samples FILE.jsonl)",
  data = { file = "math500.jsonl", sha256 = "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132",
    url = "https://github.com/hkust-nlp/simpleRL-reason/raw/cf1c7858bfc145a27aa733e75d930d34f0d318a6/examples/simplelr_math_eval/data/math500/test.jsonl" },
})
