-- GSM8K grader (lua/benchlua/grade_gsm8k.lua) against lm-evaluation-harness's
-- own verdicts: tests/fixtures/gsm8k/cases.jsonl and prompts.json were made by
-- running lm-eval's RegexFilter, exact_match and prompt rendering
-- (tests/fixtures/gsm8k/regen.py).
local G = require("benchlua.grade_gsm8k")
local cjson = require("cjson")
local T = {}
local FIX = "tests/fixtures/gsm8k/"
local DATA = (os.getenv("BENCHLUA_DATA") or "../shared/data") .. "/gsm8k_test.jsonl"

local function problems()
  if not bench.fs.stat(DATA) then error(require("benchlua.testing").skip("missing data file " .. DATA)) end
  return assert(G.read(DATA))
end

local function cases()
  local out = {}
  for line in assert(bench.fs.read(FIX .. "cases.jsonl")):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  return out
end

local function check(chat)
  local ps = problems()
  local n, bad = 0, {}
  for _, c in ipairs(cases()) do
    local want = chat and c.chat or c.base
    local v = G.grade(c.response, ps[tonumber(c.task_id) + 1], { chat = chat })
    local s, f = want["strict-match"], want["flexible-extract"]
    local function ex(x) if x == "[invalid]" then return nil end return x end
    if v.strict_extracted ~= ex(s[1]) or v.strict_passed ~= s[2] or v.flexible_extracted ~= ex(f[1])
      or v.flexible_passed ~= f[2] or v.passed ~= s[2] or v.extracted ~= ex(s[1])
      or v.outcome ~= (s[2] and "passed" or (ex(s[1]) and "wrong" or "no_answer")) then
      bad[#bad + 1] = string.format("%q: got %s/%s %s/%s want %s/%s %s/%s", c.response:sub(1, 60),
        tostring(v.strict_extracted), tostring(v.strict_passed), tostring(v.flexible_extracted),
        tostring(v.flexible_passed), s[1], tostring(s[2]), f[1], tostring(f[2]))
    end
    n = n + 1
  end
  if #bad > 0 then error(#bad .. " of " .. n .. " verdicts differ, e.g. " .. table.concat(bad, "; ", 1, math.min(3, #bad))) end
  assert(n > 1000, "too few cases")
end

T.base_verdicts_equal_lm_eval_gsm8k_cot = function() check(false) end
T.chat_verdicts_equal_lm_eval_gsm8k_cot_llama = function() check(true) end

T.prompts_equal_lm_eval_rendering = function()
  local ps = problems()
  local want = cjson.decode(assert(bench.fs.read(FIX .. "prompts.json")))
  for id, w in pairs(want) do
    local p = ps[tonumber(id) + 1]
    local text = G.prompt(p, {}, 0)
    if text ~= w.text then error("row " .. id .. ": text prompt differs") end
    local msgs = G.chat(p, { chat = true }, 0)
    if #msgs ~= #w.chat then error("row " .. id .. ": " .. #msgs .. " messages, want " .. #w.chat) end
    for i, m in ipairs(w.chat) do
      if msgs[i].role ~= m.role or msgs[i].content ~= m.content then error("row " .. id .. ": message " .. i .. " differs") end
    end
  end
end

T.read_names_a_bad_line = function()
  local t <close> = require("benchlua.testing").tmpdir("gsm8k")
  local p = t.path .. "/bad.jsonl"
  assert(bench.fs.write_atomic(p, '{"question": "q", "answer": "#### 1"}\n{"question": 3}\n'))
  local ok, err = G.read(p)
  assert(ok == nil and err == p .. ": line 2: expected a JSON object with string fields question and answer", err)
end

T.grader_names_variant = function()
  assert(G.grader({}):find("gsm8k_cot strict%-match"))
  assert(G.grader({ chat = true }):find("gsm8k_cot_llama strict%-match"))
end

return T
