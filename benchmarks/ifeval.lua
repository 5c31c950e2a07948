-- ifeval.lua: IFEval (541 prompts) with the official checker's verdicts
-- (google-research instruction_following_eval, evaluation_lib strict and
-- loose), run in a warm sandboxed Python helper (lua/benchlua/grade_ifeval.py
-- through pygrade.lua) with nltk's punkt sentence tokenizer from the
-- punkt_tab parameters and langdetect seeded (the official code does not
-- seed it; recorded). The score is prompt-level strict; prompt-loose and
-- instruction-level strict and loose beside it. --max-tokens 1280.
-- punkt_tab/english: under $BENCHLUA_DATA, beside the dataset, or the cache.
-- Grader: lua/benchlua/grade_ifeval.lua; library: lua/benchlua/answerbench.lua.
local answer = require("benchlua.answerbench")

local PUNKT = "https://github.com/open-webui/open-webui/raw/83a051190763fc198b524ee19dfbcf5e1e41182b/nltk_data/tokenizers/punkt_tab/english/"
local punkt = { sub = "punkt_tab/english", files = {
  { file = "abbrev_types.txt", sha256 = "92a3e070f43d9b4c5534758ca40ad7343b04e7e29bfe0c2eb658a39445a4f779" },
  { file = "collocations.tab", sha256 = "8e2da1225e4dd2cc9dba261ee231ccb134859e21b46006e7f472c5ee269af0cf" },
  { file = "ortho_context.tab", sha256 = "4bbcca25ed3d3f06c02402abf8419b9f033b8adc06e7b482eca4e45f81a5dc4c" },
  { file = "sent_starters.txt", sha256 = "f3f8535483e1dba487241b764945168123bca3209a9645e59acd1225dc76edac" },
} }
for _, f in ipairs(punkt.files) do f.url = PUNKT .. f.file end

return answer.benchmark("grade_ifeval", {
  name = "ifeval",
  description = "IFEval with the official checker's strict and loose verdicts (--chat or base models, or --samples FILE.jsonl)",
  data = { file = "ifeval_input_data.jsonl", sha256 = "67ffeee0fcb87c317c5b08a2de85557b4a7e96ada6178aa645b4954fe4b53d49",
    url = "https://github.com/josejg/instruction_following_eval/raw/0c495b2f95155e8b10acb919ae283bfb4d5be6e2/instruction_following_eval/data/input_data.jsonl" },
  config = function(_, paths)
    local dir, err = answer.locate_dir(punkt, paths[1]:match("^(.*)/[^/]*$") or ".")
    if not dir then return nil, err end
    return { punkt_dir = dir }
  end,
})
