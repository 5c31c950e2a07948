-- LiveCodeBench (lua/benchlua/lcb_data.lua, lcb_prompt.lua, lcb_grade.lua,
-- lcb_files.lua, lcb_exec.py, benchmarks/lcb.lua). The expected verdicts, prompts and extractions come
-- from running lcb_runner itself on benchlua's own test set
-- (tests/fixtures/lcb/README.md says how).
local data = require("benchlua.lcb_data")
local files = require("benchlua.lcb_files")
local grade = require("benchlua.lcb_grade")
local prompt = require("benchlua.lcb_prompt")
local testing = require("benchlua.testing")
local cjson = require("cjson")
local T = {}

local FIX = "tests/fixtures/lcb/"

local eq = testing.eq

local function json_file(path) return cjson.decode(assert(bench.fs.read(path))) end

local tmpdir = testing.tmpdir

local function write(path, text)
  assert(bench.fs.write_atomic(path, text))
  return path
end

local function raises(fn, pattern, what)
  local ok, err = pcall(fn)
  if ok then error((what or "call") .. " did not raise", 2) end
  if not tostring(err):find(pattern) then error(string.format("%s: error '%s' lacks '%s'", what or "call", tostring(err), pattern), 2) end
end

-- every fixture sample graded by benchlua: {qid = {{results=, metadata=, metadata_json=}...}}
local graded
local function grade_fixtures()
  if graded then return graded end
  local expected = json_file(FIX .. "expected.json")
  local problems = data.load{ dataset = { FIX .. "problems.jsonl" } }
  local pool <close> = assert(grade.pool{ sandbox = "auto" })
  local jobs = {}
  for _, s in ipairs(json_file(FIX .. "samples.json")) do
    for i, code in ipairs(s.code_list) do jobs[#jobs + 1] = { qid = s.question_id, i = i, code = code } end
  end
  local out = {}
  bench.map(jobs, pool.size, function(j)
    out[j.qid] = out[j.qid] or {}
    out[j.qid][j.i] = grade.grade(pool, problems.by_id[j.qid], j.code, expected.timeout)
  end)
  graded = out
  return out
end

local function show(v)
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for i, x in ipairs(v) do parts[i] = tostring(math.type(x) and math.tointeger(x) or x) end
  return "[" .. table.concat(parts, ", ") .. "]"
end

T["every fixture sample gets lcb_runner's result list (stdin and functional quirks)"] = function()
  local expected = json_file(FIX .. "expected.json")
  local got, bad, n = grade_fixtures(), {}, 0
  for qid, e in pairs(expected.problems) do
    for i, want in ipairs(e.results) do
      n = n + 1
      local have = got[qid][i].results
      if show(have) ~= show(want) then
        bad[#bad + 1] = string.format("%s/%s: %s, lcb_runner %s", qid, e.names[i], show(have), show(want))
      end
      eq(got[qid][i].passed, e.graded_list[i], qid .. "/" .. e.names[i] .. " passed")
    end
  end
  if #bad > 0 then error(#bad .. " of " .. n .. " differ:\n" .. table.concat(bad, "\n")) end
  assert(n > 100, "the fixture set has " .. n .. " samples")
end

T["every fixture sample gets lcb_runner's metadata, as its eval_all file writes it"] = function()
  local got, bad = grade_fixtures(), {}
  for _, row in ipairs(json_file(FIX .. "expected_eval_all.json")) do
    local names = json_file(FIX .. "expected.json").problems[row.question_id].names
    for i, want in ipairs(row.metadata) do
      local have = got[row.question_id][i].metadata_json
      local function norm(m) -- times and object addresses differ from run to run
        return (m:gsub('"execution time": [%d.e-]+', "T"):gsub("0x%x+", "0x"))
      end
      if norm(have) ~= norm(want) then
        bad[#bad + 1] = string.format("%s/%s:\n  benchlua   %s\n  lcb_runner %s", row.question_id, names[i], have, want)
      end
    end
  end
  if #bad > 0 then error(table.concat(bad, "\n")) end
end

T["the whole-sample budget: a program that swallows the alarm is killed after (timeout+1) x tests + 5 s"] = function()
  local got = grade_fixtures()["abc300_c"][2]
  eq(show(got.results), "[-2]", "results")
  eq(got.metadata.error_code, -5, "error_code")
  assert(got.exec_time >= 8 and got.exec_time < 12, "killed after " .. tostring(got.exec_time) .. " s, expected 8")
  assert(got.detail:find("killed after 8.0 s"), got.detail)
end

T["an executor keeps a problem's tests: sent once, again after it made room for others or was restarted"] = function()
  local expected = json_file(FIX .. "expected.json").problems
  local problems = data.load{ dataset = { FIX .. "problems.jsonl" } }
  local pool <close> = assert(grade.pool{ size = 1, sandbox = "auto" })
  local sent, request = {}, pool.request
  pool.request = function(self, z, h, payload, timeout) -- count the requests that carry tests
    if h.lens then sent[#sent + 1] = h.slot end
    return request(self, z, h, payload, timeout)
  end
  local codes = {}
  for _, s in ipairs(json_file(FIX .. "samples.json")) do
    codes[s.question_id] = {}
    for i, c in ipairs(s.code_list) do codes[s.question_id][s.names[i]] = c end
  end
  local function check(qid, name)
    local e = expected[qid]
    local i
    for k, n in ipairs(e.names) do if n == name then i = k end end
    local v = grade.grade(pool, problems.by_id[qid], codes[qid][name], 2)
    eq(show(v.results), show(e.results[i]), qid .. "/" .. name)
  end
  for _ = 1, 3 do check("abc100_a", "input") end
  eq(#sent, 1, "requests with abc100_a's tests, 3 samples")
  check("abc100_a", "wrong")
  eq(#sent, 1, "requests with tests after a fourth sample")
  -- five problems on one executor that keeps four: the least recently used makes room
  check("1900_A", "ok")
  check("abc200_b", "true_div")
  check("3000", "class_ok")
  eq(#sent, 4, "requests with tests, four problems")
  check("3100", "ok")
  eq(#sent, 5, "requests with tests, five problems")
  eq(sent[5], sent[1], "the fifth problem's slot (abc100_a's, the least recently used)")
  check("3000", "wrong")
  eq(#sent, 5, "3000's tests are still kept")
  check("abc100_a", "input")
  eq(#sent, 6, "abc100_a's tests sent again")
  -- tests past the executor's byte budget: it keeps only the last problem's
  local budget = grade.SLOT_BYTES
  grade.SLOT_BYTES = 1
  local ok, err = pcall(function()
    check("3200", "true_div")
    eq(#sent, 7, "3200's tests sent")
    check("abc100_a", "input")
    eq(#sent, 8, "abc100_a's tests sent again: the executor kept only 3200's")
    check("abc100_a", "input")
    eq(#sent, 8, "abc100_a's tests kept")
  end)
  grade.SLOT_BYTES = budget
  if not ok then error(err, 0) end
  -- a restarted executor keeps nothing: the tests go again
  pool.all[1].p:kill("KILL")
  local v = grade.grade(pool, problems.by_id["abc100_a"], codes["abc100_a"]["input"], 2)
  assert(v.detail and v.detail:find("restarted"), "a dead executor: " .. tostring(v.detail))
  check("abc100_a", "input")
  eq(#sent, 9, "abc100_a's tests sent to the restarted executor (not with the request the dead one got)")
end

T["samples are graded problem by problem in windows of four, one sample of each in turn"] = function()
  local problems = data.load{ dataset = { FIX .. "problems.jsonl" } }
  problems.dropped = {}
  local list = files.read(FIX .. "samples.json", problems)
  local file, n = json_file(FIX .. "samples.json"), 0
  for _, s in ipairs(file) do n = n + #s.code_list end
  eq(#list, n, "samples read")
  local seen = {}
  for _, s in ipairs(list) do
    local key = s.task_id .. "#" .. s.index
    assert(not seen[key], key .. " twice")
    seen[key] = true
  end
  local got = {}
  for i = 1, 9 do got[i] = list[i].task_id .. "#" .. list[i].index end
  local q = {}
  for i = 1, 4 do q[i] = file[i].question_id end
  local want = { q[1] .. "#0", q[2] .. "#0", q[3] .. "#0", q[4] .. "#0", q[1] .. "#1", q[2] .. "#1", q[3] .. "#1", q[4] .. "#1", q[1] .. "#2" }
  eq(table.concat(got, " "), table.concat(want, " "), "the first samples")
  -- the fifth problem's samples start after the first window's
  local first5
  for i, s in ipairs(list) do if s.task_id == file[5].question_id then first5 = first5 or i end end
  local window = 0
  for i = 1, 4 do window = window + #file[i].code_list end
  eq(first5, window + 1, "the first sample of the fifth problem")
end

T["a report the executor cannot read is a sample without a report, and the executor lives on"] = function()
  local problems = data.load{ dataset = { FIX .. "problems.jsonl" } }
  local pool <close> = assert(grade.pool{ size = 1, sandbox = "auto" })
  -- the program finds its own reporter and sends well-formed JSON of the wrong shape
  local forge = "import gc\n" ..
    "r = [o for o in gc.get_objects() if type(o).__name__ == 'Reporter'][0]\n" ..
    "r(b'', b'{\"results\": \"forged\"}')\n"
  local v = grade.grade(pool, problems.by_id["abc100_a"], forge, 2)
  eq(show(v.results), "[-2]", "results")
  eq(v.metadata.error_code, -5, "error_code")
  eq(v.detail, "the report could not be read", "detail")
  eq(pool.restarts, 0, "executor restarts")
  -- JSON that is not lcb_child's shape is no report; the first stopped the
  -- whole run before (benchlua indexed the number). Extra fields are dropped:
  -- a forged "error" was raised as the executor's own and stopped the run
  -- (a well-formed forged report is the program's verdict, as in lcb_runner).
  for _, c in ipairs({ { '{"results": [false], "metadata": 5, "metadata_json": "{}"}' },
      { '{"results": [false], "metadata": {}, "metadata_json": "{}", "error": "boom"}', false },
      { '{"results": [1e400], "metadata": {}, "metadata_json": "{}"}' },
      { '{"results": [true], "metadata": {}, "metadata_json": 7}' },
      { '{"results": [true], "metadata": {}}' }, { '[[[' .. string.rep("[", 100000) } }) do
    local shape, readable = c[1], c[2] ~= nil
    local f = forge:gsub("b'{.-}'", function() return "b'" .. shape .. "'" end)
    v = grade.grade(pool, problems.by_id["abc100_a"], f, 2)
    eq(v.detail, not readable and "the report could not be read" or nil, "detail for " .. shape:sub(1, 60))
    eq(v.passed, false, "passed for " .. shape:sub(1, 60))
  end
  eq(pool.restarts, 0, "executor restarts after the shapes")
  local ok = grade.grade(pool, problems.by_id["abc100_a"], "n = int(input())\nprint(sum(map(int, input().split())))\n", 2)
  eq(ok.passed, true, "the next sample on the same executor passes")
  eq(pool.restarts, 0, "executor restarts after the next sample")
end

T["a directory tree thousands of levels deep that a sample leaves in /tmp does not cost the next sample its verdict"] = function()
  -- the executor wipes in its own process: shutil.rmtree's RecursionError
  -- killed it, and the next sample got "the executor died"
  local problems = data.load{ dataset = { FIX .. "problems.jsonl" } }
  local pool <close> = assert(grade.pool{ size = 1, sandbox = "auto" })
  local sum = "n = int(input())\nprint(sum(map(int, input().split())))\n"
  local deep = "import os\nfd = os.open(os.environ['TMPDIR'], os.O_RDONLY)\nos.mkdir('deepdir', dir_fd=fd)\n"
    .. "for i in range(3000):\n    nfd = os.open('deepdir' if i == 0 else 'd', os.O_RDONLY, dir_fd=fd)\n"
    .. "    os.close(fd); fd = nfd\n    os.mkdir('d', dir_fd=fd)\n" .. sum
  grade.grade(pool, problems.by_id["abc100_a"], deep, 6)
  local v = grade.grade(pool, problems.by_id["abc100_a"], sum, 6)
  eq(v.passed, true, "the next sample: " .. tostring(v.detail))
  eq(pool.restarts, 0, "executor restarts")
end

T["verdict outcomes: passed, wrong, timed_out, error"] = function()
  local g, names = grade_fixtures(), json_file(FIX .. "expected.json").problems
  local function outcome(qid, name)
    for i, n in ipairs(names[qid].names) do if n == name then return g[qid][i].outcome end end
    error("no sample " .. name)
  end
  eq(outcome("abc100_a", "input"), "passed", "input")
  eq(outcome("abc100_a", "wrong"), "wrong", "wrong")
  eq(outcome("abc100_a", "infinite_loop"), "timed_out", "infinite loop")
  eq(outcome("abc100_a", "syntax_error"), "error", "syntax error")
  eq(outcome("3000", "wrong"), "wrong", "functional wrong")
  eq(outcome("3000", "sys_exit_in_method"), "error", "sys.exit in a method: no report")
end

T["private tests: the real sample decodes to 4 stdin tests after its public one"] = function()
  local problems = data.load{ dataset = { testing.data("lcb_sample_1873_A.jsonl") } }
  eq(#problems, 1, "problems")
  local p = problems[1]
  eq(p.question_id, "1873_A", "question_id")
  local t = data.tests(p)
  eq(#t.inputs, 5, "tests")
  eq(t.inputs[2], "1\nabc\n", "first private input")
  eq(t.outputs[2], "YES\n", "first private output")
  eq(t.fn_name, nil, "fn_name")
end

-- pickles built by hand
local function frame(body) return "\x80\x04\x95" .. string.pack("<I8", #body) .. body end

T["the pickle decoder takes only a pickled str (short, 4-byte, 8-byte lengths, with or without frame)"] = function()
  eq(data.pickled_string(frame("\x8c\x02[]\x94.")), "[]", "SHORT_BINUNICODE in a frame")
  eq(data.pickled_string("\x80\x04X\x02\0\0\0[]\x94."), "[]", "BINUNICODE, no frame")
  eq(data.pickled_string("\x80\x05\x8d" .. string.pack("<I8", 2) .. "[]."), "[]", "BINUNICODE8, no memo")
  -- protocols 2 and 3 memoize with BINPUT (what pickle.dumps("[]", protocol=2) writes), or LONG_BINPUT
  eq(data.pickled_string("\x80\x02X\x02\0\0\0[]q\0."), "[]", "protocol 2, BINPUT")
  eq(data.pickled_string("\x80\x03X\x02\0\0\0[]r\0\0\0\0."), "[]", "protocol 3, LONG_BINPUT")
  local refused = {
    ["a list"] = frame("]\x94(K\x01e."),
    ["a global (code execution)"] = "\x80\x04\x95\x15\0\0\0\0\0\0\0\x8c\x02os\x94\x8c\x06system\x94\x93\x94.",
    ["protocol 0"] = "Vabc\np0\n.",
    ["bytes after STOP"] = frame("\x8c\x02[]\x94.") .. "x",
    ["a string longer than the data"] = frame("\x8c\x09[]\x94."),
    ["a wrong frame length"] = "\x80\x04\x95\x09\0\0\0\0\0\0\0\x8c\x02[]\x94.",
    ["no STOP"] = frame("\x8c\x02[]\x94"),
    ["two strings"] = frame("\x8c\x01a\x94\x8c\x01b\x94."),
    ["BINPUT without its index"] = "\x80\x02X\x02\0\0\0[]q.",
    ["BINPUT then a GET"] = "\x80\x02X\x02\0\0\0[]q\0h\0.",
  }
  for what, b in pairs(refused) do
    local s, err = data.pickled_string(b)
    if s then error(what .. " was accepted") end
    assert(type(err) == "string", what)
  end
end

T["a malformed row or private field is an error naming the file and line"] = function()
  local d <close> = tmpdir()
  local good = assert(bench.fs.read(testing.data("lcb_sample_1873_A.jsonl"))):gsub("%s+$", "")
  local function variant(field, value)
    local r = cjson.decode(good)
    r[field] = value
    return cjson.encode(r)
  end
  local cases = {
    { "not json", "{oops", "not valid JSON" },
    { "no question_id", variant("question_id", nil), "field 'question_id'" },
    { "bad platform", variant("platform", "topcoder"), "unknown platform" },
    { "bad date", variant("contest_date", "yesterday"), "contest_date" },
    { "public not a list", variant("public_test_cases", '{"a": 1}'), "public_test_cases" },
    { "metadata not an object", variant("metadata", "[1]"), "metadata" },
  }
  for _, c in ipairs(cases) do
    local path = write(d.path .. "/x.jsonl", good .. "\n\n" .. c[2] .. "\n")
    raises(function() data.load{ dataset = { path } } end, "x%.jsonl:3: " .. c[3], c[1])
  end
  -- private fields are decoded when the problem is scored
  local bad_private = {
    { "not base64 or JSON", "!!!", "private_test_cases" },
    { "not zlib", "aGVsbG8=", "not zlib" },
    { "a test without output", '[{"input": "1", "testtype": "stdin"}]', "test 1 needs" },
  }
  for _, c in ipairs(bad_private) do
    local path = write(d.path .. "/y.jsonl", "\n" .. variant("private_test_cases", c[2]) .. "\n")
    local problems = data.load{ dataset = { path } }
    raises(function() data.tests(problems[1]) end, "y%.jsonl:2: .*" .. c[3], c[1])
  end
  -- the same question twice
  local path = write(d.path .. "/z.jsonl", good .. "\n" .. good .. "\n")
  raises(function() data.load{ dataset = { path } } end, "z%.jsonl:2: question_id '1873_A' is also at", "duplicate")
end

T["a zip bomb in private_test_cases is refused in one line after its first bytes, memory kept low"] = function()
  local d <close> = tmpdir()
  local good = assert(bench.fs.read(testing.data("lcb_sample_1873_A.jsonl"))):gsub("%s+$", "")
  -- 1 GiB of zeros; a pickle header that claims a 2 GiB string; and a valid
  -- header claiming 1,000 bytes in front of 64 MiB
  local r = assert(bench.run_script{ argv = { "/usr/bin/python3", "-c", [[
import base64, struct, sys, zlib
c = zlib.compressobj(9)
z = b"".join(c.compress(bytes(1 << 20)) for _ in range(1024)) + c.flush()
c = zlib.compressobj(9)
h = b"\x80\x04\x8d" + struct.pack("<Q", 1 << 31)
y = c.compress(h) + b"".join(c.compress(b"[" * (1 << 20)) for _ in range(64)) + c.flush()
c = zlib.compressobj(9)
v = c.compress(b"\x80\x04\x8d" + struct.pack("<Q", 1000)) + b"".join(c.compress(b"[" * (1 << 20)) for _ in range(64)) + c.flush()
for b in (z, y, v): print(base64.b64encode(b).decode())]] }, max_output = 8 << 20, timeout = 120 })
  assert(r.ok, r.stderr)
  local zeros, claim, valid = r.stdout:match("^(%S+)\n(%S+)\n(%S+)\n$")
  local row = cjson.decode(good)
  local function peak_kb()
    local f = assert(io.open("/proc/self/status"))
    local kb = tonumber(f:read("a"):match("VmHWM:%s*(%d+)"))
    f:close()
    return kb
  end
  for _, c in ipairs({ { zeros, "private_test_cases refused: inflate: not a pickle of protocol 2 to 5" },
    { claim, "private_test_cases refused: inflate: the pickled string claims 2147483648 bytes, more than the limit of 268435456" },
    { valid, "private_test_cases refused: inflate: more than the 1032 bytes its first bytes claim" } }) do
    row.private_test_cases = c[1]
    local path = write(d.path .. "/bomb.jsonl", cjson.encode(row) .. "\n")
    local problems = data.load{ dataset = { path } }
    local before = peak_kb()
    local ok, err = pcall(data.tests, problems[1])
    eq(ok, false, "refused")
    eq(err, path .. ":1: " .. c[2], "one line naming the problem")
    assert(peak_kb() - before < 64 * 1024, string.format("peak memory grew by %d KiB", peak_kb() - before))
  end
end

T["filters: dates as lcb_runner compares them (midnight bounds), platform, difficulty; sorted by question_id"] = function()
  local files = { FIX .. "problems.jsonl" }
  local function ids(o)
    o.dataset = files
    local ok, problems = pcall(data.load, o)
    if not ok then return "none" end
    local out = {}
    for i, p in ipairs(problems) do out[i] = p.question_id end
    return table.concat(out, " ")
  end
  eq(ids{}, "1900_A 3000 3100 3200 abc100_a abc200_b abc300_c", "all, sorted")
  eq(ids{ start_date = "2024-01-07" }, "3000 3100 3200 abc200_b abc300_c", "start date is inclusive")
  eq(ids{ end_date = "2023-11-01" }, "abc100_a", "1900_A (14:35 that day) is after the end date's midnight")
  eq(ids{ end_date = "2023-11-02" }, "1900_A abc100_a", "end date the day after")
  eq(ids{ end_date = "2024-01-07" }, "1900_A 3000 abc100_a", "a midnight contest on the end date is kept")
  eq(ids{ platform = "leetcode" }, "3000 3100 3200", "platform")
  eq(ids{ difficulty = "hard", platform = "atcoder" }, "abc200_b", "difficulty and platform")
  eq(ids{ platform = "codeforces", difficulty = "easy" }, "none", "nothing left is an error")
end

T["releases map to shard files as the dataset's loading script does"] = function()
  local function shards(tag)
    local s, err = data.release(tag)
    return s and table.concat(s, ",") or err
  end
  eq(shards("release_v1"), "1", "release_v1")
  eq(shards("release_v6"), "1,2,3,4,5,6", "release_v6")
  eq(shards("release_latest"), "1,2,3,4,5,6", "release_latest")
  eq(shards("v6"), "6", "v6")
  eq(shards("v4_v6"), "4,5,6", "v4_v6")
  eq(shards("v2_v3"), "2,3", "v2_v3")
  assert(shards("v7"):find("unknown release"), "v7")
  assert(shards("v3_v2"):find("unknown release"), "v3_v2")
  assert(shards("release_v7"):find("unknown release"), "release_v7")
end

T["prompts are lcb_runner's byte for byte: OpenAIChat messages and the GenericBase few-shot prompt"] = function()
  local want = json_file(FIX .. "expected_prompts.json")
  local problems = data.load{ dataset = { FIX .. "problems.jsonl" } }
  for _, p in ipairs(problems) do
    local w = want[p.question_id]
    local m = prompt.chat_messages(p)
    eq(#m, #w.chat, p.question_id .. " messages")
    for i = 1, #m do
      eq(m[i].role, w.chat[i].role, p.question_id .. " role " .. i)
      eq(m[i].content, w.chat[i].content, p.question_id .. " content " .. i)
    end
    eq(prompt.base_prompt(p), w.base, p.question_id .. " base prompt")
  end
end

T["code extraction is lcb_runner's (the last fenced block), with reasoning set apart"] = function()
  for _, c in ipairs(json_file(FIX .. "expected_extract.json")) do
    eq(prompt.extract(c.answer) or "", c.code, c.name)
  end
  local code, info = prompt.extract("<think>```python\nprint(0)\n```</think>\n```python\nprint(1)\n```")
  eq(code, "print(1)", "fences inside <think> do not count")
  eq(info.unclosed_think, false, "closed think")
  code, info = prompt.extract("```python\nprint(1)\n```\n<think>more ```python\nprint(2)\n```")
  eq(code, "print(1)", "an unclosed <think> keeps what precedes it")
  eq(info.unclosed_think, true, "unclosed think")
end

-- Run benchlua with args; -> run_script's result
local function benchlua(args)
  local argv = { bench.exe }
  for _, a in ipairs(args) do argv[#argv + 1] = a end
  return assert(bench.run_script{ argv = argv, timeout = 120 })
end

local function last_run(results)
  local d = cjson.decode(assert(bench.fs.read(results)))
  return d.runs[#d.runs]
end

local function lines_of(path)
  local out = {}
  for line in assert(bench.fs.read(path)):gmatch("[^\n]+") do out[#out + 1] = cjson.decode(line) end
  return out
end

-- 1873_A "Short Sort", solved the way its editorial does
local SHORT_SORT = "t = int(input())\nfor _ in range(t):\n    s = input().strip()\n"
  .. "    diff = sum(1 for a, b in zip(s, 'abc') if a != b)\n    print('YES' if diff <= 2 else 'NO')\n"

T["a full chat run against a fake server: the real problem's solution passes all 5 tests; lcb_runner's messages are sent"] = function()
  local d <close> = tmpdir()
  local answer = write(d.path .. "/answer.txt", "<think>\nMaybe ```python\nprint('NO')\n```\n</think>\n"
    .. "Count the misplaced cards:\n\n```python\n" .. SHORT_SORT .. "```\n")
  local record = d.path .. "/requests.jsonl"
  local r = benchlua{ "lcb", "--chat", "--n", "2", "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--model", testing.data("lcb_sample_1873_A.jsonl"), "--server-bin", "tests/fake_server.py",
    "--server-arg=--chat-answer-file", "--server-arg=" .. answer, "--server-arg=--record", "--server-arg=" .. record,
    "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  assert(r.stdout:find("pass@1 1.0000", 1, true), r.stdout)
  local run = last_run(d.path .. "/r.json")
  eq(run.status, "ok", "status")
  eq(run.results.score, 1, "score")
  eq(run.results.by_difficulty.easy.pass_at_k["pass@1"], 1, "easy")
  eq(run.results.by_platform.codeforces.problems, 1, "codeforces problems")
  local samples = lines_of(run.run_dir .. "/samples.jsonl")
  eq(#samples, 2, "sample log")
  for _, s in ipairs(samples) do
    eq(show(s.results), "[true, true, true, true, true]", "per-test results")
    eq(s.code, SHORT_SORT:sub(1, -2), "the last fenced block outside <think>")
  end
  local reqs = lines_of(record)
  eq(#reqs, 2, "requests")
  local want = prompt.chat_messages(data.load{ dataset = { testing.data("lcb_sample_1873_A.jsonl") } }[1])
  eq(#reqs[1].messages, 2, "system + user")
  for i = 1, 2 do
    eq(reqs[1].messages[i].role, want[i].role, "role")
    eq(reqs[1].messages[i].content, want[i].content, "message " .. i)
  end
  eq(reqs[1].temperature, 0.2, "lcb_runner's temperature")
  eq(reqs[1].max_tokens, 2000, "lcb_runner's max_tokens")
end

T["a full base-model run: the few-shot prompt, the ### stop, the stripped output graded"] = function()
  local d <close> = tmpdir()
  local record = d.path .. "/requests.jsonl"
  local r = benchlua{ "lcb", "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--model", testing.data("lcb_sample_1873_A.jsonl"), "--server-bin", "tests/fake_server.py",
    "--server-arg=--reply", "--server-arg=\n" .. SHORT_SORT .. "\n\n", "--server-arg=--record", "--server-arg=" .. record,
    "--server-arg=--n-ctx", "--server-arg=65536",
    "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(last_run(d.path .. "/r.json").results.score, 1, "score")
  local req = lines_of(record)[1]
  eq(req.prompt, prompt.base_prompt(data.load{ dataset = { testing.data("lcb_sample_1873_A.jsonl") } }[1]), "prompt")
  eq(cjson.encode(req.stop), '["###"]', "stop")
end

T["--samples FILE.json writes lcb_runner's eval_all file; a bad file fails the run, naming it"] = function()
  local d <close> = tmpdir()
  local samples = write(d.path .. "/s.json", cjson.encode{ { question_id = "1873_A", code_list = { SHORT_SORT, "print('YES')", "" } } })
  local r = benchlua{ "lcb", "--samples", samples, "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local out = cjson.decode(assert(bench.fs.read(d.path .. "/s_codegeneration_output_eval_all.json")))
  eq(#out, 1, "problems")
  eq(out[1].question_id, "1873_A", "question_id")
  eq(out[1].contest_date, "2023-08-21T00:00:00", "contest_date")
  eq(show(out[1].graded_list), "[true, false, false]", "graded_list")
  eq(out[1]["pass@1"], 1 / 3, "pass@1")
  eq(#out[1].metadata, 3, "metadata")
  eq(out[1].code_list[2], "print('YES')", "code_list")
  eq(last_run(d.path .. "/r.json").results.pass_at_k["pass@5"], nil, "no pass@5 with 3 samples")
  write(samples, cjson.encode{ { question_id = "1873_A", code_list = { SHORT_SORT, "x", "y", "z", "w" } } })
  r = benchlua{ "lcb", "--samples", samples, "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--results", d.path .. "/r.json", "--quiet" }
  local res = last_run(d.path .. "/r.json").results
  eq(res.pass_at_k["pass@5"], 1, "pass@5 with 5 samples (lcb_runner's k list)")
  eq(res.by_platform.codeforces.pass_at_k["pass@5"], 1, "pass@5 by platform")
  local bad = {
    { "[]", "1 of 1 problems have no entry" },
    { '[{"question_id": "nope", "code_list": []}]', "question_id 'nope' is not among the problems" },
    { '[{"question_id": "1873_A"}]', "entry 1 needs question_id and code_list" },
    { "{", "expected a JSON list" },
    { '[{"question_id": 5.5, "code_list": []}]', "entry 1 needs question_id and code_list" }, -- was a Lua error
    { '[{"question_id": "1873_A", "code_list": {"a": "x"}}]', "entry 1 needs question_id and code_list" }, -- was "no score"
  }
  for _, c in ipairs(bad) do
    write(samples, c[1])
    r = benchlua{ "lcb", "--samples", samples, "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--results", d.path .. "/r.json", "--quiet" }
    eq(r.code, 1, c[1] .. " exit code")
    assert(r.stderr:find(c[2], 1, true), r.stderr)
  end
end

T["options: bad dates, releases and files are usage errors"] = function()
  for _, c in ipairs({
    { { "--start-date", "2024-13-01" }, "--start-date must be YYYY-MM-DD" },
    { { "--end-date", "yesterday" }, "--end-date must be YYYY-MM-DD" },
    { { "--release", "v9" }, "--release: unknown release 'v9'" },
    { { "--dataset", "/nonexistent.jsonl" }, "--dataset: no file '/nonexistent.jsonl'" },
    { { "--platform", "topcoder" }, "--platform must be one of" },
  }) do
    local args = { "lcb", "--samples", testing.data("lcb_sample_1873_A.jsonl") }
    for _, a in ipairs(c[1]) do args[#args + 1] = a end
    local r = benchlua(args)
    eq(r.code, 2, table.concat(c[1], " ") .. ": exit code")
    assert(r.stderr:find(c[2], 1, true), r.stderr)
  end
end

T["a release shard is fetched over HTTP, kept only when every row reads and the count is the release's"] = function()
  local d <close> = tmpdir()
  local www = d.path .. "/www"
  assert(bench.fs.mkdir_p(www))
  write(www .. "/test6.jsonl", assert(bench.fs.read(FIX .. "problems.jsonl")))
  local port = assert(bench.net.free_port())
  local srv <close> = assert(bench.proc.spawn{ argv = { "/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1",
    tostring(port), "--directory", www }, stdout = "null", stderr = "null" })
  for _ = 1, 200 do
    if bench.net.port_in_use("127.0.0.1", port) then break end
    bench.sleep(0.02)
  end
  local url, counts = data.URL, data.SHARD_PROBLEMS[6]
  local _ <close> = setmetatable({}, { __close = function() data.URL, data.SHARD_PROBLEMS[6] = url, counts end })
  data.URL = string.format("http://127.0.0.1:%d/", port)
  local path = d.path .. "/cache/livecodebench/test6.jsonl"
  local got, err = data.fetch_shard(6, path)
  eq(got, nil, "a shard with 7 problems where the release has 175")
  assert(err:find("7 problems, the release has 175", 1, true), err)
  eq(bench.fs.stat(path), nil, "nothing kept")
  data.SHARD_PROBLEMS[6] = 7
  eq(data.fetch_shard(6, path), path, "fetched")
  assert(bench.fs.stat(path .. ".verified"), "marked verified")
  eq(#data.load{ dataset = { path } }, 7, "it reads")
  -- the cache is checked against its mark every time it is used: a shard
  -- cut short (or one of its rows blanked out, the size kept) is fetched again
  local dataset = require("benchlua.dataset")
  local cache_dir = dataset.cache_dir
  local _ <close> = setmetatable({}, { __close = function() dataset.cache_dir = cache_dir end })
  dataset.cache_dir = function() return d.path .. "/cache" end
  eq(#data.load{ release = "v6" }, 7, "the release from the cache")
  local full = assert(bench.fs.read(path))
  write(path, full:match("^[^\n]*\n[^\n]*\n"))
  eq(#data.load{ release = "v6" }, 7, "a shard cut to 2 rows under its mark: fetched again")
  eq(assert(bench.fs.read(path)), full, "the whole shard is back")
  local last = full:match("([^\n]*\n)$")
  write(path, full:sub(1, #full - #last) .. string.rep(" ", #last - 1) .. "\n")
  eq(#data.load{ release = "v6" }, 7, "a row blanked out, the size kept: fetched again")
  eq(assert(bench.fs.read(path)), full, "the whole shard is back again")
  write(path, full:match("^[^\n]*\n"))
  write(www .. "/test6.jsonl", full:match("^[^\n]*\n"))
  local ok, lerr = pcall(data.load, { release = "v6" })
  assert(not ok and not lerr:find("\n") and lerr:find("1 problems, the release has 7", 1, true), tostring(lerr))
  write(www .. "/test6.jsonl", "{oops\n")
  got, err = data.fetch_shard(6, d.path .. "/other.jsonl")
  eq(got, nil, "a malformed shard")
  assert(err:find("other.jsonl.part%-%d+:1: not valid JSON"), err)
  srv:kill("KILL")
  srv:wait()
end

T["--generate-only writes the custom-evaluator input that --samples grades"] = function()
  local d <close> = tmpdir()
  local answer = write(d.path .. "/answer.txt", "```python\n" .. SHORT_SORT .. "```\n")
  local gen = d.path .. "/gen.json"
  local r = benchlua{ "lcb", "--chat", "--n", "2", "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--model", testing.data("lcb_sample_1873_A.jsonl"), "--server-bin", "tests/fake_server.py",
    "--server-arg=--chat-answer-file", "--server-arg=" .. answer, "--generate-only", gen, "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  local g = json_file(gen)
  eq(#g, 1, "problems"); eq(g[1].question_id, "1873_A", "question_id")
  eq(#g[1].code_list, 2, "codes"); eq(g[1].code_list[1], SHORT_SORT:sub(1, -2), "code")
  eq(g[1].output_list[1], assert(bench.fs.read(answer)), "raw answer")
  r = benchlua{ "lcb", "--samples", gen, "--dataset", testing.data("lcb_sample_1873_A.jsonl"), "--results", d.path .. "/r.json", "--quiet" }
  eq(r.code, 0, "exit code: " .. r.stderr)
  eq(show(json_file(d.path .. "/gen_codegeneration_output_eval_all.json")[1].graded_list), "[true, true]", "graded")
end

return T
