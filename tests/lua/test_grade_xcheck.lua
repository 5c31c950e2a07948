-- A second, independent set of reference verdicts for the GSM8K, GPQA,
-- MMLU-Pro and AIME graders (lua/benchlua/grade_{gsm8k,gpqa,mmlu_pro,aime}.lua):
-- tests/fixtures/BENCH/h19a2/regen.py ran the reference graders (lm-eval's
-- RegexFilter + exact_match and aime process_results, simple-evals'
-- gpqa_eval.py with a fake sampler, MMLU-Pro's extract_answer) on responses
-- chosen apart from the graders' own fixtures (another helper wrote them for
-- another implementation of the same graders). The data files are read
-- through testing.data: missing, those checks are counted SKIPs.
local cjson = require("cjson")
local testing = require("benchlua.testing")
local T = {}

local eq = testing.eq
local function opt(v) return v ~= cjson.null and v or nil end
local function show(s)
  if s == nil then return "nil" end
  return #s > 60 and string.format("%q...", s:sub(1, 60)) or string.format("%q", s)
end
local function lines(path)
  local out = {}
  for line in assert(bench.fs.read(path)):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  return out
end
local function fail_if(bad, n, min)
  if #bad > 0 then error(#bad .. " differ:\n  " .. table.concat(bad, "\n  ", 1, math.min(#bad, 20))) end
  if n < min then error("only " .. n .. " cases") end
end

-- gsm8k: the four strict/flexible fields of both variants
local function gsm8k_check(G, name, response, problem, want_cot, want_llama, bad)
  for _, v in ipairs({ { "cot", want_cot, false }, { "llama", want_llama, true } }) do
    local w, got = v[2], G.grade(response, problem, { chat = v[3] })
    local fields = { { "strict_extracted", opt(w[1]) }, { "strict_passed", w[2] },
      { "flexible_extracted", opt(w[3]) }, { "flexible_passed", w[4] } }
    for _, f in ipairs(fields) do
      if got[f[1]] ~= f[2] then
        bad[#bad + 1] = string.format("%s [%s] %s: got %s, lm-eval %s", name, v[1], f[1], tostring(got[f[1]]), tostring(f[2]))
      end
    end
    if got.passed ~= got.strict_passed then bad[#bad + 1] = name .. ": passed is not strict-match's" end
  end
end

T[#T + 1] = { "gsm8k: lm-eval's strict/flexible verdicts (both variants) on explicit cases and 8,354 responses made from the data", function()
  local G = require("benchlua.grade_gsm8k")
  local F = "tests/fixtures/gsm8k/h19a2/"
  local path = testing.data("gsm8k_test.jsonl")
  local raw = assert(bench.fs.read(path))
  local problems = assert(G.read(path, {}))
  local fx = cjson.decode(assert(bench.fs.read(F .. "data_cases.json")))
  if bench.codec.sha256(raw) ~= fx.data_sha256 then error(testing.skip(path .. " is not the file the fixtures were made from")) end
  local bad, n = {}, 0
  -- explicit cases carry their own gold: a problem shaped by G.read from a one-line file
  local tmp <close> = testing.tmpdir("xgsm8k")
  for _, c in ipairs(lines(F .. "cases.jsonl")) do
    n = n + 1
    local f = tmp.path .. "/one.jsonl"
    assert(bench.fs.write_atomic(f, cjson.encode({ question = "q", answer = "x\n#### " .. c.gold }) .. "\n"))
    gsm8k_check(G, c.name, c.response, assert(G.read(f, {}))[1], c.cot, c.llama, bad)
  end
  local answers = {}
  for line in raw:gmatch("[^\n]+") do answers[#answers + 1] = cjson.decode(line).answer end
  for _, c in ipairs(fx.cases) do
    n = n + 1
    local a = answers[c[3] + 1]
    local reasoning, gold = a:match("^(.-)####"), a:match("####%s*(.-)%s*$")
    local resp = fx.variants[c[1]]:gsub("{R}", function() return reasoning end):gsub("{A}", function() return gold end)
    gsm8k_check(G, string.format("%s %d/%d", c[1], c[2], c[3]), resp, problems[c[2] + 1],
      { c[4], c[5], c[6], c[7] }, { c[8], c[9], c[10], c[11] }, bad)
  end
  fail_if(bad, n, 8000)
  -- prompts: digests of lm-eval's rendered gsm8k_cot text and gsm8k_cot_llama turns, rows 0..9
  local want = cjson.decode(assert(bench.fs.read(F .. "prompts.json")))
  for i = 1, #want.cot do
    eq(bench.codec.sha256(G.prompt(problems[i], {}, 0)), want.cot[i], "gsm8k_cot prompt of row " .. (i - 1))
    local parts = {}
    for _, m in ipairs(G.chat(problems[i], { chat = true }, 0)) do parts[#parts + 1] = m.role .. "\0" .. m.content .. "\0" end
    eq(bench.codec.sha256(table.concat(parts)), want.llama[i], "gsm8k_cot_llama turns of row " .. (i - 1))
  end
end }

T[#T + 1] = { "gpqa: simple-evals' extracted letter, correct letter, score and prompt for 792 (row, repeat) responses", function()
  local G = require("benchlua.grade_gpqa")
  local F = "tests/fixtures/gpqa/h19a2/"
  local path = testing.data("gpqa_diamond.csv.gz")
  local problems = assert(G.read(path, {}))
  local want = cjson.decode(assert(bench.fs.read(F .. "prompts.json")))
  if bench.codec.sha256(assert(bench.fs.read(path))) ~= want.data_sha256 then
    error(testing.skip(path .. " is not the file the fixtures were made from"))
  end
  local bad, cs, n = {}, lines(F .. "cases.jsonl"), #problems
  for _, c in ipairs(cs) do
    local p, r = problems[c.row + 1], c["repeat"]
    local v = G.grade(c.response, p, {}, r)
    local x = opt(c.extracted)
    if v.extracted ~= x or v.passed ~= c.passed or G.correct(p, r) ~= c.correct then
      bad[#bad + 1] = string.format("%d/%d %s: got %s %s, simple-evals %s %s", c.row, r, show(c.response), show(v.extracted),
        tostring(v.passed), show(x), tostring(c.passed))
    end
    if bench.codec.sha256(G.prompt(p, {}, r)) ~= want.prompts[r * n + c.row + 1] then
      bad[#bad + 1] = string.format("%d/%d: prompt differs", c.row, r)
    end
  end
  fail_if(bad, #cs, 700)
end }

T[#T + 1] = { "mmlu_pro: extract_answer's letter (its 3 stages) on 411 responses: real outputs of 6 models and edge cases", function()
  local G = require("benchlua.grade_mmlu_pro")
  -- the fixtures' reference removed "**" first (evaluate_from_api's
  -- single_request does); G.extract is the three stages alone
  local bad, cs = {}, lines("tests/fixtures/mmlu_pro/h19a2/cases.jsonl.gz")
  for _, c in ipairs(cs) do
    local x = opt(c.extracted)
    local got = G.extract((c.response:gsub("%*%*", "")))
    if got ~= x then bad[#bad + 1] = string.format("%s %s %s: got %s, MMLU-Pro %s", c.source, c.id, show(c.response), show(got), show(x)) end
    local v = G.grade((c.response:gsub("%*%*", "")), { answer = c.answer, category = "x", task_id = c.id })
    if v.passed ~= c.passed then bad[#bad + 1] = c.source .. " " .. c.id .. ": passed " .. tostring(v.passed) end
  end
  fail_if(bad, #cs, 400)
end }

T[#T + 1] = { "aime: process_results' verdict on 81 explicit cases (raise-to-raw compares, Python int() of any script, 10 KB) and 1,560 made from the data", function()
  local G = require("benchlua.grade_aime")
  local F = "tests/fixtures/aime/h19a2/"
  local bad, n = {}, 0
  for _, c in ipairs(lines(F .. "cases.jsonl")) do
    n = n + 1
    local v = G.grade(c.response, { answer = c.answer, task_id = "x" }, {}, 0)
    if v.passed ~= c.passed then bad[#bad + 1] = string.format("%s: got %s, lm-eval %s", c.name, tostring(v.passed), tostring(c.passed)) end
  end
  local fx = cjson.decode(assert(bench.fs.read(F .. "data_cases.json")))
  local rows = {}
  for file, sha in pairs(fx.data_sha256) do
    local path = testing.data(file)
    local raw = assert(bench.fs.read(path))
    if bench.codec.sha256(raw) ~= sha then error(testing.skip(path .. " is not the file the fixtures were made from")) end
    rows[file] = {}
    for line in raw:gmatch("[^\n]+") do
      local r = cjson.decode(line)
      rows[file][#rows[file] + 1] = { answer = type(r.answer) == "string" and r.answer or string.format("%d", r.answer), task_id = tostring(r.id) }
    end
  end
  local function plain(s, old, new) return (s:gsub(old:gsub("%p", "%%%0"), (new:gsub("%%", "%%%%")))) end
  for _, c in ipairs(fx.cases) do
    n = n + 1
    local rs = rows[c[2]]
    local a = rs[c[4] + 1].answer
    local z = a:match("^0*(.-)$")
    local resp = plain(plain(fx.variants[c[1]], "{A}", a), "{Z}", z ~= "" and z or "0")
    local v = G.grade(resp, rs[c[3] + 1], {}, 0)
    if v.passed ~= c[6] then bad[#bad + 1] = string.format("%s %s %d/%d: got %s", c[1], c[2], c[3], c[4], tostring(v.passed)) end
  end
  fail_if(bad, n, 1500)
end }

return T
