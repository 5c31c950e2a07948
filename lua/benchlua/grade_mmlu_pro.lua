-- grade_mmlu_pro.lua: MMLU-Pro, zero-shot chain of thought, graded as
-- TIGER-AI-Lab/MMLU-Pro extract_answer (evaluate_from_api.py and
-- evaluate_from_local.py, commit f418b116): stage 1 the first
-- "answer is \(?([A-J])\)?", stage 2 ".*[aA]nswer:\s*([A-J])" (re.search: the
-- last hit on the first line that has one), stage 3 the last standalone
-- letter "\b[A-J]\b" (Python's Unicode \w, lua/benchlua/uniword.lua). The
-- official regexes are quadratic on long outputs; these scanners are linear
-- and give the same answers. No letter is `no_answer` (the official scorer
-- credits a random guess instead: G.result reports that estimate beside the
-- score). Prompt: evaluate_from_local.py generate_cot_prompt with k = 0
-- (cot_prompt_lib/initial_prompt.txt's instruction, then the question).
local dataset = require("benchlua.dataset")
local WORD = require("benchlua.uniword")
local G = {}

G.options = {
  { name = "category", type = "list", metavar = "NAME", help = "run only this MMLU-Pro category (e.g. math, 'computer science')" },
  { name = "per-category", default = 0, min = 0, metavar = "N", help = "run the first N questions (by question_id) of each category (0: all)" },
}

local INSTRUCTION = "The following are multiple choice questions (with answers) about %s. Think step by step and then "
  .. "finish your answer with \"the answer is (X)\" where X is the correct letter choice.\n\n\n"
local LETTERS = "ABCDEFGHIJKLMNOP"

--- G.read(path, opts) -> problems, digest | nil, err: rows {question_id,
-- question, options, answer, category}; "N/A" options dropped (as the
-- official preprocess does); opts.category / opts.per_category select.
function G.read(path, opts)
  opts = opts or {}
  local recs, lines, data = dataset.read_jsonl(path)
  if not recs then return nil, lines end
  local want
  local cats = opts.category
  if type(cats) == "string" then cats = { cats } end
  if cats and #cats > 0 then want = {} for _, c in ipairs(cats) do want[c] = true end end
  local per, count, all = tonumber(opts.per_category) or 0, {}, {}
  local problems = {}
  for i, v in ipairs(recs) do
    if not math.tointeger(v.question_id) or type(v.question) ~= "string"
      or type(v.options) ~= "table" or type(v.answer) ~= "string" or type(v.category) ~= "string" then
      return nil, string.format("%s: line %d: expected a JSON object with question_id, question, options, answer, category", path, lines.lineno[i])
    end
    all[v.category] = true
    local opts_ = {}
    for _, o in ipairs(v.options) do if o ~= "N/A" then opts_[#opts_ + 1] = o end end
    local c = v.category
    if (not want or want[c]) and (per == 0 or (count[c] or 0) < per) then
      count[c] = (count[c] or 0) + 1
      problems[#problems + 1] = { task_id = tostring(math.tointeger(v.question_id)), question = v.question,
        options = opts_, answer = v.answer, category = c }
    end
  end
  if want then
    for c in pairs(want) do
      if not all[c] then
        local names = {}
        for k in pairs(all) do names[#names + 1] = k end
        table.sort(names)
        return nil, string.format("%s: no category '%s' (there are: %s)", path, c, table.concat(names, ", "))
      end
    end
  end
  return problems, bench.codec.sha256(data)
end

function G.grader() return "MMLU-Pro extract_answer @f418b116 (first match in stage 1; no letter = no_answer)" end

function G.prompt(problem)
  local out = { (INSTRUCTION:gsub("%%s", function() return problem.category end)), "\n", "Question:\n", problem.question, "\n", "Options:\n" }
  for i, o in ipairs(problem.options) do out[#out + 1] = LETTERS:sub(i, i) .. ". " .. o .. "\n" end
  out[#out + 1] = "Answer: Let's think step by step."
  return table.concat(out)
end

function G.chat(problem) return { { role = "user", content = G.prompt(problem) } } end
function G.stops() return nil end

-- Python \w for the code point starting at byte i of s (nil past the ends)
local function word_at_cp(cp)
  if cp < 128 then
    return (cp >= 48 and cp <= 57) or (cp >= 65 and cp <= 90) or (cp >= 97 and cp <= 122) or cp == 95
  end
  local lo, hi = 1, #WORD // 2
  while lo <= hi do
    local mid = (lo + hi) // 2
    local a, b = WORD[2 * mid - 1], WORD[2 * mid]
    if cp < a then hi = mid - 1 elseif cp > b then lo = mid + 1 else return true end
  end
  return false
end

local function decode_at(s, i)
  local ok, cp = pcall(utf8.codepoint, s, i)
  if ok then return cp end
  return s:byte(i) -- invalid UTF-8: the byte itself (cannot come from JSON text)
end

-- code point just before byte i (i > 1)
local function cp_before(s, i)
  local j = i - 1
  while j > 1 and s:byte(j) >= 0x80 and s:byte(j) < 0xC0 do j = j - 1 end
  return decode_at(s, j)
end

local function is_word_before(s, i) return i > 1 and word_at_cp(cp_before(s, i)) end
local function is_word_after(s, i) return i <= #s and word_at_cp(decode_at(s, i)) end

local function is_AJ(c) return c ~= "" and c >= "A" and c <= "J" and #c == 1 end

-- Python str \s at byte i: returns the byte length of the whitespace code point or nil
local SPACE = { [0x85] = true, [0xA0] = true, [0x1680] = true, [0x2028] = true, [0x2029] = true,
  [0x202F] = true, [0x205F] = true, [0x3000] = true }
local function space_len(s, i)
  local b = s:byte(i)
  if not b then return nil end
  if b < 128 then
    if b == 32 or (b >= 9 and b <= 13) or (b >= 28 and b <= 31) then return 1 end
    return nil
  end
  local cp = decode_at(s, i)
  if SPACE[cp] or (cp >= 0x2000 and cp <= 0x200A) then return #utf8.char(cp) end
  return nil
end

local function stage1(t)
  local init = 1
  while true do
    local _, e = t:find("answer is ", init, true)
    if not e then return nil end
    local c = t:sub(e + 1, e + 1)
    if c == "(" and is_AJ(t:sub(e + 2, e + 2)) then return t:sub(e + 2, e + 2) end
    if is_AJ(c) then return c end
    init = e - 9 + 1
  end
end

local function stage2(t)
  local init, line_end, best = 1, nil, nil
  while true do
    local s, e = t:find("nswer:", init, true)
    if not s then return best end
    if line_end and s > line_end then return best end
    local a = t:sub(s - 1, s - 1)
    if s > 1 and (a == "a" or a == "A") then
      local i = e + 1
      while true do
        local n = space_len(t, i)
        if not n then break end
        i = i + n
      end
      if is_AJ(t:sub(i, i)) then
        best = t:sub(i, i)
        line_end = line_end or (t:find("\n", s, true) or #t + 1)
      end
    end
    init = s + 1
  end
end

local function stage3(t)
  for i = #t, 1, -1 do
    local b = t:byte(i)
    if b >= 65 and b <= 74 and not is_word_before(t, i) and not is_word_after(t, i + 1) then
      return string.char(b)
    end
  end
  return nil
end

--- G.extract(text) -> letter | nil, stage (1, 2, 3)
function G.extract(text)
  local x = stage1(text)
  if x then return x, 1 end
  x = stage2(text)
  if x then return x, 2 end
  x = stage3(text)
  if x then return x, 3 end
  return nil
end

function G.grade(response, problem)
  local x = G.extract(response)
  local ok = x ~= nil and x == problem.answer
  return { outcome = ok and "passed" or (x and "wrong" or "no_answer"), passed = ok, extracted = x }
end

-- the verdict of a scored entry: the entry itself or its .verdict
local function verdict_of(e) return e.verdict or e end

--- G.result(res, scored, problems): res.by_category = {name = {n, passed,
-- no_answer, score}}, res.no_answer, and res.official_estimate: the score with
-- each no_answer credited 1/#options, the expectation of the official
-- scorer's random guess (1/10 for the usual ten options).
function G.result(res, scored, problems)
  local by_id = {}
  for _, p in ipairs(problems) do by_id[p.task_id] = p end
  local cats, n, passed, na, credit = {}, 0, 0, 0, 0
  for _, e in ipairs(scored) do
    local v = verdict_of(e)
    local p = by_id[tostring(e.task_id or v.task_id)]
    if p then
      local c = cats[p.category] or { n = 0, passed = 0, no_answer = 0 }
      cats[p.category] = c
      c.n, n = c.n + 1, n + 1
      if v.passed then c.passed, passed = c.passed + 1, passed + 1 end
      if v.outcome == "no_answer" then
        c.no_answer, na = c.no_answer + 1, na + 1
        credit = credit + 1 / #p.options
      end
    end
  end
  for _, c in pairs(cats) do c.score = c.n > 0 and c.passed / c.n or 0 end
  res.by_category, res.no_answer = cats, na
  res.official_estimate = n > 0 and (passed + credit) / n or 0
  return res
end

return G
