-- grade_aime.lua: AIME graded as lm-evaluation-harness's
-- lm_eval/tasks/aime/utils.py process_results (commit 4e7e0d47): the answer is
-- the text between the first and last "$" (or the whole response), replaced by
-- the last \boxed{...} found by brace counting (or "\boxed X"); then
-- hendrycks strip_string on both sides and string equality, falling back to
-- raw equality where strip_string raises (as is_equiv does). Python's string
-- indexing is by code point: the UTF-8 text is indexed the same way here.
local dataset = require("benchlua.dataset")
local G = {}

G.INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
G.defaults = { n = 8, max_tokens = 32768 }
G.options = {
  { name = "year", type = "list", metavar = "YEAR", choices = { "2024", "2025" },
    help = "AIME year(s) to run: 2024, 2025 (default both)" },
}

--- G.files(opts) -> the data file names for opts.year (default both years)
function G.files(opts)
  local years = opts and opts.year
  if type(years) == "string" then years = { years } end
  if not years or #years == 0 then years = { "2024", "2025" } end
  local out = {}
  for _, y in ipairs(years) do out[#out + 1] = "aime_" .. y .. ".jsonl" end
  return out
end

local function pystr(v)
  if math.tointeger(v) and v == v // 1 and math.type(v) == "integer" then return tostring(v) end
  if type(v) == "number" then
    if v == math.floor(v) and math.abs(v) < 2^53 then return string.format("%.1f", v) end
    return tostring(v)
  end
  return v
end

--- G.read(path | {paths}, opts) -> problems, digest | nil, err: rows {id,
-- problem, answer}; task_id = id (as a string). Several files are read in
-- order; the digest is then the sha256 of their digests joined by spaces.
function G.read(path, opts)
  local paths = type(path) == "table" and path or { path }
  local problems, digests = {}, {}
  for _, p in ipairs(paths) do
    local recs, lines, data = dataset.read_jsonl(p)
    if not recs then return nil, lines end
    for i, v in ipairs(recs) do
      local ans = pystr(v.answer)
      local id = type(v.id) == "string" and v.id or math.tointeger(v.id)
      if not id or type(v.problem) ~= "string" or type(ans) ~= "string" then
        return nil, string.format("%s: line %d: expected a JSON object with id, problem and answer", p, lines.lineno[i])
      end
      problems[#problems + 1] = { task_id = tostring(id), problem = v.problem, answer = ans }
    end
    digests[#digests + 1] = bench.codec.sha256(data)
  end
  return problems, #digests == 1 and digests[1] or bench.codec.sha256(table.concat(digests, " "))
end

function G.grader() return "lm-eval aime utils.process_results (last \\boxed{}, strip_string)" end

function G.prompt(problem) return problem.problem .. "\n" .. G.INSTRUCTION end
function G.chat(problem) return { { role = "user", content = G.prompt(problem) } } end
function G.stops() return nil end

-- plain-text helpers with Python's semantics
local function has(s, sub) return s:find(sub, 1, true) ~= nil end
local function replace(s, old, new)
  local out, i = {}, 1
  while true do
    local a, b = s:find(old, i, true)
    if not a then break end
    out[#out + 1] = s:sub(i, a - 1)
    out[#out + 1] = new
    i = b + 1
  end
  if i == 1 then return s end
  out[#out + 1] = s:sub(i)
  return table.concat(out)
end
local function split(s, sep)
  local out, i = {}, 1
  while true do
    local a, b = s:find(sep, i, true)
    if not a then break end
    out[#out + 1] = s:sub(i, a - 1)
    i = b + 1
  end
  out[#out + 1] = s:sub(i)
  return out
end
local function rfind(s, sub)
  local last, i = nil, 1
  while true do
    local a = s:find(sub, i, true)
    if not a then return last end
    last, i = a, a + 1
  end
end
-- first code point of s (UTF-8) and the rest
local function first_cp(s)
  local c = s:match("^[\0-\127\194-\244][\128-\191]*") or s:sub(1, 1)
  return c, s:sub(#c + 1)
end
local function cplen(s) return utf8.len(s) or #s end

local Raise = {}

local function fix_fracs(string)
  local substrs = split(string, "\\frac")
  local new = { substrs[1] }
  for k = 2, #substrs do
    local substr = substrs[k]
    new[#new + 1] = "\\frac"
    if substr == "" then error(Raise) end -- substr[0]: IndexError
    local a, rest = first_cp(substr)
    if a == "{" then
      new[#new + 1] = substr
    else
      if cplen(substr) < 2 then return string end
      local b, post = first_cp(rest)
      if b ~= "{" then
        new[#new + 1] = "{" .. a .. "}{" .. b .. "}" .. post
      else
        new[#new + 1] = "{" .. a .. "}" .. b .. post
      end
    end
  end
  return table.concat(new)
end

-- Python's decimal digits (str.isdecimal(), Unicode 14.0.0 as in Python
-- 3.11): the first code point of each block of ten, generated with
-- [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Nd" and
--  unicodedata.category(chr(c - 1)) != "Nd"]
local ND = {}
for h in ([[30 660 6f0 7c0 966 9e6 a66 ae6 b66 be6 c66 ce6 d66 de6 e50 ed0 f20 1040 1090 17e0 1810 1946 19d0 1a80
  1a90 1b50 1bb0 1c40 1c50 a620 a8d0 a900 a9d0 a9f0 aa50 abf0 ff10 104a0 10d30 11066 110f0 11136 111d0 112f0 11450
  114d0 11650 116c0 11730 118e0 11950 11c50 11d50 11da0 16a60 16ac0 16b50 1d7ce 1e140 1e2f0 1e950 1fbf0]]):gmatch("%x+") do
  local z = tonumber(h, 16)
  for d = 0, 9 do ND[z + d] = d end
end
-- the white space int() skips: ASCII " \t\n\v\f\r" (not \x1c-\x1f, which
-- str.isspace() counts), and above ASCII what str.isspace() counts
local INT_SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true, [0x85] = true,
  [0xa0] = true, [0x1680] = true, [0x2028] = true, [0x2029] = true, [0x202f] = true, [0x205f] = true, [0x3000] = true }
for c = 0x2000, 0x200a do INT_SPACE[c] = true end

-- int(x) as Python 3.11 parses a str: the canonical text of its value, or
-- raises (ValueError): white space around, a sign, decimal digits of any
-- script with single "_" between them, at most 4300 digits
local function pyint(x)
  if not utf8.len(x) then error(Raise) end
  local cps = {}
  for _, c in utf8.codes(x) do cps[#cps + 1] = c end
  local i, j = 1, #cps
  while i <= j and INT_SPACE[cps[i]] do i = i + 1 end
  while j >= i and INT_SPACE[cps[j]] do j = j - 1 end
  local neg = false
  if i <= j and (cps[i] == 43 or cps[i] == 45) then neg, i = cps[i] == 45, i + 1 end
  local digits, after_us = {}, true -- no "_" first
  for k = i, j do
    local c = cps[k]
    if ND[c] then
      digits[#digits + 1] = ND[c]
      after_us = false
    elseif c == 95 and not after_us then
      after_us = true
    else
      error(Raise)
    end
  end
  if #digits == 0 or after_us or #digits > 4300 then error(Raise) end
  local t = table.concat(digits):gsub("^0+", "")
  if t == "" then return "0" end
  return (neg and "-" or "") .. t
end

local function fix_a_slash_b(string)
  local parts = split(string, "/")
  if #parts ~= 2 then return string end
  local a, b = pyint(parts[1]), pyint(parts[2])
  if string ~= a .. "/" .. b then return string end
  return "\\frac{" .. a .. "}{" .. b .. "}"
end

local function remove_right_units(string)
  if has(string, "\\text{ ") then
    local splits = split(string, "\\text{ ")
    if #splits ~= 2 then error(Raise) end
    return splits[1]
  end
  return string
end

local function fix_sqrt(string)
  if not has(string, "\\sqrt") then return string end
  local splits = split(string, "\\sqrt")
  local new = { splits[1] }
  for k = 2, #splits do
    local s = splits[k]
    if s == "" then error(Raise) end
    local a, rest = first_cp(s)
    if a ~= "{" then new[#new + 1] = "\\sqrt{" .. a .. "}" .. rest else new[#new + 1] = "\\sqrt" .. s end
  end
  return table.concat(new)
end

--- G.strip_string(s) -> normalised | raises Raise (hendrycks strip_string)
function G.strip_string(s)
  s = replace(s, "\n", "")
  s = replace(s, "\\!", "")
  s = replace(s, "\\\\", "\\")
  s = replace(s, "tfrac", "frac")
  s = replace(s, "dfrac", "frac")
  s = replace(s, "\\left", "")
  s = replace(s, "\\right", "")
  s = replace(s, "^{\\circ}", "")
  s = replace(s, "^\\circ", "")
  s = replace(s, "\\$", "")
  s = remove_right_units(s)
  s = replace(s, "\\%", "")
  s = replace(s, " .", " 0.")
  s = replace(s, "{.", "{0.")
  if s == "" then return s end
  if s:sub(1, 1) == "." then s = "0" .. s end
  local eq = split(s, "=")
  if #eq == 2 and cplen(eq[1]) <= 2 then s = eq[2] end
  s = fix_sqrt(s)
  s = replace(s, " ", "")
  s = fix_fracs(s)
  if s == "0.5" then s = "\\frac{1}{2}" end
  s = fix_a_slash_b(s)
  return s
end

local function is_equiv(a, b)
  local ok1, s1 = pcall(G.strip_string, a)
  local ok2, s2 = false, nil
  if ok1 then ok2, s2 = pcall(G.strip_string, b) end
  if not (ok1 and ok2) then
    if (not ok1 and s1 ~= Raise) or (ok1 and not ok2 and s2 ~= Raise) then error(ok1 and s2 or s1, 0) end
    return a == b
  end
  return s1 == s2
end

--- G.last_boxed(s) -> the last box as last_boxed_only_string finds it | nil
function G.last_boxed(s)
  local idx = rfind(s, "\\boxed")
  if has(s, "\\boxed ") then
    local parts = split(s, "\\boxed ")
    return "\\boxed " .. split(parts[#parts], "$")[1]
  end
  if not idx then
    idx = rfind(s, "\\fbox")
    if not idx then return nil end
  end
  local open = 0
  for i = idx, #s do
    local c = s:byte(i)
    if c == 123 then open = open + 1
    elseif c == 125 then
      open = open - 1
      if open == 0 then return s:sub(idx, i) end
    end
  end
  return nil
end

--- G.remove_boxed(s) -> content | nil where the reference's asserts fail
function G.remove_boxed(s)
  if has(s, "\\boxed ") then
    if s:sub(1, 7) ~= "\\boxed " then return nil end
    return s:sub(8)
  end
  if s:sub(1, 7) ~= "\\boxed{" or s:sub(-1) ~= "}" or #s < 8 then return nil end
  return s:sub(8, -2)
end

function G.grade(response, problem)
  local first, last = response:find("$", 1, true), rfind(response, "$")
  local answer = response
  if first and last ~= first then answer = response:sub(first + 1, last - 1) end
  local box = G.last_boxed(response)
  local content = box and G.remove_boxed(box)
  if content then answer = content end
  local ok = is_equiv(answer, problem.answer)
  local extracted = content or (ok and answer or nil)
  return { outcome = ok and "passed" or (content and "wrong" or "no_answer"), passed = ok, extracted = extracted }
end

return G
