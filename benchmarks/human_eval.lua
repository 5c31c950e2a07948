-- human_eval.lua: HumanEval (openai/human-eval), with the reference harness's
-- verdicts. Base models complete the prompt through /completion; instruct
-- models (--chat) answer through /v1/chat/completions and the code is taken
-- from the answer. `--samples FILE` scores a samples file in the reference
-- format without a server. A recipe on lua/benchlua/codebench.lua, which does
-- generation, scoring (overlapped with generation when the server computes
-- elsewhere, --overlap), pass@k and the records. Semantics: ../docs/human_eval.md.
local code = require("benchlua.codebench")
local dataset = require("benchlua.dataset")

-- The reference's program: prompt + completion + "\n" + test + "\n" + check(entry_point)
local function program(p, head)
  return head .. "\n" .. p.test .. "\n" .. "check(" .. p.entry_point .. ")"
end

return code.benchmark{
  name = "human_eval",
  description = "HumanEval pass@k with the reference harness's verdicts (base or --chat models, or --samples FILE)",
  options = {
    { name = "dataset", type = "string", metavar = "PATH", help = "HumanEval .jsonl or .jsonl.gz (default: the official file, fetched once into ~/.cache/benchlua)" },
    { name = "samples", type = "string", metavar = "FILE", help = "score this samples file (task_id, completion) without a server; writes FILE_results.jsonl" },
    { name = "exec-timeout", default = 3.0, min = 0.01, max = 3600, metavar = "SECONDS", help = "time limit per program (the reference's --timeout)" },
    { name = "generate-only", type = "string", metavar = "FILE", help = "only generate: write the samples to FILE (reference format) and score nothing" },
  },
  dataset = { fetch = dataset.HUMAN_EVAL, read = dataset.human_eval },
  stops = code.stops.codex,                    -- base models
  instruction = code.instructions.evalplus,    -- chat models
  solution = code.solutions.prompt_completion, -- body appended, or a full function replacing the stub
  judge = code.judges.program(program),
  samples = code.formats.human_eval,           -- --samples, FILE_results.jsonl, --generate-only

  -- script mode: human-eval's {'pass@1': 0.89}, evalplus's "pass@1: 0.890"
  -- (the first printed: the base tests), or a bare "score: 89.0"; nil when none.
  parse = require("benchlua.parsers").pass_at_1,
}
