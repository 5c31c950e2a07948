-- MATH-500 grading (lua/benchlua/grade_math500.lua, lua/benchlua/grade_math.py)
-- against the reference graders' verdicts: lm-eval's last_boxed_only_string +
-- remove_boxed for the extraction, openai/prm800k's grade_answer for the
-- equivalence. tests/fixtures/math500/regen.py made the expected values by
-- running them (cases.jsonl: made-up answers and edge cases; data_cases.json:
-- responses built here from math500.jsonl, which is read from
-- $BENCHLUA_DATA or ../shared/data; missing, those checks are SKIPs).
local G = require("benchlua.grade_math500")
local cjson = require("cjson")
local testing = require("benchlua.testing")
local T = {}

local FIX = "tests/fixtures/math500/"
local DATA = (os.getenv("BENCHLUA_DATA") or "../shared/data") .. "/math500.jsonl"
local MODULE = "lua/benchlua/grade_math.py"
local eq = testing.eq

local function python()
  return bench.fs.stat("/usr/bin/python3") and "/usr/bin/python3" or "python3"
end

local function plain_replace(s, old, new)
  if old == "" then return s end
  local out, from = {}, 1
  while true do
    local i, j = s:find(old, from, true)
    if not i then break end
    out[#out + 1] = s:sub(from, i - 1)
    out[#out + 1] = new
    from = j + 1
  end
  out[#out + 1] = s:sub(from)
  return table.concat(out)
end

local function explicit_cases()
  local out = {}
  for line in assert(bench.fs.read(FIX .. "cases.jsonl")):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  return out
end

-- the data cases as {name, response, answer, x = digest of extracted | nil, passed}
local function data_cases()
  if not bench.fs.stat(DATA) then error(testing.skip(DATA .. " is missing")) end
  local fx = cjson.decode(assert(bench.fs.read(FIX .. "data_cases.json")))
  local raw = assert(bench.fs.read(DATA))
  if bench.codec.sha256(raw) ~= fx.data_sha256 then
    error(testing.skip(DATA .. " is not the file the fixtures were made from (sha256 differs)"))
  end
  local rows = {}
  for line in raw:gmatch("[^\n]+") do rows[#rows + 1] = cjson.decode(line) end
  local out = {}
  for _, c in ipairs(fx.cases) do
    local v = fx.variants[c[1]]
    local text = rows[c[3] + 1][v.from]
    for _, sub in ipairs(v.subs) do text = plain_replace(text, sub[1], sub[2]) end
    out[#out + 1] = { name = string.format("%s %d/%d", c[1], c[2], c[3]), response = plain_replace(v.tpl, "{X}", text),
      answer = rows[c[2] + 1].answer, x = c[4] ~= cjson.null and c[4] or nil, passed = c[5] }
  end
  return out
end

local function show(s)
  if s == nil then return "nil" end
  return #s > 60 and string.format("%q...", s:sub(1, 60)) or string.format("%q", s)
end

-- grade_math.py over requests {extracted=, answer=}, one process -> results
local function grade_py(items, args)
  local lines = {}
  for i, it in ipairs(items) do
    lines[i] = cjson.encode({ extracted = it.extracted == nil and cjson.null or it.extracted, answer = it.answer })
  end
  local argv = { python(), MODULE }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  local r = assert(require("benchlua.script").run_script{ argv = argv, stdin = table.concat(lines, "\n") .. "\n",
    timeout = 300, max_output = 16 * 1024 * 1024 })
  if not r.ok then error("grade_math.py failed: " .. tostring(r.code or r.signal) .. " " .. tostring(r.stderr)) end
  local out = {}
  for line in r.stdout:gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  eq(#out, #items, "result lines")
  return out, r
end

local function check_grades(cases, items)
  local res = grade_py(items)
  local bad = {}
  for i, c in ipairs(cases) do
    if res[i].passed ~= c.passed or res[i].error ~= nil then
      bad[#bad + 1] = string.format("%s: %s vs %s: got %s%s, prm800k %s", c.name, show(items[i].extracted),
        show(c.answer), tostring(res[i].passed), res[i].error and (" (" .. res[i].error .. ")") or "", tostring(c.passed))
    end
  end
  if #bad > 0 then error(#bad .. " of " .. #cases .. " verdicts differ:\n  " .. table.concat(bad, "\n  ", 1, math.min(#bad, 20))) end
end

T[#T + 1] = { "extraction equals lm-eval's on every explicit case (boxed space, fbox, unclosed, two boxes, 10 KB)", function()
  local cases, bad = explicit_cases(), {}
  for _, c in ipairs(cases) do
    local want = c.extracted ~= cjson.null and c.extracted or nil
    local got = G.extract(c.response)
    if got ~= want then bad[#bad + 1] = c.name .. ": got " .. show(got) .. ", lm-eval " .. show(want) end
  end
  if #bad > 0 then error(table.concat(bad, "; ")) end
  if #cases < 300 then error("only " .. #cases .. " cases") end
end }

T[#T + 1] = { "extraction equals lm-eval's on the responses made from math500.jsonl (solutions, variants)", function()
  local bad, n = {}, 0
  for _, c in ipairs(data_cases()) do
    n = n + 1
    local got = G.extract(c.response)
    local d = got and bench.codec.sha256(got):sub(1, 16)
    if d ~= c.x then bad[#bad + 1] = c.name .. ": got " .. show(got) end
  end
  if #bad > 0 then error(#bad .. " differ: " .. table.concat(bad, "; ", 1, math.min(#bad, 10))) end
  if n < 3000 then error("only " .. n .. " cases") end
end }

T[#T + 1] = { "grade_math.py gives prm800k's grade_answer verdict on every explicit case", function()
  local cases, items = explicit_cases(), {}
  for i, c in ipairs(cases) do items[i] = { extracted = c.extracted ~= cjson.null and c.extracted or nil, answer = c.answer } end
  check_grades(cases, items)
end }

T[#T + 1] = { "grade_math.py gives prm800k's grade_answer verdict on every math500.jsonl case", function()
  local cases = data_cases()
  local items = {}
  for i, c in ipairs(cases) do items[i] = G.item(c.response, { answer = c.answer }) end
  check_grades(cases, items)
end }

T[#T + 1] = { "verdicts: passed, wrong, no_answer (no box, fbox, unclosed), an empty box is wrong", function()
  local p = { answer = "5", task_id = "t" }
  local v = G.verdict({ passed = true }, "so $\\boxed{5}$", p)
  eq(v.outcome, "passed", "boxed 5"); eq(v.passed, true, "passed"); eq(v.extracted, "5", "extracted")
  v = G.verdict({ passed = false }, "so $\\boxed{4}$", p)
  eq(v.outcome, "wrong", "boxed 4"); eq(v.passed, false, "passed")
  for _, r in ipairs({ "5", "\\fbox{5}", "\\boxed{5", "" }) do
    v = G.verdict({ passed = false }, r, p)
    eq(v.outcome, "no_answer", show(r)); eq(v.extracted, nil, "extracted of " .. show(r))
  end
  v = G.verdict({ passed = false }, "\\boxed{}", p)
  eq(v.outcome, "wrong", "empty box"); eq(v.extracted, "", "empty box extracted")
  v = G.verdict({ passed = false, error = "timeout: no verdict in 10 s" }, "\\boxed{5!}", p)
  eq(v.outcome, "wrong", "timeout"); eq(v.grading_error, "timeout: no verdict in 10 s", "grading_error")
  eq(cjson.encode(G.item("x \\boxed{3} y", p)), cjson.encode({ extracted = "3", answer = "5" }), "item")
end }

T[#T + 1] = { "grade_math.py: past its time limit a grade is a grading error, not a crash; the next one is graded", function()
  -- sympy.simplify of this difference takes 0.4 s here (denesting six
  -- radicals); the time limit covers the whole grade but its imports
  local slow = { extracted = "\\sqrt{3+2\\sqrt{2}}+\\sqrt{5-2\\sqrt{6}}+\\sqrt{7+4\\sqrt{3}}+\\sqrt{11+6\\sqrt{2}}"
    .. "+\\sqrt{9-4\\sqrt{5}}+\\sqrt{8+2\\sqrt{15}}", answer = "4+3\\sqrt{3}+\\sqrt{2}+2\\sqrt{5}" }
  local res = grade_py({ slow, { extracted = "\\frac12", answer = "0.5" } }, { "--timeout", "0.05" })
  eq(res[1].passed, false, "slow passed")
  if not tostring(res[1].error):find("^timeout") then error("slow grade: error " .. tostring(res[1].error)) end
  eq(res[2].passed, true, "next grade"); eq(res[2].error, nil, "next grade error")
  res = grade_py({ slow })
  eq(res[1].error, nil, "without the limit")
  eq(res[1].passed, true, "without the limit")
end }

T[#T + 1] = { "grade_math.py: importing sympy and pylatexenc does not count against an item's time limit", function()
  -- the first grade that needs sympy imports it (about 0.5 s); an import cut
  -- by the alarm would also leave half a module behind for later grades
  local res = grade_py({ { extracted = "(x+y)^9", answer = "(y+x)^8(x+y)" }, { extracted = "\\frac{x}{2}", answer = "0.5x" } },
    { "--timeout", "0.3" })
  eq(res[1].error, nil, "first sympy grade error"); eq(res[1].passed, true, "first sympy grade")
  eq(res[2].error, nil, "second error"); eq(res[2].passed, true, "second")
end }

T[#T + 1] = { "grade_math.py: bad requests are results with an error; versions() names sympy and pylatexenc; set up in a thread it grades", function()
  local res = grade_py({ { extracted = "5" }, { extracted = nil, answer = "5" } })
  eq(res[1].passed, false, "no answer field"); eq(type(res[1].error), "string", "no answer field error")
  eq(res[2].passed, false, "null extracted"); eq(res[2].error, nil, "null extracted error")
  local r = assert(require("benchlua.script").run_script{ argv = { python(), "-c",
    "import sys, json; sys.path.insert(0, 'lua/benchlua'); import grade_math; print(json.dumps(grade_math.versions()))" },
    timeout = 60 })
  local v = cjson.decode(r.stdout)
  for _, k in ipairs({ "python", "sympy", "pylatexenc" }) do
    if type(v[k]) ~= "string" or v[k] == "" then error("versions()." .. k .. " = " .. tostring(v[k])) end
  end
  -- set up outside the main thread (no SIGALRM there): grades, without a time limit
  r = assert(require("benchlua.script").run_script{ argv = { python(), "-c", [[
import sys, json, threading
sys.path.insert(0, "lua/benchlua")
import grade_math
out = []
def run():
    grade_math.setup({})
    out.append(grade_math.grade({"extracted": "x+1", "answer": "1+x"}))
t = threading.Thread(target=run)
t.start()
t.join()
print(json.dumps(out))
]] }, timeout = 60 })
  eq(r.stdout, '[{"passed": true}]\n', "graded in a thread")
end }

T[#T + 1] = { "grade_math.py: wrong integers, fractions, surds, decimals and polynomials are graded without importing sympy", function()
  -- the speed of a whole run rests on this: importing sympy costs more than
  -- grading 500 such answers
  local code = [[
import sys, json
sys.path.insert(0, "lua/benchlua")
import grade_math
grade_math.setup({})
pairs = [("6", "5"), ("\\frac{2}{3}", "\\frac34"), ("0.7", "\\frac34"), ("2\\sqrt{3}", "3\\sqrt{2}"),
         ("(1, 2)", "(1, 3)"), ("2^{-1}", "\\frac{1}{2}"), ("(2\\sqrt{3})", "2\\sqrt{3}"), ("\\pi", "2\\pi"),
         ("0.75", "\\frac34"), ("2x+1", "x^2+1"), ("(2x, y)", "(3x, y)")]
verdicts = [grade_math.grade({"extracted": g, "answer": a})["passed"] for g, a in pairs]
print(json.dumps({"verdicts": verdicts, "sympy": "sympy" in sys.modules}))
]]
  local r = assert(require("benchlua.script").run_script{ argv = { python(), "-c", code }, timeout = 60 })
  local out = cjson.decode(r.stdout)
  eq(cjson.encode(out.verdicts), "[false,false,false,false,false,true,true,false,true,false,false]", "verdicts")
  eq(out.sympy, false, "sympy imported")
end }

T[#T + 1] = { "grade_math.py: set up with defer, an answer only sympy decides is {defer: true}, sympy not imported; without, graded", function()
  local code = [[
import sys, json
sys.path.insert(0, "lua/benchlua")
import grade_math
grade_math.setup({"defer": True})
items = [{"extracted": "1 \\cdot (-\\sqrt{3})", "answer": "-\\sqrt{3}"}, {"extracted": "6", "answer": "5"},
         {"extracted": "\\frac{3}{\\sqrt{3}}", "answer": "-\\sqrt{3}"}]
deferred = [grade_math.grade(i) for i in items]
imported = "sympy" in sys.modules
grade_math.setup({})
print(json.dumps({"deferred": deferred, "imported": imported, "then": grade_math.grade(items[0])}))
]]
  local r = assert(require("benchlua.script").run_script{ argv = { python(), "-c", code }, timeout = 60 })
  local out = cjson.decode(r.stdout)
  eq(cjson.encode(out.deferred), '[{"defer":true},{"passed":false},{"passed":false}]', "deferred")
  eq(out.imported, false, "sympy imported")
  eq(out["then"].passed, true, "graded without defer")
end }

T[#T + 1] = { "read: math500.jsonl gives 500 problems keyed by unique_id and the file's digest", function()
  if not bench.fs.stat(DATA) then error(testing.skip(DATA .. " is missing")) end
  local ps, digest = assert(G.read(DATA))
  eq(#ps, 500, "problems")
  eq(ps[1].task_id, "test/precalculus/807.json", "first task_id")
  eq(ps.by_id["test/precalculus/807.json"], ps[1], "by_id")
  eq(digest, "35dc41080a3680858b27fa7e0533d2d547825316fc5dafe5d316f4ccc5a06132", "digest (SOURCES.md)")
  eq(G.chat(ps[1])[1].content, ps[1].problem .. "\n" .. G.INSTRUCTION, "chat prompt")
  eq(G.prompt(ps[1]), "Problem: " .. ps[1].problem .. "\nMark your solution with \\boxed\nAnswer:", "completion prompt")
end }

T[#T + 1] = { "read: a file of the wrong shape is one line naming the file and line", function()
  local dir <close> = testing.tmpdir("math500")
  local path = dir.path .. "/m.jsonl"
  assert(bench.fs.write_atomic(path, '{"unique_id": "a", "problem": "p", "answer": "1"}\n{"unique_id": "b", "problem": "q"}\n'))
  local ps, err = G.read(path)
  eq(ps, nil, "problems")
  eq(err, path .. ":2: 'answer' is missing or not a string", "error")
  assert(bench.fs.write_atomic(path, '{"unique_id": "a", "problem": "p", "answer": "1"}\n{"unique_id": "a", "problem": "q", "answer": "2"}\n'))
  ps, err = G.read(path)
  eq(err, path .. ":2: unique_id 'a' appears twice", "duplicate")
  assert(bench.fs.write_atomic(path, 'nope\n'))
  ps, err = G.read(path)
  if not tostring(err):find(path .. ":1: ", 1, true) or err:find("\n") then error("bad JSON: " .. tostring(err)) end
end }

return T
