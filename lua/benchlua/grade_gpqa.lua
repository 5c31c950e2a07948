-- grade_gpqa.lua: GPQA Diamond graded as openai/simple-evals gpqa_eval.py
-- (commit ee3b0318) grades it: choices [correct, incorrect 1, 2, 3] shown in
-- the order of the (row, repeat) permutation with QUERY_TEMPLATE_MULTICHOICE;
-- the first match of ANSWER_PATTERN_MULTICHOICE
-- "(?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?" is the answer, passed when it equals
-- the correct letter (case-sensitive, so "answer: c" fails, as there).
-- Permutations: simple-evals' own, read from gpqa_diamond_perm.json beside the
-- data file (one random.Random(0).sample(range(4), 4) per example of the
-- 4x-repeated list; see ../shared/data/SOURCES.md).
local cjson = require("cjson.safe")
local G = {}

G.defaults = { n = 4 }

local TEMPLATE = "Answer the following multiple choice question. The last line of your response should be of the "
  .. "following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before "
  .. "answering.\n\n{Question}\n\nA) {A}\nB) {B}\nC) {C}\nD) {D}"

--- G.csv(text) -> rows (lists of fields) | nil, line, why: RFC 4180 (quoted
-- fields with "" for a quote and line breaks inside; CRLF or LF records).
function G.csv(text)
  local rows, row, i, n, line = {}, {}, 1, #text, 1
  if n == 0 then return rows end
  while true do
    local field
    if text:sub(i, i) == '"' then
      local parts, j = {}, i + 1
      while true do
        local q = text:find('"', j, true)
        if not q then return nil, line, "unterminated quoted field" end
        local chunk = text:sub(j, q - 1)
        local _, nl = chunk:gsub("\n", "")
        line = line + nl
        parts[#parts + 1] = chunk
        if text:sub(q + 1, q + 1) == '"' then parts[#parts + 1] = '"'; j = q + 2 else i = q + 1; break end
      end
      field = table.concat(parts)
      local c = text:sub(i, i)
      if c ~= "," and c ~= "\n" and c ~= "\r" and c ~= "" then return nil, line, "text after a closing quote" end
    else
      local e = text:find("[,\r\n]", i) or n + 1
      field = text:sub(i, e - 1)
      if field:find('"', 1, true) then return nil, line, "quote inside an unquoted field" end
      i = e
    end
    row[#row + 1] = field
    local c = text:sub(i, i)
    if c == "," then
      i = i + 1
    else
      rows[#rows + 1] = row
      row = {}
      if c == "\r" then i = i + 1; c = text:sub(i, i) end
      if c == "\n" then i = i + 1; line = line + 1 end
      if i > n then return rows end
    end
  end
end

local COLS = { "Question", "Correct Answer", "Incorrect Answer 1", "Incorrect Answer 2", "Incorrect Answer 3" }

local dirname = require("benchlua.path").dirname

--- G.read(path, opts) -> problems, digest | nil, err. problems[i] = {task_id
-- = row index, question, choices = {correct, incorrect 1..3}, perms = {repeat
-- r + 1 = permutation}}; opts.perm names the permutation file (default:
-- gpqa_diamond_perm.json beside the data).
function G.read(path, opts)
  local data, err = bench.fs.read(path)
  if not data then return nil, err end
  local rows, line, why = G.csv(data)
  if not rows then return nil, string.format("%s: line %d: %s", path, line, why) end
  local head, col = rows[1] or {}, {}
  for k, name in ipairs(head) do col[name] = col[name] or k end
  for _, c in ipairs(COLS) do
    if not col[c] then return nil, string.format("%s: line 1: no column '%s'", path, c) end
  end
  local ppath = (opts and opts.perm) or (dirname(path) .. "/gpqa_diamond_perm.json")
  local ptext, perr = bench.fs.read(ppath)
  if not ptext then return nil, ppath .. ": " .. tostring(perr) end
  local perms = cjson.decode(ptext)
  if type(perms) ~= "table" or type(perms[1]) ~= "table" then return nil, ppath .. ": line 1: expected a JSON list of lists" end
  local problems = {}
  for r = 2, #rows do
    local row = rows[r]
    if #row ~= #head then return nil, string.format("%s: record %d: %d fields, the header has %d", path, r, #row, #head) end
    local i = #problems
    local p = { task_id = tostring(i), question = row[col.Question], choices = {}, perms = {} }
    for k = 2, 5 do p.choices[k - 1] = row[col[COLS[k]]] end
    for rep, list in ipairs(perms) do
      local perm = list[i + 1]
      if type(perm) ~= "table" or #perm ~= 4 then return nil, string.format("%s: repeat %d: no permutation for row %d", ppath, rep - 1, i) end
      p.perms[rep] = perm
    end
    problems[#problems + 1] = p
  end
  for rep, list in ipairs(perms) do
    if #list ~= #problems then return nil, string.format("%s: repeat %d has %d permutations for %d rows", ppath, rep - 1, #list, #problems) end
  end
  return problems, bench.codec.sha256(data)
end

function G.grader() return "simple-evals gpqa_eval.py ANSWER_PATTERN_MULTICHOICE first match" end

-- the permutation of repeat rep (0-based): simple-evals has n_repeats of
-- them; a repeat beyond the file's reuses them cyclically (recorded nowhere else)
local function perm_of(problem, rep)
  local perms = problem.perms
  return perms[(rep or 0) % #perms + 1]
end

--- G.correct(problem, rep) -> "A".."D"
function G.correct(problem, rep)
  for k, v in ipairs(perm_of(problem, rep)) do
    if v == 0 then return ("ABCD"):sub(k, k) end
  end
end

function G.prompt(problem, _, rep)
  local perm = perm_of(problem, rep)
  local fill = { Question = problem.question }
  for k, letter in ipairs({ "A", "B", "C", "D" }) do fill[letter] = problem.choices[perm[k] + 1] end
  return (TEMPLATE:gsub("{(%a+)}", function(k) return fill[k] end))
end

function G.chat(problem, opts, rep) return { { role = "user", content = G.prompt(problem, opts, rep) } } end

function G.stops() return nil end

--- G.extract(text) -> letter | nil: re.search of
-- (?i)Answer[ \t]*:[ \t]*\$?([A-D])\$? . Under (?i) Python also lets the long
-- s (U+017F) match "s"; it is mapped to "s" first (same offsets in both copies).
function G.extract(text)
  local norm = text:find("\xC5\xBF", 1, true) and text:gsub("\xC5\xBF", "s") or text
  local low = norm:lower()
  local init = 1
  while true do
    local _, e = low:find("answer", init, true)
    if not e then return nil end
    local i = e + 1
    while low:sub(i, i) == " " or low:sub(i, i) == "\t" do i = i + 1 end
    if low:sub(i, i) == ":" then
      i = i + 1
      while low:sub(i, i) == " " or low:sub(i, i) == "\t" do i = i + 1 end
      local c = norm:sub(i, i)
      if c == "$" and norm:sub(i + 1, i + 1):find("^[A-Da-d]$") then return norm:sub(i + 1, i + 1) end
      if c:find("^[A-Da-d]$") then return c end
    end
    init = e - 5 + 1
  end
end

function G.grade(response, problem, _, rep)
  local x = G.extract(response)
  local ok = x ~= nil and x == G.correct(problem, rep)
  return { outcome = ok and "passed" or (x and "wrong" or "no_answer"), passed = ok, extracted = x }
end

return G
