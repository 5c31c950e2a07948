-- IFEval grading (lua/benchlua/grade_ifeval.lua, lua/benchlua/grade_ifeval.py)
-- against the official checker's verdicts: tests/fixtures/ifeval/regen.py ran
-- google-research instruction_following_eval evaluation_lib (strict and
-- loose, punkt from punkt_tab, langdetect seeded 0) on the 541 GPT-4
-- responses its repository publishes and on edge cases made from them
-- (cases.jsonl.gz). Keys 1122 and 1129 are left out of the exact checks: the
-- reference checks a letter it draws at random there. ifeval_input_data.jsonl
-- and punkt_tab/english/ are read from $BENCHLUA_DATA or ../shared/data;
-- missing, those checks are SKIPs.
local G = require("benchlua.grade_ifeval")
local cjson = require("cjson")
local testing = require("benchlua.testing")
local T = {}

local DATADIR = os.getenv("BENCHLUA_DATA") or "../shared/data"
local DATA = DATADIR .. "/ifeval_input_data.jsonl"
local PUNKT = DATADIR .. "/punkt_tab/english"
local CASES = "tests/fixtures/ifeval/cases.jsonl.gz"
local MODULE = "lua/benchlua/grade_ifeval.py"
local eq = testing.eq
local FIELDS = { "strict_passed", "loose_passed", "strict_instructions", "loose_instructions" }

local function python()
  return bench.fs.stat("/usr/bin/python3") and "/usr/bin/python3" or "python3"
end

local function need(path)
  if not bench.fs.stat(path) then error(testing.skip(path .. " is missing")) end
end

local function problems()
  need(DATA)
  return assert(G.read(DATA))
end

-- grade_ifeval.py over the items, in one process -> results
local function grade_py(items)
  need(PUNKT .. "/ortho_context.tab")
  local lines = {}
  for i, it in ipairs(items) do lines[i] = cjson.encode(it) end
  local r = assert(require("benchlua.script").run_script{ argv = { python(), MODULE, PUNKT },
    stdin = table.concat(lines, "\n") .. "\n", timeout = 600, max_output = 64 * 1024 * 1024 })
  if not r.ok then error("grade_ifeval.py failed: " .. tostring(r.code or r.signal) .. " " .. tostring(r.stderr)) end
  local out = {}
  for line in r.stdout:gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  eq(#out, #items, "result lines")
  return out
end

local function same(a, b)
  if type(a) ~= "table" or type(b) ~= "table" then return a == b end
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

local function show(v)
  if type(v) ~= "table" then return tostring(v) end
  local t = {}
  for i, x in ipairs(v) do t[i] = tostring(x) end
  return "[" .. table.concat(t, ",") .. "]"
end

T[#T + 1] = { "grade_ifeval.py gives the official checker's strict and loose verdicts on every case (the 540 GPT-4 responses published with it, 784 edge cases; keys 1122 and 1129: their other instruction)", function()
  local ps = problems()
  local cases, items, names, rnd = {}, {}, {}, {}
  for line in assert(bench.fs.read(CASES)):gmatch("[^\n]+") do
    local c = cjson.decode(line)
    if c.random then
      rnd[#rnd + 1] = c
    else
      local p = assert(ps.by_id[string.format("%d", c.key)], "key " .. c.key .. " not in the data")
      cases[#cases + 1] = c
      items[#items + 1] = G.item(c.response, p)
      names[c.name] = (names[c.name] or 0) + 1
    end
  end
  if #cases < 1200 or (names.gpt4 or 0) < 530 then error("only " .. #cases .. " cases") end
  for _, n in ipairs({ "empty", "blank", "truncated", "repeated_10k", "json_fenced", "markdown", "spanish", "chinese" }) do
    if not names[n] then error("no " .. n .. " case") end
  end
  for _, c in ipairs(rnd) do items[#items + 1] = G.item(c.response, ps.by_id[string.format("%d", c.key)]) end
  local res, bad = grade_py(items), {}
  -- 1122 and 1129: only the instruction that is not letter_frequency
  local partial = 0
  for i, c in ipairs(rnd) do
    local p, r = ps.by_id[string.format("%d", c.key)], res[#cases + i]
    for j, id in ipairs(p.instruction_id_list) do
      if id ~= "keywords:letter_frequency" then
        partial = partial + 1
        for _, f in ipairs({ "strict_instructions", "loose_instructions" }) do
          if r[f][j] ~= c[f][j] then
            bad[#bad + 1] = string.format("%s key %d: %s[%d] got %s, official %s", c.name, c.key, f, j, r[f][j], c[f][j])
          end
        end
      end
    end
  end
  if partial < 20 then error("only " .. partial .. " checks of keys 1122 and 1129") end
  for i, c in ipairs(cases) do
    for _, f in ipairs(FIELDS) do
      if not same(res[i][f], c[f]) then
        bad[#bad + 1] = string.format("%s key %d: %s got %s, official %s", c.name, c.key, f, show(res[i][f]), show(c[f]))
        break
      end
    end
  end
  if #bad > 0 then error(#bad .. " of " .. #cases .. " differ:\n  " .. table.concat(bad, "\n  ", 1, math.min(#bad, 20))) end
end }

T[#T + 1] = { "every one of the 25 instruction types is graded; an unknown one is an error; JSON nested 100,000 deep is not JSON, not a crash", function()
  local ps, types, items = problems(), {}, {}
  for _, p in ipairs(ps) do
    for j, id in ipairs(p.instruction_id_list) do
      if not types[id] then
        types[id] = true
        items[#items + 1] = { response = "x", prompt = p.prompt, instruction_id_list = { id }, kwargs = { p.kwargs[j] } }
      end
    end
  end
  eq(#items, 25, "instruction types in the data")
  items[#items + 1] = { response = "x", prompt = "", instruction_id_list = { "keywords:key_sentences" }, kwargs = { {} } }
  items[#items + 1] = { response = string.rep("[", 100000), prompt = "", instruction_id_list = { "detectable_format:json_format" },
    kwargs = { {} } }
  local res = grade_py(items)
  eq(res[27].strict_passed, false, "JSON nested 100,000 deep")
  for i = 1, 25 do
    if res[i].error ~= nil then error(items[i].instruction_id_list[1] .. ": " .. tostring(res[i].error)) end
  end
  if not tostring(res[26].error):find("unknown instruction keywords:key_sentences", 1, true) then
    error("an unknown instruction is not an error: " .. tostring(res[26].error))
  end
  eq(res[26].strict_passed, false, "unknown instruction passes")
end }

T[#T + 1] = { "read: 541 prompts, task_id = key as a string; a bad file is one line naming it", function()
  local ps, digest = problems()
  eq(#ps, 541, "prompts")
  eq(ps[1].task_id, "1000", "first task_id")
  eq(#digest, 64, "digest length")
  eq(ps.by_id["1000"], ps[1], "by_id")
  eq(G.prompt(ps[1]), ps[1].prompt, "prompt")
  local chat = G.chat(ps[1])
  eq(#chat, 1, "chat turns"); eq(chat[1].role, "user", "role"); eq(chat[1].content, ps[1].prompt, "content")
  eq(G.defaults.max_tokens, 1280, "max_tokens")
  eq(G.python, "grade_ifeval", "python module")
  local d <close> = testing.tmpdir()
  local f = d.path .. "/bad.jsonl"
  for _, bad in ipairs({
    { '{"key": 1, "prompt": "p", "instruction_id_list": ["a"], "kwargs": []}', "kwargs" },
    { '{"key": "1", "prompt": "p", "instruction_id_list": ["a"], "kwargs": [{}]}', "key" },
    { '{"key": 1, "prompt": "p", "instruction_id_list": ["a"], "kwargs": [{}]}\n{"key": 1, "prompt": "q", "instruction_id_list": ["a"], "kwargs": [{}]}', "twice" },
  }) do
    assert(bench.fs.write_atomic(f, bad[1] .. "\n"))
    local ok, err = G.read(f)
    eq(ok, nil, bad[2])
    if not (err:find(f, 1, true) and err:find(bad[2], 1, true)) or err:find("\n") then error("error: " .. err) end
  end
end }

T[#T + 1] = { "verdict: score is prompt-level strict; result: the four official accuracies", function()
  local p = { instruction_id_list = { "a", "b" } }
  local v1 = G.verdict({ strict_passed = true, loose_passed = true, strict_instructions = { true, true },
    loose_instructions = { true, true } }, "r", p)
  eq(v1.outcome, "passed", "outcome"); eq(v1.passed, true, "passed")
  local v2 = G.verdict({ strict_passed = false, loose_passed = true, strict_instructions = { false, true },
    loose_instructions = { true, true } }, "r", p)
  eq(v2.outcome, "wrong", "outcome"); eq(v2.loose_passed, true, "loose")
  local v3 = G.verdict({ error = "boom" }, "r", p)
  eq(v3.outcome, "wrong", "error outcome"); eq(v3.grading_error, "boom", "grading_error")
  eq(v3.strict_instructions[2], false, "error instructions")
  local res = G.result({}, { v1, { verdict = v2 }, v3 })
  eq(res.prompt_strict, 1 / 3, "prompt strict"); eq(res.prompt_loose, 2 / 3, "prompt loose")
  eq(res.instruction_strict, 3 / 6, "instruction strict"); eq(res.instruction_loose, 4 / 6, "instruction loose")
  if not res.grader_note:find("does not seed", 1, true) then error("no langdetect note") end
  if not G.grader():find("evaluation_lib", 1, true) then error("grader: " .. G.grader()) end
end }

return T
