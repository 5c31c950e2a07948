-- humaneval_plus.lua: HumanEval+ (evalplus), judged as `evalplus.evaluate`
-- judges it: the base inputs and evalplus's plus inputs each on their own,
-- expected outputs from the canonical solutions (cached per dataset digest),
-- per-input time limits, its comparison and special oracles. Base models
-- complete the stripped prompt with evalplus's stops; chat models (--chat)
-- get evalplus's instruction; either output goes through evalplus's
-- sanitizer. `--samples FILE.jsonl` scores evalplus samples and writes
-- FILE.eval_results.json. Semantics: ../docs/evalplus.md.
local code = require("benchlua.codebench")
local evalplus = require("benchlua.evalplus")

local recipe = evalplus.recipe("humaneval")
recipe.name = "humaneval_plus"
recipe.description = "HumanEval+ base and plus pass@k with evalplus's verdicts (--mini, --noextreme; --chat; --samples FILE.jsonl)"
return code.benchmark(recipe)
