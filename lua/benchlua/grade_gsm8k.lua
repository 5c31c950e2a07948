-- grade_gsm8k.lua: GSM8K graded as lm-evaluation-harness grades it
-- (lm_eval/tasks/gsm8k, commit 4e7e0d47): gsm8k_cot for base models (the 8
-- chain-of-thought exemplars as "Q: ... A: ..." text), gsm8k_cot_llama for
-- --chat (the same exemplars as user/assistant turns). Both filters are
-- computed: strict-match (the score) and flexible-extract; each extracted
-- answer is compared with lm-eval's exact_match (regexes_to_ignore ",", "\$",
-- "(?s).*#### ", "\.$"; ignore_case). The regexes are hand-written scanners
-- that match what Python's re finds, in linear time.
-- The exemplars below are the task configs' own (the chain-of-thought
-- paper's), as lm-eval's YAML loader reads them; tests/fixtures/gsm8k/regen.py
-- renders lm-eval's prompts from the YAML and the test compares them byte for byte.
local dataset = require("benchlua.dataset")
local G = {}

local BASE = {
  { q = "There are 15 trees in the grove. Grove workers will plant trees in the grove today. After they are done, there will be 21 trees. How many trees did the grove workers plant today?",
    a = "There are 15 trees originally. Then there were 21 trees after some more were planted. So there must have been 21 - 15 = 6. The answer is 6." },
  { q = "If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are in the parking lot?",
    a = "There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The answer is 5." },
  { q = "Leah had 32 chocolates and her sister had 42. If they ate 35, how many pieces do they have left in total?",
    a = "Originally, Leah had 32 chocolates. Her sister had 42. So in total they had 32 + 42 = 74. After eating 35, they had 74 - 35 = 39. The answer is 39." },
  { q = "Jason had 20 lollipops. He gave Denny some lollipops. Now Jason has 12 lollipops. How many lollipops did Jason give to Denny?",
    a = "Jason started with 20 lollipops. Then he had 12 after giving some to Denny. So he gave Denny 20 - 12 = 8. The answer is 8." },
  { q = "Shawn has five toys. For Christmas, he got two toys each from his mom and dad. How many toys does he have now?",
    a = "Shawn started with 5 toys. If he got 2 toys each from his mom and dad, then that is 4 more toys. 5 + 4 = 9. The answer is 9." },
  { q = "There were nine computers in the server room. Five more computers were installed each day, from monday to thursday. How many computers are now in the server room?",
    a = "There were originally 9 computers. For each of 4 days, 5 more computers were added. So 5 * 4 = 20 computers were added. 9 + 20 is 29. The answer is 29." },
  { q = "Michael had 58 golf balls. On tuesday, he lost 23 golf balls. On wednesday, he lost 2 more. How many golf balls did he have at the end of wednesday?",
    a = "Michael started with 58 golf balls. After losing 23 on tuesday, he had 58 - 23 = 35. After losing 2 more, he had 35 - 2 = 33 golf balls. The answer is 33." },
  { q = "Olivia has $23. She bought five bagels for $3 each. How much money does she have left?",
    a = "Olivia had 23 dollars. 5 bagels for 3 dollars each will be 5 x 3 = 15 dollars. So she has 23 - 15 dollars left. 23 - 15 is 8. The answer is 8." },
}
local LLAMA = {
  { q = "There are 15 trees in the grove. Grove workers will plant trees in the grove today. After they are done, there will be 21 trees. How many trees did the grove workers plant today?",
    a = "There are 15 trees originally. Then there were 21 trees after some more were planted. So there must have been 21 - 15 = 6. The final answer is 6" },
  { q = "If there are 3 cars in the parking lot and 2 more cars arrive, how many cars are in the parking lot?",
    a = "There are originally 3 cars. 2 more cars arrive. 3 + 2 = 5. The final answer is 5" },
  { q = "Leah had 32 chocolates and her sister had 42. If they ate 35, how many pieces do they have left in total?",
    a = "Originally, Leah had 32 chocolates. Her sister had 42. So in total they had 32 + 42 = 74. After eating 35, they had 74 - 35 = 39. The final answer is 39" },
  { q = "Jason had 20 lollipops. He gave Denny some lollipops. Now Jason has 12 lollipops. How many lollipops did Jason give to Denny?",
    a = "Jason started with 20 lollipops. Then he had 12 after giving some to Denny. So he gave Denny 20 - 12 = 8. The final answer is 8" },
  { q = "Shawn has five toys. For Christmas, he got two toys each from his mom and dad. How many toys does he have now?",
    a = "Shawn started with 5 toys. If he got 2 toys each from his mom and dad, then that is 4 more toys. 5 + 4 = 9. The final answer is 9" },
  { q = "There were nine computers in the server room. Five more computers were installed each day, from monday to thursday. How many computers are now in the server room?",
    a = "There were originally 9 computers. For each of 4 days, 5 more computers were added. So 5 * 4 = 20 computers were added. 9 + 20 is 29. The final answer is 29" },
  { q = "Michael had 58 golf balls. On tuesday, he lost 23 golf balls. On wednesday, he lost 2 more. How many golf balls did he have at the end of wednesday?",
    a = "Michael started with 58 golf balls. After losing 23 on tuesday, he had 58 - 23 = 35. After losing 2 more, he had 35 - 2 = 33 golf balls. The final answer is 33" },
  { q = "Olivia has $23. She bought five bagels for $3 each. How much money does she have left?",
    a = "Olivia had 23 dollars. 5 bagels for 3 dollars each will be 5 x 3 = 15 dollars. So she has 23 - 15 dollars left. 23 - 15 is 8. The final answer is 8" },
}

local BASE_TEXT = "Q: %s\nA:"
local LLAMA_TEXT = "Given the following problem, reason and give a final answer to the problem.\nProblem: %s\n"
  .. "Your response should end with \"The final answer is [answer]\" where [answer] is the response to the problem.\n"

local function fill(fmt, q) return (fmt:gsub("%%s", function() return q end)) end

-- The end of the last occurrence of the plain text sep in s, found as
-- Python's str.split finds them (left to right, not overlapping) or, with
-- overlapping, as the greedy regex ".*sep" does. -> index | nil
local function last_end(s, sep, overlapping)
  local last, i = nil, 1
  while true do
    local a, e = s:find(sep, i, true)
    if not a then return last end
    last, i = e, overlapping and a + 1 or e + 1
  end
end

--- G.read(path) -> problems, digest | nil, err: gsm8k_test.jsonl rows
-- {question, answer}; gold = the text after the last "####", stripped.
function G.read(path)
  local recs, lines, data = dataset.read_jsonl(path)
  if not recs then return nil, lines end
  local problems = {}
  for n, v in ipairs(recs) do
    if type(v.question) ~= "string" or type(v.answer) ~= "string" then
      return nil, string.format("%s: line %d: expected a JSON object with string fields question and answer", path, lines.lineno[n])
    end
    local gold = v.answer
    local last = last_end(gold, "####")
    if last then gold = gold:sub(last + 1) end
    gold = gold:match("^%s*(.-)%s*$")
    problems[#problems + 1] = { task_id = tostring(#problems), question = v.question, gold = gold }
  end
  return problems, bench.codec.sha256(data)
end

function G.grader(opts)
  if opts and opts.chat then return "lm-eval gsm8k_cot_llama strict-match (flexible-extract recorded)" end
  return "lm-eval gsm8k_cot strict-match (flexible-extract recorded)"
end

--- G.prompt: gsm8k_cot as lm-eval renders it without a chat template: each
-- exemplar "Q: ...\nA:" + " " + target + "\n\n", then "Q: ...\nA:".
function G.prompt(problem)
  local out = {}
  for _, ex in ipairs(BASE) do out[#out + 1] = fill(BASE_TEXT, ex.q) .. " " .. ex.a .. "\n\n" end
  out[#out + 1] = fill(BASE_TEXT, problem.question)
  return table.concat(out)
end

--- G.chat: gsm8k_cot_llama with --fewshot_as_multiturn: the exemplars as
-- user/assistant turns, then the question.
function G.chat(problem)
  local msgs = {}
  for _, ex in ipairs(LLAMA) do
    msgs[#msgs + 1] = { role = "user", content = fill(LLAMA_TEXT, ex.q) }
    msgs[#msgs + 1] = { role = "assistant", content = ex.a }
  end
  msgs[#msgs + 1] = { role = "user", content = fill(LLAMA_TEXT, problem.question) }
  return msgs
end

function G.stops() return { "Q:", "</s>", "<|im_end|>" } end

local byte = string.byte
local DIGIT, CLASS = {}, { [36] = true, [44] = true, [46] = true } -- [0-9], [$0-9.,]
for c = 48, 57 do DIGIT[c], CLASS[c] = true, true end

-- (-?[$0-9.,]{2,})|(-?[0-9]+) tried at position i: returns the end of the
-- match (inclusive) or nil.
local function number_at(s, i)
  local n = #s
  local minus = byte(s, i) == 45
  local k = minus and i + 1 or i
  local e = k
  while e <= n and CLASS[byte(s, e)] do e = e + 1 end
  if e - k >= 2 then return e - 1 end
  if minus then
    local d = k
    while d <= n and DIGIT[byte(s, d)] do d = d + 1 end
    if d > k then return d - 1 end
    return nil
  end
  if e - k == 1 and DIGIT[byte(s, k)] then return k end
  return nil
end

-- findall of that pattern, the last match (group_select -1): over the
-- whole text (flexible-extract), or only right after each `prefix`
-- ("The final answer is ": gsm8k_cot_llama's strict-match). A match can
-- start only at "-" or [$0-9.,]: the scan jumps from one to the next.
local function last_number(s, prefix)
  local init, last = 1, nil
  while true do
    local i
    if prefix then
      local _, e = s:find(prefix, init, true)
      i = e and e + 1
    else
      i = s:find("[%-%$0-9.,]", init)
    end
    if not i then return last end
    local me = number_at(s, i)
    if me then last, init = s:sub(i, me), me + 1
    else init = prefix and i or i + 1 end
  end
end

-- "The answer is (\-?[0-9\.\,]+)." first match (gsm8k_cot strict-match)
local function strict_base(s)
  local init = 1
  while true do
    local _, e = s:find("The answer is ", init, true)
    if not e then return nil end
    local i = e + 1
    local function try(k)
      local j = k
      while j <= #s and ("0123456789.,"):find(s:sub(j, j), 1, true) do j = j + 1 end
      local len = j - k
      if len == 0 then return nil end
      -- "." after the run: any character but a newline; else the run gives one back
      if j <= #s and s:sub(j, j) ~= "\n" then return s:sub(k, j - 1) end
      if len >= 2 then return s:sub(k, j - 2) end
      return nil
    end
    local got
    if s:sub(i, i) == "-" then
      got = try(i + 1)
      if got then got = "-" .. got end
    else
      got = try(i)
    end
    if got then return got end
    init = e + 1
  end
end

-- lm-eval exact_match with gsm8k's regexes_to_ignore and ignore_case
local function normalise(x)
  x = x:gsub(",", ""):gsub("%$", "")
  local last = last_end(x, "#### ", true)
  if last then x = x:sub(last + 1) end
  if x:sub(-1) == "." then x = x:sub(1, -2)
  elseif x:sub(-2) == ".\n" then x = x:sub(1, -3) .. "\n" end
  return x:lower()
end
G.normalise = normalise

local function matches(extracted, gold)
  return normalise(extracted or "[invalid]") == normalise(gold)
end

--- G.grade(response, problem, opts) -> verdict: outcome from strict-match
-- ("no_answer" when it finds nothing); both filters' answers recorded.
function G.grade(response, problem, opts)
  local s
  if opts and opts.chat then s = last_number(response, "The final answer is ") else s = strict_base(response) end
  local f = last_number(response)
  local sp, fp = matches(s, problem.gold), matches(f, problem.gold)
  return {
    outcome = sp and "passed" or (s == nil and "no_answer" or "wrong"),
    passed = sp, extracted = s,
    strict_extracted = s, strict_passed = sp,
    flexible_extracted = f, flexible_passed = fp,
  }
end

return G
