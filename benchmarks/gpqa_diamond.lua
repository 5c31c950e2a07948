-- gpqa_diamond.lua: GPQA Diamond (198 questions) with simple-evals'
-- gpqa_eval.py verdicts: its multiple-choice template, the choices of
-- (row, repeat r) in simple-evals' permutation r (gpqa_diamond_perm.json
-- beside the data, or computed), its "Answer: X" regex. Default --n 4 (its
-- repeats). The data (simple-evals' gpqa_diamond.csv, gzipped: it carries
-- the GPQA canary) is not downloaded: --dataset PATH or $BENCHLUA_DATA.
-- Grader: lua/benchlua/grade_gpqa.lua; library: lua/benchlua/answerbench.lua.
local answer = require("benchlua.answerbench")

return answer.benchmark("grade_gpqa", {
  name = "gpqa_diamond",
  description = "GPQA Diamond with simple-evals' verdicts, 4 permutations (--chat or base models, or --samples FILE.jsonl)",
  data = { file = "gpqa_diamond.csv.gz", how = "simple-evals' gpqa_diamond.csv, gzipped; see docs" },
})
