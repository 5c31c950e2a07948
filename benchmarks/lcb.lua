-- lcb.lua: LiveCodeBench code generation (lcb_runner @ 28fef95), natively,
-- with lcb_runner's verdict on every sample. Chat models (--chat) get its
-- generic chat prompt (system + user, LMStyle.OpenAIChat) and the code is
-- the answer's last fenced block; base models its few-shot prompt, stopped
-- at "###". `--samples FILE.json` grades a custom-evaluator file and writes
-- FILE_codegeneration_output_eval_all.json. Semantics: ../docs/lcb.md.
-- The data, prompts, grading and files are lua/benchlua/lcb_data.lua,
-- lcb_prompt.lua, lcb_grade.lua and lcb_files.lua; the rest (generation,
-- scoring, pass@k, logs) the code-benchmark library.
local code = require("benchlua.codebench")
local data = require("benchlua.lcb_data")
local files = require("benchlua.lcb_files")
local grade = require("benchlua.lcb_grade")
local prompt = require("benchlua.lcb_prompt")
local parsers = require("benchlua.parsers")

local function date_ok(s) return s == nil or (s:match("^%d%d%d%d%-%d%d%-%d%d$") and os.time{
  year = tonumber(s:sub(1, 4)), month = tonumber(s:sub(6, 7)), day = tonumber(s:sub(9, 10)) } ~= nil
  and tonumber(s:sub(6, 7)) <= 12 and tonumber(s:sub(9, 10)) <= 31) end

return code.benchmark{
  name = "lcb",
  description = "LiveCodeBench code generation with lcb_runner's verdicts (--chat or base models, or --samples FILE.json)",
  options = {
    { name = "dataset", type = "list", metavar = "PATH", help = "a code_generation_lite .jsonl file (repeatable; default: --release, fetched once into ~/.cache/benchlua)" },
    { name = "release", default = "release_latest", metavar = "TAG", help = "release_v1..release_v6, release_latest, v1..v6 (one shard), vA_vB" },
    { name = "start-date", type = "string", metavar = "YYYY-MM-DD", help = "only contests on or after this date" },
    { name = "end-date", type = "string", metavar = "YYYY-MM-DD", help = "only contests up to this date (00:00)" },
    { name = "platform", type = "string", choices = { "leetcode", "codeforces", "atcoder" }, help = "only this platform" },
    { name = "difficulty", type = "string", choices = { "easy", "medium", "hard" }, help = "only this difficulty" },
    { name = "samples", type = "string", metavar = "FILE.json", help = "grade lcb_runner's custom-evaluator file ({question_id, code_list}) without a server" },
    { name = "exec-timeout", default = 6, min = 1, metavar = "SECONDS", help = "lcb_runner's --timeout: the alarm per test; a sample gets (T + 1) x tests + 5 s" },
    { name = "temperature", default = 0.2, min = 0, metavar = "T", help = "sampling temperature (lcb_runner's default)" },
    { name = "max-tokens", default = 2000, min = 1, help = "tokens to generate per sample (lcb_runner's default)" },
    { name = "generate-only", type = "string", metavar = "FILE.json", help = "only generate: write the custom-evaluator file and grade nothing" },
  },
  datasets = function() return data.datasets("release_latest") end,
  validate = function(o)
    for _, path in ipairs(o.dataset) do
      if not bench.fs.stat(path) then return false, "--dataset: no file '" .. path .. "'" end
    end
    local ok, err = data.release(o.release)
    if not ok then return false, "--release: " .. err end
    if not date_ok(o.start_date) then return false, "--start-date must be YYYY-MM-DD, got '" .. o.start_date .. "'" end
    if not date_ok(o.end_date) then return false, "--end-date must be YYYY-MM-DD, got '" .. o.end_date .. "'" end
    return true
  end,
  dataset = data.load,
  prompt = prompt.base_prompt,
  stops = prompt.STOPS,
  chat = prompt.chat_messages,
  extract = prompt.extract,
  solution = function(_, g, o) -- base models: the whole output, stripped
    if o.chat then return g.code or "" end
    return (g.code or ""):match("^%s*(.-)%s*$")
  end,
  executor = function(j) return assert(grade.pool{ size = j.workers, sandbox = j.sandbox, python = j.opts.python }) end,
  judge = function(j, p, solution) return grade.grade(j.executor, p, solution, j.opts.exec_timeout) end,
  groups = function(p) return { difficulty = p.difficulty, platform = p.platform } end,
  result = grade.add_ks, -- pass@k with lcb_runner's k list
  samples = files,
  parse = parsers.lcb,
}
