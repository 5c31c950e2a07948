-- grade_math500.lua: MATH-500's data, prompts and answer extraction; the
-- equivalence of the extracted answer with the ground truth is decided in
-- Python by grade_math.py (openai/prm800k's grade_answer semantics, sympy and
-- pylatexenc), which the library runs in warm processes (G.python, G.item,
-- G.verdict; see the grader contract in docs).
--
-- Extraction is lm-evaluation-harness's hendrycks_math/utils.py
-- remove_boxed(last_boxed_only_string(response)), read from its code and
-- checked against it (tests/lua/test_grade_math500.lua):
--   * when the response contains "\boxed " (a space, no brace) anywhere, the
--     answer is the text after its last occurrence up to the next "$" (or the
--     end), even when a braced \boxed{...} comes later;
--   * else the last "\boxed": it must be "\boxed{", and the answer is what lies
--     inside its braces, counted; an unclosed brace is no answer;
--   * "\fbox{...}" is found by the reference but refused by remove_boxed (an
--     assertion): no answer; no box at all: no answer.
-- An empty box (\boxed{}) is an answer, "", which the reference grades wrong.
local dataset = require("benchlua.dataset")
local G = {}

--- The chat prompt: the problem, then the instruction DeepSeek-R1's model card
-- recommends for maths and Qwen2.5-Math's CoT evaluation uses (the AIME one
-- of issue 19), as one user turn.
G.INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."

--- The completion prompt (base models): evalchemy's MATH500 prompt
-- ("Problem: {problem}\nMark your solution with \\boxed\nAnswer:"), which
-- is lm-eval's hendrycks_math doc_to_text with the box instruction; stops at
-- the next "Problem:" as lm-eval's generation_kwargs.until.
G.COMPLETION = "Problem: %s\nMark your solution with \\boxed\nAnswer:"

--- G.read(path) -> problems, digest | nil, err: math500.jsonl (the MATH-500
-- test split; fields problem, solution, answer, subject, level, unique_id).
-- task_id is unique_id.
function G.read(path)
  local recs, lines, data = dataset.read_jsonl(path)
  if not recs then return nil, lines end
  local problems, seen = { by_id = {} }, {}
  for i, r in ipairs(recs) do
    local where = string.format("%s:%d: ", path, lines.lineno[i])
    for _, k in ipairs({ "unique_id", "problem", "answer" }) do
      if type(r[k]) ~= "string" then return nil, where .. "'" .. k .. "' is missing or not a string" end
    end
    if seen[r.unique_id] then return nil, where .. "unique_id '" .. r.unique_id .. "' appears twice" end
    seen[r.unique_id] = true
    local p = { task_id = r.unique_id, problem = r.problem, answer = r.answer,
      subject = r.subject, level = r.level }
    problems[#problems + 1] = p
    problems.by_id[p.task_id] = p
  end
  if #problems == 0 then return nil, path .. ": no problems" end
  return problems, bench.codec.sha256(data)
end

function G.grader()
  return "lm-eval last_boxed_only_string+remove_boxed; prm800k grade_answer"
end

function G.prompt(problem)
  return string.format(G.COMPLETION, problem.problem)
end

function G.chat(problem)
  return { { role = "user", content = problem.problem .. "\n" .. G.INSTRUCTION } }
end

function G.stops()
  return { "Problem:" }
end

-- the start of the last plain occurrence of needle in s, or nil (linear)
local function last_find(s, needle)
  local last, from = nil, 1
  while true do
    local i = s:find(needle, from, true)
    if not i then return last end
    last, from = i, i + 1
  end
end

--- G.extract(response) -> answer | nil: lm-eval's
-- remove_boxed(last_boxed_only_string(response)), nil where it fails.
function G.extract(s)
  local sp = last_find(s, "\\boxed ")
  if sp then
    local rest = s:sub(sp + 7)
    local dollar = rest:find("$", 1, true)
    return dollar and rest:sub(1, dollar - 1) or rest
  end
  local at = last_find(s, "\\boxed")
  if not at or s:byte(at + 6) ~= 123 then return nil end -- "\boxedX", "\fbox{...}", none
  local depth, i = 0, at + 6
  while true do
    i = s:find("[{}]", i)
    if not i then return nil end -- unclosed
    depth = depth + (s:byte(i) == 123 and 1 or -1)
    if depth == 0 then return s:sub(at + 7, i - 1) end
    i = i + 1
  end
end

--- The request for grade_math.py: the Lua-extracted answer (or nil) and the
-- ground truth.
function G.item(response, problem)
  return { extracted = G.extract(response), answer = problem.answer }
end

--- grade_math.py's result -> verdict. No extracted answer is no_answer; a
-- grade the Python side could not make (its time limit) is wrong, with
-- grading_error saying why.
function G.verdict(py, response, problem)
  local extracted = G.extract(response)
  local v = { extracted = extracted, passed = py.passed == true }
  if extracted == nil then
    v.outcome, v.passed = "no_answer", false
  else
    v.outcome = v.passed and "passed" or "wrong"
  end
  if py.error ~= nil then v.grading_error = tostring(py.error) end
  return v
end

G.python = "grade_math"
-- the helpers put sympy's import off to one helper of its own (grade_math.py's
-- setup{"defer"}): a run imports it once, where some answer needs it
G.defer = true

return G
