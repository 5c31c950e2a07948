-- grade_ifeval.lua: IFEval's data and prompts; the instructions are checked
-- in Python by grade_ifeval.py (google-research instruction_following_eval
-- evaluation_lib's strict and loose verdicts, nltk punkt from punkt_tab,
-- langdetect seeded 0), which the library runs in warm processes (G.python,
-- G.item, G.verdict; see the grader contract).
-- Score: prompt-level strict (every instruction of the prompt followed by the
-- response as it is). G.result adds prompt-level loose and instruction-level
-- strict and loose.
local dataset = require("benchlua.dataset")
local G = {}

G.python = "grade_ifeval"
G.defaults = { max_tokens = 1280 }

--- G.read(path) -> problems, digest | nil, err: ifeval_input_data.jsonl
-- (fields key, prompt, instruction_id_list, kwargs: one object per
-- instruction). task_id is the key as a string.
function G.read(path)
  local recs, lines, data = dataset.read_jsonl(path)
  if not recs then return nil, lines end
  local problems, seen = { by_id = {} }, {}
  for i, r in ipairs(recs) do
    local where = string.format("%s:%d: ", path, lines.lineno[i])
    if type(r.key) ~= "number" or r.key ~= math.floor(r.key) then
      return nil, where .. "'key' is missing or not an integer"
    end
    if type(r.prompt) ~= "string" then return nil, where .. "'prompt' is missing or not a string" end
    local ids, kwargs = r.instruction_id_list, r.kwargs
    if type(ids) ~= "table" or #ids == 0 then return nil, where .. "'instruction_id_list' is missing or empty" end
    if type(kwargs) ~= "table" or #kwargs ~= #ids then
      return nil, where .. "'kwargs' is not a list of one object per instruction"
    end
    for j, id in ipairs(ids) do
      if type(id) ~= "string" then return nil, where .. "instruction " .. j .. " is not a string" end
      if type(kwargs[j]) ~= "table" then return nil, where .. "kwargs " .. j .. " is not an object" end
    end
    local id = string.format("%d", r.key)
    if seen[id] then return nil, where .. "key " .. id .. " appears twice" end
    seen[id] = true
    local p = { task_id = id, prompt = r.prompt, instruction_id_list = ids, kwargs = kwargs }
    problems[#problems + 1] = p
    problems.by_id[id] = p
  end
  if #problems == 0 then return nil, path .. ": no problems" end
  return problems, bench.codec.sha256(data)
end

function G.grader()
  return "google-research instruction_following_eval evaluation_lib (strict, loose); langdetect seeded 0"
end

--- The prompt alone, in both modes (IFEval has no template).
function G.prompt(problem)
  return problem.prompt
end

function G.chat(problem)
  return { { role = "user", content = problem.prompt } }
end

function G.stops()
  return nil
end

--- The request for grade_ifeval.py.
function G.item(response, problem)
  return { response = response, prompt = problem.prompt, instruction_id_list = problem.instruction_id_list,
    kwargs = problem.kwargs }
end

local function bools(list, n)
  local out = {}
  for i = 1, n do out[i] = type(list) == "table" and list[i] == true end
  return out
end

--- grade_ifeval.py's result -> verdict: passed = prompt-level strict; the
-- four fields of the issue; a result the Python side could not make is wrong,
-- with grading_error saying why.
function G.verdict(py, response, problem)
  local n = #problem.instruction_id_list
  local v = { passed = py.strict_passed == true, loose_passed = py.loose_passed == true,
    strict_instructions = bools(py.strict_instructions, n), loose_instructions = bools(py.loose_instructions, n) }
  v.strict_passed = v.passed
  v.outcome = v.passed and "passed" or "wrong"
  if py.error ~= nil then v.grading_error = tostring(py.error) end
  return v
end

--- G.result(res, scored): the official report's four accuracies over the
-- scored samples (each a verdict, or a table holding one as .verdict):
-- prompt-level strict (the score) and loose, instruction-level strict and
-- loose; and that the official code leaves langdetect unseeded.
function G.result(res, scored)
  local n, ps, pl, ni, is, il = 0, 0, 0, 0, 0, 0
  for _, s in ipairs(scored or {}) do
    local v = s.verdict or s
    if v.strict_instructions then
      n = n + 1
      if v.strict_passed then ps = ps + 1 end
      if v.loose_passed then pl = pl + 1 end
      for i, ok in ipairs(v.strict_instructions) do
        ni = ni + 1
        if ok then is = is + 1 end
        if v.loose_instructions[i] then il = il + 1 end
      end
    end
  end
  local function rate(k, d) return d > 0 and k / d or nil end
  res.prompt_strict, res.prompt_loose = rate(ps, n), rate(pl, n)
  res.instruction_strict, res.instruction_loose = rate(is, ni), rate(il, ni)
  res.instructions = ni
  res.grader_note = "langdetect seeded (DetectorFactory.seed = 0); the official code does not seed it, "
    .. "so its verdicts on texts of uncertain language vary from run to run"
  return res
end

return G
