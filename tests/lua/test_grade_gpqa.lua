-- GPQA Diamond grader (lua/benchlua/grade_gpqa.lua) against simple-evals' own
-- verdicts: tests/fixtures/gpqa/cases.jsonl.gz was made by running
-- simple-evals' GPQAEval on responses keyed by (row, repeat)
-- (tests/fixtures/gpqa/regen.py); csv_rows.json holds digests of Python's csv
-- parse of the whole file (the data's text is never stored here).
local G = require("benchlua.grade_gpqa")
local cjson = require("cjson")
local testing = require("benchlua.testing")
local T = {}
local FIX = "tests/fixtures/gpqa/"
local DATA = (os.getenv("BENCHLUA_DATA") or "../shared/data") .. "/gpqa_diamond.csv.gz"

local function need_data()
  if not bench.fs.stat(DATA) then error(testing.skip("missing data file " .. DATA)) end
end

T.csv_reader_equals_python_csv_on_the_whole_file = function()
  need_data()
  local rows = assert(G.csv(assert(bench.fs.read(DATA))))
  local want = cjson.decode(assert(bench.fs.read(FIX .. "csv_rows.json")))
  testing.eq(#rows, want.rows, "rows")
  for i, r in ipairs(rows) do
    testing.eq(bench.codec.sha256(table.concat(r, "\x1f")), want.sha256[i], "row " .. i .. " digest")
  end
end

T.csv_reader_rfc4180 = function()
  local rows = assert(G.csv('a,"b ""q""\r\nc",\r\n"",x\n'))
  testing.eq(#rows, 2, "rows")
  testing.eq(rows[1][2], 'b "q"\r\nc', "quoted field")
  testing.eq(rows[1][3], "", "empty last field")
  testing.eq(rows[2][1], "", "empty quoted")
  local ok, line, why = G.csv('a,"b\nc')
  assert(ok == nil and line == 1 and why == "unterminated quoted field", tostring(why))
end

T.verdicts_and_prompts_equal_simple_evals = function()
  need_data()
  local ps = assert(G.read(DATA))
  local n, bad = 0, {}
  for line in assert(bench.fs.read(FIX .. "cases.jsonl.gz")):gmatch("[^\n]+") do
    local c = cjson.decode(line)
    local p = ps[c.row + 1]
    local v = G.grade(c.response, p, {}, c["repeat"])
    local want_x = c.extracted ~= cjson.null and c.extracted or nil
    if v.extracted ~= want_x or v.passed ~= c.passed
      or v.outcome ~= (c.passed and "passed" or (want_x and "wrong" or "no_answer")) then
      bad[#bad + 1] = string.format("row %d rep %d %q: got %s/%s want %s/%s", c.row, c["repeat"], c.response:sub(1, 40),
        tostring(v.extracted), tostring(v.passed), tostring(want_x), tostring(c.passed))
    end
    if bench.codec.sha256(G.prompt(p, {}, c["repeat"])) ~= c.prompt_sha256 then
      bad[#bad + 1] = string.format("row %d rep %d: prompt differs", c.row, c["repeat"])
    end
    n = n + 1
  end
  if #bad > 0 then error(#bad .. " of " .. n .. " differ, e.g. " .. table.concat(bad, "; ", 1, math.min(3, #bad))) end
  testing.eq(n, 198 * 4 * 2, "cases")
end

T.correct_letters_as_sources_md = function()
  need_data()
  local ps = assert(G.read(DATA))
  local s = {}
  for i = 1, 20 do s[i] = G.correct(ps[i], 0) end
  testing.eq(table.concat(s), "CDCBCCCDACADADCBCBAA", "first 20 correct letters of repeat 0")
end

T.extract_edge_cases = function()
  testing.eq(G.extract("**Answer:** C"), nil, "bold")
  testing.eq(G.extract("answer: c"), "c", "lowercase")
  testing.eq(G.extract("Answer: (C)"), nil, "parenthesised")
  testing.eq(G.extract("Answer: $D$"), "D", "dollars")
  testing.eq(G.extract("Answer: $ D"), nil, "dollar then space")
  testing.eq(G.extract(""), nil, "empty")
  testing.eq(G.extract(("answer " ):rep(20000) .. "Answer: B"), "B", "long")
end

T.missing_permutations_named = function()
  local t <close> = testing.tmpdir("gpqa")
  local p = t.path .. "/g.csv"
  assert(bench.fs.write_atomic(p, "Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nq,a,b,c,d\n"))
  local ok, err = G.read(p)
  assert(ok == nil and err:find(t.path .. "/gpqa_diamond_perm.json", 1, true), err)
end

return T
