-- bench.json.pick: the C decoder that builds only what it is asked for
-- (used by `benchlua results`). Without keep it decodes as cjson does; with
-- keep it leaves out what keep does not name but still checks all the text;
-- "shared" builds one table per distinct text; errors name line and column.
-- The views `results` makes from a picked file equal those from a full
-- decode, for runs of every shape the results file has seen.
local cjson = require("cjson.safe")
local runs = require("benchlua.runs")
local pick = bench.json.pick
local T = {}

local function same(a, b, where)
  where = where or "value"
  if type(a) ~= type(b) then error(string.format("%s: %s against %s", where, tostring(a), tostring(b)), 2) end
  if type(a) ~= "table" then
    if a ~= b then error(string.format("%s: %s against %s", where, tostring(a), tostring(b)), 2) end
    return
  end
  for k, v in pairs(a) do same(v, b[k], where .. "." .. tostring(k)) end
  for k in pairs(b) do if a[k] == nil then error(where .. "." .. tostring(k) .. ": missing on the left", 2) end end
end

local DOC = [[
{"s": "plain", "e": "q\"b\\s\/f\b\f\n\r\t", "u": "\u00e9\u20ac\ud83d\ude00", "lone": "\ud800x",
 "i": 42, "neg": -7, "zero": 0, "negzero": -0, "big": 12345678901234567890, "f": 0.1, "x": 1.5e-3, "E": -2E+2,
 "t": true, "fa": false, "n": null, "a": [1, [2, {"b": [ ]}], {}], "o": {"p": {"q": "r"}},
 "long": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"aaaaaaaa\\aaaa"}
]]

T[#T + 1] = { "without keep it decodes what cjson decodes", function()
  local v = assert(pick(DOC))
  -- cjson refuses a lone surrogate; Python keeps its 3 bytes, as pick does
  local c = assert(cjson.decode((DOC:gsub('"lone": "\\ud800x",', ""))))
  assert(v.lone == "\xed\xa0\x80x", v.lone)
  v.lone = nil
  same(v, c)
  assert(v.n == cjson.null, "null is cjson.null")
  assert(math.type(v.i) == "integer" and math.type(v.neg) == "integer", "whole numbers are integers")
  assert(math.type(v.big) == "float" and v.big == 12345678901234567890.0, "past 18 digits: a float")
  assert(v.u == "é€😀", v.u)
  assert(v.e == 'q"b\\s/f\b\f\n\r\t', v.e)
end }

T[#T + 1] = { "keep names what is built; the rest is left out", function()
  local v = assert(pick(DOC, { s = true, o = { p = true }, a = true, nothing = true }))
  same(v, { s = "plain", o = { p = { q = "r" } }, a = { 1, { 2, { b = {} } }, {} } })
  -- a keep table applies to each element of a list
  local w = assert(pick('{"runs": [{"a": 1, "b": 2}, {"a": 3, "c": {"d": 4}}, 5]}', { runs = { a = true, c = { d = true } } }))
  same(w, { runs = { { a = 1 }, { a = 3, c = { d = 4 } }, 5 } })
  -- false, or anything but true, a table or "shared", leaves the member out
  same(assert(pick('{"a": 1, "b": 2}', { a = false, b = 0 })), {})
end }

T[#T + 1] = { "shared: one table per distinct text", function()
  local v = assert(pick('[{"c": {"x": [1, 2]}}, {"c": {"x": [1, 2]}}, {"c": {"x": [1, 3]}}, {"c": 5}]', { c = "shared" }))
  assert(v[1].c == v[2].c, "same text, same table")
  assert(v[1].c ~= v[3].c, "other text, other table")
  same(v[3].c, { x = { 1, 3 } })
  assert(v[4].c == 5, "a scalar is kept as it is")
  -- two objects of the same members in another layout are other text: not shared, still equal
  local w = assert(pick('[{"c": {"x": 1}}, {"c": {"x":1}}]', { c = "shared" }))
  assert(w[1].c ~= w[2].c); same(w[1].c, w[2].c)
end }

T[#T + 1] = { "errors name the line and column, in kept and left-out text alike", function()
  local cases = {
    { '{"a": 1,}', "line 1 column 9: expected a string key" },
    { '[1 2]', "line 1 column 4: expected ',' or ']'" },
    { '{"a" 1}', "line 1 column 6: expected ':'" },
    { '"\\x"', "line 1 column 2: invalid escape" },
    { '"\\u12G4"', "line 1 column 2: invalid \\u escape" },
    { '01', "line 1 column 2: text after the JSON value" },
    { '1.', "line 1 column 3: invalid number" },
    { '1e+', "line 1 column 4: invalid number" },
    { '-', "line 1 column 1: invalid value" },
    { '+1', "line 1 column 1: invalid value" },
    { '{"a": tru}', "line 1 column 7: invalid value" },
    { '"a\tb"', "line 1 column 3: control character" },
    { '"abc', "line 1 column 5: unterminated string" },
    { '[1,\n 2,\n {"z": nul}]', "line 3 column 8: invalid value" },
    { '{"skipped": [1, 2', "unexpected end of text" },
    { '', "line 1 column 1: unexpected end of text" },
    { '{} {}', "text after the JSON value" },
  }
  for _, c in ipairs(cases) do
    for _, keep in ipairs({ false, { other = true } }) do -- the same checks when the text is only scanned
      local v, err = pick(c[1], keep or nil)
      assert(v == nil, c[1])
      assert(err:find(c[2], 1, true), string.format("%q: %s (expected %s)", c[1], err, c[2]))
    end
  end
  local deep = string.rep("[", 1001) .. string.rep("]", 1001)
  local v, err = pick(deep)
  assert(v == nil and err:find("nested too deeply"), err)
  assert(pick(string.rep("[", 900) .. string.rep("]", 900)), "900 levels are fine")
end }

-- runs of every shape: benchlua's own (HumanEval scored), script mode (no
-- per-problem data), an older version's (no status, no interval), an
-- interrupted and a resumed one, several endpoints, nulls where numbers were
local RUNS = [[
{"runs": [
 {"benchmark": "human_eval", "model": "m-Q4_K_M.gguf", "timestamp": "2026-01-02T03:04:05.000Z", "status": "ok",
  "config": {"gpu_layers": 80, "ctx": 8192, "server_args": ["--flash-attn", "on"], "sampling": {"temperature": 0.2, "top_p": 0.95, "seed": 9, "stop": ["x"]},
             "options": {"n": 1, "chat": false, "server_arg": [], "limit": 40}, "server": {"slots": 4, "n_params": 7615616512, "model_size": 4683073536}, "path": "/m/m-Q4_K_M.gguf"},
  "reproducibility": {"seed": 1234, "server_build": "b1", "dataset_sha256": "1d49078ba3e2b196b9344535bef34a43021f038fad9561d6ee7c53450609a6a2", "benchlua_version": "0.1.0"},
  "results": {"score": 0.5, "ci95": [0.35, 0.65], "ci_method": "wilson", "tokens_per_s": 321.5, "time_taken": 75.5, "problems": 40, "samples": 40,
              "outcomes": {"passed": 20, "wrong": 20}, "pass_at_k": {"pass@1": 0.5}, "exec_time": 1.25}, "run_dir": "benchlua-runs/a"},
 {"benchmark": "lcb", "config": {"path": "/models/q8/Other-Q8_0.gguf", "endpoints": [{"url": "http://h:1"}, {"url": "http://h:2"}]},
  "results": {"score": 0.25, "problems": 4, "outcomes": {"passed": 1}, "metrics": {"tokens_per_s": 50}}, "timestamp": "old format"},
 {"benchmark": "script", "results": {"raw_output": "...", "score": null, "time_taken": null}, "status": "failed", "error": "it broke"},
 {"benchmark": "human_eval", "model": "m-Q4_K_M.gguf", "status": "interrupted", "run_dir": "benchlua-runs/b",
  "config": {"gpu_layers": 80, "ctx": 8192}, "results": {"score": 0.4, "problems": 10, "samples": 10, "outcomes": {"passed": 4}}},
 {"benchmark": "human_eval", "model": "m-Q4_K_M.gguf", "status": "ok", "resumed_from": {"run_dir": "benchlua-runs/b", "done": 10},
  "config": {"gpu_layers": 80, "ctx": 8192}, "results": {"score": 0.45, "problems": 20, "samples": 20, "outcomes": {"passed": 9}}},
 {"benchmark": false, "model": null, "config": null, "results": [], "reproducibility": "x"},
 7
]}
]]

T[#T + 1] = { "views from the picked file equal views from a full decode", function()
  local d = assert(bench.fs.mkdtemp("pick"))
  local path = d .. "/r.json"
  assert(bench.fs.write_atomic(path, RUNS))
  local full = assert(runs.load(path))
  local picked = assert(runs.load(path, runs.VIEW_FIELDS))
  assert(#full == 7 and #picked == 7, "seven runs")
  for i = 1, #full do
    same(runs.view(picked[i]), runs.view(full[i]), "run " .. i)
  end
  assert(runs.view(picked[5]).superseded_by == nil and runs.view(picked[4]).superseded_by == 5, "resume supersedes")
  assert(runs.view(picked[1]).settings.server_args == "--flash-attn on", "a list setting")
  -- left out: what no view shows
  assert(picked[1].results.pass_at_k == nil and picked[1].results.exec_time == nil, "left out")
  -- a file broken where `results` does not look is still refused
  assert(bench.fs.write_atomic(path, RUNS:gsub('"exec_time": 1.25', '"exec_time": 1.2.5')))
  local r, err = runs.load(path, runs.VIEW_FIELDS)
  assert(r == nil and err:find("is not valid JSON %(line 7 column 102: expected ',' or '}'%)"), err)
  bench.fs.rmtree(d)
end }

T[#T + 1] = { "the table stays aligned with wide, long and odd cells", function()
  local d = assert(bench.fs.mkdtemp("pick"))
  local long = string.rep("x", 120) .. "-Q4_K_M.gguf"
  local doc = string.format([[{"runs": [
    {"benchmark": "human_eval", "model": "%s", "timestamp": "2026-01-02T03:04:05Z", "config": {"ctx": 4096, "note": "a"}, "results": {"score": 0.5, "time_taken": 3}},
    {"benchmark": "défi", "model": "modèle-é-Q8_0.gguf", "timestamp": "yesterday\u0000noon", "config": {"ctx": 8192, "note": "été"}, "results": {"score": 0.25, "tokens_per_s": 12.5}, "status": "ok ✓"},
    {"benchmark": "b", "model": "m.gguf", "config": {"ctx": 123456789012, "note": "%s"}, "results": {}}
  ]}]], long, string.rep("n", 110))
  assert(bench.fs.write_atomic(d .. "/r.json", doc))
  local r = assert(bench.run_script{ argv = { bench.exe, "results", d .. "/r.json", "--wide", "--all" } }) -- (the failed run, the note column)
  assert(r.code == 0, r.stderr)
  local lines = {}
  for l in r.stdout:gmatch("[^\n]+") do lines[#lines + 1] = l end
  assert(#lines == 4, r.stdout)
  -- the status column starts at the same character on every line
  local head = lines[1]
  assert(head:find("status", 1, true) and head:find("note", 1, true), head)
  local at = utf8.len(head:sub(1, head:find("status", 1, true) - 1))
  for i = 2, 4 do
    local l = lines[i]
    local status = ({ "ok", "ok ✓", "failed" })[i - 1] -- the third run has no score
    local pos = assert(l:find(status, 1, true), l)
    local col = utf8.len(l:sub(1, pos - 1))
    assert(col == at, string.format("line %d: status at %d, header at %d:\n%s", i, col, at, r.stdout))
  end
  assert(r.stdout:find(long, 1, true) and r.stdout:find(string.rep("n", 110), 1, true), "long cells whole")
  bench.fs.rmtree(d)
end }

return T
